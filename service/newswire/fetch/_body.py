"""Reading a response body within a size limit that applies to the *decoded* bytes.

httpx's own decoders inflate each network chunk in one go, so a 64 KiB chunk of
a gzip bomb can become ~64 MiB before anyone can count it. Here we read the raw
(still encoded) stream and inflate with ``max_length``, so memory stays within
``limit + _STEP`` however high the compression ratio, and we stop the moment
the decoded size passes the limit.

Only the encodings we advertise (``gzip``, ``deflate``, ``identity``) are
decoded; anything else is refused rather than handed on undecoded.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator

#: Inflate at most this many bytes per step.
_STEP = 64 * 1024

ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLargeError(Exception):
    """Internal: the decoded body passed the limit (the client turns it into ``BlockedError``)."""


class UnsupportedEncodingError(Exception):
    """Internal: a Content-Encoding we did not ask for and cannot decode."""


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._obj = self._new()
        self._started = False

    def _new(self, wbits: int | None = None) -> zlib._Decompress:
        if wbits is None:
            wbits = zlib.MAX_WBITS | 16 if self._encoding == "gzip" else zlib.MAX_WBITS
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._encoding == "deflate" and not self._started and data:
            # "deflate" should be zlib-wrapped, but some servers send raw deflate
            self._started = True
            try:
                zlib.decompressobj().decompress(data[:2])
            except zlib.error:
                self._obj = self._new(-zlib.MAX_WBITS)
        while data:
            if self._obj.eof:
                # another gzip member may follow; anything else after the end is ignored
                if self._encoding != "gzip" or not data.startswith(b"\x1f\x8b"):
                    return
                self._obj = self._new()
            out = self._obj.decompress(data, _STEP)
            if out:
                yield out
            data = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail

    def flush(self) -> bytes:
        return b"" if self._obj.eof else self._obj.flush(_STEP)


def _inflater_for(content_encoding: str | None) -> _Inflater | None:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
        raise UnsupportedEncodingError(content_encoding or "")
    return _Inflater("deflate" if codings == ["deflate"] else "gzip") if codings else None


def decode_limited(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Decode a body already in memory (a stored page) per ``content_encoding``, within ``limit``.

    Raises ``BodyTooLargeError``, ``UnsupportedEncodingError`` or ``zlib.error``.
    """
    inflater = _inflater_for(content_encoding)
    if inflater is None:
        if len(raw) > limit:
            raise BodyTooLargeError(len(raw))
        return raw
    parts: list[bytes] = []
    size = 0
    for piece in inflater.feed(raw):  # lazily: a bomb is stopped one step past the limit
        parts.append(piece)
        size += len(piece)
        if size > limit:
            raise BodyTooLargeError(size)
    parts.append(inflater.flush())
    if size + len(parts[-1]) > limit:
        raise BodyTooLargeError(size + len(parts[-1]))
    return b"".join(parts)


async def read_limited(
    raw: AsyncIterator[bytes], content_encoding: str | None, limit: int, *, truncate: bool = False
) -> bytes:
    """Decode ``raw`` per ``content_encoding``; past ``limit`` decoded bytes raise (or cut if ``truncate``).

    Raises ``BodyTooLargeError``, ``UnsupportedEncodingError`` or ``zlib.error``.
    """
    inflater = _inflater_for(content_encoding)
    parts: list[bytes] = []
    size = 0

    def take(piece: bytes) -> bool:
        nonlocal size
        parts.append(piece)
        size += len(piece)
        return size > limit

    async for chunk in raw:
        pieces = inflater.feed(chunk) if inflater else iter((chunk,))
        for piece in pieces:
            if take(piece):
                if truncate:
                    return b"".join(parts)[:limit]
                raise BodyTooLargeError(size)
    if inflater is not None and take(inflater.flush()) and not truncate:
        raise BodyTooLargeError(size)
    return b"".join(parts)[:limit]
