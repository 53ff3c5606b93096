"""Merging trafilatura's paragraphs into ours when both read the same article region.

When the second opinion runs and does not win, its body often covers the same article as
ours (most of our text is in it) and holds a block or two our walk or container dropped
inside that article. Those blocks are added where trafilatura has them: between two
paragraphs both bodies share, in its document order. Only substantial blocks go in
(running prose, or a long block): the short lines trafilatura keeps between paragraphs are
mostly captions and labels. Blocks before the first or after the last shared paragraph are
never added: there the two readings disagree on the article's edges (bylines, teasers,
readers' comments), and adding them lowered precision more than it raised recall.
"""

from __future__ import annotations

import re
from collections import Counter

from newswire.extract._nodes import text_size
from newswire.extract._shingles import Shingle, shingles

# At least this part of our body's 4-token shingles must be in trafilatura's text: the same region.
SAME_REGION = 0.6
# One of trafilatura's paragraphs is ours already when this part of its shingles is in our body.
SHARED = 0.5
# A missing paragraph is added when it reads as prose, or is at least this long.
LONG_BLOCK = 150
_PROSE = 80
_SENTENCE_END = re.compile(r"[.!?…\"'”’»)。！？」』؟۔।॥။។]\s*$")


def is_prose(paragraph: str) -> bool:
    """Whether a paragraph reads as running text: long enough (a CJK character counting as the
    several letters of a word it stands for, :func:`._nodes.text_size`) and ending like a sentence
    (in any script), unlike a menu entry, a label or a teaser's headline."""
    return text_size(paragraph) >= _PROSE and _SENTENCE_END.search(paragraph) is not None


def _shingles(text: str) -> list[Shingle]:
    """4-word shingles of a text, lowercased, its words split on white space."""
    return shingles(text.lower().split())


def _substantial(paragraph: str) -> bool:
    if len(paragraph) >= LONG_BLOCK:
        return True
    return is_prose(paragraph)


def _anchors(ours: list[str], other: list[str]) -> list[int | None] | None:
    """For each of ``other``'s paragraphs, the index of ours it repeats (None: missing from ours).

    None for the whole when the two bodies do not share most of our text (another region).
    """
    where: dict[Shingle, int] = {}
    for index, paragraph in enumerate(ours):
        for shingle in _shingles(paragraph):
            where.setdefault(shingle, index)
    theirs = {s for p in other for s in _shingles(p)}
    if sum(1 for s in where if s in theirs) < SAME_REGION * len(where):
        return None
    anchors: list[int | None] = []
    for paragraph in other:
        shingles = _shingles(paragraph)
        hits = Counter(where[s] for s in shingles if s in where)
        shared = bool(hits) and hits.total() >= SHARED * len(shingles)
        anchors.append(hits.most_common(1)[0][0] if shared else None)
    return anchors


def merge_second_opinion(ours: list[str], other: list[str]) -> list[str]:
    """Our paragraphs plus trafilatura's substantial ones missing from ours, in its order.

    A missing paragraph goes after the paragraph of ours that its nearest shared predecessor
    repeats, and only between the first and the last shared paragraph. Ours comes back
    unchanged when the bodies are not of the same region or nothing is missing.
    """
    if not ours or not other:
        return ours
    anchors = _anchors(ours, other)
    if anchors is None:
        return ours
    shared = [i for i, a in enumerate(anchors) if a is not None]
    if len(shared) < 2:
        return ours
    added: dict[int, list[str]] = {}
    anchor = 0
    for i in range(shared[0], shared[-1]):
        found = anchors[i]
        if found is not None:
            anchor = max(anchor, found)
        elif _substantial(other[i]):
            added.setdefault(anchor, []).append(other[i])
    if not added:
        return ours
    merged: list[str] = []
    for index, paragraph in enumerate(ours):
        merged.append(paragraph)
        merged.extend(added.get(index, []))
    return merged
