"""Main-text extraction on selectolax.

1. Drop what is never article text: scripts, navigation, asides, figures, forms
   controls, hidden elements and containers whose class/id names boilerplate
   (share, related, comments, newsletter, ads, …) – unless such a container
   holds a large part of the page text, which means the name lied.
2. Score containers by the text of the paragraphs below them (Readability's
   idea: a paragraph credits its parent fully and its ancestors less), minus
   their link density, and pick the best one plus paragraph-rich siblings.
3. Walk the chosen containers in document order and keep paragraphs,
   sub-headings, list items, quotes and text-only blocks, skipping
   link-heavy and very short boilerplate lines.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.extract._dates import is_date_line
from newswire.extract._vocab import BOILERPLATE_TOKENS, INLINE_TAGS

_ALWAYS_DROP = (
    "script, style, noscript, template, svg, iframe, button, select, textarea, input, "
    "canvas, object, embed, map"
)
# Dropped unless they hold real paragraphs (some sites stream the article into hidden
# nodes, or name the article's grid column "sidebar"/"widget").
_USUALLY_DROP = (
    "nav, aside, footer, figure, figcaption, picture, video, audio, dialog, "
    "[hidden], [aria-hidden=true], [role=navigation], [role=complementary], [role=contentinfo], "
    "[style*='display:none'], [style*='display: none']"
)
_FIGURE_TEXT = "table"
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
# Layout names that only sound like boilerplate: "hidden" that hides something else than the
# box's text (its overflow, a CSS utility; its field label, Drupal's "field--label-hidden"),
# and a page builder's name for every block ("elementor-widget-text-editor"; the rest of
# the name, "-share-buttons", still counts).
_LAYOUT_NAMES = re.compile(r"(?:overflow|label)[-_]*hidden|elementor-widget")
# Readers' comments are wordy, long paragraphs like the article's, so text amount cannot tell
# them from it: their box goes like an overlay does.
_COMMENT_TOKENS = frozenset({"comment", "comments", "commentlist", "disqus", "respond", "replies"})
# Whole class words that name one post or article (microformats, CMS post classes).
_POST_NAMES = frozenset({"hentry", "h-entry", "post", "entry", "type-post", "article", "story"})
_BOILER_EXACT = frozenset(BOILERPLATE_TOKENS.split())
_BOILER_PREFIX = (
    "share",
    "social",
    "related",
    "recommend",
    "newsletter",
    "advert",
    "sponsor",
    "outbrain",
    "taboola",
    "comment",
    "breadcrumb",
    "cookie",
    "subscri",
    "byline",
    "author",
    "caption",
    "promo",
    "readmore",
    "moreabout",
    "morefrom",
    "seealso",
    "alsoread",
    "trending",
    "mostread",
    "popular",
    "paywall",
)
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_PARAGRAPHS = frozenset({"p", "pre", "blockquote", "li", "dd"}) | _HEADINGS
_INLINE = frozenset(INLINE_TAGS.split())
_SKIP = frozenset({"h1", "header", "img", "hr", "-comment", "head", "title", "meta", "link"})
_BLOCK_SELECTOR = (
    "p, div, li, ul, ol, h1, h2, h3, h4, h5, h6, table, section, article, blockquote, pre, header"
)
_MAX_DEPTH = 150
_CARD_LINK = "h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"
_CARD_MAX = 500
_MAX_LIST_LINKS = 0.3
# Average characters per item of a list with headings that is article text, not teasers.
_LISTICLE_ITEM = 80
_LINK_ANCESTOR_LEVELS = 4

_STORY_SHARE = 0.2
_SIBLING_SHARE = 0.2
# Paragraphs credit at most this many ancestors: bounds the work on absurdly deep documents,
# and no article container sits further above its paragraphs.
_MAX_CONTAINER_LEVELS = 12
_INTERRUPTION_PREFIX = (
    "cookie",
    "consent",
    "onetrust",
    "gdpr",
    "newsletter",
    "modal",
    "popup",
    "dialog",
    "notification",
    "signup",
    "regwall",
    "piano",
)

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_MIN_PARAGRAPH = 25
_MAX_LINK_DENSITY = 0.5
# Running text may link many words (place names, topics); a paragraph that is all link is a teaser.
_MAX_LINK_DENSITY_P = 0.8
_KEEP_PARAGRAPH = 150
_NEVER_INSIDE_BOILERPLATE = "main, [itemprop=articleBody], [role=main]"
# An overlay or consent box never wraps the headline; a layout box whose name only sounds
# like one ("dialog-off-canvas-main-canvas") does.
_NEVER_INSIDE_INTERRUPTION = "h1, main, article, [itemprop=articleBody], [role=main]"
_RUN_HOLDERS = "div, td, section, article, font, span"
_KEEP_PARAGRAPHS = 2
_NOISE = 0.5
_MIN_SHARE = 0.3
_MARKER_BOOST = 1.5
_MARKER_SUBJECT = re.compile(r"article|story|entry|post|news|artikel|beitrag|content")
_MARKER_PART = re.compile(r"body|content|text|inhalt|richtext|copy")


def _text(node: LexborNode) -> str:
    return " ".join((node.text(deep=True) or "").split())


def _size(text: str) -> int:
    """Text length with CJK characters counted thrice (one of them carries a word's worth)."""
    return len(text) + 2 * len(_CJK.findall(text)) if text and not text.isascii() else len(text)


def _link_chars(node: LexborNode) -> int:
    return sum(_size(" ".join((a.text(deep=True) or "").split())) for a in node.css("a"))


def _names(classes: str | None, ident: str | None) -> str:
    """Class and id words, lowercased, minus utility classes with variants ("print:hidden")."""
    words = [w for w in (classes or "").split() if ":" not in w and "[" not in w]
    return f"{' '.join(words)} {ident or ''}".lower()


def _kind(node: LexborNode) -> int:
    """0: ordinary, 1: class/id names a non-content box (share, related, ads, ...), 2: an interruption
    (consent banner, sign-up dialog) or readers' comments, which go even when wordy."""
    attrs = node.attributes
    kind = 0
    names = _LAYOUT_NAMES.sub(" ", _names(attrs.get("class"), attrs.get("id")))
    for token in _TOKEN_SPLIT.split(names):
        if not token:
            continue
        if token.startswith(_INTERRUPTION_PREFIX) or token in _COMMENT_TOKENS:
            return 2
        if token in _BOILER_EXACT or token.startswith(_BOILER_PREFIX):
            kind = 1
    if kind and not _POST_NAMES.isdisjoint(names.split()):
        # A post's own box: its taxonomy classes ("author-admin", "tag-video") only sound like boilerplate.
        return 0
    return kind


def _is_boilerplate(node: LexborNode) -> bool:
    return _kind(node) > 0


def _holds_article(node: LexborNode) -> bool:
    """Whether a container has several long, mostly unlinked paragraphs (teasers are short).

    Paragraphs are ``<p>`` elements or, on pages that write their text as ``<br>`` runs
    inside ``<div>``s, long runs of text directly inside a block.
    """
    long_ones = 0
    in_paragraphs = 0
    for para in node.css("p"):
        size = _size(_text(para))
        in_paragraphs += size
        if size >= _KEEP_PARAGRAPH and _link_chars(para) < 0.3 * size:
            long_ones += 1
            if long_ones >= _KEEP_PARAGRAPHS:
                return True
    if _size(_text(node)) - in_paragraphs < (_KEEP_PARAGRAPHS - long_ones) * _KEEP_PARAGRAPH:
        return False  # too little text outside <p> for the missing long paragraphs
    for block in (node, *node.css(_RUN_HOLDERS)):
        for text, links in _runs(block):
            size = _size(text)
            if size >= _KEEP_PARAGRAPH and links < 0.3 * size:
                long_ones += 1
                if long_ones >= _KEEP_PARAGRAPHS:
                    return True
    return False


def _same_page(href: str, url: str | None) -> bool:
    """Whether a link points at the page itself (a blog post's permalink headline)."""
    if not url:
        return False
    there, here = urlsplit(urljoin(url, href)), urlsplit(url)
    return (there.netloc.removeprefix("www."), there.path.rstrip("/")) == (
        here.netloc.removeprefix("www."),
        here.path.rstrip("/"),
    )


def _off_site(href: str, url: str | None) -> bool:
    """Whether a link leads to another site (not a subdomain or parent domain of the page's)."""
    if not url:
        return False
    here = urlsplit(url).netloc.removeprefix("www.")
    there = urlsplit(urljoin(url, href)).netloc.removeprefix("www.")
    return bool(here and there) and not (
        there == here or there.endswith(f".{here}") or here.endswith(f".{there}")
    )


def _drop_cards(body: LexborNode, url: str | None = None) -> None:
    """Remove teaser cards: a linked heading plus a little text (article sub-headings do not link away).

    Teasers lead to the site's own stories; a heading that links to another site names what
    the article itself is about (a listicle's product, a reference).
    """
    for link in body.css(_CARD_LINK):
        href = link.attributes.get("href") or ""
        if href.startswith("#") or link.parent is None or _same_page(href, url) or _off_site(href, url):
            continue
        card = link
        while card.tag not in _HEADINGS and card.tag != "a" and card.parent is not None:
            card = card.parent
        parent = card.parent
        while (
            parent is not None
            and parent.tag not in {"body", "main", "html"}
            and _size(_text(parent)) <= _CARD_MAX
        ):
            card, parent = parent, parent.parent
        if not _holds_article(card):
            card.decompose()


def clean_tree(tree: LexborHTMLParser, url: str | None = None) -> None:
    """Remove non-content elements in place. ``url`` is the page's own address, if known."""
    body = tree.body
    if body is None:
        return
    for node in body.css(_ALWAYS_DROP):
        node.decompose()
    for node in body.css(_USUALLY_DROP):
        if node.tag == "figure" and node.css_first(_FIGURE_TEXT) is not None:
            continue  # a table the article shows (WordPress wraps tables in <figure>)
        if node.tag in {"figure", "figcaption", "picture", "video", "audio"} or not _holds_article(node):
            node.decompose()
    _drop_cards(body, url)
    for node in body.css("[class], [id]"):
        if node.tag in {"body", "html", "main", "article"} or node.parent is None:
            continue
        kind = _kind(node)
        if not kind:
            continue
        if kind == 2:
            if node.css_first(_NEVER_INSIDE_INTERRUPTION) is None:
                node.decompose()
        elif node.css_first(_NEVER_INSIDE_BOILERPLATE) is None and not _holds_article(node):
            node.decompose()


def _is_inline(node: LexborNode) -> bool:
    """Inline element that does not wrap block content (a ``<span>`` around ``<p>`` is a block)."""
    return node.tag in _INLINE and (node.tag == "br" or node.css_first(_BLOCK_SELECTOR) is None)


def _runs(node: LexborNode) -> list[tuple[str, int]]:
    """Text directly inside ``node`` (text nodes and inline children), split at blocks and double ``<br>``.

    Returns (text, linked characters) per run.
    """
    runs: list[tuple[str, int]] = []
    pieces: list[str] = []
    links = 0
    breaks = 0

    def flush() -> None:
        nonlocal links
        text = " ".join("".join(pieces).split())
        if text:
            runs.append((text, links))
        pieces.clear()
        links = 0

    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            value = child.text_content or ""
            if value.strip():
                breaks = 0
            pieces.append(value)
        elif tag == "br":
            breaks += 1
            if breaks >= 2:
                flush()
            pieces.append(" ")
        elif tag in _INLINE and _is_inline(child):
            value = child.text(deep=True) or ""
            if value.strip():
                breaks = 0
                if tag == "a":
                    links += _size(value.strip())
                else:
                    links += _link_chars(child)
            pieces.append(value)
        else:
            flush()
    flush()
    return runs


def _own_text_len(node: LexborNode) -> int:
    """Unlinked characters of the text runs directly inside ``node``."""
    return sum(max(_size(text) - links, 0) for text, links in _runs(node) if _size(text) >= _MIN_PARAGRAPH)


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
    """
    found: list[tuple[LexborNode, int, int]] = []
    for para in body.css("p, pre, div, td, section"):
        tag = para.tag
        if tag not in {"p", "pre"}:
            length = 0
            for text, links in _runs(para):
                size = _size(text)
                if size >= 2 * _MIN_PARAGRAPH and links / size <= _MAX_LINK_DENSITY:
                    length += size - links
            if length:
                found.append((para, length, 0))
            continue
        length = _size(_text(para))
        if length < _MIN_PARAGRAPH:
            continue
        links = length if _inside_link(para) else _link_chars(para)
        if links / length > _MAX_LINK_DENSITY_P:
            found.append((para, 0, length))
        else:
            found.append((para, length - links, links))
    return found


def _is_body_marker(node: LexborNode) -> bool:
    """Whether the markup names this element the article body (schema.org itemprop or class/id)."""
    attrs = node.attributes
    if (attrs.get("itemprop") or "").lower() == "articlebody":
        return True
    for name in f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower().split():
        flat = _TOKEN_SPLIT.sub("", name)
        if _MARKER_SUBJECT.search(flat) and _MARKER_PART.search(flat):
            return True
    return False


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

    @property
    def share(self) -> float:
        """Share of the page's good paragraph text inside the winner: 1 when nothing competes."""
        if self.best is None or not self.page_good:
            return 0.0
        for cand in self.candidates:
            if cand.node.mem_id == self.best.mem_id:
                return min(cand.good / self.page_good, 1.0)
        return 1.0  # the winner is an <article> inside the scored container (several stories)


def _best_container(body: LexborNode) -> LexborNode | None:
    """The element whose good-paragraph text most exceeds its other text (weighted by ``_NOISE``)."""
    return choose_container(body).best


def choose_container(body: LexborNode) -> Choice:
    """Score the containers of paragraph text; see :func:`_best_container`."""
    good: dict[int, float] = {}
    neutral: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for para, weight, other in _good_paragraphs(body):
        parent = para.parent
        for _ in range(_MAX_CONTAINER_LEVELS):
            if parent is None or parent.tag in {"html", "#document"}:
                break
            key = parent.mem_id
            nodes[key] = parent
            good[key] = good.get(key, 0.0) + weight
            neutral[key] = neutral.get(key, 0.0) + other
            parent = parent.parent
    if not good:
        return Choice(None, 0.0, [])
    top = max(good.values())
    # A container's score is at most its good text (boosted if marked), so containers are scored
    # best bound first and the rest skipped once none can reach the best score: a container's
    # whole text is the costly part. Among equal scores the first found wins, as when every
    # container was scored in the order found.
    candidates = []
    for rank, (key, value) in enumerate(good.items()):
        if value > 0 and value >= _MIN_SHARE * top:
            boost = _MARKER_BOOST if _is_body_marker(nodes[key]) else 1.0
            candidates.append((value * boost, rank, key, value, boost))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    best: LexborNode | None = None
    best_score, best_rank = float("-inf"), len(good)
    looked: list[Candidate] = []
    for bound, rank, key, value, boost in candidates:
        if bound < best_score:
            looked.append(Candidate(nodes[key], value, neutral[key], float("nan"), boost, None))
            continue
        total = _size(_text(nodes[key]))
        score = (value - _NOISE * max(total - value - neutral[key], 0.0)) * boost
        looked.append(Candidate(nodes[key], value, neutral[key], total, boost, score))
        if score > best_score or (score == best_score and rank < best_rank):
            best, best_score, best_rank = nodes[key], score, rank
    if best is None:
        return Choice(None, top, looked)
    best = _first_of_several(best, good)
    return Choice(best, top, looked, _text_siblings(best, good, neutral))


def _text_siblings(best: LexborNode, good: dict[int, float], neutral: dict[int, float]) -> list[LexborNode]:
    """Siblings of the winner that continue the article (a body split over several boxes).

    A sibling counts when its unlinked paragraph text is a fair share of the winner's and
    outweighs its linked text; teaser and comment boxes are link-heavy or were removed.
    """
    parent = best.parent
    own = good.get(best.mem_id, 0.0)
    if parent is None or parent.tag in {"body", "html"} or not own:
        return []
    found = []
    for child in parent.iter():
        if child.mem_id == best.mem_id:
            continue
        value = good.get(child.mem_id, 0.0)
        if (
            value >= _SIBLING_SHARE * own
            and value > neutral.get(child.mem_id, 0.0)
            and child.tag not in _SKIP
        ):
            found.append(child)
    return found


def _first_of_several(best: LexborNode, good: dict[int, float]) -> LexborNode:
    """On pages that append the next story (infinite scroll), keep the first of several articles."""
    total = good.get(best.mem_id, 0.0)
    stories = [a for a in best.css("article") if good.get(a.mem_id, 0.0) >= _STORY_SHARE * total]
    top_level = [a for a in stories if not any(o is not a and _contains(o, a) for o in stories)]
    return top_level[0] if len(top_level) >= 2 else best


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    parent = inner.parent
    while parent is not None:
        if parent.mem_id == outer.mem_id:
            return True
        parent = parent.parent
    return False


def _good_block(text: str, node: LexborNode) -> bool:
    if not text:
        return False
    links = _link_chars(node)
    limit = _MAX_LINK_DENSITY_P if node.tag == "p" else _MAX_LINK_DENSITY
    return not (links and links / _size(text) > limit)


def _blocks(root: LexborNode, out: list[str]) -> None:
    # Several <article> elements inside the container are cards (teasers), except the biggest.
    cards: set[int] = set()
    articles = root.css("article")
    if len(articles) >= 2:
        biggest = max(articles, key=lambda a: len(_text(a)))
        cards = {a.mem_id for a in articles if a.mem_id != biggest.mem_id}
    _walk(root, out, cards, 0)


def _prose_list(node: LexborNode) -> bool:
    """Whether a list is part of the text: it wraps paragraphs, or its items are mostly unlinked words.

    Link lists (related stories, tags) are link-dense; teaser lists carry images or times,
    or headings over a line of text. Bullet points of the article itself are neither, and
    a listicle's items (a heading over a paragraph or more each) are long.
    """
    if _holds_article(node):
        return True
    items = node.css("li")
    if not items or node.css_first("img, time, figure") is not None:
        return False
    size = sum(_size(_text(item)) for item in items)
    if _link_chars(node) >= _MAX_LIST_LINKS * (size or 1):
        return False
    return node.css_first("h2, h3, h4, h5, h6") is None or size >= _LISTICLE_ITEM * len(items)


def _text_table(node: LexborNode) -> bool:
    """Whether a table is part of the text (a layout table around it, or data the article shows).

    Tables of links (navigation, "more stories") are not.
    """
    size = _size(_text(node))
    return size > 0 and _link_chars(node) < _MAX_LIST_LINKS * size


def _walk(node: LexborNode, out: list[str], cards: set[int], depth: int) -> None:
    """Emit the blocks below ``node`` in document order."""
    if depth > _MAX_DEPTH:
        return
    pieces: list[str] = []
    links = 0

    def flush() -> None:
        nonlocal links
        text = " ".join("".join(pieces).split())
        if text and (not links or links / _size(text) <= _MAX_LINK_DENSITY) and not is_date_line(text):
            out.append(text)
        pieces.clear()
        links = 0

    breaks = 0
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            value = child.text_content or ""
            if value.strip():
                breaks = 0
            pieces.append(value)
            continue
        if tag == "br":
            breaks += 1
            if breaks >= 2:
                flush()
            pieces.append(" ")
            continue
        if tag in _INLINE and _is_inline(child):
            value = child.text(deep=True) or ""
            if value.strip():
                breaks = 0
                links += _size(value.strip()) if tag == "a" else _link_chars(child)
            pieces.append(value)
            continue
        flush()
        breaks = 0
        if tag in _PARAGRAPHS and not (tag == "blockquote" and child.css_first(_BLOCK_SELECTOR)):
            text = _text(child)
            if _good_block(text, child) and not is_date_line(text):
                out.append(text)
        elif (
            tag in _SKIP
            or (tag == "article" and child.mem_id in cards)
            or (tag in {"ul", "ol"} and not _prose_list(child))
            or (tag == "table" and not _text_table(child))
        ):
            continue
        else:
            _walk(child, out, cards, depth + 1)
    flush()


def main_text(tree: LexborHTMLParser, url: str | None = None) -> list[str]:
    """The paragraphs of the article's main text (possibly empty)."""
    return main_text_scored(tree, url)[0]


def main_text_scored(tree: LexborHTMLParser, url: str | None = None) -> tuple[list[str], float]:
    """The main text's paragraphs and the share of the page's paragraph text they came from (0-1)."""
    body = tree.body
    if body is None:
        return [], 0.0
    clean_tree(tree, url)
    choice = choose_container(body)
    if choice.best is None or not choice.siblings:
        return container_text(choice.best), choice.share
    out: list[str] = []
    parent = choice.best.parent
    keep = {n.mem_id for n in (choice.best, *choice.siblings)}
    for child in parent.iter() if parent is not None else ():
        if child.mem_id in keep:
            out.extend(container_text(child))
    return out, choice.share


def container_text(best: LexborNode | None) -> list[str]:
    """The blocks of the chosen container, in document order."""
    if best is None:
        return []
    out: list[str] = []
    if best.tag in _PARAGRAPHS:
        text = _text(best)
        if _good_block(text, best):
            out.append(text)
    else:
        _blocks(best, out)
    return out
