"""What the body modules read off a node: its text, size, links and direct text runs.

Shared by cleaning (:mod:`._clean`), container scoring (:mod:`._container`) and the walk
(:mod:`._walk`), so the three agree on what a paragraph, a link and a text run are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from newswire.extract._vocab import INLINE_TAGS

# Han, kana and Hangul: scripts that write a word in one or two characters, without spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")

INLINE = frozenset(INLINE_TAGS.split())

BLOCK_SELECTOR = (
    "p, div, li, ul, ol, h1, h2, h3, h4, h5, h6, table, section, article, blockquote, pre, header"
)

_BLOCK_TAGS = frozenset(BLOCK_SELECTOR.replace(",", " ").split())

# Characters beyond twice a size limit read first by text_size_over (whitespace runs are collapsed).
_HEAD_SLACK = 1024

# Up to this many nodes, a subtree is searched by walking it rather than by a selector query.
_SMALL_SUBTREE = 24

HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})

SKIP = frozenset({"h1", "header", "img", "hr", "-comment", "head", "title", "meta", "link"})

TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")

MIN_PARAGRAPH = 25

MAX_LINK_DENSITY = 0.5

# Running text may link many words (place names, topics); a paragraph that is all link is a teaser.
MAX_LINK_DENSITY_P = 0.8

_KEEP_PARAGRAPH = 150
# Share of a long paragraph's text that may be linked: running text links a few words, a teaser
# is mostly link.
LONG_PARAGRAPH_LINKS = 0.3

_RUN_HOLDERS = "div, td, section, article, font, span"

_KEEP_PARAGRAPHS = 2


def text_of(node: LexborNode) -> str:
    return " ".join((node.text(deep=True) or "").split())


_BREAK_TAGS = frozenset({"br", "p", "div", "li", "td", "th", "dd", "dt", "h2", "h3", "h4", "h5", "h6"})
_BREAKS = ", ".join(sorted(_BREAK_TAGS))


def block_text(node: LexborNode) -> str:
    """:func:`text_of` a block, with a ``<br>`` or a block inside it read as the break it shows:
    editors write "Section 3<br>Pages 1-76" or ``<li><p>Day:</p><p>40 euros</p></li>`` with no
    space, and plain text glued the two lines' words."""
    if node.css_first(_BREAKS) is None:
        return text_of(node)
    return " ".join(_broken_text(node).split())


def _broken_text(node: LexborNode) -> str:
    """The raw text below ``node`` with a space at each ``<br>`` and block start."""
    parts: list[str] = []
    for each in node.traverse(include_text=True):
        if each.tag in _BREAK_TAGS:
            parts.append(" ")
        elif each.tag == "-text":
            parts.append(each.text_content or "")
    return "".join(parts)


def text_size(text: str) -> int:
    """Text length with CJK characters counted thrice (one of them carries a word's worth)."""
    return len(text) + 2 * len(CJK.findall(text)) if text and not text.isascii() else len(text)


def text_size_over(node: LexborNode, limit: int) -> bool:
    """``text_size(text_of(node)) > limit``, without tidying all of a large node's text.

    The tidied text of a prefix of the raw text is a prefix of the tidied whole, so when the
    first few thousand characters already exceed the limit, so does the whole.
    """
    raw = node.text(deep=True) or ""
    # Tidying never lengthens text, and a character counts thrice at most (once if ASCII): a
    # small node is answered without tidying its text at all.
    if (len(raw) if raw.isascii() else 3 * len(raw)) <= limit:
        return False
    head = 2 * limit + _HEAD_SLACK
    if len(raw) > head and text_size(" ".join(raw[:head].split())) > limit:
        return True
    return text_size(" ".join(raw.split())) > limit


def _small_subtree(node: LexborNode) -> list[LexborNode] | None:
    """``node`` and the elements below it, in document order; None when there are many.

    A selector query costs microseconds even on a tiny subtree (lexbor parses the selector on
    each call); most queries here are on the few nodes of an inline element or a paragraph,
    which a plain walk answers sooner. Comments are listed too: no tag test matches them.
    """
    found: list[LexborNode] = []
    for each in node.traverse():
        found.append(each)
        if len(found) > _SMALL_SUBTREE:
            return None
    return found


def link_chars(node: LexborNode) -> int:
    return _link_chars_in(node, _small_subtree(node))


def _link_chars_in(node: LexborNode, small: list[LexborNode] | None) -> int:
    """:func:`link_chars` of ``node``, whose :func:`_small_subtree` is ``small``."""
    links = node.css("a") if small is None else [each for each in small if each.tag == "a"]
    return sum(text_size(text_of(a)) for a in links)


def is_inline(node: LexborNode) -> bool:
    """Inline element that does not wrap block content (a ``<span>`` around ``<p>`` is a block)."""
    tag = node.tag
    if tag not in INLINE:
        return False
    if tag == "br":
        return True
    return _holds_no_block(node, _small_subtree(node))


def _holds_no_block(node: LexborNode, small: list[LexborNode] | None) -> bool:
    """Whether no block element is below ``node``, whose :func:`_small_subtree` is ``small``."""
    if small is None:
        return node.css_first(BLOCK_SELECTOR) is None
    return not any(each.tag in _BLOCK_TAGS for each in small)


def inline_runs(node: LexborNode) -> Iterator[tuple[str, int] | LexborNode]:
    """The children of ``node`` in document order: runs of inline text, and the blocks between them.

    A run is the text of text nodes and inline children up to a block child or a double
    ``<br>``, whitespace collapsed, with its linked characters: ``(text, links)``. A block
    child is yielded as the node itself, for the caller to judge. Empty runs are not yielded.
    Container scoring and the walk both read runs this way, so they agree on what a text run is.
    """
    pieces: list[str] = []
    # Whether a piece holds more than white space: most runs between blocks are only the
    # markup's indentation, and then there is no text to join and tidy.
    filled = False
    links = 0
    breaks = 0
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            value = child.text_content or ""
            if value.strip():
                breaks = 0
                filled = True
            pieces.append(value)
            continue
        if tag == "br":
            breaks += 1
            if breaks < 2:
                pieces.append(" ")
                continue
        elif tag in INLINE and _holds_no_block(child, small := _small_subtree(child)):
            # An inline child's subtree is listed once, for both whether it is inline and its links.
            if small is None or any(each.tag == "br" for each in small):
                value = _broken_text(child)  # "<span>Line one<br>Line two</span>": two lines' words
            else:
                value = child.text(deep=True) or ""
            if value.strip():
                breaks = 0
                filled = True
                links += text_size(value.strip()) if tag == "a" else _link_chars_in(child, small)
            pieces.append(value)
            continue
        if filled:
            text = " ".join("".join(pieces).split())
            if text:
                yield text, links
            filled = False
        pieces.clear()
        links = 0
        if tag == "br":
            pieces.append(" ")
        else:
            breaks = 0
            yield child
    if filled:
        text = " ".join("".join(pieces).split())
        if text:
            yield text, links


def text_runs(node: LexborNode) -> list[tuple[str, int]]:
    """Text directly inside ``node`` (text nodes and inline children), split at blocks and double ``<br>``.

    Returns (text, linked characters) per run.
    """
    return [run for run in inline_runs(node) if isinstance(run, tuple)]


def siblings(node: LexborNode, forward: bool) -> Iterator[LexborNode]:
    """The siblings after ``node`` (or before it, nearest first), text and comment nodes included."""
    sibling = node.next if forward else node.prev
    while sibling is not None:
        yield sibling
        sibling = sibling.next if forward else sibling.prev


def ancestors(node: LexborNode) -> Iterator[LexborNode]:
    """The elements around ``node``, nearest first, up to the document's root."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def is_long_paragraph(size: int, links: int) -> bool:
    """Whether text of ``size`` with ``links`` linked characters is a paragraph of an article:
    long, and mostly unlinked (teasers are short or mostly link)."""
    return size >= _KEEP_PARAGRAPH and links < LONG_PARAGRAPH_LINKS * size


def holds_article(node: LexborNode) -> bool:
    """Whether a container has several long, mostly unlinked paragraphs (teasers are short).

    Paragraphs are ``<p>`` elements or, on pages that write their text as ``<br>`` runs
    inside ``<div>``s, long runs of text directly inside a block.
    """
    long_ones = 0
    in_paragraphs = 0
    for para in node.css("p"):
        size = text_size(text_of(para))
        in_paragraphs += size
        # The length is tested first so that only a long paragraph's links are counted.
        if size >= _KEEP_PARAGRAPH and is_long_paragraph(size, link_chars(para)):
            long_ones += 1
            if long_ones >= _KEEP_PARAGRAPHS:
                return True
    if not text_size_over(node, in_paragraphs + (_KEEP_PARAGRAPHS - long_ones) * _KEEP_PARAGRAPH - 1):
        return False  # too little text outside <p> for the missing long paragraphs
    for block in (node, *node.css(_RUN_HOLDERS)):
        for text, links in text_runs(block):
            size = text_size(text)
            if is_long_paragraph(size, links):
                long_ones += 1
                if long_ones >= _KEEP_PARAGRAPHS:
                    return True
    return False
