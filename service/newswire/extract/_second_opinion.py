"""The second opinion: trafilatura's extractor, asked only on pages where ours is unsure.

Our container strategy is precise and fast but, on layouts it was not tuned on, can keep a
part of the article only (a box holding a fraction of the page's text, a body short against
the words the page shows). trafilatura (a well-kept, differently built extractor: XPath
rules over lxml with its own fallbacks) errs in other places, so on those pages it is a
useful second reading. It is about five times slower than our extractor, which is why it
runs on the unsure minority only; ``fast=True`` skips its own fallback extractors.

Besides the prose criterion in :mod:`._strategy`, three comparisons of the two bodies' text
decide between them, blind to whether the text ends like sentences (list and table articles do
not): :func:`superset_kept_share` (its body is ours and more of the article), :func:`ran_over`
(the densest run went on into readers' comments) and :func:`is_core_of` (our container took the
article with furniture around it); :func:`same_reading` stops the prose criterion where its body
is ours with the article's tables or lists left out. :func:`confirms` checks a narrower reading
of our own, and :func:`cut_after_shared` and :func:`cut_before_shared` end and start our body
where both readings do.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import NamedTuple

from lxml.etree import LxmlError
from selectolax.lexbor import LexborNode
from trafilatura import bare_extraction

from newswire.extract._merge import is_prose
from newswire.extract._shingles import SIZE, Shingle, shingles
from newswire.extract._text import word_count

# trafilatura's body holds more of the article when it holds this part of our body's text ...
SUPERSET_SHARE = 0.8
# ... is this many times our words ...
SUPERSET_GAIN = 1.3
# ... and this part of what it adds is unlinked text of the cleaned page (not a box our cleaner
# removed as boilerplate: comments, overlays, related links; not link lists).
SUPERSET_KEPT = 0.5
# ... counting only bodies that add at least this many words' worth (4-word shingles).
SUPERSET_MIN_ADDED = 50
# Lines shorter than this are labels (captions, credits, dates, buttons), not added article text.
_LABEL = 30
# The densest run ran over readers' comments when it is this many times trafilatura's words ...
OVERRUN_RATIO = 10
# ... and holds this part of trafilatura's text, which has at least this many words.
OVERRUN_SHARE = 0.6
OVERRUN_MIN_WORDS = 40
# Our container body holds trafilatura's and more (see SUPERSET_*, reversed): the more is furniture
# when at most this part of it sits between the paragraphs both bodies share.
EDGE_SURPLUS = 0.2
# The headline's branch of our container is the article when it holds this part of trafilatura's text.
BRANCH_CONFIRM = 0.8
# Our paragraphs after the last one both bodies share are cut when they are at most this part of our
# body's characters (more is article text trafilatura's reading left out).
EDGE_CUT = 0.4
_WORD = re.compile(r"\w+")
# trafilatura's body is our reading of the article when this part of its text is in ours.
SAME_READING = 0.6
# trafilatura's body is the readers' comment thread our container set aside when this share of its
# shingles are the thread's.
THREAD_READ = 0.5
# trafilatura's body is ours with a tail of furniture (:func:`adds_tail_of_lines`) when this part
# of what it has more sits after the last paragraph both share ...
TAIL_AFTER = 0.75
# ... and under this part of it is prose.
TAIL_PROSE = 0.5
# ... and at most this part of it stands between the paragraphs both share.
TAIL_INSIDE = 0.2
# A table's row as trafilatura writes it ("| Calories | 434 kcal |"): a table of this many rows or
# more after the article's prose is its data our container cut (a recipe's nutrition, a statistic's
# figures), not furniture; one barred line is a menu ("| Home | About | Contact |").
_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_ROWS = 2


# trafilatura's extraction time grows with the square of a page's elements (40,000 short paragraphs:
# 2.5 s; 200,000: past the 30 s a page may take before its worker is killed). On a page with more
# tags ("<") than this, ours decides alone. The development corpora's largest page has 20,574.
MAX_TAGS = 100_000


def too_large(html: str) -> bool:
    """Whether a page is too large to ask trafilatura about (``MAX_TAGS``)."""
    return html.count("<") > MAX_TAGS


def trafilatura_paragraphs(html: str, url: str | None = None) -> list[str]:
    """trafilatura's main text as paragraphs (empty when it finds none or fails on the page).

    A failing second opinion is no opinion: the page keeps the body our extractor found.
    """
    try:
        doc = bare_extraction(html, url=url, fast=True, include_comments=False, include_tables=True)
    except (LxmlError, ValueError, TypeError, LookupError, AttributeError, RecursionError):
        return []
    text = getattr(doc, "text", None) or ""
    return [line for line in (" ".join(raw.split()) for raw in text.split("\n")) if line]


def _text_shingles(text: str) -> list[Shingle]:
    """4-word shingles of a text, lowercased, its words the runs of letters and digits.

    Punctuation is no word: trafilatura writes list items as ``- item`` and table rows as
    ``| cell | cell |``, and glues a footnote mark to its word ("loop.[1]") where the page's
    text, read element by element, has them apart.
    """
    return shingles(_WORD.findall(text.lower()))


# The criteria and the cuts below compare the same two bodies several times per page: each
# paragraph's shingles are made once. Bounded: a page holds far fewer paragraphs. (The page's
# whole text, read once and large, goes through :func:`_text_shingles` uncached.)
@functools.lru_cache(maxsize=1024)
def _shingles(paragraph: str) -> tuple[Shingle, ...]:
    """:func:`_text_shingles` of one paragraph."""
    return tuple(_text_shingles(paragraph))


def _shingle_set(paragraphs: list[str]) -> set[Shingle]:
    return {s for p in paragraphs for s in _shingles(p)}


def _share_in(inner: set[Shingle], outer: set[Shingle]) -> float:
    return len(inner & outer) / len(inner) if inner else 0.0


def reads_thread(other: list[str], thread: str) -> bool:
    """Whether trafilatura's body is mostly (``THREAD_READ``) the text of the readers' comment thread
    our container set aside: on a page whose names do not mark the comments, it keeps them."""
    return _share_in(_shingle_set(other), _shingle_set([thread])) >= THREAD_READ


def without_thread(other: list[str], thread: str) -> list[str]:
    """trafilatura's paragraphs without those that are (``THREAD_READ`` of their shingles) the
    readers' comment thread set aside: the article's edges and branch are judged on the rest."""
    replies = _shingle_set([thread])
    return [para for para in other if _share_in(set(_shingles(para)), replies) < THREAD_READ]


class _Surplus(NamedTuple):
    """What one body has more than another, by where it sits among the paragraphs both hold."""

    added: list[str]  # its paragraphs the other does not hold, in order
    surplus: int  # their characters
    inside: int  # of which between the first and the last paragraph both hold
    after: int  # of which after the last paragraph both hold


def _placed_surplus(longer: list[str], shorter: list[str], shorter_set: set[Shingle]) -> _Surplus | None:
    """What ``longer`` has more than ``shorter`` (whose shingle set is ``shorter_set``) and where it
    sits; None when they hold no paragraph in common."""
    held = _shared_lines(longer, shorter, shorter_set)
    shared = [i for i, yes in enumerate(held) if yes]
    if not shared:
        return None
    added = [p for p, yes in zip(longer, held, strict=True) if not yes]
    span = slice(shared[0], shared[-1] + 1)
    inside = sum(len(p) for p, yes in zip(longer[span], held[span], strict=True) if not yes)
    tail = slice(shared[-1] + 1, None)
    after = sum(len(p) for p, yes in zip(longer[tail], held[tail], strict=True) if not yes)
    return _Surplus(added, sum(map(len, added)), inside, after)


def same_reading(ours: list[str], other: list[str]) -> bool:
    """Whether trafilatura's body is our article with blocks left out: no longer than ours, mostly
    inside it (``SAME_READING``), and what ours has more sits between the paragraphs both share
    (tables, lists, short facts of the article), not around them (furniture, see :func:`is_core_of`).
    Its better prose score then only says it dropped our non-prose blocks of the article."""
    if not ours or word_count(other) > word_count(ours):
        return False
    theirs = _shingle_set(other)
    if _share_in(theirs, _shingle_set(ours)) < SAME_READING:
        return False
    placed = _placed_surplus(ours, other, theirs)
    return placed is not None and placed.inside >= (1 - EDGE_SURPLUS) * placed.surplus


def superset_kept_share(ours: list[str], other: list[str], cleaned: LexborNode | None) -> float | None:
    """How much of what trafilatura's body adds to ours is unlinked text of the ``cleaned`` page.

    None unless its body holds most of our text and is clearly longer. When most of what it
    adds (``SUPERSET_KEPT``) is text our cleaner kept but our container or walk left out (list
    items, table rows and sub-blocks of a list or table article), its body is ours and more of
    the same article; when it is a box the cleaner removed (readers' comments, cookie tables,
    related links), link lists or short label lines (a strip of photo captions), it is not.
    """
    if cleaned is None or not ours or word_count(other) < SUPERSET_GAIN * word_count(ours):
        return None
    own = _shingle_set(ours)
    if _share_in(own, _shingle_set(other)) < SUPERSET_SHARE:
        return None
    added = [s for p in other for s in _shingles(p) if s not in own]
    if len(added) < SUPERSET_MIN_ADDED:
        return None
    page = set(_text_shingles(cleaned.text(separator=" ")))
    linked = {s for a in cleaned.css("a") for s in _text_shingles(a.text(separator=" "))}
    article = (s for p in other if len(p) >= _LABEL for s in _shingles(p) if s not in own)
    return sum(1 for s in article if s in page and s not in linked) / len(added)


def ran_over(dense: list[str], other: list[str]) -> bool:
    """Whether the densest run holds trafilatura's body and ran on far beyond it.

    The densest run ignores class names, so on a short story followed by a long thread of
    readers' comments (prose too) it keeps both; trafilatura's body, a small part of it that
    it contains, is then the story.
    """
    if word_count(other) < OVERRUN_MIN_WORDS or word_count(dense) < OVERRUN_RATIO * word_count(other):
        return False
    return _share_in(_shingle_set(other), _shingle_set(dense)) >= OVERRUN_SHARE


def _held(ours: list[str], other: list[str]) -> list[bool] | None:
    """Per paragraph of ours, whether trafilatura's body shares it (half its shingles); None when
    ours does not hold ``SUPERSET_SHARE`` of trafilatura's text."""
    theirs = _shingle_set(other)
    if _share_in(theirs, _shingle_set(ours)) < SUPERSET_SHARE:
        return None
    return _shared_lines(ours, other, theirs)


def _shared_lines(ours: list[str], other: list[str], theirs: set[Shingle]) -> list[bool]:
    """Per paragraph of ours, whether half its shingles are in ``theirs`` (``other``'s shingles); a
    line in a run of lines too short for a shingle of their own (under :data:`SIZE` words each) is
    shared when half its words are in shingles of the run, read as one text, that ``other`` read as
    one text holds.

    The walk gives a data table's cells and a list of names one line each ("Alaska", "$14.55"),
    where trafilatura writes a row per line ("| 1 | Alaska | $14.55 |"): alone, each cell is a
    shingle no row of theirs holds, and a table both readers keep would read as ours only.
    """
    held = [_share_in(set(_shingles(p)), theirs) >= 0.5 for p in ours]
    stream: set[Shingle] | None = None
    start = 0
    while start < len(ours):
        end = start
        while end < len(ours) and len(_WORD.findall(ours[end])) < SIZE:
            end += 1
        if end - start >= 2:
            if stream is None:
                stream = set(_text_shingles(" ".join(other)))
            words: list[str] = []
            line_of: list[int] = []
            for index in range(start, end):
                found = _WORD.findall(ours[index].lower())
                words.extend(found)
                line_of.extend([index] * len(found))
            covered = [False] * len(words)
            for at, shingle in enumerate(shingles(words)):
                if shingle in stream:
                    covered[at : at + SIZE] = [True] * min(SIZE, len(words) - at)
            # Words and covered words per line, in one pass: a page of many short lines stays linear.
            counts = Counter(line_of)
            hits = Counter(line for line, yes in zip(line_of, covered, strict=True) if yes)
            for index, count in counts.items():
                if 2 * hits[index] >= count:
                    held[index] = True
        start = end + 1
    return held


def adds_tail_of_lines(ours: list[str], other: list[str]) -> bool:
    """Whether trafilatura's body is our prose with a tail of lines that are not prose after it.

    It is when its body holds most of ours (``SUPERSET_SHARE``), what it has more sits after the
    last paragraph both share (``TAIL_AFTER`` of it; at most ``TAIL_INSIDE`` between the shared
    paragraphs), ours is mostly prose and what it adds mostly not (``TAIL_PROSE`` of the
    characters, :func:`._merge.is_prose`). On a page whose class names do not mark its furniture,
    trafilatura's reading runs on past the article into the related links, archive lists, tag
    lines and footer below it: text of the cleaned page, outside links in part, so the criteria
    that read its body as ours and more of the article (:func:`superset_kept_share`, the prose
    score) take it. :func:`is_core_of` reversed. A list or table article our container cut to one
    of its blocks is no prose itself (its rows and items do not end like sentences), the rest of
    an article of prose our container cut is prose too, and a table trafilatura adds is the
    article's data (``_TABLE_ROWS`` rows): all three still go to trafilatura.
    """
    if not ours:
        return False
    own = _shingle_set(ours)
    if _share_in(own, _shingle_set(other)) < SUPERSET_SHARE:
        return False
    placed = _placed_surplus(other, ours, own)
    if placed is None:
        return False
    added, surplus = placed.added, placed.surplus
    rows = sum(1 for p in added for line in p.splitlines() if _TABLE_ROW.match(line.strip()))
    if rows >= _TABLE_ROWS:
        return False
    if not surplus or placed.after < TAIL_AFTER * surplus or placed.inside > TAIL_INSIDE * surplus:
        return False
    ours_prose = sum(len(p) for p in ours if is_prose(p))
    if ours_prose < TAIL_PROSE * sum(map(len, ours)):
        return False
    return sum(len(p) for p in added if is_prose(p)) < TAIL_PROSE * surplus


def is_core_of(ours: list[str], other: list[str]) -> bool:
    """Whether trafilatura's body is the article inside ours, ours adding furniture around it.

    It is when ours holds most of its text (``SUPERSET_SHARE``), is clearly longer
    (``SUPERSET_GAIN``, under ``OVERRUN_RATIO``: beyond that its body is a fragment), and what
    ours has more sits before or after the paragraphs both share (``EDGE_SURPLUS``): a container
    taken one box too wide keeps a summary box, a disclaimer, a copyright line or related
    posts around the article. Text ours has more *between* shared paragraphs is article text
    trafilatura dropped, and then ours stays.
    """
    theirs_words, own_words = word_count(other), word_count(ours)
    if theirs_words < OVERRUN_MIN_WORDS or not (
        SUPERSET_GAIN * theirs_words <= own_words < OVERRUN_RATIO * theirs_words
    ):
        return False
    held = _held(ours, other)
    shared = [i for i, yes in enumerate(held or []) if yes]
    if held is None or not shared:
        return False
    surplus = sum(len(p) for p, yes in zip(ours, held, strict=True) if not yes)
    span = slice(shared[0], shared[-1] + 1)
    inside = sum(len(p) for p, yes in zip(ours[span], held[span], strict=True) if not yes)
    return inside <= EDGE_SURPLUS * surplus


def confirms(narrower: list[str], other: list[str]) -> bool:
    """Whether trafilatura's body (40+ words) lies within ``narrower``, a part of our body.

    Two differently built readers then agree where the article is, and the rest of our body
    (a column or footer beside the article) is not in it. Our text is kept, so the article's
    own lines that trafilatura dropped stay in.
    """
    if word_count(other) < OVERRUN_MIN_WORDS:
        return False
    return _share_in(_shingle_set(other), _shingle_set(narrower)) >= BRANCH_CONFIRM


def shared_paragraphs(ours: list[str], other: list[str]) -> list[int]:
    """Indexes of our paragraphs trafilatura's body shares, when its body (40+ words) lies within ours."""
    if word_count(other) < OVERRUN_MIN_WORDS:
        return []
    return [i for i, yes in enumerate(_held(ours, other) or []) if yes]


def cut_after_shared(ours: list[str], other: list[str], shared: list[int] | None = None) -> list[str]:
    """Our body without its paragraphs after the last one trafilatura's body shares, when its body
    (40+ words) lies within ours and that tail is a small part of ours (``EDGE_CUT``).

    Two differently built readers then agree where the article ends; what only ours holds after
    it (a sign-up form, a blogroll, a disclaimer, "Comments are closed") is the container's
    furniture. Lines only ours holds between shared paragraphs stay. ``shared`` is
    :func:`shared_paragraphs` of the two bodies when the caller has it.
    """
    if shared is None:
        shared = shared_paragraphs(ours, other)
    if not shared:
        return ours
    cut = sum(len(p) for p in ours[shared[-1] + 1 :])
    if not cut or cut > EDGE_CUT * sum(len(p) for p in ours):
        return ours
    return ours[: shared[-1] + 1]


def cut_before_shared(ours: list[str], other: list[str], shared: list[int] | None = None) -> list[str]:
    """Our body without its paragraphs before the first one trafilatura's body shares, on the same
    terms as :func:`cut_after_shared`. The caller keeps a head that reads as prose: there the two
    readers disagree on standfirsts and intros, which are article text.
    """
    if shared is None:
        shared = shared_paragraphs(ours, other)
    if not shared:
        return ours
    cut = sum(len(p) for p in ours[: shared[0]])
    if not cut or cut > EDGE_CUT * sum(len(p) for p in ours):
        return ours
    return ours[shared[0] :]
