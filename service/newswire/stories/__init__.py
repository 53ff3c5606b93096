"""Story clustering, pure: syndicated copies and rewrites of one article get one ``story_id``.

    from newswire.stories import StoryIndex
    index = StoryIndex(capacity=100_000, window_s=3 * 86400)   # bounded: oldest evicted first
    a = index.assign(article.article_id, article.body, article.title, seen_at=fetched_epoch_s)
    enriched.story = a.to_event()                                # the optional enriched-event field
    blob = index.export_state(); index.import_state(blob)        # persist / rebuild across restarts

Word 3-shingles of the normalised body (CJK and other spaceless scripts per
character), MinHash signatures with fixed seeds, LSH banding for candidates and
estimated Jaccard on the full signature to confirm them. No socket, clock or
Kafka here.
"""

from newswire.stories._index import (
    DEFAULT_CAPACITY,
    DEFAULT_THRESHOLD,
    StoryAssignment,
    StoryIndex,
    estimate_memory_bytes,
)
from newswire.stories._minhash import MinHasher, MinHashParams, estimated_jaccard
from newswire.stories._shingles import normalise, shingle_hashes, tokens
from newswire.stories._state import StoryStateError

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_THRESHOLD",
    "MinHashParams",
    "MinHasher",
    "StoryAssignment",
    "StoryIndex",
    "StoryStateError",
    "estimate_memory_bytes",
    "estimated_jaccard",
    "normalise",
    "shingle_hashes",
    "tokens",
]
