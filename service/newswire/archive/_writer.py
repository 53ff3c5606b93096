"""Writing what we fetch as WARC: request and response records, gzipped one per member, in
size-capped files that rotate.

A file is written under ``<name>.warc.gz.open`` and renamed to ``<name>.warc.gz`` once closed, so
a reader watching the folder never picks up a file still growing. Each file opens with a
``warcinfo`` record. Every record is its own gzip member, so any record's offset is a place to
seek to (what :func:`read_warc` resumes from), and a crash loses at most the exchange being written.

Pages are stored as the fetcher hands them on: decoded. So the stored response header must not
claim a coding the body no longer has: ``Content-Encoding`` and ``Transfer-Encoding`` are kept
as ``X-Crawler-Content-Encoding`` / ``X-Crawler-Transfer-Encoding`` and ``Content-Length`` is the
stored body's, as Common Crawl does.
"""

from __future__ import annotations

import base64
import hashlib
import http
import io
import os
import socket
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self
from urllib.parse import urlsplit

from fastwarc import WarcRecord, WarcRecordType

from newswire.errors import ArchiveError

#: Rotate before a file would pass this many (compressed) bytes; the WARC spec suggests 1 GB.
DEFAULT_MAX_FILE_BYTES = 1_000_000_000
_RENAMED = {
    "content-encoding": "X-Crawler-Content-Encoding",
    "transfer-encoding": "X-Crawler-Transfer-Encoding",
}


def sha1_digest(data: bytes) -> str:
    """A WARC digest value: ``sha1:`` and the base32 SHA-1, as Heritrix and Common Crawl write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


class WarcFileWriter:
    """Appends fetched exchanges to rotating ``.warc.gz`` files in ``directory``.

    Use as a context manager (or call :meth:`close`); files are named
    ``<prefix>-<UTC time>-<serial>-<host>-<pid>.warc.gz`` so that writers on several
    machines and processes can share a folder.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        prefix: str = "newswire",
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        software: str = "newswire",
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_file_bytes = max_file_bytes
        self.software = software
        self.closed_files: list[Path] = []
        self._file: BinaryIO | None = None
        self._open_path: Path | None = None
        self._size = 0
        self._first_size = 0  # the warcinfo record's: a file never rotates before holding an exchange
        self._serial = 0
        self._warcinfo_id = ""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def write_exchange(
        self,
        *,
        url: str,
        fetched: str | datetime,
        status: int,
        response_headers: Sequence[tuple[str, str]],
        payload: bytes,
        request_headers: Sequence[tuple[str, str]] = (),
        method: str = "GET",
        ip_address: str | None = None,
    ) -> None:
        """Write one fetch as a ``request`` record and its ``response`` record.

        ``fetched`` (ISO 8601 or a datetime) becomes both records' ``WARC-Date``;
        ``payload`` is the decoded body. Raises :class:`ArchiveError` when the file cannot be written.
        """
        date = _utc(fetched)

        def members() -> list[bytes]:  # built per file: each record names its file's warcinfo record
            response = _response_record(
                url, date, status=status, headers=response_headers, payload=payload, ip_address=ip_address
            )
            request = _request_record(url, date, method, request_headers, concurrent_to=response.record_id)
            return [self._member(request), self._member(response)]

        try:
            stream = self._file or self._open()
            exchange = members()
            if self._size > self._first_size and self._size + sum(map(len, exchange)) > self.max_file_bytes:
                self.close()
                stream = self._open()
                exchange = members()
            for member in exchange:
                stream.write(member)
                self._size += len(member)
            stream.flush()
        except OSError as exc:
            raise ArchiveError(f"cannot write: {exc.strerror or exc}", path=str(self._open_path)) from exc

    def close(self) -> None:
        """Finish the current file (rename it to its final name); a later write opens a new one."""
        if self._file is None or self._open_path is None:
            return
        stream, growing = self._file, self._open_path
        self._file = self._open_path = None
        final = growing.with_suffix("")  # drop ".open"
        try:
            stream.close()
            os.replace(growing, final)
        except OSError as exc:
            raise ArchiveError(f"cannot finish: {exc.strerror or exc}", path=str(growing)) from exc
        self.closed_files.append(final)

    # ------------------------------------------------------------- files

    def _open(self) -> BinaryIO:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        name = f"{self.prefix}-{stamp}-{self._serial:05d}-{socket.gethostname()}-{os.getpid()}.warc.gz"
        self._open_path = self.directory / (name + ".open")
        self._file = self._open_path.open("xb")
        self._size = 0
        info = _warcinfo_record(name, self.software)
        self._warcinfo_id = info.record_id or ""
        member = _gzip(_serialised(info))
        self._file.write(member)
        self._size = self._first_size = len(member)
        return self._file

    def _member(self, record: WarcRecord) -> bytes:
        record.headers.append("WARC-Warcinfo-ID", self._warcinfo_id)
        return _gzip(_serialised(record))


# ----------------------------------------------------------------- records


def _response_record(
    url: str,
    date: datetime,
    *,
    status: int,
    headers: Sequence[tuple[str, str]],
    payload: bytes,
    ip_address: str | None,
) -> WarcRecord:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {status} {reason}".rstrip()]
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length":
            continue
        lines.append(f"{_RENAMED.get(lower, name)}: {value}")
    lines.append(f"Content-Length: {len(payload)}")
    block = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + payload
    record = _record(WarcRecordType.response, url, date, block, "application/http; msgtype=response")
    record.headers.append("WARC-Payload-Digest", sha1_digest(payload))
    if ip_address:
        record.headers.append("WARC-IP-Address", ip_address)
    return record


def _request_record(
    url: str, date: datetime, method: str, headers: Sequence[tuple[str, str]], *, concurrent_to: str | None
) -> WarcRecord:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1"]
    if not any(name.lower() == "host" for name, _ in headers):
        lines.append(f"Host: {parts.netloc}")
    lines.extend(f"{name}: {value}" for name, value in headers)
    block = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    record = _record(WarcRecordType.request, url, date, block, "application/http; msgtype=request")
    if concurrent_to:
        record.headers.append("WARC-Concurrent-To", concurrent_to)
    return record


def _warcinfo_record(filename: str, software: str) -> WarcRecord:
    fields = f"software: {software}\r\nformat: WARC File Format 1.1\r\nhostname: {socket.gethostname()}\r\n"
    record = _record(
        WarcRecordType.warcinfo, None, datetime.now(UTC), fields.encode(), "application/warc-fields"
    )
    record.headers.append("WARC-Filename", filename)
    return record


def _record(
    kind: WarcRecordType, url: str | None, date: datetime, block: bytes, content_type: str
) -> WarcRecord:
    record = WarcRecord()
    record.init_headers(kind)
    record.record_date = date
    if url is not None:
        record.headers.append("WARC-Target-URI", url)
    record.headers.append("Content-Type", content_type)
    record.set_bytes_content(block)
    return record


def _serialised(record: WarcRecord) -> bytes:
    out = io.BytesIO()
    record.write(out, checksum_data=True)  # adds WARC-Block-Digest
    return out.getvalue()


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


def _utc(value: str | datetime) -> datetime:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
