"""Undoing the HTTP envelope of a stored response: chunked transfer coding and content coding."""

from __future__ import annotations

import zlib

from newswire.fetch._body import BodyTooLargeError, UnsupportedEncodingError, decode_limited

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF_BYTES = 1024


class PayloadError(Exception):
    """Internal: a stored body whose coding is broken or unsupported (the reader makes it a bad record)."""


class PayloadTooLargeError(Exception):
    """Internal: the decoded body passed the limit (the reader counts and skips it)."""


def is_html_type(content_type: str | None) -> bool:
    """Whether a media type (parameters allowed) names an HTML page."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def looks_like_html(payload: bytes) -> bool:
    """For a response without a Content-Type: does the body open like an HTML page?"""
    head = payload[:_SNIFF_BYTES].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def dechunk(data: bytes) -> bytes:
    """The body of a ``Transfer-Encoding: chunked`` message.

    Some archivers keep the header but store the body already dechunked; a body that does not
    open with a chunk-size line is taken as it is.
    """
    parts: list[bytes] = []
    pos = 0
    while True:
        eol = data.find(b"\n", pos)
        size_field = data[pos : eol if eol >= 0 else len(data)].split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            if pos == 0:
                return data
            raise PayloadError(f"bad chunk size line at body byte {pos}") from None
        if size == 0:
            return b"".join(parts)
        start = eol + 1
        chunk = data[start : start + size]
        if len(chunk) < size:
            raise PayloadError(f"chunk at body byte {pos} cut short ({len(chunk)} of {size} bytes)")
        parts.append(chunk)
        pos = start + size
        pos += 2 if data.startswith(b"\r\n", pos) else 1 if data.startswith(b"\n", pos) else 0


def decode_payload(
    raw: bytes, *, transfer_encoding: str | None, content_encoding: str | None, limit: int
) -> bytes:
    """The entity body as a browser would see it, at most ``limit`` bytes once decoded."""
    body = dechunk(raw) if transfer_encoding and "chunked" in transfer_encoding.lower() else raw
    try:
        return decode_limited(body, content_encoding, limit)
    except BodyTooLargeError as exc:
        raise PayloadTooLargeError(str(exc)) from None
    except UnsupportedEncodingError as exc:
        raise PayloadError(f"unsupported Content-Encoding {exc}") from None
    except zlib.error as exc:
        raise PayloadError(f"cannot decode Content-Encoding {content_encoding}: {exc}") from None
