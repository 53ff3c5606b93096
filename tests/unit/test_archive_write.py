"""Writing fetched pages as WARC: what the writer writes, the reader and warcio read back."""

from __future__ import annotations

import base64
import hashlib
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest
from fastwarc import ArchiveIterator, WarcRecordType

from newswire.archive import ReadCounts, WarcFileWriter, WarcPage, read_warc
from newswire.commands.parse_warc import parse_warc
from newswire.errors import ArchiveError
from newswire.events import decode_article, encode_event
from newswire.extract import parse_path

PAGES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "pages").glob("*.html"))
FETCHED = "2026-11-05T08:09:10.123+00:00"


def archive_pages(directory: Path, *, max_file_bytes: int = 10**9) -> list[Path]:
    with WarcFileWriter(directory, max_file_bytes=max_file_bytes) as writer:
        for page in PAGES:
            writer.write_exchange(
                url=f"https://news.example/{page.stem}?from=feed",
                fetched=FETCHED,
                status=200,
                response_headers=[
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Encoding", "gzip"),
                    ("Content-Length", "17"),
                ],
                payload=page.read_bytes(),
                request_headers=[("User-Agent", "newswire-test")],
                ip_address="127.0.0.1",
            )
    return writer.closed_files


def test_what_the_writer_writes_the_reader_reads_back_byte_for_byte(tmp_path: Path) -> None:
    [path] = archive_pages(tmp_path)
    counts = ReadCounts()
    pages = [p for p in read_warc(path, max_payload_bytes=10**7, counts=counts) if isinstance(p, WarcPage)]
    assert [(p.url, p.payload) for p in pages] == [
        (f"https://news.example/{page.stem}?from=feed", page.read_bytes()) for page in PAGES
    ]
    assert {p.fetched for p in pages} == {FETCHED}
    # the stored body is the decoded one, so the coding the server used is kept under another name
    assert pages[0].header("Content-Encoding") is None
    assert pages[0].header("X-Crawler-Content-Encoding") == "gzip"
    assert pages[0].header("Content-Length") == str(len(PAGES[0].read_bytes()))
    assert counts.pages == len(PAGES)


def test_each_exchange_is_a_request_and_a_response_with_digests_in_gzip_members(tmp_path: Path) -> None:
    [path] = archive_pages(tmp_path)
    records = list(ArchiveIterator(str(path), parse_http=False))
    kinds = [r.record_type for r in records]
    assert kinds == [WarcRecordType.warcinfo] + [WarcRecordType.request, WarcRecordType.response] * len(PAGES)
    for request, response, page in zip(records[1::2], records[2::2], PAGES, strict=True):
        assert request.headers.get("WARC-Concurrent-To") == response.record_id
        digest = base64.b32encode(hashlib.sha1(page.read_bytes()).digest()).decode()
        assert response.headers.get("WARC-Payload-Digest") == f"sha1:{digest}"
        assert response.headers.get("WARC-Block-Digest", "").startswith("sha1:")
        assert response.headers.get("WARC-IP-Address") == "127.0.0.1"
        assert response.headers.get("WARC-Warcinfo-ID") == records[0].record_id
    # one gzip member per record: every record's offset is where a reader can seek to
    assert len({r.stream_pos for r in records}) == len(records)


def test_warcio_check_passes_every_digest(tmp_path: Path) -> None:
    files = archive_pages(tmp_path, max_file_bytes=30_000)
    warcio = Path(sys.executable).parent / "warcio"
    if not warcio.exists():
        pytest.skip("warcio (a dev dependency) is not installed")
    result = subprocess.run([warcio, "check", "-v", *map(str, files)], capture_output=True, check=False)
    assert result.returncode == 0, result.stdout.decode()
    out = result.stdout.decode()
    assert out.count("digest pass") == len(files) + 2 * len(PAGES)
    assert "fail" not in out


def test_files_rotate_at_the_size_cap_and_are_renamed_when_closed(tmp_path: Path) -> None:
    cap = 12_000
    with WarcFileWriter(tmp_path, max_file_bytes=cap) as writer:
        for n in range(12):
            writer.write_exchange(
                url=f"https://news.example/{n}",
                fetched=FETCHED,
                status=200,
                response_headers=[("Content-Type", "text/html")],
                payload=f"<html><p>{n}</p>".encode() + random.Random(n).randbytes(3000),  # incompressible
            )
            assert len(list(tmp_path.glob("*.open"))) == 1  # the file being written is not a .warc.gz yet
            assert set(tmp_path.glob("*.warc.gz")) == set(writer.closed_files)
    assert not list(tmp_path.glob("*.open"))
    files = writer.closed_files
    assert len(files) > 2
    assert all(f.stat().st_size <= cap for f in files)
    read = [p.url for f in files for p in read_warc(f, max_payload_bytes=10**6) if isinstance(p, WarcPage)]
    assert read == [f"https://news.example/{n}" for n in range(12)]


def test_parse_of_an_archived_page_gives_the_event_of_the_saved_page(tmp_path: Path) -> None:
    [path] = archive_pages(tmp_path / "warc")
    lines: list[bytes] = []
    summary = parse_warc(path, max_payload_bytes=10**7, emit=lines.append, warn=lambda _: None)
    assert summary.articles == len(PAGES) == len(lines)
    for line, page in zip(lines, PAGES, strict=True):
        from_warc = decode_article(line)
        saved = parse_path(page, url=f"https://news.example/{page.stem}?from=feed", fetched=FETCHED)
        assert from_warc.fetched == FETCHED
        assert encode_event(from_warc) == encode_event(saved)


def test_a_folder_that_cannot_be_written_is_an_archive_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    with pytest.raises(ArchiveError, match="cannot write"), WarcFileWriter(blocker / "warc") as writer:
        writer.write_exchange(
            url="https://news.example/a", fetched=FETCHED, status=200, response_headers=[], payload=b""
        )
    assert writer.closed_files == []


def test_archive_error_keeps_path_offset_and_reason_across_processes() -> None:
    error = pickle.loads(pickle.dumps(ArchiveError("bad gzip member", path="/data/a.warc.gz", offset=4096)))
    assert (error.path, error.offset, error.reason) == ("/data/a.warc.gz", 4096, "bad gzip member")
    assert str(error) == "/data/a.warc.gz@4096: bad gzip member"
