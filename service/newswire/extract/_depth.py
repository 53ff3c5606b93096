"""A bound on how deep a page's elements nest, applied to its markup before it is parsed.

lexbor's tree builder walks the stack of open elements for the scope checks of many start tags
(a ``<div>``, ``<p>``, ``<li>`` or ``<blockquote>`` looks for an open ``<p>`` or ``<li>`` to close),
so a page of tens of thousands of nested boxes takes time in the square of its depth to parse,
and some of the extractor's own walks (whether an inline element holds a block) grow the same
way. Browsers bound the depth of the tree they build (Chromium reparents past 512 levels); here
the start tags past :data:`MAX_DEPTH` open elements, and their end tags, are taken out of the
markup (their text stays, inside the deepest box kept). Real pages nest far less deep.

The bound reads the markup in Python only on a page with more than :data:`MIN_TAGS` tags, and
only where a count of the open tags (a scan in C) says it may pass the bound; a page with fewer
tags cannot nest deep enough to cost more than a few seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate
from operator import sub

import numpy as np

MAX_DEPTH = 512
# Below this many ``<``, the deepest page costs the parse and the walks a few seconds at most.
MIN_TAGS = 5000

# Elements never holding others (void) and elements whose end tag the parser implies wherever they
# stand (a ``<p>`` or ``<li>`` closes its open sibling, a ``<td>`` outside a table is dropped):
# counted as neither opening nor closing a level. Not ``<optgroup>`` or the ruby annotations
# (``<rt>``, ``<rp>``, ``<rb>``, ``<rtc>``): outside a ``<select>`` or a ``<ruby>`` they nest.
_VOID = (
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr"
)
_IMPLIED = "p li dt dd option tr td th thead tbody tfoot colgroup caption html head body"
_FLAT = frozenset(_VOID.split() + _IMPLIED.split())
# Keyed in lower and upper case: a tag in mixed case counts as a level of its own, which only
# makes the first look (:func:`_may_pass`) look further.
_FLAT_STEPS = {
    f"{start}{case(name)}": 0 for name in _FLAT for start in ("<", "</") for case in (str.lower, str.upper)
}
# Elements whose content is text, not markup: what looks like a tag inside them is not one.
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"}
)

_LT = ord("<")
_TAG_NAME = re.compile(r"</?[A-Za-z][^\s/>]*")
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][^\s/>]*)[^>]*>?", re.DOTALL)


class _Steps(dict[str, float]):
    """Each tag's change to the depth: ``<name`` opens a level, ``</name`` closes one, bar
    :data:`_FLAT`; filled per page, as pages name their own elements."""

    def __missing__(self, tag: str) -> float:
        step = self[tag] = -1 if tag[1] == "/" else 1
        return step


def _may_pass(html: str) -> bool:
    """Whether the open tags, less the end tags, ever pass :data:`MAX_DEPTH` (a count that never
    goes below zero, as a parser ignores an end tag with nothing to close). Over-counts where tags
    are left open that the parser closes, and counts tag-like text in scripts: a first look."""
    tags = _TAG_NAME.findall(html)
    if len(tags) <= MAX_DEPTH:
        return False
    steps = _Steps(_FLAT_STEPS)
    # End tags of a name that outnumber its start tags include some that close nothing a parser has
    # open (it ignores them): each closes the share of a level its name's start tags make up, lest
    # a page hide the depth of its boxes behind stray end tags of another name.
    counts = Counter(tags)
    for tag, count in counts.items():
        if tag[1] == "/" and count > (opened := counts[f"<{tag[2:]}"]):
            steps[tag] = -opened / count
    depth = list(accumulate(map(steps.__getitem__, tags)))
    lowest = accumulate(depth, min, initial=0.0)  # the lowest count yet, or 0
    next(lowest)
    deepest: float = max(map(sub, depth, lowest))
    return deepest > MAX_DEPTH


def tags_in(raw: bytes) -> int:
    """How many ``<`` bytes ``raw`` holds: in a page whose codec keeps ASCII bytes as they are,
    the number of ``<`` in its text, counted without a pass of Python's ``str.count`` (four times
    as long), which would cost about 1% of the extraction on every page."""
    return int(np.count_nonzero(np.frombuffer(raw, np.uint8) == _LT))


def bounded(html: str, tags: int | None = None) -> str:
    """``html`` with the start tags past :data:`MAX_DEPTH` open elements, and the end tags that
    close them, taken out; ``html`` itself when it nests no deeper. ``tags``: the page's ``<``
    count when known (:func:`tags_in` of its bytes), or a bound above it."""
    if (html.count("<") if tags is None else tags) <= MIN_TAGS or not _may_pass(html):
        return html
    kept: list[str] = []  # the open elements' names, outermost first
    dropped: list[str] = []  # the names of the start tags taken out, below the kept ones
    dropped_names: Counter[str] = Counter()
    cuts: list[tuple[int, int]] = []
    pos = 0
    while (match := _TOKEN.search(html, pos)) is not None:
        pos = match.end()
        name = match.group(2)
        if name is None:  # a comment
            continue
        name = name.lower()
        if name in _FLAT:
            continue
        if match.group(1):  # an end tag closes the innermost open element of its name
            if dropped_names[name]:
                while (popped := dropped.pop()) != name:
                    dropped_names[popped] -= 1
                dropped_names[name] -= 1
                cuts.append(match.span())
            elif name in kept:  # and every element inside it
                del kept[len(kept) - 1 - kept[::-1].index(name) :]
                dropped.clear()
                dropped_names.clear()
            continue
        if name in _RAW_TEXT:  # skip to its end tag: its content is text
            # As the tokenizer, which ends it at ``</name`` and a space, ``/`` or ``>``.
            end = re.compile(rf"</{re.escape(name)}[\s/>]", re.IGNORECASE).search(html, pos)
            pos = len(html) if end is None else end.start()
            continue
        if len(kept) < MAX_DEPTH:
            kept.append(name)
        else:
            dropped.append(name)
            dropped_names[name] += 1
            cuts.append(match.span())
    if not cuts:
        return html
    pieces: list[str] = []
    start = 0
    for cut_start, cut_end in cuts:
        pieces.append(html[start:cut_start])
        start = cut_end
    pieces.append(html[start:])
    return "".join(pieces)
