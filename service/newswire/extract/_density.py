"""The fallback body strategy: the densest run of text blocks, with no container scoring.

The main strategy (:mod:`newswire.extract._body`) trusts class names and picks one
container; it fails when names lie or the text is spread over sibling boxes. This
one ignores names: it lists every visible text block of the page in document order,
gives each a weight (+its length for a prose block, a fixed cost for a short or
link-heavy one) and keeps the contiguous run with the largest total, the
maximum-subsequence segmentation of body text extraction (Finn et al., 2001).
Prose blocks next to each other win over menus and teaser lists because those
are short or linked. ``<noscript>`` content stays: it is what a reader without
scripts is shown, and some pages put their only copy of the text there.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from newswire.extract._nodes import CJK, text_size
from newswire.extract._walk import container_text

_NEVER_TEXT = (
    "script, style, template, svg, iframe, button, select, textarea, input, canvas, "
    "object, embed, nav, footer, aside, form, figure, figcaption, dialog, "
    "[hidden], [aria-hidden=true], [role=navigation], [role=contentinfo]"
)
# A block this long that ends like a sentence is prose; shorter ones are labels, menus, headings.
_PROSE = 80
_SENTENCE = re.compile(r"[.!?。！？…:;\"'”’»)]\s*$")
# What a non-prose block costs the run it sits in: a heading between paragraphs is cheap,
# a column of menu items is not.
_GAP_COST = 40
_MIN_BLOCK = 2
# What the last resort removes: what no reader sees, and page furniture that is never an article
# (menus, footers, controls). Forms stay: some sites wrap the whole page in one.
_NEVER_SHOWN = (
    "script, style, template, [hidden], [aria-hidden=true], nav, [role=navigation], "
    "footer, [role=contentinfo], button, select, label"
)
# A run of words between sentence ends or separators ...
_RUN_BREAK = re.compile(r"[.!?;:。！？…]+(?:\s|$)|[|·•©]")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# ... reads as a sentence with this many words, this many of them not capitalised (menus and
# labels are Title Case; running text has function words), or this many CJK characters.
_SENTENCE_WORDS = 6
_SENTENCE_LOWER = 3
_SENTENCE_CJK = 15
# Copyright and rights lines read like a sentence but are a footer's: a rights notice, or a
# copyright mark before a year ("© 2026", "Copyright (c) 2026"), not a story about copyright.
_RIGHTS = re.compile(r"all rights reserved|(?:©|\(c\)|copyright)\s*(?:©|\(c\))?\s*\d{4}", re.IGNORECASE)


def densest_run(html: str) -> list[str]:
    """The paragraphs of the densest run of prose blocks (possibly empty)."""
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return []
    for node in body.css(_NEVER_TEXT):
        node.decompose()
    blocks = [b for b in container_text(body) if len(b) >= _MIN_BLOCK]
    best_sum = cur_sum = 0.0
    best = (0, 0)
    start = 0
    for i, block in enumerate(blocks):
        size = text_size(block)
        weight = float(size) if size >= _PROSE and _SENTENCE.search(block) else -float(_GAP_COST)
        if cur_sum <= 0:
            cur_sum, start = 0.0, i
        cur_sum += weight
        if cur_sum > best_sum:
            best_sum, best = cur_sum, (start, i + 1)
    return blocks[best[0] : best[1]]


def reads_as_text(block: str) -> bool:
    """Whether a block holds a sentence a reader would call article text.

    A sentence here is a run of words between sentence ends with a few words that are not
    capitalised (or a run of CJK characters): a one-line news brief qualifies; a menu's
    labels, a date, a copyright line or a button's words do not.
    """
    if _RIGHTS.search(block):
        return False
    for run in _RUN_BREAK.split(block):
        if len(CJK.findall(run)) >= _SENTENCE_CJK:
            return True
        words = _WORD.findall(run)
        if len(words) >= _SENTENCE_WORDS and sum(not w[0].isupper() for w in words) >= _SENTENCE_LOWER:
            return True
    return False


def largest_block(html: str) -> list[str]:
    """The page's longest visible text block that reads as text (:func:`reads_as_text`), wherever
    it sits: the last resort for a page that shows text but where no strategy found an article
    (one short paragraph, text only in a box named like boilerplate). Empty when the page shows
    no such text: a page of menus, forms and footers has no article."""
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return []
    for node in body.css(_NEVER_SHOWN):
        node.decompose()
    blocks = [block for block in container_text(body) if reads_as_text(block)]
    return [max(blocks, key=text_size)] if blocks else []
