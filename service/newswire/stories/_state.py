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
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from newswire.errors import NewswireError
from newswire.stories._minhash import MinHashParams

if TYPE_CHECKING:
    from newswire.stories._index import StoryIndex

_MAGIC = b"NWSTORY\x01"
_LEN = struct.Struct("<I")


class StoryStateError(NewswireError):
    """Saved story-index state is corrupt, truncated or was written under other MinHash parameters."""


def dump(index: StoryIndex) -> bytes:
    slots = [(index._oldest + i) % index.capacity for i in range(len(index))]
    numbers: dict[int, int] = {}
    stories: list[list[Any]] = []
    story_of = np.empty(len(slots), dtype="<u4")
    for i, slot in enumerate(slots):
        story = index._stories[slot]
        assert story is not None
        number = numbers.setdefault(id(story), len(stories))
        if number == len(stories):
            stories.append([story.first_article_id, story.first_seen, story.size])
        story_of[i] = number
    ids = [(index._ids[slot] or "").encode("utf-8") for slot in slots]
    header = orjson.dumps(
        {
            "params": dataclasses.asdict(index.params),
            "count": len(slots),
            "latest": index._latest if np.isfinite(index._latest) else None,
            "stories": stories,
        }
    )
    parts = [
        _MAGIC,
        _LEN.pack(len(header)),
        header,
        index._sigs[slots].astype("<u4").tobytes(),
        index._seen[slots].astype("<f8").tobytes(),
        index._sims[slots].astype("<f4").tobytes(),
        story_of.tobytes(),
        np.array([len(b) for b in ids], dtype="<u2").tobytes(),
        *ids,
    ]
    return b"".join(parts)


@dataclasses.dataclass(slots=True)
class Loaded:
    params: MinHashParams
    latest: float | None
    sigs: np.ndarray[Any, np.dtype[np.uint32]]
    seen: np.ndarray[Any, np.dtype[np.float64]]
    sims: np.ndarray[Any, np.dtype[np.float32]]
    story_of: np.ndarray[Any, np.dtype[np.uint32]]
    stories: list[tuple[str, float, int]]
    ids: list[str]


def load(data: bytes) -> Loaded:
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
    return Loaded(params, None if latest is None else float(latest), sigs, seen, sims, story_of, stories, ids)
