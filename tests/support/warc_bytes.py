"""Hand-built WARC records, for tests that need files a well-behaved writer would never make.

Each record is written out byte by byte so a test can break exactly one thing in it (a
header line, a Content-Length, a gzip member) and know the offset of every record.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterable, Sequence

_IDS = itertools.count(1)


def http_response(
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str | None = "text/html; charset=utf-8",
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """An HTTP/1.1 response message as a WARC response record's block holds it."""
    lines = [f"HTTP/1.1 {status}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(f"{name}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def record(
    url: str,
    block: bytes,
    *,
    warc_type: str = "response",
    date: str = "2026-11-05T08:09:10Z",
    extra: Sequence[tuple[str, str]] = (),
    content_length: int | None = None,
    content_type: str = "application/http; msgtype=response",
) -> bytes:
    """One WARC/1.0 record around ``block``; ``content_length`` may lie about the block's size."""
    fields = [
        ("WARC-Type", warc_type),
        ("WARC-Record-ID", f"<urn:uuid:00000000-0000-4000-8000-{next(_IDS):012d}>"),
        ("WARC-Date", date),
        ("WARC-Target-URI", url),
        ("Content-Type", content_type),
        *extra,
        ("Content-Length", str(len(block) if content_length is None else content_length)),
    ]
    head = "WARC/1.0\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields) + "\r\n"
    return head.encode() + block + b"\r\n\r\n"


def page_record(url: str, body: bytes, *, date: str = "2026-11-05T08:09:10Z") -> bytes:
    """A 200 HTML response record for ``url``."""
    return record(url, http_response(body), date=date)


def gzip_members(records: Iterable[bytes]) -> bytes:
    """Records gzipped one per member, as Heritrix, warcio and Common Crawl write them."""
    return b"".join(gzip.compress(r, mtime=0) for r in records)
