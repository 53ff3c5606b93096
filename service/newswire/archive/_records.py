"""What reading a WARC file yields: pages, bad records, positions to resume from, and counts."""

from __future__ import annotations

import dataclasses

from newswire.errors import ArchiveError


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where to start reading a WARC file again.

    ``offset`` is a record boundary (for ``.warc.gz``, the start of a gzip member that begins
    with a record) and ``skip`` how many response or revisit records after it were already
    handled. ``skip`` is 0 except in files that gzip several records into one member, where
    the only place to seek to is that member's start.
    """

    offset: int
    skip: int = 0


#: Where a file starts.
START = Position(0)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class WarcPage:
    """An HTML ``response`` record, its HTTP envelope undone.

    ``payload`` is the entity body with transfer and content encodings removed; ``fetched``
    is the record's ``WARC-Date`` as an ISO 8601 UTC timestamp (the event's ``fetched``).
    ``resume`` is where to read on from once this page is handled: a checkpoint.
    """

    url: str
    fetched: str
    status: int
    headers: tuple[tuple[str, str], ...]
    content_type: str | None
    payload: bytes
    record_id: str
    path: str
    offset: int
    resume: Position

    def header(self, name: str) -> str | None:
        """The first HTTP header called ``name`` (any case), or ``None``."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BadRecord:
    """A record (or stretch of bytes) that could not be read; ``error`` says where and why.

    Reading goes on at ``resume``, the next record boundary found after the bad data.
    """

    error: ArchiveError
    resume: Position


@dataclasses.dataclass(slots=True)
class ReadCounts:
    """What reading saw, summed over every file read with it.

    ``records`` counts response and revisit records, and stretches of bytes that could not
    be read as records; every one of them ends up in exactly one of the other fields
    (unreadable bytes in ``malformed``).
    """

    records: int = 0
    pages: int = 0
    non_html: int = 0
    not_ok: int = 0
    truncated: int = 0
    revisit: int = 0
    too_large: int = 0
    malformed: int = 0

    def skipped(self) -> int:
        """Records read but not yielded as pages (bad ones included)."""
        return self.records - self.pages

    def as_dict(self) -> dict[str, int]:
        """Field name → count, for logs and metrics."""
        return dataclasses.asdict(self)
