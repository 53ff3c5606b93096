"""The persisted form of a :class:`StoryIndex`: compact bytes, independent of its table layout.

    b"NWSTORY" + format byte | u32 header length | header (JSON) |
    signatures (n x num_perm uint32) | seen_at (n float64) | similarity (n float32, NaN = none) |
    story number (n uint32) | id lengths (n uint16) | ids (UTF-8, concatenated)

Entries are stored oldest first; the band tables are rebuilt from the signatures
on import, so the format does not change when the in-memory layout does.
Signatures are only comparable under the same :class:`MinHashParams`; import
refuses state written under others.
"""

from __future__ import annotations

import dataclasses
import struct
from typing import Any

import numpy as np
import orjson

from newswire.errors import NewswireError
from newswire.stories._minhash import MinHashParams

_MAGIC = b"NWSTORY\x01"
_LEN = struct.Struct("<I")


class StoryStateError(NewswireError):
    """Saved story-index state is corrupt, truncated or was written under other MinHash parameters."""


@dataclasses.dataclass(slots=True)
class Snapshot:
    """A story index's contents, oldest entry first: what is saved and what is loaded."""

    params: MinHashParams
    latest: float | None
    sigs: np.ndarray[Any, np.dtype[np.uint32]]
    seen: np.ndarray[Any, np.dtype[np.float64]]
    sims: np.ndarray[Any, np.dtype[np.float32]]
    story_of: np.ndarray[Any, np.dtype[np.uint32]]
    stories: list[tuple[str, float, int]]
    ids: list[str]


def encode(snap: Snapshot) -> bytes:
    ids = [article_id.encode("utf-8") for article_id in snap.ids]
    header = orjson.dumps(
        {
            "params": dataclasses.asdict(snap.params),
            "count": len(ids),
            "latest": snap.latest,
            "stories": [list(story) for story in snap.stories],
        }
    )
    parts = [
        _MAGIC,
        _LEN.pack(len(header)),
        header,
        snap.sigs.astype("<u4").tobytes(),
        snap.seen.astype("<f8").tobytes(),
        snap.sims.astype("<f4").tobytes(),
        snap.story_of.astype("<u4").tobytes(),
        np.array([len(b) for b in ids], dtype="<u2").tobytes(),
        *ids,
    ]
    return b"".join(parts)


def decode(data: bytes) -> Snapshot:
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + _LEN.size:
        raise StoryStateError("not story-index state (bad magic)")
    pos = len(_MAGIC)
    (hlen,) = _LEN.unpack_from(data, pos)
    pos += _LEN.size
    try:
        header = orjson.loads(data[pos : pos + hlen])
        params = MinHashParams(**header["params"])
        n = int(header["count"])
        stories = [(str(a), float(f), int(s)) for a, f, s in header["stories"]]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise StoryStateError(f"bad story-index header: {exc}") from None
    pos += hlen

    def take(dtype: str, count: int) -> Any:
        nonlocal pos
        size = np.dtype(dtype).itemsize * count
        if pos + size > len(data):
            raise StoryStateError("story-index state is truncated")
        arr = np.frombuffer(data, dtype=dtype, count=count, offset=pos)
        pos += size
        return arr

    sigs = take("<u4", n * params.num_perm).reshape(n, params.num_perm).astype(np.uint32)
    seen = take("<f8", n).astype(np.float64)
    sims = take("<f4", n).astype(np.float32)
    story_of = take("<u4", n).astype(np.uint32)
    lengths = take("<u2", n)
    if n and int(story_of.max()) >= len(stories):
        raise StoryStateError("story-index state names a story it does not hold")
    if pos + int(lengths.sum()) != len(data):
        raise StoryStateError("story-index state has the wrong length")
    ids = []
    for length in lengths.tolist():
        ids.append(data[pos : pos + length].decode("utf-8"))
        pos += length
    latest = header.get("latest")
    return Snapshot(
        params, None if latest is None else float(latest), sigs, seen, sims, story_of, stories, ids
    )
