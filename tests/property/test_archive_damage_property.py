"""A damaged WARC file never stops the reader, and every checkpoint it gives resumes exactly.

Valid files in three layouts (per-record gzip, plain, whole-file gzip) get random damage:
overwritten, deleted and inserted bytes, and cuts. Whatever the damage, reading ends without
an exception, every record read lands in exactly one count, every page that lies wholly
before the first damaged byte is read, and resuming from any item's ``resume`` yields exactly
the items after it.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.archive import BadRecord, ReadCounts, WarcPage, read_warc
from tests.support.warc_bytes import gzip_members, page_record, record

PAGES = {
    f"https://news.example/{n}": f"<html><body><p>Story {n}.</p></body></html>".encode() for n in range(6)
}
RECORDS = [page_record(url, body) for url, body in PAGES.items()]
RECORDS.insert(2, record("https://news.example/2", b"GET /2 HTTP/1.1\r\n\r\n", warc_type="request"))
#: For the layouts where each record has its own bytes: where each page's record ends.
PAGE_ENDS = {
    name: [
        (url, sum(len(piece(r)) for r in RECORDS[: n + 1]))
        for n, r in enumerate(RECORDS)
        for url in [r.split(b"WARC-Target-URI: ", 1)[1].split(b"\r\n", 1)[0].decode()]
        if b"WARC-Type: response" in r
    ]
    for name, piece in (("per-record-gzip", lambda r: gzip.compress(r, mtime=0)), ("plain", bytes))
}
LAYOUTS = {
    "per-record-gzip": (gzip_members(RECORDS), ".warc.gz"),
    "plain": (b"".join(RECORDS), ".warc"),
    "whole-file-gzip": (gzip.compress(b"".join(RECORDS), mtime=0), ".warc.gz"),
}

edits = st.lists(
    st.tuples(
        st.sampled_from(["overwrite", "delete", "insert", "cut"]),
        st.floats(min_value=0, max_value=1, exclude_max=True),
        st.binary(min_size=1, max_size=40),
    ),
    min_size=1,
    max_size=4,
)


def damaged(data: bytes, changes: list[tuple[str, float, bytes]]) -> tuple[bytes, int]:
    """The damaged bytes, and the offset of the first byte that may differ."""
    out = bytearray(data)
    first = len(data)
    for kind, where, chunk in changes:
        if not out:
            break
        at = int(where * len(out))
        first = min(first, at)
        if kind == "overwrite":
            out[at : at + len(chunk)] = chunk[: len(out) - at]
        elif kind == "delete":
            del out[at : at + len(chunk)]
        elif kind == "insert":
            out[at:at] = chunk
        else:
            del out[at:]
    return bytes(out), first


def summary(items: list[WarcPage | BadRecord]) -> list[tuple[str, str | None, int | None]]:
    return [
        (i.url, None, None) if isinstance(i, WarcPage) else ("bad", i.error.reason, i.error.offset)
        for i in items
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(sorted(LAYOUTS)), changes=edits)
def test_damage_never_stops_the_reader_and_checkpoints_resume_exactly(
    tmp_path: Path, layout: str, changes: list[tuple[str, float, bytes]]
) -> None:
    data, suffix = LAYOUTS[layout]
    path = tmp_path / f"damaged{suffix}"
    broken, first_damage = damaged(data, changes)
    path.write_bytes(broken)
    counts = ReadCounts()
    items = list(read_warc(path, max_payload_bytes=1 << 20, counts=counts))
    in_one_count = counts.as_dict()
    assert in_one_count.pop("records") == sum(in_one_count.values())
    intact = [url for url, end in PAGE_ENDS.get(layout, []) if end <= first_damage]
    pages = [(i.url, i.payload) for i in items if isinstance(i, WarcPage)]
    assert pages[: len(intact)] == [(url, PAGES[url]) for url in intact]
    for k, item in enumerate(items):
        resumed = list(read_warc(path, max_payload_bytes=1 << 20, start=item.resume))
        assert summary(resumed) == summary(items[k + 1 :])
