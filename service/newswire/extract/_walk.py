"""The walk: the chosen container's text blocks in document order.

Paragraphs, subheadings, block quotes, text runs, lists whose words are mostly unlinked,
and tables of text are kept; link-heavy lines, date lines, teaser cards and the article's
own ``<header>`` are not.
"""

from __future__ import annotations

import itertools
import re

from selectolax.lexbor import LexborNode

from newswire.extract._dates import is_date_line
from newswire.extract._nodes import (
    BLOCK_SELECTOR,
    HEADINGS,
    MAX_LINK_DENSITY,
    MAX_LINK_DENSITY_P,
    SKIP,
    PerBox,
    Run,
    ancestors,
    block_text,
    children,
    holds_article,
    inline_runs,
    is_long_paragraph,
    lines_of,
    link_chars,
    places,
    siblings,
    text_of,
    text_size,
    word_link_chars,
)
from newswire.extract._tidy import (
    SENTENCE_END,
    THREAD_STAMPS,
    WalkLine,
    comments_heading,
    holds_stamps,
    may_be_signed,
    signed_entries,
    signed_lines,
)

_PARAGRAPHS = frozenset({"p", "pre", "blockquote", "li", "dd"}) | HEADINGS

# A MathML formula is not a line of text: walked, each of its tokens (<mi>, <mo>) would be a line
# of one symbol; benchmarks' truths leave formulas out.
_WALK_SKIP = SKIP | {"math"}

_MAX_DEPTH = 150

_MAX_LIST_LINKS = 0.3
# Unlinked characters the middle item of a linked list carries beside its link: a list of the
# article's own items, each a named thing and what the writer says of it ("<a>Cake ring</a> (I like
# the sturdy ones)"), not a list of links to read next, whose items are a link and a word or two.
_DESCRIBED_ITEM = 40

# Average characters per item of a list with headings that is article text, not teasers.
_LISTICLE_ITEM = 80
# A linked heading over an unlinked paragraph this long is an item's title, not a teaser's.
_ITEM_TEXT = 150
_CARD_TEXT = 600
# Sibling <article>s that make a series of items (a guide's steps) rather than inserts.
_SERIES = 3
_LINKED_CARD_TEXT = 1000
_LINKED_HEADING = "h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"

# A short line holding a date is a dateline or a post's time stamp, unless it reads as a sentence
# of the article ("The deadline is Wednesday, April 15, 2026."): a capital start that is not a
# stamp's label, a few words besides the date, a sentence end.
_STAMP_LABEL = re.compile(
    r"(?:posted|published|updated|last|submitted|written|filed|originally|first|by|von|am|le|el|il)\b",
    re.IGNORECASE,
)
_SENTENCE_WORD = re.compile(r"[^\W\d_]{2,}")
# A word's sentence end and a next sentence: a stamp is one phrase, while "Am 5. November wird sie 100
# Jahre alt. Herzlichen Glückwunsch." opens with a stamp's word ("Am") and is two sentences.
_TWO_SENTENCES = re.compile(r"[^\W\d_]{2}[.!?]\s+[^\W\d_]")
_SENTENCE_WORDS = 6
_CJK_FULL_STOPS = frozenset("。！？")
# A label that opens a line pointing elsewhere: one to three words and a colon or bar ("Read more:",
# "Lire aussi :", "Related |"), in any language.
_POINTER_LABEL = re.compile(r"\W*[^\W\d_]+(?:[\s-]+[^\W\d_]+){0,2}\s*[:|»›]")
# A paragraph beside a linked line that makes the line part of a run of prose.
_PROSE_NEIGHBOUR = 80
# Words of a linked line kept between paragraphs: a headline or a sentence, not a button.
_LINE_WORDS = 3
# A link written with its scheme (or scheme-relative): it may lead away; a bare path stays on the site.
_ABSOLUTE = re.compile(r"[a-z][a-z0-9+.-]*:|//", re.IGNORECASE)
# A link's text that is a web address.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+$", re.IGNORECASE)


def _date_line(text: str) -> bool:
    """Whether a line is a date stamp to leave out (see ``_STAMP_LABEL``), not a sentence with a date."""
    if not is_date_line(text):
        return False
    sentence = (
        text[0].isupper()
        and text[-1] in ".!?:"
        and (not _STAMP_LABEL.match(text) or _TWO_SENTENCES.search(text) is not None)
        and len(_SENTENCE_WORD.findall(text)) >= _SENTENCE_WORDS
    )
    # Chinese and Japanese have no capitals: a line with a date that ends a sentence ("。") is one.
    return not (sentence or text[-1] in _CJK_FULL_STOPS)


def _good_block(text: str, node: LexborNode, numbered: frozenset[int] = frozenset()) -> bool:
    """Whether a block is a line of the article by its links (``numbered``: the mem_ids of the
    container's numbered item titles, :func:`_numbered_titles`)."""
    if not text:
        return False
    links = _away_link_chars(node) if node.tag in HEADINGS else link_chars(node)
    # An item of a list the walk keeps is running text, held to a paragraph's link limit.
    limit = MAX_LINK_DENSITY_P if node.tag in {"p", "li"} else MAX_LINK_DENSITY
    if not (links and links / text_size(text) > limit):
        return True
    # Names and topics linked inside the line's sentences are its words (see word_link_chars).
    if (links - word_link_chars(node)) / text_size(text) <= limit:
        return True
    if node.tag == "p":
        return _line_of_the_prose(text, node)
    return node.tag in HEADINGS and (node.mem_id in numbered or heads_its_text(node))


def _line_of_the_prose(text: str, para: LexborNode) -> bool:
    """Whether a mostly linked ``<p>`` is a line of the article's own text: it sits between two
    paragraphs of prose, holds one link of a few words not written in capitals, and does not open
    with a label ("Read more:", "Lire aussi :", "Related |").

    A writer's sentence that links most of its words ("You can check out <a>that story here</a>.")
    and a story's inline pointer to its earlier report sit inside the run of paragraphs; a "Read
    more" line names itself, teasers and link boxes sit apart from the prose, and a row of shop or
    share buttons is several links, a button one word ("Share") or a shout in capitals ("CLICK HERE
    TO GET THE APP").
    """
    if _POINTER_LABEL.match(text) is not None or len(text.split()) < _LINE_WORDS:
        return False
    letters = [c for c in text if c.isalpha()]
    if sum(c.isupper() for c in letters) * 2 > len(letters):
        return False
    if sum(1 for a in para.css("a") if text_of(a)) != 1:
        return False
    return _prose_beside(para, forward=False) and _prose_beside(para, forward=True)


def _prose_beside(para: LexborNode, *, forward: bool) -> bool:
    """Whether the element next to ``para`` (before it, when not ``forward``) is a ``<p>`` of prose."""
    for node in siblings(para, forward):
        if node.tag == "-comment" or (node.tag == "-text" and not (node.text_content or "").strip()):
            continue
        if node.tag != "p":
            return False
        size = text_size(text_of(node))
        return size >= _PROSE_NEIGHBOUR and link_chars(node) < _MAX_LIST_LINKS * size
    return False


def heads_its_text(heading: LexborNode) -> bool:
    """Whether a linked heading is an item's title over its own text (a listicle's "1. <a>Place</a>").

    A teaser's linked heading sits over a line or nothing; an item's over a long unlinked paragraph,
    often after short facts (a price, a rating, a label), before the next item's heading.
    """
    for nxt in siblings(heading, True):
        if nxt.tag in _SUBHEADING_TAGS:
            break
        if nxt.tag == "-text":
            if text_size(text_of(nxt)) >= _ITEM_TEXT:
                return True
        elif nxt.tag == "p":
            size = text_size(text_of(nxt))
            if size >= _ITEM_TEXT and link_chars(nxt) < _MAX_LIST_LINKS * size:
                return True
    return False


# A subheading that opens with an item's number ("1. ", "2) ", "#3 "): a ranked or numbered list's
# item title.
_ORDINAL = re.compile(r"\s*(?:#(\d{1,3})|(\d{1,3})[.):])\s")
# How many numbered subheadings of one tag make a series of items.
_NUMBERED_ITEMS = 3


def _numbered_titles(root: LexborNode) -> frozenset[int]:
    """The subheadings below ``root`` that number a series of items: ``_NUMBERED_ITEMS`` or more
    of one tag whose numbers run up or down in document order ("1. <a>Stitch Fix</a>", "2. ...").

    A listicle links each item's name to the product or the place, and may follow the title with
    facts or a picture rather than a paragraph, so :func:`heads_its_text` does not vouch for it;
    its number does. Teasers and "Read more" headings are not numbered in a run.
    """
    found: dict[str, list[tuple[int, int]]] = {}
    for heading in root.css(_SUBHEADINGS):
        match = _ORDINAL.match(text_of(heading))
        if match is not None:
            number = int(match.group(1) or match.group(2))
            found.setdefault(heading.tag or "", []).append((number, heading.mem_id))
    titles: set[int] = set()
    for items in found.values():
        numbers = [number for number, _ in items]
        steps = {b - a for a, b in itertools.pairwise(numbers)}
        if len(items) >= _NUMBERED_ITEMS and (steps <= {1, 2} or steps <= {-1, -2}):
            titles.update(key for _, key in items)
    return frozenset(titles)


def _address_chars(node: LexborNode) -> int:
    """Characters of the links below ``node`` whose text is a printed web address: a reference's
    source, which the reader sees as text (a citation), not a link to another page of the site."""
    total = 0
    for a in node.css("a"):
        text = text_of(a)
        if _ADDRESS.match(text):
            total += text_size(text)
    return total


def _away_link_chars(node: LexborNode) -> int:
    """Linked characters of a heading, leaving out links to a place on the page (a section anchor)."""
    return sum(
        text_size(text_of(a)) for a in node.css("a") if not (a.attributes.get("href") or "").startswith("#")
    )


def _blocks(
    root: LexborNode,
    out: list[str],
    notes: list[str] | None,
    whole: list[str] | None,
    cut: list[str] | None,
    *,
    text: str | None,
) -> None:
    # Of several <article> elements inside the container, the smaller ones may be teaser cards.
    cards: set[int] = set()
    articles = root.css("article")
    if len(articles) >= 2:
        biggest = max(articles, key=lambda a: len(text_of(a)))
        before = {a.mem_id for a in articles[: articles.index(biggest)]}
        cards = {
            a.mem_id
            for a in articles
            if a.mem_id != biggest.mem_id and _is_card(a) and not (a.mem_id in before and _opens_story(a))
        }
    teasers: list[tuple[int, int, LexborNode]] = []
    # Boxes are only read for a thread on a container whose text holds enough posting times.
    threads: list[str] | None = None
    if holds_stamps(text_of(root) if text is None else text):
        threads = cut if cut is not None else []
    _walk(root, out, cards, 0, notes, teasers=teasers, threads=threads, numbered=_numbered_titles(root))
    # A gate in front of the rest of the article is left out of the whole body too: trafilatura,
    # which reads it as text after the article, would keep it where it judges the end.
    gates = _gate_lines(out, teasers)
    if whole is not None:
        whole.extend(text for index, text in enumerate(out) if index not in gates)
    if teasers:
        out[:] = _cut_teasers(out, teasers, gates)


_SUBHEADINGS = ", ".join(sorted(HEADINGS))
_SUBHEADING_TAGS = HEADINGS | {"h1"}


def _list_of_the_prose(node: LexborNode, sides: PerBox[_Sides]) -> bool:
    """Whether a link list stands inside the article's own text: prose stands before and after it
    among its siblings, and most of its links are full addresses, not paths of this site or places
    on the page (a table of contents repeats the headings below it).

    A guide's courses, tools or resources, a festival's dated events, a round-up's picks are listed
    between the paragraphs that introduce and follow them, and link to the things named; a box of
    the site's other stories ("related", "more in this section") links to its own paths, and link
    lists before the article's first prose or after its last are teasers and related posts, and a
    list whose every item opens with a label ("See also:") is a pointer to them. ``sides`` reads
    each box's children once (:class:`_Sides`).
    """
    hrefs = [a.attributes.get("href") or "" for a in node.css("a[href]")]
    if not hrefs or sum(_ABSOLUTE.match(href) is None for href in hrefs) * 2 > len(hrefs):
        return False
    # Items that each open with a pointer's label ("See also: …", "Check out: …") point to other
    # pages from between the paragraphs; the article's own lists name things.
    if all(_POINTER_LABEL.match(line) is not None for line in _item_lines(node)):
        return False
    box = node.parent
    if box is None:
        return False
    here = sides(box)
    before, after = here.prose(node, forward=False), here.prose(node, forward=True)
    if before == after:
        return before
    # A run of lists under subheadings (a checklist's categories) may open or close its box, with the
    # box's prose on one side and the article's prose beyond the box's edge on the other.
    outer = box.parent
    return (
        box.tag in {"div", "section"}
        and here.edge(node, forward=before)
        and outer is not None
        and sides(outer).prose(box, forward=before)
    )


class _Sides:
    """What stands on either side of each child element of a box, read in one pass over the box, so
    that a box of thousands of lists is read once and not once per list: whether prose (a
    paragraph's length, mostly unlinked, with a sentence end) stands among the siblings before and
    after a child, and whether only a run of subheadings and lists, with nothing longer than a short
    line among them, stands between a child and the box's start or end (a lone list that closes its
    box is where links to read next sit)."""

    __slots__ = ("_edge_after", "_edge_before", "_index", "_prose_after", "_prose_before")

    def __init__(self, box: LexborNode) -> None:
        kids = [kid for kid in children(box) if kid.tag not in {"-text", "-comment"}]
        self._index = places(kids)
        prose, run, quiet = [], [], []
        for kid in kids:
            text = text_of(kid)
            size = text_size(text)
            prose.append(
                size >= _PROSE_NEIGHBOUR
                and link_chars(kid) < _MAX_LIST_LINKS * size
                and SENTENCE_END.search(text) is not None
            )
            run.append(kid.tag in _SUBHEADING_TAGS | {"ul", "ol"})
            quiet.append(run[-1] or ((kid.tag == "p" or not text.strip()) and size < _PROSE_NEIGHBOUR))
        self._prose_before = _any_before(prose)
        self._prose_after = _any_before(prose[::-1])[::-1]
        self._edge_before = _run_before(run, quiet)
        self._edge_after = _run_before(run[::-1], quiet[::-1])[::-1]

    def prose(self, node: LexborNode, *, forward: bool) -> bool:
        """Whether prose stands among the siblings after ``node`` (before it, when not ``forward``)."""
        index = self._index[node.mem_id]
        return (self._prose_after if forward else self._prose_before)[index]

    def edge(self, node: LexborNode, *, forward: bool) -> bool:
        """Whether only a run of subheadings and lists (and short lines) stands between ``node`` and
        the box's end (its start, when not ``forward``)."""
        index = self._index[node.mem_id]
        return (self._edge_after if forward else self._edge_before)[index]


def _any_before(flags: list[bool]) -> list[bool]:
    """For each position, whether a flag before it is set."""
    out, seen = [], False
    for flag in flags:
        out.append(seen)
        seen = seen or flag
    return out


def _run_before(run: list[bool], quiet: list[bool]) -> list[bool]:
    """For each position, whether everything before it is quiet and at least one of it a run."""
    out, all_quiet, any_run = [], True, False
    for is_run, is_quiet in zip(run, quiet, strict=True):
        out.append(all_quiet and any_run)
        all_quiet = all_quiet and is_quiet
        any_run = any_run or is_run
    return out


def _item_lines(node: LexborNode) -> list[str]:
    """The lines of a list's innermost items."""
    # A node's selector matches the node itself: an innermost item finds one <li>, itself.
    return [text for item in node.css("li") if len(item.css("li")) == 1 and (text := block_text(item))]


def _linked_box(link: LexborNode) -> bool:
    """Whether a link that wraps blocks is a card (a title, a summary, a "Previous"/"Next" label inside
    one ``<a>``), whose text runs the walk would read as unlinked: it reads links inline only. A link
    around a subheading and nothing else (an anchor to its own section, an accordion's toggle) is
    the heading."""
    heading = link.css_first(_SUBHEADINGS)
    return heading is None or text_of(heading) != text_of(link)


def _prose(text: str) -> bool:
    # Measured in letters' worth: a Chinese or Japanese paragraph of 70 characters says what a
    # Latin one of 200 letters does.
    return text_size(text) >= _PROSE and SENTENCE_END.search(text) is not None


def _last_prose(out: list[str]) -> int:
    """Index of the article's last paragraph of prose among the blocks, or -1."""
    return next((index for index in range(len(out) - 1, -1, -1) if _prose(out[index])), -1)


def _gate_lines(out: list[str], teasers: list[tuple[int, int, LexborNode]]) -> set[int]:
    """Indices of the blocks from the first gate box after the article's last paragraph of prose
    (:func:`_gate_box`) to the end: the gate stands where the article stops, and the short lines
    below it (its topics, the next boxes' labels) are the page's."""
    last = _last_prose(out) if teasers else -1
    if last < 0:
        return set()
    gate = min(
        (start for start, end, box in teasers if start == last + 1 and _gate_box(box, out[start:end])),
        default=len(out),
    )
    return set(range(gate, len(out)))


def _cut_teasers(
    out: list[str], teasers: list[tuple[int, int, LexborNode]], gates: set[int] | None = None
) -> list[str]:
    """The blocks without the teaser boxes and small closing boxes that follow the article's last
    paragraph of prose, each teaser box with the short label lines ("Related posts", "Share
    this:") between it and the article, and without a box about the writer in the body's second
    half (:func:`_author_box`), which holds prose of its own.

    A box with prose after it is inside the article (a guide's cards, a gallery's captions) and
    stays; so does a box on a page with no prose above it.
    """
    last = _last_prose(out)
    if last < 0:
        return out
    drop: set[int] = set(gates or ())
    walked = _Twins({box.mem_id for _, _, box in teasers})
    # For each short label line after the last prose, where the run of label lines that ends with it
    # starts (not before the prose): read once, not walked back over once per teaser box.
    labels_from: dict[int, int] = {}
    for index in range(last + 1, len(out)):
        if len(out[index]) <= _LABEL and not SENTENCE_END.search(out[index]):
            labels_from[index] = labels_from.get(index - 1, index)
    # For each such run, how far into it label lines were dropped already.
    labelled: dict[int, int] = {}
    # Boxes holding a box that stays (teasers come inner boxes first): a wrapper of a credit line
    # and a notice is not cut whole for its notice.
    holds_kept: set[int] = set()
    upto = list(itertools.accumulate(map(len, out), initial=0))
    for start, end, box in teasers:
        if _author_box(box, upto[end] - upto[start], upto[start], upto[-1]):
            drop.update(range(start, end))
            continue
        if start <= last:
            continue
        if not _teaser_box(box):
            if box.mem_id not in holds_kept and _closing_box(box, out[start:end], walked):
                drop.update(range(start, end))
            else:
                for up in ancestors(box):
                    if up.mem_id in holds_kept:
                        break
                    holds_kept.add(up.mem_id)
            continue
        drop.update(range(start, end))
        begin = labels_from.get(start - 1, start)
        done = labelled.get(begin, begin)
        if start > done:
            drop.update(range(done, start))
            labelled[begin] = start
    return [text for index, text in enumerate(out) if index not in drop]


def _is_card(node: LexborNode) -> bool:
    """Whether an ``<article>`` beside the biggest one is a teaser or another story, not article text.

    Another story has its own headline; a teaser is link-heavy or a few lines (a little more
    under a heading that links away). A guide's items, each an ``<article>`` with a heading
    over a paragraph or more of unlinked text, are article text, and so are short items
    whose headings do not link away when they come as a series (three or more ``<article>``
    siblings: a guide's steps); a lone short box beside the story is an insert (a disclaimer,
    an info box).
    """
    size = text_size(text_of(node))
    links = link_chars(node)
    if node.css_first("h1") is not None or links > MAX_LINK_DENSITY * size:
        return True
    if node.css_first(_LINKED_HEADING) is not None:
        return size - links < _LINKED_CARD_TEXT
    return size - links < _CARD_TEXT and not _in_series(node)


def _opens_story(node: LexborNode) -> bool:
    """Whether a short ``<article>`` before the biggest one is the story's opening, split from the
    rest by an advertisement or a side rail: no heading of its own (a teaser has a headline) and a
    long paragraph of prose, mostly unlinked."""
    if node.css_first("h1, h2, h3, h4, h5, h6") is not None:
        return False
    for para in node.css("p"):
        text = text_of(para)
        size = text_size(text)
        if is_long_paragraph(size, link_chars(para)) and SENTENCE_END.search(text) is not None:
            return True
    return False


def _in_series(node: LexborNode) -> bool:
    parent = node.parent
    return parent is not None and sum(1 for kid in parent.iter() if kid.tag == "article") >= _SERIES


def _prose_list(node: LexborNode) -> bool:
    """Whether a list is part of the text: it wraps paragraphs, or its items are mostly unlinked words.

    Link lists (related stories, tags) are link-dense (a reference's printed web address is
    text, not a link away); teaser lists carry images or times beside their links (a list that
    links nowhere is no teaser list, whatever icon or picture its items show), or headings over a
    line of text. Bullet points of the article itself are neither, and
    a listicle's items (a heading over a paragraph or more each) are long.
    """
    if holds_article(node):
        return True
    items = node.css("li")
    if not items or (
        node.css_first("img, time, figure") is not None and node.css_first("a[href]") is not None
    ):
        return False
    size = sum(text_size(text_of(item)) for item in items)
    most = _MAX_LIST_LINKS * (size or 1)
    links = link_chars(node)
    if (
        links >= most
        and links - _address_chars(node) - word_link_chars(node) >= most
        and not _described_items(items)
    ):
        return False
    return node.css_first("h2, h3, h4, h5, h6") is None or size >= _LISTICLE_ITEM * len(items)


def _described_items(items: list[LexborNode]) -> bool:
    """Whether a list's items carry words of their own beside their links (the middle item
    ``_DESCRIBED_ITEM`` unlinked characters or more): the article's picks or sources, described."""
    unlinked = sorted(text_size(text_of(item)) - link_chars(item) for item in items)
    return unlinked[len(unlinked) // 2] >= _DESCRIBED_ITEM


def _text_table(node: LexborNode) -> bool:
    """Whether a table is part of the text (a layout table around it, or data the article shows).

    Tables of links (navigation, "more stories") are not.
    """
    size = text_size(text_of(node))
    return size > 0 and link_chars(node) < _MAX_LIST_LINKS * size


# A table with this many rows of two or more filled cells shows data (a date column is data there).
_DATA_ROWS = 3


def _filled_row(row: LexborNode) -> bool:
    """Whether a table row holds two or more cells with text."""
    return sum(1 for cell in row.iter() if cell.tag in {"td", "th"} and text_of(cell)) >= 2


def _data_cell(node: LexborNode) -> bool:
    """Whether a node is a cell of a data table: one whose rows hold two or more filled cells.

    A date in a row beside other filled cells ("1/1/2013 | +13.1%") is data; a layout table's
    lone cell may hold a post's stamp ("August 9, 2012 · 13 Comments"), which goes as elsewhere.
    """
    if node.tag not in {"td", "th"} or node.parent is None or not _filled_row(node.parent):
        return False
    table: LexborNode | None = node.parent
    while table is not None and table.tag != "table":
        table = table.parent
    if table is None:
        return False
    rows = 0
    for row in table.css("tr"):
        if _filled_row(row):
            rows += 1
            if rows >= _DATA_ROWS:
                return True
    return False


# A box of teasers: this many element children or more, most of one tag, each holding a link and
# little unlinked text (a linked title and a short line), none of them a paragraph of prose.
_TEASERS = 3
_TEASER_SAME = 2 / 3
_TEASER_UNLINKED = 200
_TEASER_LINKED = 0.2
# A paragraph of prose: this long and ending a sentence; a label line above a box is short.
_PROSE = 200
_LABEL = 60
# A closing box after the last paragraph of prose: a wrapper of a few short blocks.
_CLOSING_TAGS = frozenset({"div", "section", "aside", "footer"})
_CLOSING_BLOCKS = "p, h2, h3, h4, h5, h6"
_CLOSING_LINES = 3
_CLOSING_CHARS = 300
_LIST_PARTS = frozenset({"table", "tr", "td", "th", "ul", "ol", "dl", "li"})


def _closing_box(box: LexborNode, lines: list[str], walked: _Twins) -> bool:
    """Whether a box after the article's last paragraph of prose is a small box of its own, not the
    article's (a sign-up or sales pitch, a share or follow line, a disclosure, a "Related" pair).

    Such a box wraps a paragraph or a heading, holds a few short lines, at least one of them a
    sentence (a pitch or notice speaks to the reader; a box of bare lines, an address, a credit
    line, ratings' names, is the article's facts), and is not one of a series: the article's
    closing parts in boxes (a guide's steps, an FAQ's answers, a summary among sections) come as
    siblings of one tag and class, the earlier ones walked too, at the box's level or at an
    ancestor's. Lists and tables (footnotes, a recipe's ingredients, a data
    table) are the article's, and so are cells and items of them.
    """
    if (
        box.tag not in _CLOSING_TAGS
        or len(lines) > _CLOSING_LINES
        or not any(SENTENCE_END.search(line) for line in lines)
        or sum(len(line) for line in lines) > _CLOSING_CHARS
        or box.css_first(_CLOSING_BLOCKS) is None
        or box.css_first("table, ul, ol, dl, pre") is not None
    ):
        return False
    for node in (box, *ancestors(box)):
        if node.tag in {"body", "html"}:
            break
        if node.tag in _LIST_PARTS:
            return False
        if walked.after_one(node):
            return False
    return True


class _Twins:
    """Whether a walked box (one of the walk's teaser boxes) of the same tag and class as a node
    comes before it among its siblings, with each parent's children read once, not once per box
    asked about: a box of thousands of small closing boxes would read them all for each."""

    __slots__ = ("_first", "_walked")

    def __init__(self, walked: set[int]) -> None:
        self._walked = walked
        self._first = PerBox(self._read)

    def _read(self, parent: LexborNode) -> tuple[dict[int, int], dict[tuple[str, str | None], int]]:
        """Each child's place, and the place of the first walked child of each tag and class."""
        kids = children(parent)
        first: dict[tuple[str, str | None], int] = {}
        for place, kid in enumerate(kids):
            if kid.mem_id in self._walked:
                first.setdefault((kid.tag or "", kid.attributes.get("class")), place)
        return places(kids), first

    def after_one(self, node: LexborNode) -> bool:
        """Whether a walked sibling of ``node``'s tag and class comes before it."""
        parent = node.parent
        if parent is None:
            return False
        where, first = self._first(parent)
        at = first.get((node.tag or "", node.attributes.get("class")))
        return at is not None and at < where[node.mem_id]


# A box that stands in for the rest of a cut-off article (a paywall, a sign-up or log-in prompt):
# a few short lines, one of them a notice, and buttons: form controls or links standing alone.
_GATE_LINES = 8
_GATE_LINE = 100
_GATE_CONTROLS = 2
_GATE_CONTROL_TEXT = 40
_GATE_BLOCKS = "p, h2, h3, h4, h5, h6, dl, ul, ol, form"
_CONTROLS = "a[href], button, input, select, textarea"


def _gate_box(box: LexborNode, lines: list[str]) -> bool:
    """Whether a box right after the article's last paragraph of prose is a gate in front of the
    rest of the article: a paywall, a subscribe or log-in prompt, in whatever language. Judged by
    its shape, not its words: a wrapper of two or more short lines, none of them prose, at least
    one a sentence (the notice speaks to the reader: "This article is for subscribers."), and two
    or more buttons (form controls, or links of a few words the walk left out as lines of their
    own: "Subscribe", "Log in"), none of them an item of a list (a menu, related links). A list of
    the offer's benefits may sit among the lines.
    """
    if (
        box.tag not in _CLOSING_TAGS
        or not 2 <= len(lines) <= _GATE_LINES
        or any(len(line) > _GATE_LINE or _prose(line) for line in lines)
        or not any(SENTENCE_END.search(line) for line in lines)
        or box.css_first(_GATE_BLOCKS) is None
    ):
        return False
    controls = 0
    for control in box.css(_CONTROLS):
        if control.tag == "input" and (control.attributes.get("type") or "").lower() == "hidden":
            continue
        if control.tag == "a":
            text = text_of(control)
            if not 0 < len(text) <= _GATE_CONTROL_TEXT or any(text in line for line in lines):
                continue
        if _in_list(control, box):
            continue
        controls += 1
        if controls >= _GATE_CONTROLS:
            return True
    return False


def _in_list(node: LexborNode, box: LexborNode) -> bool:
    """Whether ``node`` is inside an item of a list or a menu below ``box``."""
    for up in ancestors(node):
        if up.mem_id == box.mem_id:
            return False
        if up.tag in {"li", "nav"}:
            return True
    return False


# A box about the writer under the article: their portrait, their name printed beside it, a link to
# their page among the site's people. Small, and in the body's second half.
_AUTHOR_BOX_CHARS = 1000
_PORTRAIT_NAME = re.compile(r"[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){1,3}")
_PEOPLE_PAGE = re.compile(
    r"/(?:authors?|contributors?|writers?|people|staff|team|experts?|profiles?|editors?|journalists?|reporters?)"
    r"(?:[/?#.]|$)",
    re.IGNORECASE,
)


def _author_box(box: LexborNode, size: int, before: int, total: int) -> bool:
    """Whether a box of ``size`` characters, with ``before`` of the body's ``total`` characters
    before it, is a box about the article's writer (or its testers, its reviewers): it sits in
    the body's second half, is small, shows a person's portrait (an ``<img>`` whose alt text is a
    name, two to four capitalised words, that the box prints) and links to a page among the
    site's people (``/authors/…``, ``/contributors/…``).

    A bio reads as prose, so the closing-box test does not take it wherever it sits, and truths
    keep bios written into the article's own column as a line of text; a portrait beside a
    people page marks the box a template appends. A product card's photo carries the product's
    name as alt text too, but the card links to a shop or a review, not to a page of people.
    """
    if before * 2 <= total or size > _AUTHOR_BOX_CHARS:
        return False
    names = [" ".join((img.attributes.get("alt") or "").split()) for img in box.css("img[alt]")]
    names = [n for n in names if _PORTRAIT_NAME.fullmatch(n) and all(word[0].isupper() for word in n.split())]
    if not names or not any(_PEOPLE_PAGE.search(a.attributes.get("href") or "") for a in box.css("a[href]")):
        return False
    text = text_of(box)
    return any(name in text for name in names)


def _teaser_box(node: LexborNode) -> bool:
    """Whether a box's children are repeated teasers of the same shape (related posts, cards)."""
    kids = [kid for kid in node.iter() if kid.tag not in {"-text", "-comment", "br"}]
    if len(kids) < _TEASERS:
        return False
    tags: dict[str, int] = {}
    for kid in kids:
        tags[kid.tag or ""] = tags.get(kid.tag or "", 0) + 1
    tag, count = max(tags.items(), key=lambda item: item[1])
    if count < _TEASERS or count < _TEASER_SAME * len(kids):
        return False
    for kid in kids:
        if kid.tag != tag:
            continue
        if kid.css_first("a[href]") is None:
            return False
        size = text_size(text_of(kid))
        links = link_chars(kid)
        if size - links > _TEASER_UNLINKED or links < _TEASER_LINKED * size:
            return False
    return True


def _walk(
    node: LexborNode,
    out: list[str],
    cards: set[int],
    depth: int,
    notes: list[str] | None = None,
    *,
    teasers: list[tuple[int, int, LexborNode]] | None = None,
    threads: list[str] | None = None,
    numbered: frozenset[int] = frozenset(),
    sides: PerBox[_Sides] | None = None,
    beside: PerBox[_TextBeside] | None = None,
    owner: int = 0,
) -> None:
    """Emit the blocks below ``node`` in document order (``notes``: see :func:`container_text`;
    ``threads``: None when the container holds too few posting times for a thread of replies,
    else where the text of each thread left out goes; ``numbered``: see :func:`_good_block`;
    ``sides`` and ``beside``: each box's children read once, see :class:`_Sides` and
    :class:`_TextBeside`; ``owner``: the id of the innermost list or data table around ``node``
    (:func:`_list_box`), 0 when none, with which the lines read there are marked as
    :class:`._tidy.WalkLine`)."""
    if depth > _MAX_DEPTH:
        return
    if sides is None:
        sides = PerBox(_Sides)
    if beside is None:
        beside = PerBox(_TextBeside)

    def descend(box: LexborNode) -> None:
        _walk(
            box,
            out,
            cards,
            depth + 1,
            notes,
            teasers=teasers,
            threads=threads,
            numbered=numbered,
            sides=sides,
            beside=beside,
            owner=box.mem_id if box.tag in _LIST_TAGS and _list_box(box) else owner,
        )

    for item in inline_runs(node):
        if isinstance(item, Run):
            text, links = item.text, item.links
            # Names and topics linked inside the run's sentences are its words (see word_link_chars).
            if (
                links
                and links / text_size(text) > MAX_LINK_DENSITY
                and (links - item.word_links()) / text_size(text) > MAX_LINK_DENSITY
            ):
                continue
            if not _date_line(text):
                out.append(WalkLine(text, owner) if owner else text)
            elif _data_cell(node):
                out.append(WalkLine(text, owner) if owner else text)
                if notes is not None:
                    notes.append(f"kept a date in a data table's row: {text!r}")
            continue
        child, tag = item, item.tag
        if tag in _PARAGRAPHS and not (tag == "blockquote" and child.css_first(BLOCK_SELECTOR)):
            text = block_text(child)
            # A date in preformatted text is a line of code or of a log, not the post's stamp.
            if _good_block(text, child, numbered) and (tag == "pre" or not _date_line(text)):
                out.append(WalkLine(text, owner, code=tag == "pre") if owner or tag == "pre" else text)
        elif tag == "h1" and _section_heading(child, out, beside):
            text = block_text(child)
            if _good_block(text, child):
                out.append(text)
        elif tag == "header" and _section_header(child, out, beside):
            descend(child)
        elif (
            tag in _WALK_SKIP
            or (tag == "a" and _linked_box(child))
            or (tag == "article" and child.mem_id in cards)
            or (tag == "table" and not _text_table(child))
        ):
            continue
        elif tag in {"ul", "ol"} and not _prose_list(child):
            if _list_of_the_prose(child, sides):
                lines = _item_lines(child)
                out.extend(WalkLine(line, child.mem_id) for line in lines)
                if notes is not None and lines:
                    notes.append(f"kept a link list between the article's prose: {lines[0]!r}, ...")
        elif (
            threads is not None
            and tag in _REPLY_BOXES
            and any(_prose(text) for text in out)
            and (heading := _signed_replies(child)) is not None
        ):
            threads.append(text_of(child))  # a thread of replies after the article
            out.extend(heading)  # where the tidy ends the article, as at a thread it reads
        else:
            start = len(out)
            descend(child)
            if teasers is not None and len(out) > start and tag not in {"ul", "ol"}:
                teasers.append((start, len(out), child))  # judged in _cut_teasers if after the prose


_LIST_TAGS = frozenset({"ul", "ol", "dl", "table"})


def _list_box(box: LexborNode) -> bool:
    """Whether the lines walked below a box are the items of one list or the rows of one table (see
    :class:`._tidy.WalkLine`): a ``<ul>``, ``<ol>`` or ``<dl>``, or a table of ``_DATA_ROWS`` rows or
    more of two cells or more. A layout table (a row of columns, a column of rows) holds the
    article's paragraphs and whatever follows them, and is no list."""
    if box.tag in {"ul", "ol", "dl"}:
        return True
    if box.tag != "table":
        return False
    rows = 0
    # The table's own rows only, directly or in its sections, each read once: a table nested in a
    # cell is judged when the walk reaches it.
    for part in box.iter():
        for row in part.iter() if part.tag in {"thead", "tbody", "tfoot"} else (part,):
            if row.tag == "tr" and sum(1 for cell in row.iter() if cell.tag in {"td", "th"}) >= 2:
                rows += 1
                if rows >= _DATA_ROWS:
                    return True
    return False


# Boxes that may hold a thread of readers' replies, one reply per child box, and the share of the
# children with text that must open signed (a name, then the posting time) for the box to be one.
_REPLY_BOXES = frozenset({"ol", "ul", "dl", "div", "section", "tbody"})
_REPLIES_SIGNED = 2 / 3


def _signed_replies(box: LexborNode) -> list[str] | None:
    """Whether a box after the article's prose is a thread of readers' replies that no class names
    (:func:`signed_children`), with nothing longer than a line before the first reply: the comment
    section's heading over them ("3 Comments"), if any, as a list of that line; None when it is no
    thread."""
    found = signed_children(box)
    if found is None:
        return None
    texts, signs = found
    # Before the first reply, a heading or a prompt ("3 Comments", "Leave a reply"); a box holding
    # the article's text and then the replies to it is the article's.
    before = texts[: signs.index(True)]
    if any(len(text) >= _PROSE for text in before):
        return None
    return [text for text in before if comments_heading(text)][:1]


def signed_children(box: LexborNode) -> tuple[list[str], list[bool]] | None:
    """The texts of a box's children with text and which of them open as readers' replies, when
    ``THREAD_STAMPS`` or more and two thirds of them do; None otherwise. A reply is signed with who
    wrote it and when ("Jo Bloggs October 29, 2012 at 9:26 am", "Jo | 10/29/2012 5:14 PM", "Jo 6
    months ago"), at the head of its text or on a line of its own at any depth in its box, over or
    under the text (:func:`._tidy.signed_lines`). Empty anchors between the replies do not count."""
    kids = [kid for kid in box.iter() if kid.tag not in {"-text", "-comment"}]
    if len(kids) < THREAD_STAMPS:
        return None
    items = [(kid, text) for kid, text in zip(kids, map(text_of, kids), strict=True) if text]
    if len(items) < THREAD_STAMPS:
        return None
    texts = [text for _, text in items]
    signs = signed_entries(texts)
    if not _enough_signed(signs):
        # The signature may sit deeper in each reply's box, on a line of its own above or under the
        # text: the lines of the entries holding a date near an end are read (a quote's attribution
        # under it, as embedded posts print it, is the article's).
        dated = [kid.tag != "blockquote" and may_be_signed(text) for kid, text in items]
        if not _enough_signed(dated):
            return None
        by_lines = signed_lines(
            [lines_of(kid) if date else [] for (kid, _), date in zip(items, dated, strict=True)]
        )
        signs = [a or b for a, b in zip(signs, by_lines, strict=True)]
        if not _enough_signed(signs):
            return None
    # The post, signed as its replies are, then the heading of its comments and the replies: the
    # article's box (a prompt after the replies, "Add a comment", is no such heading).
    first = signs.index(True)
    if any(comments_heading(texts[at]) and any(signs[at + 1 :]) for at in range(first + 1, len(texts))):
        return None
    return texts, signs


def replies_after(box: LexborNode, before: list[str]) -> list[str] | None:
    """Whether a box the container joins to its winner, walked after the article's text
    (``before``), is itself a thread of signed replies (:func:`_signed_replies`, whose answer it
    gives): a wordy thread beside the article's box holds a fair share of its text and joins it."""
    if box.tag not in _REPLY_BOXES or not any(_prose(text) for text in before):
        return None
    text = text_of(box)
    if not holds_stamps(text):
        return None
    return _signed_replies(box)


def _enough_signed(signs: list[bool]) -> bool:
    """Whether enough of a box's entries are signed for it to be a thread of replies."""
    signed = sum(signs)
    return signed >= THREAD_STAMPS and signed >= _REPLIES_SIGNED * len(signs)


def _section_heading(heading: LexborNode, out: list[str], beside: PerBox[_TextBeside]) -> bool:
    """Whether an ``<h1>`` inside the container is a section's heading, not a headline: the walk has
    already emitted a paragraph of prose (a headline sits above the article's text), it is not the
    page's first ``<h1>`` nor its words (a headline repeated further down, for print or sharing),
    and running text follows it before the next ``<h1>``. Editors of blogs and Markdown pages write
    their sections as ``<h1>``s."""
    if not any(_prose(text) for text in out):
        return False
    top = heading
    while top.parent is not None:
        top = top.parent
    first = top.css_first("h1")
    if first is None or first.mem_id == heading.mem_id or text_of(first) == text_of(heading):
        return False
    return _text_beside(heading, True, beside) and _text_beside(heading, False, beside)


def _section_header(header: LexborNode, out: list[str], beside: PerBox[_TextBeside]) -> bool:
    """Whether a ``<header>`` inside the container heads a section of the article rather than the
    article itself (headline, standfirst, byline): no ``<h1>`` in it, below the article's first
    prose, and running text after it among its siblings (``<section><header><h2>``: guides and
    page builders)."""
    return (
        header.css_first("h1") is None
        and any(_prose(text) for text in out)
        and _text_beside(header, True, beside)
    )


def _text_beside(heading: LexborNode, forward: bool, beside: PerBox[_TextBeside]) -> bool:
    """Whether the siblings after ``heading`` (before it, when not ``forward``), up to the next
    ``<h1>``, hold running text: a paragraph's length, mostly unlinked. A heading that opens a
    ``<section>`` (the outline HTML5 describes: each section's heading an ``<h1>``) is read from
    the section: the text before it is the previous section's. ``beside`` reads each box's
    children once (:class:`_TextBeside`)."""
    if not forward and heading.parent is not None and heading.parent.tag == "section" and _opens_box(heading):
        heading = heading.parent
    box = heading.parent
    if box is None:
        return False
    return beside(box).long(heading, forward)


class _TextBeside:
    """The text and linked text among a box's children between each child and the next ``<h1>``
    (the previous one), read in one pass over the box, so that a box of thousands of section
    headers is read once and not once per header."""

    __slots__ = ("_after", "_before", "_index")

    def __init__(self, box: LexborNode) -> None:
        kids = children(box)
        self._index = places(kids)
        own: list[tuple[int, int]] = []
        for kid in kids:
            if kid.tag == "-text":
                own.append((text_size(text_of(kid)), 0))
            elif kid.tag == "-comment":
                own.append((0, 0))
            else:
                own.append((text_size(text_of(kid)), link_chars(kid)))
        stops = [kid.tag == "h1" for kid in kids]
        self._before = _sums_up_to_stop(own, stops)
        self._after = _sums_up_to_stop(own[::-1], stops[::-1])[::-1]

    def long(self, node: LexborNode, forward: bool) -> bool:
        """Whether the siblings after ``node`` (before it), up to an ``<h1>``, hold a long paragraph's
        text, mostly unlinked (:func:`is_long_paragraph`)."""
        size, links = (self._after if forward else self._before)[self._index[node.mem_id]]
        return is_long_paragraph(size, links)


def _sums_up_to_stop(own: list[tuple[int, int]], stops: list[bool]) -> list[tuple[int, int]]:
    """For each position, the sums of ``own`` over the positions before it back to the nearest stop
    (not counted)."""
    out: list[tuple[int, int]] = []
    size = links = 0
    for (kid_size, kid_links), stop in zip(own, stops, strict=True):
        out.append((size, links))
        size, links = (0, 0) if stop else (size + kid_size, links + kid_links)
    return out


def _opens_box(node: LexborNode) -> bool:
    """Whether nothing with text comes before ``node`` in its parent."""
    return not any(sibling.tag != "-comment" and text_of(sibling) for sibling in siblings(node, False))


def container_text(
    best: LexborNode | None,
    notes: list[str] | None = None,
    whole: list[str] | None = None,
    cut: list[str] | None = None,
    *,
    text: str | None = None,
) -> list[str]:
    """The blocks of the chosen container, in document order. ``notes`` collects, for ``newswire
    parse --explain``, the lines kept that a rule of the walk alone would drop; ``whole`` gets the
    blocks with the teaser boxes after the article left in (where the article ends is judged on them);
    ``cut`` the text of each thread of readers' replies left out after the article
    (:func:`_signed_replies`); ``text`` is the container's :func:`text_of` when the caller has read
    it already."""
    if best is None:
        return []
    out: list[str] = []
    if best.tag in _PARAGRAPHS:
        text = block_text(best)
        if _good_block(text, best):
            out.append(text)
        if whole is not None:
            whole.extend(out)
    else:
        _blocks(best, out, notes, whole, cut, text=text)
    return out
