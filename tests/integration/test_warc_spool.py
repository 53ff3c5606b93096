"""The import worker's spool against a real HTTP server on 127.0.0.1: download progress on the metrics
while a file comes in, a whole file reused, and nothing left once released."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from prometheus_client import REGISTRY

from newswire.config import FetchSettings
from newswire.daemons._warc_spool import WarcSpool
from newswire.fetch import Fetcher
from tests.support.daemon_procs import wait_for
from tests.support.file_server import FileServer


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_download_progress_is_on_the_metrics_and_a_whole_file_is_reused_then_released(
    tmp_path: Path,
) -> None:
    body = os.urandom(2 * 1024 * 1024)
    half = len(body) // 2
    with FileServer({"/crawl/a.warc.gz": body}) as server:
        url = server.url("/crawl/a.warc.gz")
        go_on = server.hold_first_response("/crawl/a.warc.gz", after=half)
        settings = FetchSettings(allowed_hosts=(server.host_port,), per_host_delay_s=0)
        async with Fetcher(settings) as fetcher:
            spool = WarcSpool(tmp_path / "spool", fetcher, max_bytes=10**8)
            downloading = asyncio.create_task(spool.fetch(url))
            try:
                position = "newswire_import_download_position_bytes"
                await wait_for(lambda: sample(position) == half, 20, "half the file on the position gauge")
            finally:
                go_on.set()
            download = await downloading
            assert sample(position) == 0  # no download in progress any more
            assert download.path.read_bytes() == body
            assert download.path.parent == tmp_path / "spool" and download.path.name.endswith("-a.warc.gz")
            reused = sample("newswire_import_downloads_total", outcome="reused")
            again = await spool.fetch(url)  # a worker that takes the file again finds it whole
            assert again.path == download.path and len(server.requests_to("/crawl/a.warc.gz")) == 1
            assert sample("newswire_import_downloads_total", outcome="reused") == reused + 1
        spool.release(url)
        assert list((tmp_path / "spool").iterdir()) == []
