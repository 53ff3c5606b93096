"""What an update changed, told compactly: old→new for short text fields, an edit script for the body.

An ``updated`` article event carries the whole new version, so a reader can see
*what* the article says now but not what it said before. The fetch state cannot
keep whole articles (it holds up to a million URLs per ingest group), so for
each published version it keeps only a small memory, made here:

* the short text fields (:data:`TEXT_FIELDS`) verbatim, each if its JSON is at
  most :data:`MAX_REMEMBERED_BYTES` (a headline or a standfirst; a runaway
  "lead" is not worth its bytes and is then left out);
* one :data:`DIGEST_BYTES`-byte blake2b digest per body paragraph, concatenated
  and base64-encoded: enough to tell which paragraphs were kept, replaced,
  inserted or deleted, without their text.

When the next version is published, :func:`text_diff` compares it with that
memory and returns a :class:`~newswire.events.TextDiff`. The edit script is
expressed against the previous version's paragraphs and carries the *new*
paragraphs' text (the old text was never kept): a reader that kept the
previous event can apply it; one that did not still sees which paragraphs
changed and how they read now.

Paragraphs are ``body.split("\\n\\n")`` (an empty body has none), the same
split a reader applies to the event's ``body``. Everything here is pure.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

import orjson

from newswire.events import ArticleEvent, FieldChange, ParagraphEdit, TextDiff

TEXT_FIELDS = ("title", "authors", "lead")
MAX_REMEMBERED_BYTES = 1000
DIGEST_BYTES = 8

__all__ = [
    "DIGEST_BYTES",
    "MAX_REMEMBERED_BYTES",
    "TEXT_FIELDS",
    "paragraph_digests",
    "paragraph_edits",
    "paragraphs",
    "remember_text",
    "text_diff",
]


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs, as a reader of the event splits them."""
    return body.split("\n\n") if body else []


def _digest(paragraph: str) -> bytes:
    return hashlib.blake2b(paragraph.encode("utf-8", "surrogatepass"), digest_size=DIGEST_BYTES).digest()


def paragraph_digests(body: str) -> str:
    """One short digest per paragraph, concatenated and base64-encoded (what the fetch state keeps)."""
    return base64.b64encode(b"".join(_digest(p) for p in paragraphs(body))).decode("ascii")


def _split_digests(encoded: str) -> list[bytes] | None:
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) % DIGEST_BYTES:
        return None
    return [raw[i : i + DIGEST_BYTES] for i in range(0, len(raw), DIGEST_BYTES)]


def remember_text(article: ArticleEvent) -> dict[str, Any]:
    """The short text fields of ``article`` worth keeping verbatim for the next diff."""
    kept: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = getattr(article, name)
        if len(orjson.dumps(value)) <= MAX_REMEMBERED_BYTES:
            kept[name] = value
    return kept


def paragraph_edits(old: Sequence[bytes], new: Sequence[str]) -> list[ParagraphEdit]:
    """The edit script that turns paragraphs with digests ``old`` into the paragraphs ``new``.

    Edits are in ascending order of ``old_start`` and do not overlap; apply them
    from the last to the first to keep the earlier indexes valid.
    """
    matcher = SequenceMatcher(None, list(old), [_digest(p) for p in new], autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            ParagraphEdit(op=tag, old_start=i1, old_count=i2 - i1, new_start=j1, text=list(new[j1:j2]))
        )
    return edits


def text_diff(
    remembered: Mapping[str, Any] | None, digests: str | None, article: ArticleEvent
) -> TextDiff | None:
    """How ``article`` differs from the version remembered as ``remembered`` and ``digests``.

    None when nothing of the previous version was remembered (state written
    before diffs existed). Otherwise a field is None when it is unchanged, or
    when its previous value was too long to remember (``changed_fields`` of the
    event still names it); ``body`` is None when no paragraph changed or the
    previous digests are unreadable.
    """
    if remembered is None and digests is None:
        return None
    changes: dict[str, FieldChange] = {}
    for name in TEXT_FIELDS:
        if remembered is None or name not in remembered:
            continue
        new = getattr(article, name)
        if remembered[name] != new:
            changes[name] = FieldChange(old=remembered[name], new=new)
    old_paragraphs = _split_digests(digests) if digests is not None else None
    body = paragraph_edits(old_paragraphs, paragraphs(article.body)) if old_paragraphs is not None else []
    return TextDiff(
        title=changes.get("title"),
        authors=changes.get("authors"),
        lead=changes.get("lead"),
        body=body or None,
    )
