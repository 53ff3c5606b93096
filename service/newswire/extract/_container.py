"""Container scoring: which element of the cleaned page holds the article's paragraphs.

Each paragraph credits its ancestors with its unlinked text (Readability's idea); a
container scores its paragraph text minus part of its other text, boosted when the markup
names it the article body. A box the markup sets aside from the main content (``<aside>``)
and the boxes inside it are candidates of their own, weakened, and their paragraphs do not lift
the boxes around the aside. The
winner's siblings holding a fair share of its text join it.
"""

from __future__ import annotations

import dataclasses
import re

from selectolax.lexbor import LexborNode

from newswire.extract._nodes import (
    MAX_LINK_DENSITY,
    MAX_LINK_DENSITY_P,
    MIN_PARAGRAPH,
    SKIP,
    TOKEN_SPLIT,
    BlocksBelow,
    ancestors,
    is_inline,
    link_chars,
    siblings,
    text_of,
    text_runs,
    text_size,
)

_LINK_ANCESTOR_LEVELS = 4

_STORY_SHARE = 0.2

_SIBLING_SHARE = 0.2

# Paragraphs credit at most this many ancestors: bounds the work on absurdly deep documents,
# and no article container sits further above its paragraphs.
_MAX_CONTAINER_LEVELS = 12
# How far above the winner other parts of a split body are looked for.
_PART_LEVELS = 3
# How many wrappers holding nothing but the winner are climbed to find its siblings.
_WRAPPER_LEVELS = 3
# Unlinked paragraph text that makes the box before the article its opening paragraph.
_OPENING = 80

_NOISE = 0.5

_MIN_SHARE = 0.3

_MARKER_BOOST = 1.5

# A box the markup sets aside, or any box inside it (a sidebar widget's inner wrapper), counts
# at this weight: a long text widget must not outscore the post beside it.
_ASIDE_WEIGHT = 0.5

_MARKER_SUBJECT = re.compile(r"article|story|entry|post|news|artikel|beitrag|content")

# A split body's parts are named for the article itself: "content" alone names layout boxes.
_PART_SUBJECT = re.compile(r"article|story|entry|post|news|artikel|beitrag")
_MARKER_PART = re.compile(r"body|content|text|inhalt|richtext|copy")


def _inside_link(node: LexborNode) -> bool:
    """Whether a block sits inside an ``<a>`` (a teaser card), a few levels up at most."""
    parent = node.parent
    for _ in range(_LINK_ANCESTOR_LEVELS):
        if parent is None:
            return False
        if parent.tag == "a":
            return True
        parent = parent.parent
    return False


def _good_paragraphs(body: LexborNode) -> list[tuple[LexborNode, int, int]]:
    """Paragraph-like nodes: (node, unlinked text size, size of text that is neither credit nor noise).

    Linked words inside running text, and link-dense ``<p>`` (place lists, "see also"
    lines), are neutral: they neither make a container the article nor rule it out.

    Text written as ``<br>`` runs counts in any element that holds it directly: besides ``<div>``
    and ``<td>``, the HTML5 boxes, old ``<font>``/``<center>`` layouts, and a ``<span>`` that holds
    blocks (rich-text editors put a whole post in one, headings and rules included). An inline
    ``<span>`` is part of its parent's runs. ``<blockquote>`` is left out: a quote's text belongs to
    the article around it, not to a candidate of its own (measured in docs/extraction.md).
    """
    found: list[tuple[LexborNode, int, int]] = []
    # Nested inline elements would each read their whole subtree (the square of their depth).
    blocks = BlocksBelow()
    for para in body.css("p, pre, div, td, section, article, main, font, center, span"):
        tag = para.tag
        if tag == "span" and is_inline(para, blocks):
            continue
        if tag not in {"p", "pre"}:
            length = 0
            for text, links in text_runs(para, blocks):
                size = text_size(text)
                if size >= 2 * MIN_PARAGRAPH and links / size <= MAX_LINK_DENSITY:
                    length += size - links
            if length:
                found.append((para, length, 0))
            continue
        length = text_size(text_of(para))
        if length < MIN_PARAGRAPH:
            continue
        links = length if _inside_link(para) else link_chars(para)
        if links / length > MAX_LINK_DENSITY_P:
            found.append((para, 0, length))
        else:
            found.append((para, length - links, links))
    return found


def is_tangential(node: LexborNode) -> bool:
    """Whether the markup says a box is aside from the page's main content (``<aside>``, the
    complementary role): its paragraphs make it a candidate, but do not lift the boxes around it."""
    return node.tag == "aside" or (node.attributes.get("role") or "") == "complementary"


def _is_body_marker(node: LexborNode) -> bool:
    """Whether the markup names this element the article body (schema.org itemprop or class/id)."""
    attrs = node.attributes
    if (attrs.get("itemprop") or "").lower() == "articlebody":
        return True
    return any(_is_body_name(name) for name in f"{attrs.get('class') or ''} {attrs.get('id') or ''}".split())


def _is_body_name(name: str, subject: re.Pattern[str] = _MARKER_SUBJECT) -> bool:
    """Whether one class or id word names an article body ("story-body", "entry-content")."""
    flat = TOKEN_SPLIT.sub("", name.lower())
    return bool(subject.search(flat) and _MARKER_PART.search(flat))


@dataclasses.dataclass(slots=True)
class Candidate:
    """A scored container: what ``--explain`` prints and what the confidence is read from."""

    node: LexborNode
    good: float  # unlinked paragraph text below it
    neutral: float  # linked or credit text below it
    total: float  # all its text
    boost: float  # body marker (itemprop/class) multiplier
    score: float | None  # None: skipped, its bound could not beat the best


@dataclasses.dataclass(slots=True)
class Choice:
    """The winning container, the page's good text and every candidate looked at."""

    best: LexborNode | None
    page_good: float
    candidates: list[Candidate]
    siblings: list[LexborNode] = dataclasses.field(default_factory=list)
    # Unlinked paragraph text credited to each element (by ``mem_id``): what a narrower choice reads.
    good: dict[int, float] = dataclasses.field(default_factory=dict)
    # The text of each container scored (by ``mem_id``), read while scoring: the winner's is read
    # again by the thread test and the walk, and stands as long as the tree is not changed.
    texts: dict[int, str] = dataclasses.field(default_factory=dict)

    @property
    def share(self) -> float:
        """Share of the page's good paragraph text inside the winner: 1 when nothing competes."""
        if self.best is None or not self.page_good:
            return 0.0
        for cand in self.candidates:
            if cand.node.mem_id == self.best.mem_id:
                return min(cand.good / self.page_good, 1.0)
        return 1.0  # the winner is an <article> inside the scored container (several stories)


def _ancestors(parent: LexborNode) -> list[tuple[int, LexborNode, bool]]:
    """The boxes a paragraph under ``parent`` credits, nearest first: (``mem_id``, node, whether
    it is tangential), up to ``_MAX_CONTAINER_LEVELS`` and below ``<html>``."""
    chain: list[tuple[int, LexborNode, bool]] = []
    node: LexborNode | None = parent
    for _ in range(_MAX_CONTAINER_LEVELS):
        if node is None or node.tag in {"html", "#document"}:
            break
        chain.append((node.mem_id, node, is_tangential(node)))
        node = node.parent
    return chain


def _best_container(body: LexborNode) -> LexborNode | None:
    """The element whose good-paragraph text most exceeds its other text (weighted by ``_NOISE``)."""
    return choose_container(body).best


def choose_container(body: LexborNode) -> Choice:
    """Score the containers of paragraph text; see :func:`_best_container`."""
    good: dict[int, float] = {}
    neutral: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    # Text of paragraphs in a tangential box, credited to the boxes around it for the page's total only.
    around: dict[int, float] = {}
    # Paragraphs of one box credit the same ancestors: each box's chain is read off the tree once.
    chains: dict[int, list[tuple[int, LexborNode, bool]]] = {}
    set_aside: set[int] = set()  # tangential boxes and the boxes inside them
    for para, weight, other in _good_paragraphs(body):
        parent = para.parent
        if parent is None:
            continue
        chain = chains.get(parent.mem_id)
        if chain is None:
            chain = chains[parent.mem_id] = _ancestors(parent)
        credit = good
        aside = any(tangential for _, _, tangential in chain)
        for key, node, tangential in chain:
            credit[key] = credit.get(key, 0.0) + weight
            if credit is good:
                nodes[key] = node
                neutral[key] = neutral.get(key, 0.0) + other
                if aside:
                    set_aside.add(key)
                if tangential:
                    credit = around
    if not good:
        return Choice(None, 0.0, [])
    top = max(good.values())
    page_good = max(value + around.get(key, 0.0) for key, value in good.items()) if around else top
    # A container's score is at most its good text (boosted if marked), so containers are scored
    # best bound first and the rest skipped once none can reach the best score: a container's
    # whole text is the costly part. Among equal scores the first found wins, as when every
    # container was scored in the order found.
    candidates = []
    for rank, (key, value) in enumerate(good.items()):
        if value > 0 and value >= _MIN_SHARE * top:
            boost = _MARKER_BOOST if _is_body_marker(nodes[key]) else 1.0
            if key in set_aside:
                boost *= _ASIDE_WEIGHT
            candidates.append((value * boost, rank, key, value, boost))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    best: LexborNode | None = None
    best_score, best_rank = float("-inf"), len(good)
    looked: list[Candidate] = []
    # The text of a container scored is text of every box around it too: a floor under their
    # whole text. A wrapper around the winner (same paragraphs, more text) then need not be read.
    floor: dict[int, float] = {}
    texts: dict[int, str] = {}
    for bound, rank, key, value, boost in candidates:
        most = _score(value, floor.get(key, 0.0), neutral[key], boost)
        if bound < best_score or not _beats(most, rank, best_score, best_rank):
            looked.append(Candidate(nodes[key], value, neutral[key], float("nan"), boost, None))
            continue
        texts[key] = text_of(nodes[key])
        total = text_size(texts[key])
        score = _score(value, total, neutral[key], boost)
        looked.append(Candidate(nodes[key], value, neutral[key], total, boost, score))
        if _beats(score, rank, best_score, best_rank):
            best, best_score, best_rank = nodes[key], score, rank
        _raise_floor(floor, nodes[key], total)
    if best is None:
        return Choice(None, page_good, looked, good=good, texts=texts)
    best = _first_of_several(best, good)
    siblings = _text_siblings(best, good, neutral)
    parts = [n for n in _same_name_parts(best, good, neutral) if not any(_contains(o, n) for o in siblings)]
    return Choice(best, page_good, looked, siblings + parts, good, texts)


def _score(good: float, total: float, neutral: float, boost: float) -> float:
    """A container's score from its good, whole and neutral text: never higher for more text."""
    return (good - _NOISE * max(total - good - neutral, 0.0)) * boost


def _beats(score: float, rank: int, best_score: float, best_rank: int) -> bool:
    """Whether a score wins over the best so far (on a tie, the container found first wins)."""
    return score > best_score or (score == best_score and rank < best_rank)


def _raise_floor(floor: dict[int, float], node: LexborNode, total: float) -> None:
    """Record ``total``, the text size of ``node``, as a floor under each of its ancestors' sizes."""
    parent = node.parent
    while parent is not None:
        key = parent.mem_id
        if floor.get(key, 0.0) < total:
            floor[key] = total
        parent = parent.parent


def _text_siblings(best: LexborNode, good: dict[int, float], neutral: dict[int, float]) -> list[LexborNode]:
    """Siblings of the winner that continue the article (a body split over several boxes).

    A sibling counts when its unlinked paragraph text is a fair share of the winner's and
    outweighs its linked text; teaser and comment boxes are link-heavy or were removed. When the
    winner is wrapped in boxes holding nothing else, the siblings are those of the outermost
    wrapper, and only boxes of the wrapper's kind count there (a column beside it is a sidebar).
    """
    own = good.get(best.mem_id, 0.0)
    unit = _wrapped(best)
    parent = unit.parent
    if parent is None or parent.tag in {"body", "html"} or not own:
        return []
    found = []
    for child in parent.iter():
        if child.mem_id == unit.mem_id:
            continue
        value = good.get(child.mem_id, 0.0)
        if (
            value >= _SIBLING_SHARE * own
            and value > neutral.get(child.mem_id, 0.0)
            and child.tag not in SKIP
            and (unit is best or _same_kind(child, unit))
        ):
            found.append(child)
    opening = _opening_box(unit, found, good, neutral)
    if opening is not None and _same_kind(opening, unit):
        found.append(opening)
    return found


def _opening_box(
    unit: LexborNode, found: list[LexborNode], good: dict[int, float], neutral: dict[int, float]
) -> LexborNode | None:
    """The box just before the article's first part, when it holds running text: the article's
    opening paragraph, put by a page builder in an element of its own, too short for the share
    rule. A box with a headline is the article's header, whose standfirst is the ``lead``."""
    parts = {f.mem_id for f in found}
    first = unit
    for earlier in siblings(unit, False):
        if earlier.mem_id in parts:
            first = earlier
    shown = (n for n in siblings(first, False) if not ((n.tag or "").startswith("-") or _blank(n)))
    node = next(shown, None)
    if node is None or node.tag in SKIP or node.css_first("h1, h2") is not None:
        return None
    value = good.get(node.mem_id, 0.0)
    return node if value >= _OPENING and value > neutral.get(node.mem_id, 0.0) else None


def _same_kind(node: LexborNode, other: LexborNode) -> bool:
    """Whether two boxes are elements of one kind: the same tag and the same first class word.

    A page builder gives each content element of the article column the same box (``outer``,
    ``csc-default``, ``tdc-row``); the column beside the article (a sidebar) is a box of its own kind.
    """
    first = (node.attributes.get("class") or "").split()[:1]
    kind = (other.attributes.get("class") or "").split()[:1]
    return node.tag == other.tag and bool(first) and first == kind


def _wrapped(best: LexborNode) -> LexborNode:
    """The outermost box around the winner that holds nothing else with text.

    Page builders wrap each content element in rows, columns and wrappers (``outer > container >
    row``); the other parts of an article split over elements are siblings of the outermost
    wrapper, not of the winner.
    """
    unit = best
    for _ in range(_WRAPPER_LEVELS):
        parent = unit.parent
        if parent is None or parent.tag in {"body", "html"}:
            break
        if any(kid.mem_id != unit.mem_id and not _blank(kid) for kid in parent.iter(include_text=True)):
            break
        unit = parent
    return unit


def _blank(node: LexborNode) -> bool:
    """Whether a node shows no text (an empty wrapper, a spacer, whitespace between tags)."""
    return not (node.text(deep=True) or "").strip()


def _same_name_parts(best: LexborNode, good: dict[int, float], neutral: dict[int, float]) -> list[LexborNode]:
    """Other parts of a body split over boxes that carry the winner's body class word.

    News templates cut the article into several boxes between ads or inline modules, each
    named as the body ("story-body story-body-1", "story-body story-body-2"), and they need
    not be siblings. A box a few levels around the winner with the same body-naming class
    word, holding more unlinked paragraph text than linked, is more of the article.
    """
    words = {w for w in (best.attributes.get("class") or "").split() if _is_body_name(w, _PART_SUBJECT)}
    if not words:
        return []
    scope = best
    for _ in range(_PART_LEVELS):
        if scope.parent is None or scope.parent.tag in {"body", "html"}:
            break
        scope = scope.parent
    found: list[LexborNode] = []
    for node in scope.traverse():
        if node.mem_id == best.mem_id or words.isdisjoint((node.attributes.get("class") or "").split()):
            continue
        value = good.get(node.mem_id, 0.0)
        if (
            value > neutral.get(node.mem_id, 0.0)
            and not _contains(node, best)
            and not _contains(best, node)
            and not any(_contains(o, node) for o in found)
        ):
            found.append(node)
    return found


def _first_of_several(best: LexborNode, good: dict[int, float]) -> LexborNode:
    """On pages that append the next story (infinite scroll), keep the first of several articles."""
    total = good.get(best.mem_id, 0.0)
    stories = [a for a in best.css("article") if good.get(a.mem_id, 0.0) >= _STORY_SHARE * total]
    top_level = [a for a in stories if not any(o is not a and _contains(o, a) for o in stories)]
    return top_level[0] if len(top_level) >= 2 else best


def declared_article(best: LexborNode | None) -> LexborNode | None:
    """The element the markup declares the article (``<article>``, ``<main>``, itemprop articleBody)
    that holds the winner, or the winner itself when it is one: what the page says its text is."""
    node = best
    while node is not None and node.tag not in {"body", "html"}:
        if (
            node.tag in {"article", "main"}
            or (node.attributes.get("itemprop") or "").lower() == "articlebody"
        ):
            return node
        node = node.parent
    return None


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    return any(around.mem_id == outer.mem_id for around in ancestors(inner))
