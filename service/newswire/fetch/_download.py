"""Streaming one large file (a WARC) to disk: size-capped, byte for byte, resumable with HTTP Range.

A page is read into memory within ``fetch.max_body_bytes``; a WARC file is a
gigabyte, so :meth:`Fetcher.download <newswire.fetch.Fetcher.download>` hands the
response to a :class:`Spooler` instead, which writes it to ``<dest>.part`` as it
arrives. The body is stored as sent (``Accept-Encoding: identity``; a server that
encodes it anyway is refused rather than stored double-compressed).

Resuming: next to the partial file, ``<dest>.part.validator`` holds the response's
``ETag`` (or ``Last-Modified``). A later attempt with a partial file and a
validator asks for ``Range: bytes=<have>-`` with ``If-Range: <validator>``; a
``206`` whose ``Content-Range`` starts at ``<have>`` is appended, anything else
(``200``: no range support or the file changed) starts again from byte 0. A file
without validator is never resumed: the bytes on disk might be of another version.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from newswire.errors import BlockedError, FetchError
from newswire.fetch._hops import REDIRECT_STATUSES, Hop, refusal, too_many_redirects

#: How long one attempt of :meth:`Fetcher.download` may take, body included (1 GB at 70 kB/s).
DOWNLOAD_TIMEOUT_S = 4 * 3600.0
#: Stores a 2xx response's body in place of reading it into memory (a :class:`Spooler` does).
BodySink = Callable[[httpx.Response], Awaitable[None]]
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Download:
    """A file downloaded whole: ``path`` holds ``size`` bytes; ``resumed_from`` of them were
    on disk from an earlier, interrupted attempt (0 when it was fetched from the start)."""

    url: str
    final_url: str
    path: Path
    size: int
    resumed_from: int

    @staticmethod
    def files_of(dest: Path) -> tuple[Path, Path, Path]:
        """Every file a download to ``dest`` may leave: ``dest``, the partial file, its validator."""
        return dest, dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.validator")


class Spooler:
    """Writes one download's body to ``<dest>.part``; one instance per download, across its attempts."""

    def __init__(self, url: str, dest: Path, max_bytes: int) -> None:
        self.url = url
        self.dest = dest
        _, self.part, self.validator_file = Download.files_of(dest)
        self.max_bytes = max_bytes
        self.resumed_from = 0
        self.complete = False

    def request_headers(self) -> dict[str, str]:
        """The headers of the next attempt: a range request when a resumable partial file exists."""
        headers = {"Accept-Encoding": "identity"}
        have = self.part.stat().st_size if self.part.is_file() else 0
        validator = self.validator_file.read_text("utf-8").strip() if self.validator_file.is_file() else ""
        if have and validator:
            headers["Range"] = f"bytes={have}-"
            headers["If-Range"] = validator
        return headers

    async def __call__(self, response: httpx.Response) -> None:
        """Store the body of a 2xx ``response`` (the fetcher calls this in place of reading it)."""
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise FetchError(f"the server sent the file with Content-Encoding {encoding}", url=self.url)
        start, total = self._start_and_total(response)
        if total is not None and total > self.max_bytes:
            self.restart()
            raise BlockedError(f"the file has {total} bytes, over the cap of {self.max_bytes}", url=self.url)
        if start == 0:
            self.validator_file.unlink(missing_ok=True)
            validator = response.headers.get("etag") or response.headers.get("last-modified")
            self.part.write_bytes(b"")
            if validator and not validator.startswith("W/"):  # If-Range needs a strong validator
                self.validator_file.write_text(validator, "utf-8")
        self.resumed_from = start
        size = start
        # Unbuffered: what arrived is on disk, for the progress gauge and for a resume after a kill.
        with self.part.open("r+b", buffering=0) as out:
            out.truncate(start)
            out.seek(start)
            async for chunk in response.aiter_raw():  # as it arrives: a break keeps what came
                size += len(chunk)
                if size > self.max_bytes:  # a server that sent no length, or lied about it
                    out.close()
                    self.restart()
                    raise BlockedError(f"the file passed the cap of {self.max_bytes} bytes", url=self.url)
                view = memoryview(chunk)
                while view:
                    view = view[out.write(view) :]
        if total is not None and size != total:
            raise FetchError(f"the body ended at {size} of {total} bytes", url=self.url, retryable=True)
        self.complete = True

    def settle(self, hop: Hop, *, max_redirects: int) -> str:
        """The URL the file came from (after redirects) once an attempt ending at ``hop`` stored it
        whole; otherwise raises the error ``hop`` stands for (a retryable one to try again)."""
        if hop.status in REDIRECT_STATUSES:
            raise too_many_redirects(self.url, hop.status, max_redirects)
        if 200 <= hop.status < 300 and self.complete:
            return hop.url
        if hop.status == 416:  # the range we asked for is past the file's end: start over
            self.restart()
            raise FetchError(
                "HTTP 416 for the partial file's range", url=self.url, status=416, retryable=True
            )
        raise refusal(hop)

    def _start_and_total(self, response: httpx.Response) -> tuple[int, int | None]:
        """Where this response's bytes go in the file, and the file's whole size if the server said."""
        length = response.headers.get("content-length", "")
        if response.status_code != 206:
            return 0, int(length) if length.isdigit() else None
        found = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
        have = self.part.stat().st_size if self.part.is_file() else 0
        if found is None or int(found.group(1)) != have:
            self.restart()  # a range we did not ask for: storing it would corrupt the file
            raise FetchError(
                f"unexpected Content-Range {response.headers.get('content-range')!r} for {have} bytes held",
                url=self.url,
                retryable=True,
            )
        total = found.group(3)
        return have, int(total) if total.isdigit() else None

    def restart(self) -> None:
        """Forget the partial file: the next attempt fetches from byte 0."""
        self.validator_file.unlink(missing_ok=True)
        self.part.unlink(missing_ok=True)

    def finish(self, final_url: str) -> Download:
        """Move the complete file into place (the partial file and its validator go)."""
        size = self.part.stat().st_size
        self.part.replace(self.dest)
        self.validator_file.unlink(missing_ok=True)
        return Download(self.url, final_url, self.dest, size, self.resumed_from)
