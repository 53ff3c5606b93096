"""``Fetcher.download`` against a real HTTP server on 127.0.0.1: a large file streamed to disk,
resumed with a range request after a break, refused past its cap or by the address guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newswire.config import FetchSettings
from newswire.errors import BlockedError, FetchError
from newswire.fetch import Fetcher
from tests.support.file_server import FileServer

BODY = os.urandom(3 * 1024 * 1024 + 17)  # incompressible, several chunks


def settings(server: FileServer, **changes: object) -> FetchSettings:
    values: dict[str, object] = {
        "allowed_hosts": (server.host_port,),
        "per_host_delay_s": 0,
        "retries": 2,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
    }
    return FetchSettings(**{**values, **changes})


async def test_a_file_is_streamed_to_disk_byte_for_byte(tmp_path: Path) -> None:
    with FileServer({"/a.warc.gz": BODY}) as server:
        async with Fetcher(settings(server)) as fetcher:
            got = await fetcher.download(server.url("/a.warc.gz"), tmp_path / "a.warc.gz", max_bytes=10**8)
    assert got.path.read_bytes() == BODY
    assert (got.size, got.resumed_from) == (len(BODY), 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.warc.gz"]  # no partial file left
    [request] = server.requests_to("/a.warc.gz")
    assert request.headers["Accept-Encoding"] == "identity"


async def test_a_broken_off_download_is_resumed_with_a_range_request(tmp_path: Path) -> None:
    with FileServer({"/a.warc.gz": BODY}) as server:
        server.cut_first_response("/a.warc.gz", after=1024 * 1024)
        async with Fetcher(settings(server)) as fetcher:
            got = await fetcher.download(server.url("/a.warc.gz"), tmp_path / "a.warc.gz", max_bytes=10**8)
        first, second = server.requests_to("/a.warc.gz")
    assert got.path.read_bytes() == BODY
    assert "Range" not in first.headers and first.status == 200
    assert second.status == 206
    assert second.headers["Range"] == f"bytes={got.resumed_from}-" and got.resumed_from >= 1024 * 1024


async def test_without_range_support_a_broken_off_download_starts_again(tmp_path: Path) -> None:
    with FileServer({"/a.warc.gz": BODY}, ranges=False) as server:
        server.cut_first_response("/a.warc.gz", after=1024 * 1024)
        async with Fetcher(settings(server)) as fetcher:
            got = await fetcher.download(server.url("/a.warc.gz"), tmp_path / "a.warc.gz", max_bytes=10**8)
        statuses = [r.status for r in server.requests_to("/a.warc.gz")]
    assert got.path.read_bytes() == BODY and got.resumed_from == 0
    assert statuses == [200, 200]


async def test_a_file_over_the_cap_is_refused_and_nothing_is_kept_in_place(tmp_path: Path) -> None:
    with FileServer({"/a.warc.gz": BODY}) as server:
        async with Fetcher(settings(server)) as fetcher:
            with pytest.raises(BlockedError, match="over the cap"):
                await fetcher.download(server.url("/a.warc.gz"), tmp_path / "a.warc.gz", max_bytes=1024**2)
    assert list(tmp_path.iterdir()) == []  # nothing kept: not the file, not a partial one


async def test_a_body_that_runs_past_the_cap_without_a_length_is_cut_off_and_nothing_is_kept(
    tmp_path: Path,
) -> None:
    with FileServer({"/a.warc.gz": BODY}, send_length=False) as server:
        async with Fetcher(settings(server)) as fetcher:
            with pytest.raises(BlockedError, match="passed the cap"):
                await fetcher.download(server.url("/a.warc.gz"), tmp_path / "a.warc.gz", max_bytes=1024**2)
    assert list(tmp_path.iterdir()) == []


async def test_a_missing_file_and_a_guarded_address_are_clear_errors(tmp_path: Path) -> None:
    with FileServer({"/a.warc.gz": BODY}) as server, FileServer({"/b.warc.gz": BODY}) as internal:
        async with Fetcher(settings(server)) as fetcher:
            with pytest.raises(FetchError, match="HTTP 404") as missing:
                await fetcher.download(server.url("/gone.warc.gz"), tmp_path / "gone", max_bytes=10**8)
            assert not missing.value.retryable
            with pytest.raises(BlockedError, match="loopback"):
                await fetcher.download(internal.url("/b.warc.gz"), tmp_path / "b", max_bytes=10**8)
        assert internal.requests_to("/b.warc.gz") == []  # refused before any connection
