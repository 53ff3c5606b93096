"""Reading the HTML pages out of a WARC file, resumably, without stopping at bad records.

FastWARC parses the records; this module decides what each one is (page, skip or bad),
knows where every page lets a reader resume, and finds its way past bytes the library
cannot parse: on such an error it scans on for the next record boundary (a gzip member
that opens with ``WARC/1.`` in a ``.warc.gz``, a ``WARC/1.`` line in a ``.warc``) and
restarts there, so one bad stretch costs one :class:`BadRecord`, never the rest of the file.
"""

from __future__ import annotations

import dataclasses
import os
import re
import zlib
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from fastwarc import ArchiveIterator, WarcRecord, WarcRecordType

from newswire.archive._http import (
    PayloadError,
    PayloadTooLargeError,
    decode_payload,
    is_html_type,
    looks_like_html,
)
from newswire.archive._records import START, BadRecord, Position, ReadCounts, WarcPage
from newswire.errors import ArchiveError

_TYPES = WarcRecordType.response | WarcRecordType.revisit
_GZIP_MAGIC = b"\x1f\x8b\x08"
_PROBE_BYTES = (2048, 64 * 1024)  # a header block's usual size, then the most we look at
_SCAN_BYTES = 1024 * 1024
_INFLATE_STEP = 256 * 1024
_RECORD_ID = re.compile(rb"\nWARC-Record-ID:[ \t]*(\S+)", re.IGNORECASE)
_CONTENT_LENGTH = re.compile(rb"\nContent-Length:[ \t]*(\d+)", re.IGNORECASE)

Item = WarcPage | BadRecord


def read_warc(
    path: str | Path,
    *,
    max_payload_bytes: int,
    start: Position = START,
    counts: ReadCounts | None = None,
) -> Iterator[Item]:
    """The HTML pages of one ``.warc`` or ``.warc.gz`` file, and its bad records, in file order.

    Only ``response`` records with a 2xx status and an HTML payload become pages; revisit,
    truncated (``WARC-Truncated``), non-HTML, non-2xx and oversized records (payload past
    ``max_payload_bytes``, encoded or decoded; never read into memory) are counted in
    ``counts`` and skipped. Unreadable records come out as :class:`BadRecord`. Reading starts
    at ``start``, a :attr:`WarcPage.resume` or :attr:`BadRecord.resume` of an earlier read.

    Compression is told from the file's first bytes, not its name. A file that cannot be
    opened raises :class:`ArchiveError`.
    """
    path = Path(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ArchiveError(f"cannot open: {exc.strerror or exc}", path=str(path)) from exc
    with stream:
        reader = _FileReader(stream, str(path), max_payload_bytes, counts or ReadCounts())
        position = start
        while position.offset < reader.size:
            position = yield from reader.read_from(position)


class _FileReader:
    def __init__(self, stream: BinaryIO, path: str, max_payload_bytes: int, counts: ReadCounts) -> None:
        self.stream = stream
        self.fd = stream.fileno()
        self.path = path
        self.size = os.fstat(self.fd).st_size
        self.gzipped = os.pread(self.fd, 3, 0) == _GZIP_MAGIC
        self.limit = max_payload_bytes
        self.counts = counts

    def read_from(self, start: Position) -> Generator[Item, None, Position]:
        """Read from ``start`` to the end of the file or to bad bytes; returns where to go on."""
        self.stream.seek(start.offset)
        records = iter(ArchiveIterator(self.stream, record_types=_TYPES, parse_http=True))
        anchor, since = start.offset, 0
        pending: Item | None = None
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except (OSError, ValueError) as exc:
                bad_at = Position(anchor, since) if since else start
                if pending is not None:
                    yield dataclasses.replace(pending, resume=bad_at)
                return (yield from self._resync(bad_at, since, exc))
            here = record.stream_pos
            if here != anchor and self._header_at(here, record_id=record.record_id) is not None:
                anchor, since = here, 0  # this record opens its own gzip member: seekable
            position = Position(anchor, since)
            since += 1
            if position < start:  # handled before the checkpoint this read resumes from
                continue
            if pending is not None:
                yield dataclasses.replace(pending, resume=position)
            pending = self._item(record, position)
        if pending is not None:
            yield dataclasses.replace(pending, resume=Position(self.size))
        return Position(self.size)

    # ------------------------------------------------------------- one record

    def _item(self, record: WarcRecord, position: Position) -> Item | None:
        """The page or bad record ``record`` makes, or ``None`` (counted) when it is skipped."""
        counts = self.counts
        counts.records += 1
        if record.record_type == WarcRecordType.revisit:
            counts.revisit += 1
            return None
        if record.headers.get("WARC-Truncated"):
            counts.truncated += 1
            return None
        if not record.is_http:
            counts.non_html += 1
            return None
        status = record.http_headers.status_code if record.is_http_parsed else None
        if status is None:
            return self._bad("unparsable HTTP response header", position)
        if not 200 <= status < 300:
            counts.not_ok += 1
            return None
        content_type = record.http_headers.get("Content-Type")
        declared = content_type or record.headers.get("WARC-Identified-Payload-Type")
        if declared and not is_html_type(declared):
            counts.non_html += 1
            return None
        if record.content_length > self.limit:
            counts.too_large += 1
            return None
        raw = record.reader.read()
        if len(raw) < record.content_length:
            return self._bad(
                f"file ends inside the record ({len(raw)} of {record.content_length} payload bytes)", position
            )
        try:
            payload = decode_payload(
                raw,
                transfer_encoding=record.http_headers.get("Transfer-Encoding"),
                content_encoding=record.http_headers.get("Content-Encoding"),
                limit=self.limit,
            )
        except PayloadTooLargeError:
            counts.too_large += 1
            return None
        except PayloadError as exc:
            return self._bad(str(exc), position)
        if not declared and not looks_like_html(payload):
            counts.non_html += 1
            return None
        url = (record.headers.get("WARC-Target-URI") or "").strip().strip("<>")
        fetched = _iso_date(record.headers.get("WARC-Date"))
        if not url or fetched is None:
            return self._bad("no WARC-Target-URI or no valid WARC-Date", position)
        counts.pages += 1
        return WarcPage(
            url=url,
            fetched=fetched,
            status=status,
            headers=record.http_headers.to_tuples(),
            content_type=content_type,
            payload=payload,
            record_id=record.record_id or "",
            path=self.path,
            offset=position.offset,
            resume=position,
        )

    def _bad(self, reason: str, position: Position) -> BadRecord:
        self.counts.malformed += 1
        return BadRecord(error=ArchiveError(reason, path=self.path, offset=position.offset), resume=position)

    # ------------------------------------------------------------- bad bytes

    def _resync(self, bad_at: Position, since: int, exc: Exception) -> Generator[Item, None, Position]:
        """Report the bytes at ``bad_at`` as one bad record and find where records start again."""
        offset = self._end_of_member(bad_at.offset) if since else bad_at.offset
        resume = self._next_boundary(max(offset, bad_at.offset + 1))
        self.counts.records += 1
        self.counts.malformed += 1
        reason = f"unreadable WARC data ({exc}); {resume - offset} bytes skipped"
        yield BadRecord(error=ArchiveError(reason, path=self.path, offset=offset), resume=Position(resume))
        return Position(resume)

    def _end_of_member(self, offset: int) -> int:
        """Where the record (``.warc``) or gzip member (``.warc.gz``) that starts at ``offset`` ends."""
        if not self.gzipped:
            header = self._header_at(offset)
            length = _CONTENT_LENGTH.search(header) if header is not None else None
            return offset + len(header or b"") + int(length.group(1)) + 4 if length else offset
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        at = offset
        try:
            while not inflater.eof and at < self.size:
                data = os.pread(self.fd, _SCAN_BYTES, at)
                at += len(data)
                while data and not inflater.eof:  # inflate in steps: a member may be a huge record
                    inflater.decompress(data, _INFLATE_STEP)
                    data = inflater.unconsumed_tail
        except zlib.error:
            return offset
        return at - len(inflater.unused_data) if inflater.eof else offset

    def _next_boundary(self, offset: int) -> int:
        """The first offset at or after ``offset`` where a record header starts (the file size if none)."""
        marker = _GZIP_MAGIC if self.gzipped else b"WARC/1."
        while offset < self.size:
            window = os.pread(self.fd, _SCAN_BYTES + len(marker), offset)
            hit = window.find(marker)
            while hit >= 0:
                if self._header_at(offset + hit) is not None:
                    return offset + hit
                hit = window.find(marker, hit + 1)
            offset += _SCAN_BYTES
        return self.size

    def _header_at(self, offset: int, *, record_id: str | None = None) -> bytes | None:
        """The WARC header block at ``offset`` if one starts there (with that record id, if given).

        Called for every record, so it inflates no more than a typical header needs first.
        """
        for size in _PROBE_BYTES:
            data = os.pread(self.fd, size, offset)
            if self.gzipped:
                try:
                    data = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data, size)
                except zlib.error:
                    return None
            if not data.startswith(b"WARC/1."):
                return None
            end = data.find(b"\r\n\r\n")
            if end >= 0:
                break
        else:
            return None
        header = data[: end + 4]
        if record_id is not None:
            found = _RECORD_ID.search(header)
            if found is None or found.group(1).decode("latin-1") != record_id:
                return None
        return header


def _iso_date(value: str | None) -> str | None:
    """A ``WARC-Date`` as the events' ``fetched``: ISO 8601 UTC with milliseconds."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds")
