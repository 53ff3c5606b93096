"""Word shingles: how two readings of a page are compared by the text they share.

Both the second opinion's criteria and the merge of its paragraphs into ours compare bodies as
sets of 4-word shingles; they differ only in what a word is, so each tokenises and this module
makes the shingles.
"""

from __future__ import annotations

Shingle = tuple[str, ...]

SIZE = 4


def shingles(words: list[str]) -> list[Shingle]:
    """The runs of :data:`SIZE` consecutive ``words``; a shorter text is one shingle (none if empty)."""
    if len(words) < SIZE:
        return [tuple(words)] if words else []
    # zip over the word list at SIZE offsets: the shingles without slicing the list per shingle.
    return list(zip(*(words[i:] for i in range(SIZE)), strict=False))
