"""StoryIndex: bounded MinHash-LSH index that gives near-duplicate articles one story id.

Layout (all preallocated, so memory is fixed by ``capacity``):

* a ring buffer of ``capacity`` slots; the entry with sequence number ``s``
  lives in slot ``s % capacity``. Live entries are ``oldest <= s < next_seq``;
  eviction is always of the oldest entry (capacity full, or older than
  ``window_s`` behind the newest ``seen_at``).
* per band a hash table of ``buckets`` chains, threaded through the slots:
  ``heads[band, bucket]`` is the newest slot of the chain and
  ``next[slot, band]`` the next older one. Chains are never unlinked. An
  entry can only die by eviction or by its slot being reused for a newer
  entry, so a walk stops at the first slot whose sequence number is below
  ``oldest`` or not below the one before it; everything further down is older
  still, hence evicted too.

Matching is single-link: an article joins the story of its most similar live
member (estimated Jaccard on the full signature >= ``threshold``), so a story
outlives its first article as long as any member is still indexed.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from newswire.events import Story
from newswire.stories._minhash import U32, MinHasher, MinHashParams
from newswire.stories._shingles import U64, shingle_hashes
from newswire.stories._state import Snapshot, StoryStateError, decode, encode

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

DEFAULT_THRESHOLD = 0.25
"""Estimated Jaccard of word 3-shingles at or above which two bodies are one story.

bench/stories_eval.py: the highest-recall threshold with no false merge among 33k corpus
negative pairs (the closest, two articles sharing agency and publisher boilerplate: 0.19).
"""

DEFAULT_CAPACITY = 100_000
DEFAULT_MIN_SHINGLES = 10
# Python-object bytes per live entry beyond the arrays: article id str (~81), its dict entry (~100),
# two list slots (16), a share of the story record (~72 for a story of one). Measured by the bench.
_PY_BYTES_PER_ENTRY = 270


@dataclasses.dataclass(frozen=True, slots=True)
class StoryAssignment:
    """The story an article was put in.

    ``story_id`` is the ``article_id`` of the story's first article, so replaying
    the same articles in the same order gives the same ids. ``similarity`` is the
    estimated Jaccard with the closest earlier member, ``None`` for a new story.
    """

    story_id: str
    first_article_id: str
    first_seen: float
    size: int
    similarity: float | None

    def to_event(self) -> Story:
        """The ``story`` field of an enriched event (``first_seen`` as ISO 8601 UTC)."""
        first_seen = datetime.fromtimestamp(self.first_seen, UTC).isoformat(timespec="milliseconds")
        return Story(
            story_id=self.story_id,
            first_article_id=self.first_article_id,
            first_seen=first_seen,
            size=self.size,
            similarity=self.similarity,
        )


class _Story:
    """Mutable story record shared by its members' slots; dies with its last indexed member."""

    __slots__ = ("first_article_id", "first_seen", "size")

    def __init__(self, first_article_id: str, first_seen: float, size: int = 1) -> None:
        self.first_article_id = first_article_id
        self.first_seen = first_seen
        self.size = size

    def assignment(self, similarity: float | None) -> StoryAssignment:
        return StoryAssignment(
            self.first_article_id, self.first_article_id, self.first_seen, self.size, similarity
        )


class StoryIndex:
    """Assigns articles to stories; holds at most ``capacity`` articles (oldest evicted first).

    ``window_s`` also evicts articles seen more than that many seconds before the
    newest ``seen_at`` so far (the index never reads a clock). ``min_shingles``:
    bodies with fewer distinct shingles get a story of their own and are not indexed
    (too little text to tell a copy from a coincidence).
    """

    def __init__(
        self,
        *,
        capacity: int = DEFAULT_CAPACITY,
        threshold: float = DEFAULT_THRESHOLD,
        window_s: float | None = None,
        params: MinHashParams | None = None,
        min_shingles: int = DEFAULT_MIN_SHINGLES,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self.params = params or MinHashParams()
        self.capacity = capacity
        self.threshold = threshold
        self.window_s = window_s
        self.min_shingles = min_shingles
        self._hasher = MinHasher(self.params)
        self._buckets = 1 << max(capacity - 1, 1).bit_length()
        self._mask = np.uint64(self._buckets - 1)
        self._band_idx = np.arange(self.params.bands, dtype=np.intp)
        self._clear()

    def _clear(self) -> None:
        n, bands = self.capacity, self.params.bands
        self._sigs = np.zeros((n, self.params.num_perm), dtype=np.uint32)
        self._keys = np.zeros((n, bands), dtype=np.uint64)
        self._next = np.full((n, bands), -1, dtype=np.int32)
        self._heads = np.full((bands, self._buckets), -1, dtype=np.int32)
        self._seqs = np.full(n, -1, dtype=np.int64)
        self._seen = np.zeros(n, dtype=np.float64)
        self._sims = np.full(n, np.nan, dtype=np.float32)
        self._ids: list[str | None] = [None] * n
        self._stories: list[_Story | None] = [None] * n
        self._id_seq: dict[str, int] = {}
        self._oldest = 0
        self._next_seq = 0
        self._latest = -math.inf

    # ------------------------------------------------------------ public

    def __len__(self) -> int:
        return self._next_seq - self._oldest

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._id_seq

    def signature(self, body: str) -> U32 | None:
        """The body's MinHash signature, or ``None`` when it has fewer than ``min_shingles`` shingles."""
        shingles = shingle_hashes(body, self.params.shingle)
        if np.unique(shingles).size < self.min_shingles:
            return None
        return self._hasher.signature(shingles)

    def assign(
        self, article_id: str, body: str, title: str | None = None, seen_at: float = 0.0
    ) -> StoryAssignment:
        """Put an article in a story and index it.

        Idempotent per ``article_id`` while it is indexed: a redelivered or updated
        article gets its current story back and is not counted again. ``title`` is
        not part of the signature (wire copies rewrite headlines); it is accepted so
        callers pass the article as they have it. ``seen_at`` is seconds since the
        epoch (e.g. the fetch time); it drives ``window_s`` and ``first_seen``.
        """
        del title
        seq = self._id_seq.get(article_id)
        if seq is not None:
            slot = seq % self.capacity
            story = self._stories[slot]
            assert story is not None
            sim = float(self._sims[slot])
            return story.assignment(None if math.isnan(sim) else sim)
        self._latest = max(self._latest, seen_at)
        self._evict_expired()
        sig = self.signature(body)
        if sig is None:
            return _Story(article_id, seen_at).assignment(None)
        keys = self._hasher.band_keys(sig)
        best, similarity = self._best_match(sig, keys)
        if best is None:
            story = _Story(article_id, seen_at)
            sim_or_none: float | None = None
        else:
            found = self._stories[best]
            assert found is not None
            story, sim_or_none = found, similarity
            story.size += 1
        self._insert(article_id, sig, keys, seen_at=seen_at, story=story, similarity=sim_or_none)
        return story.assignment(sim_or_none)

    def export_state(self) -> bytes:
        """The indexed articles and their stories as compact bytes (~``num_perm * 4 + 50`` per article)."""
        return encode(self._snapshot())

    def _snapshot(self) -> Snapshot:
        slots = [(self._oldest + i) % self.capacity for i in range(len(self))]
        numbers: dict[int, int] = {}
        stories: list[tuple[str, float, int]] = []
        story_of = np.empty(len(slots), dtype=np.uint32)
        for i, slot in enumerate(slots):
            story = self._stories[slot]
            assert story is not None
            number = numbers.setdefault(id(story), len(stories))
            if number == len(stories):
                stories.append((story.first_article_id, story.first_seen, story.size))
            story_of[i] = number
        return Snapshot(
            params=self.params,
            latest=self._latest if np.isfinite(self._latest) else None,
            sigs=self._sigs[slots].astype(np.uint32),
            seen=self._seen[slots].astype(np.float64),
            sims=self._sims[slots].astype(np.float32),
            story_of=story_of,
            stories=stories,
            ids=[self._ids[slot] or "" for slot in slots],
        )

    def import_state(self, data: bytes) -> None:
        """Replace the contents with state from :meth:`export_state`; keeps the newest ``capacity`` articles.

        Raises :class:`StoryStateError` if ``data`` is corrupt or was written under other
        :class:`MinHashParams` (its signatures would not be comparable).
        """
        loaded = decode(data)
        if loaded.params != self.params:
            raise StoryStateError(f"state was written with {loaded.params}, this index uses {self.params}")
        self._clear()
        records = [_Story(a, f, s) for a, f, s in loaded.stories]
        keys = self._hasher.band_keys(loaded.sigs)
        start = max(0, len(loaded.ids) - self.capacity)
        for i in range(start, len(loaded.ids)):
            sim = float(loaded.sims[i])
            story = records[int(loaded.story_of[i])]
            similarity = None if math.isnan(sim) else sim
            seen_at = float(loaded.seen[i])
            self._insert(
                loaded.ids[i], loaded.sigs[i], keys[i], seen_at=seen_at, story=story, similarity=similarity
            )
        if loaded.latest is not None:
            self._latest = loaded.latest

    def memory_bytes(self) -> int:
        """Bytes held now: the preallocated arrays plus the Python objects of live entries."""
        live = {id(s): s for s in self._stories if s is not None}
        py = sys.getsizeof(self._ids) + sys.getsizeof(self._stories) + sys.getsizeof(self._id_seq)
        py += sum(sys.getsizeof(a) for a in self._id_seq)
        py += sum(sys.getsizeof(s) for s in live.values())
        return self._array_bytes() + py

    def _array_bytes(self) -> int:
        arrays = (self._sigs, self._keys, self._next, self._heads, self._seqs, self._seen, self._sims)
        return sum(a.nbytes for a in arrays)

    # ------------------------------------------------------------ internals

    def _bucket_of(self, keys: U64) -> npt.NDArray[np.intp]:
        return (keys & self._mask).astype(np.intp)

    def _candidates(self, keys: U64) -> npt.NDArray[np.intp]:
        """Live slots sharing at least one band key with ``keys``."""
        bands = self._band_idx
        buckets = self._bucket_of(keys)
        cur = self._heads[bands, buckets].astype(np.intp)
        prev = np.full(bands.size, np.iinfo(np.int64).max, dtype=np.int64)
        found: list[npt.NDArray[np.intp]] = []
        while True:
            on = cur >= 0
            b, c = bands[on], cur[on]
            s = self._seqs[c]
            stored = self._keys[c, b]
            ok = (s >= self._oldest) & (s < prev[b]) & (self._bucket_of(stored) == buckets[b])
            b, c, s = b[ok], c[ok], s[ok]
            if b.size == 0:
                break
            found.append(c[stored[ok] == keys[b]])
            prev[b] = s
            cur = np.full(bands.size, -1, dtype=np.intp)
            cur[b] = self._next[c, b]
        if not found:
            return np.empty(0, dtype=np.intp)
        return np.unique(np.concatenate(found))

    def _best_match(self, sig: U32, keys: U64) -> tuple[int | None, float]:
        cands = self._candidates(keys)
        if cands.size == 0:
            return None, 0.0
        sims = np.count_nonzero(self._sigs[cands] == sig, axis=1) / sig.size
        # Most similar first; ties go to the oldest member, so the choice is deterministic.
        order = np.lexsort((self._seqs[cands], -sims))
        best = int(order[0])
        if sims[best] < self.threshold:
            return None, float(sims[best])
        return int(cands[best]), float(sims[best])

    def _insert(
        self, article_id: str, sig: U32, keys: U64, *, seen_at: float, story: _Story, similarity: float | None
    ) -> None:
        if len(self) == self.capacity:
            self._evict_oldest()
        seq = self._next_seq
        slot = seq % self.capacity
        bands = self._band_idx
        buckets = self._bucket_of(keys)
        head = self._heads[bands, buckets].astype(np.intp)
        # Link only to a head that is still live and in this bucket, so every link is valid when made.
        live = (head >= 0) & (self._seqs[head] >= self._oldest)
        live &= self._bucket_of(self._keys[head, bands]) == buckets
        self._next[slot] = np.where(live, head, -1)
        self._heads[bands, buckets] = slot
        self._sigs[slot] = sig
        self._keys[slot] = keys
        self._seqs[slot] = seq
        self._seen[slot] = seen_at
        self._sims[slot] = np.nan if similarity is None else similarity
        self._ids[slot] = article_id
        self._stories[slot] = story
        self._id_seq[article_id] = seq
        self._next_seq = seq + 1

    def _evict_oldest(self) -> None:
        slot = self._oldest % self.capacity
        article_id = self._ids[slot]
        if article_id is not None and self._id_seq.get(article_id) == self._oldest:
            del self._id_seq[article_id]
        self._ids[slot] = None
        self._stories[slot] = None
        self._oldest += 1

    def _evict_expired(self) -> None:
        if self.window_s is None:
            return
        horizon = self._latest - self.window_s
        while len(self) and self._seen[self._oldest % self.capacity] < horizon:
            self._evict_oldest()


def estimate_memory_bytes(capacity: int, params: MinHashParams | None = None) -> int:
    """Bytes a full :class:`StoryIndex` of this capacity holds (arrays exact, Python objects estimated)."""
    p = params or MinHashParams()
    buckets = 1 << max(capacity - 1, 1).bit_length()
    per_entry = p.num_perm * 4 + p.bands * (8 + 4) + 8 + 8 + 4
    return capacity * (per_entry + _PY_BYTES_PER_ENTRY) + p.bands * buckets * 4
