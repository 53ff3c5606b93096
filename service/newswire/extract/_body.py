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

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

_ALWAYS_DROP = "script, style, noscript, template, svg, iframe, button, select, textarea, input, canvas, object, embed, map"
# Dropped unless they hold real paragraphs (some sites stream the article into hidden
# nodes, or name the article's grid column "sidebar"/"widget").
_USUALLY_DROP = (
    "nav, aside, footer, figure, figcaption, picture, video, audio, dialog, "
    "[hidden], [aria-hidden=true], [role=navigation], [role=complementary], [role=contentinfo], "
    "[style*='display:none'], [style*='display: none']"
)
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_BOILER_EXACT = frozenset(
    "ad ads adv advert advertisement adslot adunit anzeige nav navbar menu tags tag tagging keywords meta date "
    "dateline time timestamp hidden print more related share shares sharing social comments comment caption "
    "credit credits copyright byline author authors authorbox breadcrumb breadcrumbs sidebar footer newsletter "
    "promo promotion banner cookie cookies consent popup modal overlay toolbar widget widgets sponsored "
    "outbrain taboola signup login subscribe subscription rating poll gallery slideshow player video sronly "
    "sr visually recirculation recommendations recommended pagination pager skip toc tooltip dropdown "
    "topics embed social-links teaserlist teasers lightbox bio contributor follow".split()
)
_BOILER_PREFIX = (
    "share", "social", "related", "recommend", "newsletter", "advert", "sponsor", "outbrain", "taboola",
    "comment", "breadcrumb", "cookie", "subscri", "byline", "author", "caption", "promo", "readmore",
    "moreabout", "morefrom", "seealso", "alsoread", "trending", "mostread", "popular", "paywall",
)
_KEEP_TOKENS = frozenset({"article", "content", "body", "text", "main", "story", "post", "entry"})
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_PARAGRAPHS = frozenset({"p", "pre", "blockquote", "li", "dd"}) | _HEADINGS
_TEXT_CONTAINERS = frozenset({"div", "section", "span", "font", "center", "td"})
_INLINE = frozenset(
    "a abbr b bdi bdo br cite code data dfn em i kbd mark q rp rt ruby s samp small span strong sub sup time "
    "u var wbr del ins font -text".split()
)
_SKIP = frozenset({"h1", "table", "ul", "ol", "header", "form", "img", "hr"})
_WS = re.compile(r"\s+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_MIN_PARAGRAPH = 25
_MAX_LINK_DENSITY = 0.5
# Running text may link many words (place names, topics); a paragraph that is all link is a teaser.
_MAX_LINK_DENSITY_P = 0.8
_KEEP_PARAGRAPH = 150
_NEVER_INSIDE_BOILERPLATE = "main, [itemprop=articleBody], [role=main]"
_KEEP_PARAGRAPHS = 2
_NOISE = float(__import__("os").environ.get("NW_NOISE", "0.5"))
_MIN_SHARE = 0.3
_MARKER_BOOST = float(__import__("os").environ.get("NW_BOOST", "1.5"))
_MARKER_SUBJECT = re.compile(r"article|story|entry|post|news|artikel|beitrag|content")
_MARKER_PART = re.compile(r"body|content|text|inhalt|richtext|copy")


def _text(node: LexborNode) -> str:
    return _WS.sub(" ", node.text(deep=True) or "").strip()


def _size(text: str) -> int:
    """Text length with CJK characters counted thrice (one of them carries a word's worth)."""
    return len(text) + 2 * len(_CJK.findall(text)) if text and not text.isascii() else len(text)


def _link_chars(node: LexborNode) -> int:
    return sum(_size(_WS.sub(" ", a.text(deep=True) or "").strip()) for a in node.css("a"))


def _is_boilerplate(node: LexborNode) -> bool:
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
    if not names.strip():
        return False
    tokens = [t for t in _TOKEN_SPLIT.split(names) if t]
    for token in tokens:
        if token in _BOILER_EXACT or token.startswith(_BOILER_PREFIX):
            return True
    return False


def _holds_article(node: LexborNode) -> bool:
    """Whether a container has several long, mostly unlinked paragraphs (teasers are short)."""
    long_ones = 0
    for para in node.css("p"):
        size = _size(_text(para))
        if size >= _KEEP_PARAGRAPH and _link_chars(para) < 0.3 * size:
            long_ones += 1
            if long_ones >= _KEEP_PARAGRAPHS:
                return True
    return False


def clean_tree(tree: LexborHTMLParser) -> None:
    """Remove non-content elements in place."""
    body = tree.body
    if body is None:
        return
    for node in body.css(_ALWAYS_DROP):
        node.decompose()
    for node in body.css(_USUALLY_DROP):
        if node.tag in {"figure", "figcaption", "picture", "video", "audio"} or not _holds_article(node):
            node.decompose()
    for node in body.css("[class], [id]"):
        if node.tag in {"body", "html", "main", "article"} or node.parent is None:
            continue
        if _is_boilerplate(node) and not _holds_article(node) and node.css_first(_NEVER_INSIDE_BOILERPLATE) is None:
            node.decompose()


def _own_text_len(node: LexborNode) -> int:
    """Characters of text directly inside ``node`` or its inline children, if it has no block children."""
    length = 0
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag not in _INLINE:
            return 0
        if tag == "-text":
            length += _size((child.text_content or "").strip())
        else:
            length += _size((child.text(deep=True) or "").strip())
    return length


def _good_paragraphs(body: LexborNode) -> list[tuple[LexborNode, int]]:
    """Paragraph-like nodes with enough unlinked text, and that text's length."""
    found: list[tuple[LexborNode, int]] = []
    for para in body.css("p, pre, div, td, section, li"):
        tag = para.tag
        if tag in {"p", "pre"}:
            length = _size(_text(para))
            minimum = _MIN_PARAGRAPH
        else:
            length = _own_text_len(para)
            minimum = 2 * _MIN_PARAGRAPH
        if length < minimum:
            continue
        links = _link_chars(para)
        if links / length > (_MAX_LINK_DENSITY_P if tag == "p" else _MAX_LINK_DENSITY):
            continue
        found.append((para, length - links))
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


def _best_container(body: LexborNode) -> LexborNode | None:
    """The element whose good-paragraph text most exceeds its other text (weighted by ``_NOISE``)."""
    good: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for para, weight in _good_paragraphs(body):
        parent = para.parent
        while parent is not None and parent.tag not in {"html", "#document"}:
            key = parent.mem_id
            nodes[key] = parent
            good[key] = good.get(key, 0.0) + weight
            parent = parent.parent
    if not good:
        return None
    best: LexborNode | None = None
    best_score = float("-inf")
    top = max(good.values())
    for key, value in good.items():
        if value < _MIN_SHARE * top:
            continue
        node = nodes[key]
        total = _size(_text(node))
        score = value - _NOISE * max(total - value, 0.0)
        if _is_body_marker(node):
            score *= _MARKER_BOOST
        if score > best_score:
            best, best_score = node, score
    return best


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
    stack = [root]
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == "article" and node.mem_id in cards:
            continue
        if tag in _PARAGRAPHS or (tag in _TEXT_CONTAINERS and node is not root and _own_text_len(node) > 0):
            if tag == "blockquote" and node.css_first("p"):
                pass  # descend: its paragraphs are blocks
            else:
                text = _text(node)
                if _good_block(text, node):
                    out.append(text)
                continue
        elif tag in _SKIP and node is not root:
            if tag in {"ul", "ol"}:
                pass  # lists are kept item by item
            elif tag == "table":
                continue
            else:
                continue
        children = [c for c in node.iter() if c.tag != "-text"]
        stack.extend(reversed(children))


def main_text(tree: LexborHTMLParser) -> list[str]:
    """The paragraphs of the article's main text (possibly empty)."""
    body = tree.body
    if body is None:
        return []
    clean_tree(tree)
    best = _best_container(body)
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
