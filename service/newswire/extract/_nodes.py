"""What the body modules read off a node: its text, size, links and direct text runs.

Shared by cleaning (:mod:`._clean`), container scoring (:mod:`._container`) and the walk
(:mod:`._walk`), so the three agree on what a paragraph, a link and a text run are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, NamedTuple, TypeVar

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

_Read = TypeVar("_Read")


def text_of(node: LexborNode) -> str:
    return " ".join((node.text(deep=True) or "").split())


_BREAK_TAGS = frozenset({"br", "p", "div", "li", "td", "th", "dd", "dt", "h2", "h3", "h4", "h5", "h6"})
_BREAKS = ", ".join(sorted(_BREAK_TAGS))


def block_text(node: LexborNode) -> str:
    """:func:`text_of` a block, with a ``<br>`` or a block inside it read as the break it shows:
    editors write "Section 3<br>Pages 1-76" or ``<li><p>Day:</p><p>40 euros</p></li>`` with no
    space, and plain text glued the two lines' words."""
    small = _small_subtree(node)
    if small is None:
        # A selector also matches the node itself: a block's own edge is read as one more break,
        # which only adds a space before its text.
        breaks = node.css_first(_BREAKS) is not None
    else:
        breaks = any(each.tag in _BREAK_TAGS for each in small[1:])
    return " ".join(_broken_text(node).split()) if breaks else text_of(node)


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


# A link that is a word or two of a sentence (a topic page behind a place or a person's name):
# this many words, or this many characters of CJK script.
_WORD_LINK_WORDS = 2
_WORD_LINK_CJK = 4
# Text beside a link that makes it part of a sentence: a letter. Commas, bars, bullets and spaces
# alone part the links of a row (tags, breadcrumbs, "Related: A, B, C").
_SENTENCE_LETTER = re.compile(r"[^\W\d_]")
# Marks that part the items of a row or a line of metadata ("Politics | By Ann"), not a sentence's words.
_ROW_SEPARATOR = re.compile(r"[|•·›»/]")
# Last characters of a line that ends a sentence, in Latin, CJK, Arabic, Devanagari, Burmese and
# Khmer script (quotes and brackets close one).
_SENTENCE_ENDS = frozenset(".!?…\"'”’»“)。！？」』）؟۔।॥။។")
# Marks that end a sentence right after a link.
_FULL_STOPS = frozenset(".!?。！？")
# Elements whose edges end a line and a block inside the node judged: the text beyond them is
# another line's, and each of them is judged as running text on its own (a list's items).
_BLOCK_ENDS = frozenset({"p", "div", "li", "td", "th", "dd", "dt", "h2", "h3", "h4", "h5", "h6"})


def word_link_chars(node: LexborNode) -> int:
    """Linked characters below ``node`` that are words of its running text: a link of one or two
    words (or a few CJK characters) with words of the same line before and after it
    ("flooding in <a>Osaka</a> closed the line"). Publishers link place names, people and topics
    inside the article's sentences; the reader reads them as the sentence's words, not as links
    away. The links of a row (tags, breadcrumbs, "Related: A, B, C") are parted by punctuation or
    spaces only, and are not counted."""
    pieces: list[tuple[str, int]] = []
    _pieces(node.iter(include_text=True), pieces)
    return _word_links_in(pieces)


def _word_links_in(pieces: list[tuple[str, int]]) -> int:
    total = 0
    start = 0
    for end in [*(i for i, (_, kind) in enumerate(pieces) if kind == _BLOCK_END), len(pieces)]:
        total += _block_word_links(pieces[start:end])
        start = end + 1
    return total


def _block_word_links(block: list[tuple[str, int]]) -> int:
    # Running text ends a sentence; a byline ("Posted by <a>Ann Lee</a> in <a>News</a>")
    # or a credit names its links between words too, but does not.
    last = next((text.rstrip() for text, _ in reversed(block) if text.strip()), "")
    if not last or last[-1] not in _SENTENCE_ENDS:
        return 0
    total = 0
    for index, (text, kind) in enumerate(block):
        if (
            kind == _LINK
            and _word_link(text)
            and _words_beside(block, index, -1)
            and _words_beside(block, index, 1)
        ):
            total += text_size(text)
    return total


# Kinds of the pieces of :func:`_pieces`: a ``<br>`` ends a line, a block's edge a line and a block.
_TEXT, _LINK, _LINE_END, _BLOCK_END = 0, 1, 2, 3


def _pieces(nodes: Iterable[LexborNode], out: list[tuple[str, int]]) -> None:
    """The text of ``nodes`` and below them in document order as ``(text, kind)`` pieces: unlinked
    text, a link's text, or a line's end (a ``<br>`` or a block's edge). Walked with a stack of its
    own, not by recursion: a hostile page nests thousands of inline elements."""
    # Nodes still to read, last first; None stands for the end of a block entered.
    todo: list[LexborNode | None] = []
    todo.extend(list(nodes)[::-1])
    while todo:
        kid = todo.pop()
        if kid is None:
            out.append(("", _BLOCK_END))
            continue
        tag = kid.tag
        if tag == "-text":
            out.append((kid.text_content or "", _TEXT))
        elif tag == "a":
            out.append((text_of(kid), _LINK))
        elif tag == "br":
            out.append(("", _LINE_END))
        elif tag in _BLOCK_ENDS:
            out.append(("", _BLOCK_END))
            todo.append(None)
            todo.extend(list(kid.iter(include_text=True))[::-1])
        elif tag != "-comment":
            todo.extend(list(kid.iter(include_text=True))[::-1])


def _word_link(text: str) -> bool:
    if not text:
        return False
    if not text.isascii() and CJK.search(text):
        return len(text) <= _WORD_LINK_CJK
    return len(text.split()) <= _WORD_LINK_WORDS


def _words_beside(pieces: list[tuple[str, int]], index: int, step: int) -> bool:
    """Whether unlinked text between the link at ``index`` and the next link (``step`` 1) or the
    one before (``step`` -1), on the same line, holds a letter; after the link, a sentence's end
    does too (the sentence's last words, "the ferry to <a>Westholm</a>.")."""
    at = index + step
    while 0 <= at < len(pieces):
        text, kind = pieces[at]
        if kind != _TEXT:
            return False
        if step > 0 and text.strip()[:1] in _FULL_STOPS:
            return True
        found = _SENTENCE_LETTER.search(text if step > 0 else text[::-1])
        if found is not None:
            return (
                _ROW_SEPARATOR.search(text[: found.start()] if step > 0 else text[::-1][: found.start()])
                is None
            )
        if _ROW_SEPARATOR.search(text):
            return False
        at += step
    return False


# Inline elements looked up through, at most, for one found to hold no block: a memo made for one
# box among thousands nested (the cleaning asks of each named one) must not read all the boxes
# around it each time.
_LOOKUP_LEVELS = 32


class BlocksBelow:
    """Whether large inline elements hold a block, each answered about once over one read of a
    tree that does not change while it is read (a memo of one caller's pass, then dropped).

    Asked of every ``<span>`` in turn, a selector over each one's subtree reads nested inline
    elements in the square of their depth (10,000 nested ``<span>``: about 10 s). Asked in document
    order, as container scoring and the cleaning ask, each node is read about twice in all: the
    first block found below an element makes every element on the way down to it hold a block, and
    an element inside an inline element found to hold none holds none (looked up through up to
    :data:`_LOOKUP_LEVELS` inline elements around it, each of which is then known too).
    """

    __slots__ = ("_clear", "_holding", "_open")

    def __init__(self) -> None:
        self._holding: set[int] = set()  # mem_ids of elements with a block below them
        self._clear: set[int] = set()  # mem_ids of inline elements with none
        # Inline elements looked up through without an answer: the lookup stops at them.
        self._open: set[int] = set()

    def holds_none(self, node: LexborNode) -> bool:
        """Whether no block element is below ``node`` (nor is ``node`` one), an inline element."""
        key = node.mem_id
        if key in self._clear:
            return True
        if key in self._holding:
            return False
        path = [key]
        parent = node.parent
        while parent is not None and parent.tag in INLINE and len(path) <= _LOOKUP_LEVELS:
            mem = parent.mem_id
            if mem in self._clear:
                self._clear.update(path)
                return True
            if mem in self._holding or mem in self._open:
                break
            path.append(mem)
            parent = parent.parent
        self._open.update(path[1:])
        found = node.css_first(BLOCK_SELECTOR)
        if found is None:
            self._clear.add(key)
            return True
        self._holding.add(key)
        step: LexborNode | None = found
        while step is not None and (mem := step.mem_id) != key and mem not in self._holding:
            self._holding.add(mem)
            step = step.parent
        return False


def is_inline(node: LexborNode, blocks: BlocksBelow | None = None) -> bool:
    """Inline element that does not wrap block content (a ``<span>`` around ``<p>`` is a block).
    ``blocks``: a memo for a caller that asks of many nodes of a tree it does not change."""
    tag = node.tag
    if tag not in INLINE:
        return False
    if tag == "br":
        return True
    return _holds_no_block(node, _small_subtree(node), blocks)


def _holds_no_block(
    node: LexborNode, small: list[LexborNode] | None, blocks: BlocksBelow | None = None
) -> bool:
    """Whether no block element is below ``node``, whose :func:`_small_subtree` is ``small``."""
    if small is None:
        return node.css_first(BLOCK_SELECTOR) is None if blocks is None else blocks.holds_none(node)
    return not any(each.tag in _BLOCK_TAGS for each in small)


class Run(NamedTuple):
    """A run of inline text that :func:`inline_runs` yields: its text (whitespace collapsed) and its
    linked characters. The children of ``box`` it was read from (text nodes, inline elements, line
    breaks) are the ones between ``after`` and ``before`` (None: the box's first or last child);
    what only some callers need is read off them on demand, so the hot walk does not list them."""

    text: str
    links: int
    box: LexborNode
    after: LexborNode | None
    before: LexborNode | None

    def kids(self) -> Iterator[LexborNode]:
        """The children of the box the run was read from."""
        kid = self.box.child if self.after is None else self.after.next
        stop = None if self.before is None else self.before.mem_id
        while kid is not None and kid.mem_id != stop:
            yield kid
            kid = kid.next

    def word_links(self) -> int:
        """:func:`word_link_chars` of the run: its characters linked inside its sentences."""
        pieces: list[tuple[str, int]] = []
        _pieces(self.kids(), pieces)
        return _word_links_in(pieces)


def inline_runs(node: LexborNode, blocks: BlocksBelow | None = None) -> Iterator[Run | LexborNode]:
    """The children of ``node`` in document order: runs of inline text, and the blocks between them.

    A run is the text of text nodes and inline children up to a block child or a double
    ``<br>``, with its linked characters (:class:`Run`); a comment ends no run. A block child is
    yielded as the node itself, for the caller to judge. Empty runs are not yielded. Container
    scoring and the walk both read runs this way, so they agree on what a text run is.
    ``blocks``: as for :func:`is_inline`.
    """
    pieces: list[str] = []
    # Whether a piece holds more than white space: most runs between blocks are only the
    # markup's indentation, and then there is no text to join and tidy.
    filled = False
    links = 0
    breaks = 0
    # The child that ended the last run (a block or a double <br>); None at the box's start.
    after: LexborNode | None = None
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
        elif tag in INLINE and _holds_no_block(child, small := _small_subtree(child), blocks):
            # An inline child's subtree is listed once, for both whether it is inline and its links;
            # a large one is asked for a <br> in C, and read in C when it holds none.
            # "<span>Line one<br>Line two</span>" holds two lines' words.
            broken = child.css_first("br") is not None if small is None else any(e.tag == "br" for e in small)
            value = _broken_text(child) if broken else child.text(deep=True) or ""
            if value.strip():
                breaks = 0
                filled = True
                links += text_size(value.strip()) if tag == "a" else _link_chars_in(child, small)
            pieces.append(value)
            continue
        elif tag == "-comment":
            continue  # a browser shows nothing for it: the text on both sides is one line
        if filled:
            text = " ".join("".join(pieces).split())
            if text:
                yield Run(text, links, node, after, child)
            filled = False
        pieces.clear()
        links = 0
        after = child
        if tag == "br":
            pieces.append(" ")
        else:
            breaks = 0
            yield child
    if filled:
        text = " ".join("".join(pieces).split())
        if text:
            yield Run(text, links, node, after, None)


def lines_of(node: LexborNode) -> list[str]:
    """The lines a box shows, in document order and at any depth: its runs of inline text, a block
    inside it starting a new line (as :func:`inline_runs` reads them for the walk)."""
    out: list[str] = []
    # A stack of its own rather than recursion: a hostile page nests thousands of boxes.
    stack = [inline_runs(node)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, Run):
            out.append(item.text)
        else:
            stack.append(inline_runs(item))
    return out


def text_runs(node: LexborNode, blocks: BlocksBelow | None = None) -> list[tuple[str, int]]:
    """Text directly inside ``node`` (text nodes and inline children), split at blocks and double ``<br>``.

    Returns (text, linked characters) per run. ``blocks``: as for :func:`is_inline`.
    """
    return [(run.text, run.links) for run in inline_runs(node, blocks) if isinstance(run, Run)]


def siblings(node: LexborNode, forward: bool) -> Iterator[LexborNode]:
    """The siblings after ``node`` (or before it, nearest first), text and comment nodes included."""
    sibling = node.next if forward else node.prev
    while sibling is not None:
        yield sibling
        sibling = sibling.next if forward else sibling.prev


def children(box: LexborNode) -> list[LexborNode]:
    """``box``'s child nodes in order, text and comment nodes included."""
    kids: list[LexborNode] = []
    kid = box.child
    while kid is not None:
        kids.append(kid)
        kid = kid.next
    return kids


def places(kids: list[LexborNode]) -> dict[int, int]:
    """Each node's place in ``kids``, by its ``mem_id``."""
    return {kid.mem_id: index for index, kid in enumerate(kids)}


class PerBox(Generic[_Read]):
    """What ``read`` makes of a box, made at most once per box for one walk or one cleaning.

    Rules that ask about a node's siblings ask once per node, and a box of thousands of children
    would be read whole for each of them: quadratic time on a wide page. So each such rule reads a
    box's children in one pass into an answer for every child, and keeps it here by the box's
    ``mem_id``.
    """

    __slots__ = ("_made", "_read")

    def __init__(self, read: Callable[[LexborNode], _Read]) -> None:
        self._read = read
        self._made: dict[int, _Read] = {}

    def __call__(self, box: LexborNode) -> _Read:
        found = self._made.get(box.mem_id)
        if found is None:
            found = self._made[box.mem_id] = self._read(box)
        return found


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
    # The runs of nested inline holders would each read their whole subtree (the square of their depth).
    blocks = BlocksBelow()
    for block in (node, *node.css(_RUN_HOLDERS)):
        for text, links in text_runs(block, blocks):
            size = text_size(text)
            if is_long_paragraph(size, links):
                long_ones += 1
                if long_ones >= _KEEP_PARAGRAPHS:
                    return True
    return False
