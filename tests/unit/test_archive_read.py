"""Reading WARC files: which records become pages, what is skipped and counted, where reading resumes."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from newswire import archive
from newswire.archive import START, BadRecord, Position, ReadCounts, WarcPage, read_warc, warc_files
from newswire.errors import ArchiveError
from tests.support.warc_bytes import gzip_members, http_response, page_record, record

LIMIT = 1024 * 1024


def html(n: int) -> bytes:
    return f"<!doctype html><html><body><article><p>Story {n} é.</p></article></body></html>".encode()


def read_all(
    path: Path, start: Position = START, counts: ReadCounts | None = None
) -> list[WarcPage | BadRecord]:
    return list(read_warc(path, max_payload_bytes=LIMIT, start=start, counts=counts))


def urls(items: list[WarcPage | BadRecord]) -> list[str]:
    return [item.url if isinstance(item, WarcPage) else f"bad@{item.error.offset}" for item in items]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_front_door() -> None:
    assert sorted(archive.__all__) == sorted(
        [
            "DEFAULT_MAX_FILE_BYTES",
            "START",
            "BadRecord",
            "Position",
            "ReadCounts",
            "WarcFileWriter",
            "WarcPage",
            "is_warc_name",
            "read_warc",
            "starts_like_warc",
            "warc_files",
        ]
    )
    for name in archive.__all__:
        assert getattr(archive, name) is not None


@pytest.mark.parametrize("name", ["pages.warc", "pages.warc.gz"])
def test_a_page_carries_target_uri_warc_date_status_headers_and_payload(tmp_path: Path, name: str) -> None:
    records = [
        record("https://news.example/info", b"software: x\r\n", warc_type="warcinfo", content_type="x"),
        record("<https://news.example/a>", b"GET /a HTTP/1.1\r\n\r\n", warc_type="request"),
        page_record("<https://news.example/a>", html(1), date="2026-11-05T08:09:10Z"),
    ]
    data = gzip_members(records) if name.endswith(".gz") else b"".join(records)
    counts = ReadCounts()
    [page] = read_all(write(tmp_path, name, data), counts=counts)
    assert isinstance(page, WarcPage)
    assert page.url == "https://news.example/a"
    assert page.fetched == "2026-11-05T08:09:10.000+00:00"
    assert (page.status, page.content_type, page.payload) == (200, "text/html; charset=utf-8", html(1))
    assert page.header("content-type") == "text/html; charset=utf-8"
    assert page.offset == len(data) - len(
        gzip.compress(records[2], mtime=0) if name.endswith(".gz") else records[2]
    )
    assert page.resume == Position(len(data))
    assert counts == ReadCounts(records=1, pages=1)


def test_what_is_not_an_ok_html_page_is_counted_and_skipped(tmp_path: Path) -> None:
    records = [
        page_record("https://news.example/1", html(1)),
        record("https://news.example/1", b"", warc_type="revisit"),
        record("https://news.example/2", http_response(html(2)), extra=[("WARC-Truncated", "length")]),
        record("https://news.example/logo.png", http_response(b"\x89PNG", content_type="image/png")),
        record("https://news.example/gone", http_response(html(3), status="404 Not Found")),
        record("https://news.example/moved", http_response(b"", status="301 Moved Permanently")),
        record("https://news.example/sniffed", http_response(html(4), content_type=None)),
        record("https://news.example/data", http_response(b'{"a": 1}', content_type=None)),
        record("https://news.example/big", http_response(b"<html>" + b"x" * LIMIT)),
        page_record("https://news.example/5", html(5)),
    ]
    counts = ReadCounts()
    items = read_all(write(tmp_path, "mixed.warc.gz", gzip_members(records)), counts=counts)
    assert urls(items) == ["https://news.example/1", "https://news.example/sniffed", "https://news.example/5"]
    assert counts == ReadCounts(
        records=10, pages=3, non_html=2, not_ok=2, truncated=1, revisit=1, too_large=1, malformed=0
    )
    assert counts.skipped() == 7


def test_transfer_and_content_codings_are_undone(tmp_path: Path) -> None:
    body = html(7)
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    records = [
        record(
            "https://news.example/gz",
            http_response(gzip.compress(body), headers=[("Content-Encoding", "gzip")]),
        ),
        record(
            "https://news.example/chunked",
            http_response(chunked, headers=[("Transfer-Encoding", "chunked")]),
        ),
        record(  # the header kept, the body stored dechunked: taken as it is
            "https://news.example/dechunked",
            http_response(body, headers=[("Transfer-Encoding", "chunked")]),
        ),
    ]
    items = read_all(write(tmp_path, "coded.warc", b"".join(records)))
    assert [i.payload for i in items if isinstance(i, WarcPage)] == [body, body, body]


def test_a_compression_bomb_is_skipped_as_too_large_without_inflating_it(tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html>" + b"\0" * (64 * LIMIT))
    records = [
        record("https://news.example/bomb", http_response(bomb, headers=[("Content-Encoding", "gzip")])),
        page_record("https://news.example/after", html(8)),
    ]
    counts = ReadCounts()
    tracemalloc.start()
    try:
        items = read_all(write(tmp_path, "bomb.warc.gz", gzip_members(records)), counts=counts)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert urls(items) == ["https://news.example/after"]
    assert counts.too_large == 1
    assert peak < 8 * LIMIT


def test_a_huge_record_is_skipped_without_reading_it_into_memory(tmp_path: Path) -> None:
    """A 256 MiB payload (a stand-in for CC's 1 GB outliers) against a 1 MiB limit."""
    path = tmp_path / "huge.warc.gz"
    size = 256 * LIMIT
    head = http_response(b"")
    with path.open("wb") as out:
        out.write(gzip.compress(page_record("https://news.example/before", html(1))))
        member = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        out.write(
            member.compress(record("https://news.example/huge", b"", content_length=len(head) + size)[:-4])
        )
        out.write(member.compress(head))
        for _ in range(size // LIMIT):
            out.write(member.compress(b"x" * LIMIT))
        out.write(member.compress(b"\r\n\r\n") + member.flush())
        out.write(gzip.compress(page_record("https://news.example/after", html(2))))
    counts = ReadCounts()
    tracemalloc.start()
    try:
        items = read_all(path, counts=counts)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert urls(items) == ["https://news.example/before", "https://news.example/after"]
    assert counts.too_large == 1
    assert peak < 8 * LIMIT


def test_a_record_split_across_gzip_members_reads_as_one_page(tmp_path: Path) -> None:
    first, split, last = (page_record(f"https://news.example/{n}", html(n)) for n in range(3))
    data = (
        gzip.compress(first) + gzip.compress(split[:100]) + gzip.compress(split[100:]) + gzip.compress(last)
    )
    items = read_all(write(tmp_path, "split.warc.gz", data))
    assert [(i.url, i.payload) for i in items if isinstance(i, WarcPage)] == [
        (f"https://news.example/{n}", html(n)) for n in range(3)
    ]


def test_garbage_between_members_is_one_bad_record_at_its_offset_and_reading_goes_on(tmp_path: Path) -> None:
    before = gzip.compress(page_record("https://news.example/a", html(1)))
    garbage = b"\0not a gzip member\0" * 10
    after = gzip.compress(page_record("https://news.example/b", html(2)))
    counts = ReadCounts()
    items = read_all(write(tmp_path, "garbage.warc.gz", before + garbage + after), counts=counts)
    assert urls(items) == ["https://news.example/a", f"bad@{len(before)}", "https://news.example/b"]
    bad = items[1]
    assert isinstance(bad, BadRecord)
    assert bad.error.path == str(tmp_path / "garbage.warc.gz")
    assert f"{len(garbage)} bytes skipped" in str(bad.error)
    assert bad.resume == Position(len(before) + len(garbage))
    assert counts.malformed == 1


def test_a_bad_header_line_in_a_plain_warc_is_skipped_to_the_next_record(tmp_path: Path) -> None:
    first = page_record("https://news.example/a", html(1))
    junk = b"WARC/9.9 what is this\r\nno colon here\r\n\r\n"
    data = first + junk + page_record("https://news.example/b", html(2))
    items = read_all(write(tmp_path, "junk.warc", data))
    assert urls(items) == ["https://news.example/a", f"bad@{len(first)}", "https://news.example/b"]


def test_an_unparsable_http_header_is_a_bad_record_at_that_record(tmp_path: Path) -> None:
    first = gzip.compress(page_record("https://news.example/a", html(1)))
    broken = gzip.compress(record("https://news.example/x", b"\x00\x01 not http at all\r\n\r\nbody"))
    items = read_all(
        write(
            tmp_path,
            "http.warc.gz",
            first + broken + gzip.compress(page_record("https://news.example/b", html(2))),
        )
    )
    assert urls(items) == ["https://news.example/a", f"bad@{len(first)}", "https://news.example/b"]


def test_a_file_cut_inside_a_record_ends_with_a_bad_record(tmp_path: Path) -> None:
    first = page_record("https://news.example/a", html(1))
    cut = page_record("https://news.example/b", html(2))[:-40]
    counts = ReadCounts()
    items = read_all(write(tmp_path, "cut.warc", first + cut), counts=counts)
    assert urls(items) == ["https://news.example/a", f"bad@{len(first)}"]
    assert "file ends inside the record" in str(items[1].error)  # type: ignore[union-attr]
    assert counts.malformed == 1


# ----------------------------------------------------------------- resuming


def layouts() -> dict[str, Callable[[list[bytes]], bytes]]:
    def split_members(records: list[bytes]) -> bytes:
        return b"".join(gzip.compress(r[:150]) + gzip.compress(r[150:]) for r in records)

    def whole_file(records: list[bytes]) -> bytes:
        return gzip.compress(b"".join(records))

    def pairs(records: list[bytes]) -> bytes:
        return b"".join(gzip.compress(b"".join(records[i : i + 2])) for i in range(0, len(records), 2))

    def with_garbage(records: list[bytes]) -> bytes:
        return gzip_members(records[:3]) + b"\0junk\0" * 5 + gzip_members(records[3:])

    return {
        "plain": b"".join,
        "per-record-gzip": gzip_members,
        "member-split-records": split_members,
        "whole-file-gzip": whole_file,
        "two-records-per-member": pairs,
        "garbage-between-members": with_garbage,
    }


@pytest.mark.parametrize("layout", sorted(layouts()))
def test_resuming_after_any_item_yields_exactly_the_items_after_it(tmp_path: Path, layout: str) -> None:
    records: list[bytes] = []
    for n in range(8):
        records.append(record(f"https://news.example/{n}", b"GET / HTTP/1.1\r\n\r\n", warc_type="request"))
        records.append(page_record(f"https://news.example/{n}", html(n)))
    records.insert(5, record("https://news.example/gone", http_response(b"", status="404 Not Found")))
    path = write(tmp_path, "file.warc.gz" if layout != "plain" else "file.warc", layouts()[layout](records))
    items = read_all(path)
    assert [u for u in urls(items) if not u.startswith("bad@")] == [
        f"https://news.example/{n}" for n in range(8)
    ]
    for k, item in enumerate(items):
        assert urls(read_all(path, start=item.resume)) == urls(items[k + 1 :]), (layout, k, item.resume)


def test_per_record_members_resume_at_the_next_record_offset(tmp_path: Path) -> None:
    """The checkpoint of a CC-style file is a plain byte offset: where the next record starts."""
    members = [gzip.compress(page_record(f"https://news.example/{n}", html(n))) for n in range(4)]
    items = read_all(write(tmp_path, "cc.warc.gz", b"".join(members)))
    offsets = [sum(map(len, members[:n])) for n in range(5)]
    assert [i.offset for i in items] == offsets[:4]
    assert [i.resume for i in items] == [Position(o) for o in offsets[1:]]


# ----------------------------------------------------------------- files


def test_an_unreadable_file_raises_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=r"missing\.warc\.gz"):
        read_all(tmp_path / "missing.warc.gz")


def test_warc_files_expands_folders_and_globs_once_each_and_refuses_what_names_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/1.warc.gz", "a/2.WARC", "a/notes.txt", "b.warc.gz"):
        (tmp_path / name).write_bytes(b"")
    found = warc_files([tmp_path / "a", str(tmp_path / "*.warc.gz"), tmp_path / "a" / "1.warc.gz"])
    assert found == [tmp_path / "a/1.warc.gz", tmp_path / "a/2.WARC", tmp_path / "b.warc.gz"]
    with pytest.raises(ArchiveError, match="no such file"):
        warc_files([tmp_path / "nope.warc.gz"])
    with pytest.raises(ArchiveError, match="names no"):
        warc_files([str(tmp_path / "*.arc")])


def test_a_record_with_a_long_header_is_still_a_plain_resume_point(tmp_path: Path) -> None:
    long_url = "https://news.example/" + "a" * 5000
    members = [
        gzip.compress(page_record(u, html(n))) for n, u in enumerate([long_url, "https://news.example/b"])
    ]
    items = read_all(write(tmp_path, "long.warc.gz", b"".join(members)))
    assert [i.url for i in items if isinstance(i, WarcPage)] == [long_url, "https://news.example/b"]
    assert items[0].resume == Position(len(members[0]))
