"""Bounded body decoding: limits count decoded bytes, memory stays bounded for bombs."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator

import pytest

from newswire.fetch._body import BodyTooLargeError, UnsupportedEncodingError, read_limited


async def _chunks(data: bytes, size: int = 16 * 1024) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


TEXT = b"<p>The harbour bridge reopened on Monday.</p>\n" * 2000


def _raw_deflate(data: bytes) -> bytes:
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return raw.compress(data) + raw.flush()


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("GZIP", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", _raw_deflate(TEXT)),  # servers that forget the zlib wrapper
    ],
)
async def test_decodes(encoding: str | None, encoded: bytes) -> None:
    assert await read_limited(_chunks(encoded), encoding, 10 * len(TEXT)) == TEXT


async def test_concatenated_gzip_members() -> None:
    encoded = gzip.compress(b"first ") + gzip.compress(b"second")
    assert await read_limited(_chunks(encoded, 7), "gzip", 1000) == b"first second"


async def test_limit_counts_decoded_bytes() -> None:
    encoded = gzip.compress(TEXT)
    assert len(encoded) < 4096 < len(TEXT)
    with pytest.raises(BodyTooLargeError):
        await read_limited(_chunks(encoded), "gzip", 4096)


async def test_truncate_instead_of_raising() -> None:
    assert await read_limited(_chunks(gzip.compress(TEXT)), "gzip", 100, truncate=True) == TEXT[:100]


async def test_bomb_stops_early_without_inflating_everything() -> None:
    # 64 MiB of zeros in one ~64 KiB chunk: the decoder must stop after about limit + one step
    bomb = gzip.compress(bytes(64 << 20), compresslevel=9)
    produced = 0

    async def counting() -> AsyncIterator[bytes]:
        nonlocal produced
        for i in range(0, len(bomb), 65536):
            produced += 1
            yield bomb[i : i + 65536]

    with pytest.raises(BodyTooLargeError) as caught:
        await read_limited(counting(), "gzip", 1 << 20)
    assert caught.value.args[0] <= (1 << 20) + 64 * 1024
    assert produced == 1


async def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(UnsupportedEncodingError):
        await read_limited(_chunks(b"x"), "br", 100)
    with pytest.raises(UnsupportedEncodingError):
        await read_limited(_chunks(b"x"), "gzip, gzip", 100)


async def test_corrupt_gzip_raises_zlib_error() -> None:
    with pytest.raises(zlib.error):
        await read_limited(_chunks(b"\x1f\x8b\x08\x00garbage-garbage"), "gzip", 100)
