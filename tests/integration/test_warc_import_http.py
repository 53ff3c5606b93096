"""WARC files queued as http(s) URLs: the import worker downloads each through the guarded fetcher
into its spool (from a real HTTP server on 127.0.0.1) and imports it exactly once; a URL that
cannot be downloaded is one dead letter and the next file goes on."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from newswire.broker import EmbeddedBroker, free_port
from newswire.bus.tail import read_topic
from newswire.commands.import_warc import run as queue_files
from newswire.config import Settings
from tests.conftest import make_settings
from tests.support.daemon_procs import Daemon, decider, kafka_table, metric_sum, wait_for, write_config
from tests.support.file_server import FileServer
from tests.support.warc_import import (
    KILL_PAGES,
    article_urls,
    kill_mid_file_and_resume,
    pages,
    wait_for_articles,
)

pytestmark = pytest.mark.kafka


def http_worker(
    settings: Settings,
    tmp_path: Path,
    server: FileServer,
    spool: Path,
    name: str = "worker",
    **ingest: object,
) -> Daemon:
    tables = {
        "kafka": kafka_table(settings),
        "ingest": {
            "group_id": settings.ingest.group_id,
            "extract_workers": 1,
            "warc_spool": str(spool),
            "commit_interval_ms": 100,
            "max_in_flight": 8,
            **ingest,
        },
        "fetch": {
            "allowed_hosts": [server.host_port],
            "per_host_delay_s": 0,
            "backoff_base_s": 0.05,
            "backoff_max_s": 0.2,
        },
    }
    config = write_config(tmp_path / f"{name}.toml", tables, [])
    return Daemon.start("import-worker", config, free_port(), tmp_path / f"{name}.log")


async def test_warc_urls_are_downloaded_and_imported_once_and_a_bad_url_is_a_dead_letter(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers, kafka={"partitions": 1})  # files in queue order
    good = pages(30)
    body = b"".join(member for _, member in good)
    with FileServer({"/crawl/CC-NEWS-1.warc.gz": body}) as server, FileServer({"/x.warc.gz": body}) as other:
        server.cut_first_response("/crawl/CC-NEWS-1.warc.gz", after=len(body) // 2)
        missing = server.url("/crawl/gone.warc.gz")
        guarded = other.url("/x.warc.gz")  # loopback, not in fetch.allowed_hosts: the guard refuses it
        lines: list[str] = []
        await queue_files(settings, lines.append, [missing, guarded, server.url("/crawl/CC-NEWS-1.warc.gz")])
        assert lines[-1].startswith("3 WARC files queued")
        spool = tmp_path / "spool"
        daemon = http_worker(settings, tmp_path, server, spool)
        ingest = decider(settings, tmp_path)
        try:
            expected = {url for url, _ in good}

            await wait_for_articles(settings, daemon, expected, "every article of the downloaded file")
            counts = await article_urls(settings)
            assert [url for url, n in counts.items() if n != 1] == []
            topic = settings.topic("dead-letters")
            letters = [orjson.loads(r.value) for r in await read_topic(settings, topic)]
            assert [(d["stage"], d["context"]["reason"], d["context"]["url"]) for d in letters] == [
                ("import", "download_failed", missing),
                ("import", "download_failed", guarded),
            ]
            assert "HTTP 404" in letters[0]["error"]
            assert "loopback" in letters[1]["error"] and "fetch.allowed_hosts" in letters[1]["error"]
            assert other.requests_to("/x.warc.gz") == []
            first, resumed = server.requests_to("/crawl/CC-NEWS-1.warc.gz")
            assert (first.status, resumed.status) == (200, 206)  # the broken-off download resumed
            await wait_for(lambda: not any(spool.iterdir()), 30, "the imported file to leave the spool")
            async with httpx.AsyncClient() as client:
                samples = await daemon.metrics(client)
            assert metric_sum(samples, "newswire_import_downloads_total", outcome="ok") == 1
            assert metric_sum(samples, "newswire_import_downloads_total", outcome="failed") == 2
            assert metric_sum(samples, "newswire_import_download_bytes_total") == len(body)
            assert metric_sum(samples, "newswire_import_bytes_total") == len(body)
            assert daemon.stop() == 0
        finally:
            daemon.stop()
            ingest.stop()


async def test_a_worker_killed_mid_file_of_a_url_is_resumed_by_a_worker_with_its_own_spool_once(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers)
    good = pages(KILL_PAGES)
    with FileServer({"/big.warc.gz": b"".join(member for _, member in good)}) as server:
        url = server.url("/big.warc.gz")
        small_batches = {"commit_interval_ms": 50, "max_in_flight": 3}

        def start_worker(name: str) -> Daemon:
            # Another machine each: its own spool, so the second downloads the file again and
            # reads on from the checkpoint.
            spool = tmp_path / {"first": "spool-a", "second": "spool-b"}[name]
            return http_worker(settings, tmp_path, server, spool, name, **small_batches)

        log = await kill_mid_file_and_resume(settings, tmp_path, url, {u for u, _ in good}, start_worker)
        assert len(server.requests_to("/big.warc.gz")) == 2  # one download per worker
        assert f"importing {url} (" in log and "from byte 0" not in log  # resumed, not restarted
