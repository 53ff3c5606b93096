"""Cleaning: remove from the parsed page what is never article text, before containers are scored.

Scripts, navigation, asides, figures, form controls and hidden nodes go, and so do boxes
whose class or id names boilerplate (share, related, newsletter, ads, ...) unless they
hold several long, mostly unlinked paragraphs (then the name lied), and teaser cards.
Overlays (consent, sign-up) and readers' comments go even when wordy.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.extract._nodes import (
    HEADINGS,
    LONG_PARAGRAPH_LINKS,
    MAX_LINK_DENSITY,
    TOKEN_SPLIT,
    PerBox,
    ancestors,
    children,
    holds_article,
    is_long_paragraph,
    link_chars,
    places,
    siblings,
    text_of,
    text_size,
    text_size_over,
)
from newswire.extract._tidy import THREAD_STAMPS, comments_heading, holds_stamps
from newswire.extract._vocab import BOILERPLATE_TOKENS
from newswire.extract._walk import heads_its_text, signed_children

# Ruby annotations (``<rt>``, ``<rp>``) go too: they are the reading printed above a word
# (Japanese furigana), and left inline they split every annotated word in two. Not where the ruby
# holds ``<rp>``: the page then writes its own plain-text form, the reading in brackets after the
# word ("尹錫悦（ユンソンニョル）"), as readers without ruby see it.
_RUBY = frozenset({"rt", "rp"})
_ALWAYS_DROP = (
    "script, style, noscript, template, svg, iframe, button, select, textarea, input, "
    "canvas, object, embed, map, rt, rp"
)

# Dropped unless they hold real paragraphs (some sites stream the article into hidden
# nodes, or name the article's grid column "sidebar"/"widget").
_USUALLY_DROP = (
    "nav, aside, footer, figure, figcaption, picture, video, audio, dialog, "
    "[hidden], [aria-hidden=true], [role=navigation], [role=complementary], [role=contentinfo], "
    "[style*='display:none'], [style*='display: none']"
)

_FIGURE_TEXT = "table"

# A sign-up or contact box is built around an input asking for the reader's address (an e-mail
# or phone field; old templates type an e-mail field as text and name it so). Its pitch
# ("Be the first to know!", "By signing up, you agree ...") reads as sentences, and the box often
# has no class name the rules read (utility classes only), so the box is found from the field.
_ADDRESS_TYPES = frozenset({"email", "tel"})
_ADDRESS_NAME = "mail"
# Characters of text a box around an address field may hold and still be the sign-up box: its
# pitch, a legal line, a thank-you note; a larger box is the article or the page around it.
_SIGNUP_MAX = 400

# Layout names that only sound like boilerplate: "hidden" that hides something else than the
# box's text (its overflow, a CSS utility; its field label, Drupal's "field--label-hidden"),
# and a page builder's name for every block ("elementor-widget-text-editor"; the rest of
# the name, "-share-buttons", still counts), and a state of the page around the box
# ("has-sidebar", "with-navbar", "no-comments": themes put them on the content column itself).
_LAYOUT_NAMES = re.compile(
    r"(?:overflow|label)[-_]*hidden|elementor-widget|\b(?:has|with|without|no)[-_]+[a-z]+"
)

# Readers' comments are wordy, long paragraphs like the article's, so text amount cannot tell
# them from it: their box goes like an overlay does.
_COMMENT_TOKENS = frozenset({"comment", "comments", "commentlist", "disqus", "respond", "replies"})
# A comment's box named in one word ("commentbody", "commenttext", "commentwrapper"), as old
# templates write the names that newer ones hyphenate ("comment-body"); not "commentary" nor
# "commentator", an opinion article and its writer.
_COMMENT_BOX = re.compile(r"comments?(?!ar|at)[a-z]+$")

# Boxes the site marks as no content (Google's ``nocontent`` class: its "about this blog", recent
# posts) or names a footer (a post's "entry-footer": author bio, disclaimer, reviews; a page footer
# built of <div>s) go even when wordy, as a <footer> element does, as long as they do not wrap the
# headline, the article or most of the page's text.
_FURNITURE_TOKENS = frozenset({"nocontent", "footer"})

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

_CARD_LINK = "h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"

_CARD_MAX = 500

# Characters of unlinked running text before a heading link that make its box a post, not a card.
_CARD_PROSE = 150

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

_NEVER_INSIDE_BOILERPLATE = "main, [itemprop=articleBody], [role=main]"

# An overlay or consent box never wraps the headline; a layout box whose name only sounds
# like one ("dialog-off-canvas-main-canvas") does.
_NEVER_INSIDE_INTERRUPTION = "h1, main, article, [itemprop=articleBody], [role=main]"
# The id or first class of an <article> that is one reader's comment ("comment-12", "div-comment-12",
# "comment-body").
_COMMENT_ARTICLE = re.compile(r"(?:div-)?comment-\d+\b|\s*comment(?:-body)?\b", re.IGNORECASE)


# How far up a class-named node is looked at for the code block it highlights.
_CODE_LEVELS = 4


def _in_code(node: LexborNode) -> bool:
    """Whether a node is a token of a highlighted code block ("hljs-comment", "token comment")."""
    parent = node.parent
    for _ in range(_CODE_LEVELS):
        if parent is None:
            return False
        if parent.tag in {"pre", "code"}:
            return True
        parent = parent.parent
    return False


def _names(classes: str | None, ident: str | None) -> str:
    """Class and id words, lowercased, minus utility classes with variants ("print:hidden")."""
    words = [w for w in (classes or "").split() if ":" not in w and "[" not in w]
    return f"{' '.join(words)} {ident or ''}".lower()


# Headings get an id made of their own words, for links to their section ("#social-media-tips",
# "#comments"): the words are the heading's subject, not the name of a box. A heading named so stays
# (a "Comments" heading kept is where the tidy step ends the article before readers' comments).
_SLUGGED = HEADINGS | {"h1"}
# Inline elements whose words belong to the sentence around them whatever they are named.
_RUNNING_INLINE = frozenset({"span", "a", "em", "strong", "b", "i"})
# Words of its own text an id needs beside a plugin's word to be the heading's anchor.
_SLUG_WORDS = 2


def _slug_of_text(ident: str, node: LexborNode) -> bool:
    """Whether an id is made of words of the node's own text (a section anchor), give or take a
    counter and one word a table-of-contents plugin adds ("nav_nur_die_folie__1", "toc-3-costs")."""
    words = {w for w in TOKEN_SPLIT.split(ident.lower()) if w and not w.isdigit()}
    if not words:
        return False
    own = words & set(TOKEN_SPLIT.split(text_of(node).lower()))
    return own == words or (len(own) >= _SLUG_WORDS and len(words - own) <= 1)


def _kind(node: LexborNode, attrs: dict[str, str | None]) -> int:
    """0: ordinary, 1: class/id names a non-content box (share, related, ads, ...), 2: an interruption
    (consent banner, sign-up dialog) or readers' comments, which go even when wordy, 3: a box named
    as furniture (a footer, ``nocontent``), which goes even when wordy unless it holds most of the
    page's text (then the name is a layout wrapper's: "sticky-footer-push", "has-footer").
    ``attrs`` are the node's attributes, read once by the caller (selectolax builds them per call)."""
    ident = attrs.get("id")
    if ident and node.tag in _SLUGGED and _slug_of_text(ident, node):
        ident = None
    return _kind_of_names(attrs.get("class"), ident)


@functools.lru_cache(maxsize=8192)
def _kind_of_names(classes: str | None, ident: str | None) -> int:
    """:func:`_kind` of a class and id pair (a page repeats the same few pairs many times)."""
    kind = 0
    names = _LAYOUT_NAMES.sub(" ", _names(classes, ident))
    for token in TOKEN_SPLIT.split(names):
        if not token:
            continue
        if token.startswith(_INTERRUPTION_PREFIX) or token in _COMMENT_TOKENS or _COMMENT_BOX.match(token):
            return 2
        if token in _FURNITURE_TOKENS:
            return 3
        if token in _BOILER_EXACT or token.startswith(_BOILER_PREFIX):
            kind = 1
    if kind and not _POST_NAMES.isdisjoint(names.split()):
        # A post's own box: its taxonomy classes ("author-admin", "tag-video") only sound like boilerplate.
        return 0
    return kind


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
    # Each parent's answer to _titles_a_series, per heading tag: asked once, not once per heading
    # (a page of a thousand linked headings would cost a million heading tests).
    series: dict[tuple[int, str], bool] = {}
    boxes = _ShrinkingBoxes(_CARD_MAX)
    for link in body.css(_CARD_LINK):
        href = link.attributes.get("href") or ""
        if href.startswith("#") or link.parent is None or _same_page(href, url) or _off_site(href, url):
            continue
        card = link
        while card.tag not in HEADINGS and card.tag != "a" and card.parent is not None:
            card = card.parent
        parent = card.parent
        while (
            parent is not None
            and parent.tag not in {"body", "main", "html"}
            and not boxes.over(parent)
            and not _prose_before(card)
        ):
            card, parent = parent, parent.parent
        if not holds_article(card) and not (card.tag in HEADINGS and _titles_a_series(card, series)):
            boxes.removing(card)
            card.decompose()


class _ShrinkingBoxes:
    """Whether the boxes a card climbs into hold more than ``limit`` of text (``text_size_over``),
    with each box's text read about once, not once per card under it: a page of thousands of linked
    headings under one box would read that box's whole text thousands of times.

    Only cards are removed meanwhile, so a box's text only shrinks: a box found small stays small,
    and a box found large keeps a floor under its size that each removal below it lowers by the
    most that removal can take (its characters thrice, for CJK, and a space closed up). Its text is
    read again only when that floor no longer clears the limit, so every answer is the one
    ``text_size_over`` would give at that moment."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._small: set[int] = set()
        self._floor: dict[int, int] = {}

    def over(self, box: LexborNode) -> bool:
        key = box.mem_id
        if key in self._small:
            return False
        if self._floor.get(key, 0) > self._limit:
            return True
        raw = box.text(deep=True) or ""
        size = text_size(" ".join(raw.split())) if 3 * len(raw) > self._limit else 0
        if size > self._limit:
            self._floor[key] = size
            return True
        self._floor.pop(key, None)
        self._small.add(key)
        return False

    def removing(self, node: LexborNode) -> None:
        """Lower the floors of the boxes around ``node``, which is about to be removed."""
        taken = 3 * len(node.text(deep=True) or "") + 1
        for box in ancestors(node):
            key = box.mem_id
            if key in self._floor:
                self._floor[key] -= taken


# Sibling headings of one tag, each linked and over its own text, that make a list of titled items.
_TITLED_ITEMS = 3


def _titles_a_series(heading: LexborNode, series: dict[tuple[int, str], bool]) -> bool:
    """Whether a linked heading left alone as a card (its box is larger than a card) is one item's
    title in a series of them: the parent holds ``_TITLED_ITEMS`` or more headings of its tag that
    link and stand over a paragraph of their own (a ranked list of films, each title linking to its
    review; a weekly edition's stories). A promotion inside a story ("Read: <a>other story</a>") is a
    lone heading, and teaser grids give each card its own box. ``series`` holds the answers given
    so far, by parent and tag: the headings removed meanwhile were not titles of a series, so the
    answer stands."""
    parent = heading.parent
    if parent is None:
        return False
    key = (parent.mem_id, heading.tag or "")
    if key not in series:
        series[key] = _holds_titled_items(parent, key[1])
    return series[key]


def _holds_titled_items(parent: LexborNode, tag: str) -> bool:
    titled = 0
    for sibling in parent.iter():
        linked = sibling.tag == tag and sibling.css_first("a[href]") is not None
        if linked and heads_its_text(sibling):
            titled += 1
            if titled >= _TITLED_ITEMS:
                return True
    return False


def _prose_before(card: LexborNode) -> bool:
    """Whether a sibling before a linked heading is running text: a card opens with its heading
    (or a picture, a label, a date), while a short post ends with a linked share or tag line
    after its text, and the post's box is not a card."""
    for node in siblings(card, False):
        if node.tag != "-comment":
            size = text_size(text_of(node))
            if size >= _CARD_PROSE and link_chars(node) <= size * MAX_LINK_DENSITY:
                return True
    return False


# Characters of a figure's quote looked for elsewhere on the page (a pull quote repeats them).
_QUOTE_KEY = 60

# Characters of a kept box's text shown by ``--explain``.
_NOTE_TEXT = 60


def _own_quote(figure: LexborNode, body: LexborNode, page: list[str]) -> bool:
    """Whether a figure holds a quote the page does not show elsewhere (WordPress wraps a quote
    block in <figure>); a pull quote repeats a line of the article and goes with its figure."""
    quote = figure.css_first("blockquote")
    if quote is None:
        return False
    key = text_of(quote)[:_QUOTE_KEY]
    if not key:
        return False
    if not page:
        page.append(text_of(body))
    return page[0].count(key) < 2


def _usually_goes(node: LexborNode) -> bool:
    """Whether a node of ``_USUALLY_DROP`` goes: media always, a ``<footer>`` unless it wraps the
    headline or the article (its long paragraphs are a bio, disclaimers or reviews), the rest
    unless they hold the article's paragraphs."""
    if node.tag in {"figure", "figcaption", "picture", "video", "audio"}:
        return True
    if node.tag == "footer":
        return node.css_first(_NEVER_INSIDE_INTERRUPTION) is None
    return not holds_article(node)


# Boxes whose items may be readers' comments, and the share of items that must open with a posting
# time: a thread of replies is a list of such items, an article is not.
_THREAD_BOX = frozenset({"ol", "ul", "div", "section", "dl", "tbody"})
_THREAD_SHARE = 2 / 3
# Lists whose items may hold the replies to them, and how many of them, nested, are read.
_REPLY_LISTS = frozenset({"ol", "ul", "dl"})
_THREAD_LEVELS = 32


def _is_thread(box: LexborNode) -> bool:
    """Whether a box is a thread of readers' comments that no class names: at least ``THREAD_STAMPS``
    items with text, most of them signed with who wrote it and when ("Jo says: May 4, 2012 at 8:33
    am", "Jo | 5/4/2012 8:33:20 AM", "Jo 6 months ago"; :func:`._walk.signed_children`). Each of a
    box's children is one entry, in a list or in a ``<div>``; empty anchors between the replies are
    not entries."""
    return box.tag in _THREAD_BOX and signed_children(box) is not None and box.css_first("h1") is None


def _is_reply_tree(box: LexborNode) -> bool:
    """Whether a list is a thread of readers' comments told by its shape: at least
    ``THREAD_STAMPS`` items, most of them holding a list of the same kind that is not a list of
    links (the replies to that comment, threaded under it), and no ``<h1>``. An article's list
    nests sub-points in a few items at most; a list of teasers nests more linked titles."""
    if box.tag not in _REPLY_LISTS or box.css_first("h1") is not None:
        return False
    items = [child for child in box.iter() if child.tag in {"li", "dd"}]
    if len(items) < THREAD_STAMPS:
        return False
    replied = 0
    for item in items:
        replies = item.css_first(box.tag)
        # An empty list counts: threaded templates print one under each comment for its replies.
        if replies is not None and 2 * link_chars(replies) <= text_size(text_of(replies)):
            replied += 1
    return replied >= _THREAD_SHARE * len(items) and not _beside_headline(box)


def _beside_headline(box: LexborNode) -> bool:
    """Whether the nearest box around ``box`` with more text than it holds an ``<h1>``: an article
    that is an outline (each point with its sub-points nested under it) sits with its headline,
    a thread of replies in a box of its own after the article."""
    size = text_size(text_of(box))
    outer = box.parent
    while outer is not None and outer.tag not in {"body", "html"}:
        if text_size(text_of(outer)) > size:
            return outer.css_first("h1") is not None
        outer = outer.parent
    return False


def thread_around(node: LexborNode, text: str | None = None) -> LexborNode | None:
    """The comment thread that holds the chosen container, or is it, if any: wordy, a thread can
    outweigh the article it follows. (A thread inside the container is cut where it starts.)
    ``text`` is the container's :func:`text_of` when the caller has read it already."""
    lists = [each for each in (node, *ancestors(node)) if each.tag in _REPLY_LISTS]
    # Each list is read whole: past this many levels the nesting is no thread a reader scrolls
    # through but a page built to be slow, and its lists are left unread.
    if len(lists) <= _THREAD_LEVELS:
        for outer in reversed(lists):
            if _is_reply_tree(outer):
                return outer  # the outermost: the replies are threads of their own
    if not holds_stamps(text_of(node) if text is None else text):
        return None
    box: LexborNode | None = node
    while box is not None and box.tag not in {"body", "html"}:
        if _is_thread(box):
            return box
        box = box.parent
    return None


def _in_running_text(node: LexborNode) -> bool:
    """Whether a named inline element is words of a paragraph's sentence (a dateline span, a
    linked keyword), with more of the paragraph's text around it than in it."""
    parent = node.parent
    if parent is None or parent.tag != "p" or node.tag not in _RUNNING_INLINE:
        return False
    own = text_size(text_of(node))
    return own > 0 and 2 * own < text_size(text_of(parent))


def _wraps_page_part(box: LexborNode) -> bool:
    """Whether a box named as an interruption or as comments wraps what is never inside one: the
    headline, the main region, an article. A reader's comment marked up as an ``<article>``
    (WordPress: ``<li class="comment"><article id="comment-12">``) is no such article."""
    for inner in box.css(_NEVER_INSIDE_INTERRUPTION):
        if inner.tag != "article" or not _COMMENT_ARTICLE.match(
            f"{inner.attributes.get('id') or ''} {inner.attributes.get('class') or ''}"
        ):
            return True
    return False


def _is_paragraph(node: LexborNode) -> bool:
    """Whether a node is a paragraph cleaning keeps: long, mostly unlinked running text (a ``<p>``,
    a box of them, or a ``<br>`` run's text node) in a box no name marks as boilerplate."""
    if node.tag == "-text":
        return is_long_paragraph(text_size(text_of(node)), 0)
    if node.tag in _SLUGGED or node.tag == "-comment" or _kind(node, node.attributes):
        return False
    size = text_size(text_of(node))
    return is_long_paragraph(size, link_chars(node))


def _heading_in_text(heading: LexborNode, around: _ParagraphsAround) -> bool:
    """Whether a heading whose name says boilerplate is a subheading of the article: paragraphs of
    the same parent before and after it, and words of its own rather than a link. Page builders
    name every heading block with words that sound like boilerplate ("kt-adv-heading",
    "widget-title", a live blog's "time" entries), and the article loses its subheadings; a
    "Related posts" or "About the author" heading closes the article, with no paragraph of it
    after, and still goes. ``around`` holds what was read of each parent's children."""
    size = text_size(text_of(heading))
    if not size or link_chars(heading) > LONG_PARAGRAPH_LINKS * size or heading.parent is None:
        return False
    return around.before(heading) and around.after(heading)


class _ParagraphsAround:
    """Whether a paragraph (:func:`_is_paragraph`) stands among the siblings before and after each
    named heading the cleaning asks about, with each sibling read about once per parent, not once
    per heading: a box of thousands of named headings over short lines would read every line
    before and after each heading.

    The cleaning visits the page's nodes in document order and removes only the node it visits, so
    at each heading the siblings after it (and all of their nodes) are as they were when any earlier
    heading of the parent read them, and the siblings before it are as they will stay: a paragraph
    found before one heading stands before the later ones, a run of siblings found without one need
    not be read again, a paragraph found after one heading stands after the later ones before it,
    and none after one heading means none after the later ones. So every answer is the one reading
    the siblings at that moment would give."""

    def __init__(self) -> None:
        self._position = PerBox(lambda parent: places(children(parent)))  # each child's place
        self._found_before: set[int] = set()  # parents with a paragraph before a heading asked about
        self._read_before: dict[int, int] = {}  # per parent, the places before this hold no paragraph
        self._found_after: dict[int, int] = {}  # per parent, the place of a paragraph found after one
        self._none_after: dict[int, int] = {}  # per parent, no paragraph after the child at this place

    def _place(self, node: LexborNode) -> tuple[int, dict[int, int]]:
        """The key of ``node``'s parent (it has one) and its children's places."""
        parent = node.parent
        assert parent is not None
        return parent.mem_id, self._position(parent)

    def before(self, heading: LexborNode) -> bool:
        """Whether a paragraph stands among the siblings before ``heading``."""
        key, where = self._place(heading)
        if key in self._found_before:
            return True
        read = self._read_before.get(key, 0)
        for sibling in siblings(heading, False):
            if where[sibling.mem_id] < read:
                break
            if _is_paragraph(sibling):
                self._found_before.add(key)
                return True
        self._read_before[key] = where[heading.mem_id]
        return False

    def after(self, heading: LexborNode) -> bool:
        """Whether a paragraph stands among the siblings after ``heading``."""
        key, where = self._place(heading)
        here = where[heading.mem_id]
        if self._found_after.get(key, -1) > here:
            return True
        if self._none_after.get(key, len(where)) <= here:
            return False
        for sibling in siblings(heading, True):
            if _is_paragraph(sibling):
                self._found_after[key] = where[sibling.mem_id]
                return True
        self._none_after[key] = here
        return False


def _asks_address(field: LexborNode) -> bool:
    """Whether a form field asks for the reader's e-mail address or phone number."""
    attrs = field.attributes
    kind = (attrs.get("type") or "text").lower()
    if kind in _ADDRESS_TYPES:
        return True
    return kind == "text" and _ADDRESS_NAME in f"{attrs.get('name') or ''} {attrs.get('id') or ''}".lower()


def _drop_signup_boxes(body: LexborNode) -> None:
    """Remove the box around each field asking for the reader's address: the largest ancestor
    that stays short and holds no article (two long paragraphs), and wraps no headline, main
    region or article. The field itself goes with the other form controls anyway; its box's
    pitch and legal lines would stay as text."""
    boxes: dict[int, LexborNode] = {}
    for field in body.css("input"):
        if not _asks_address(field):
            continue
        box = field
        parent = box.parent
        while (
            parent is not None
            and parent.tag not in {"body", "html", "main", "article"}
            and not text_size_over(parent, _SIGNUP_MAX)
            and not holds_article(parent)
        ):
            box, parent = parent, parent.parent
        if box is not field and box.css_first(_NEVER_INSIDE_INTERRUPTION) is None:
            boxes[box.mem_id] = box
    # Decided before any removal: a page with two fields in one box finds that box twice.
    for box in boxes.values():
        if not any(around.mem_id in boxes for around in ancestors(box)):
            box.decompose()


@functools.lru_cache(maxsize=4096)
def _boiler_words(classes: str | None) -> tuple[str, ...]:
    """The class words that name boilerplate on their own ("widget", "c-product-widget")."""
    return tuple(word for word in _names(classes, None).split() if _kind_of_names(word, None) == 1)


# Siblings after a named box looked at for one under the same name that holds the article: the
# blocks of one layout come together, between figures and ad slots.
_LIED_AHEAD = 8


# The boxes named as boilerplate that hold the article, or were kept as blocks beside or inside
# one, by ``mem_id``: the box and the class words that named it so.
_Lying = dict[int, tuple[LexborNode, tuple[str, ...]]]


def _holds(node: LexborNode, held: dict[int, bool]) -> bool:
    """:func:`holds_article` of a named box, read once per cleaning (a box's answer does not change
    while the boxes before it in document order go: they are not its descendants)."""
    key = node.mem_id
    if key not in held:
        held[key] = holds_article(node)
    return held[key]


def _stripped(node: LexborNode, words: tuple[str, ...], beside: bool) -> str:
    """A box's class words with the words of a box whose name lied taken out: beside that box a
    word starting with one of them is cut to the rest ("widget_sow-editor", while "widget-share"
    still says share); inside it only a word longer than one of them and holding it, its parts'
    names ("c-product-widget__name", "panel-widget-style"): a section around the box whose name
    lied says nothing of every block inside it that bears the same name."""
    rest = []
    for word in _names(node.attributes.get("class"), None).split():
        stem = next(
            (w for w in words if (word.startswith(w) if beside else w in word and len(word) > len(w))), None
        )
        rest.append(word if stem is None else word.replace(stem, " "))
    return " ".join(rest)


def _name_lied(node: LexborNode, lying: _Lying, held: dict[int, bool]) -> bool:
    """Whether a named box is one more block of a layout whose name lied: a box beside it (same
    parent) or around it holds the article under the same class words (a page builder's
    "so-panel widget" on every block, a buying guide's "c-product-widget" around each product, one
    of them with two long paragraphs), the box's names say nothing else of boilerplate once those
    words are taken out, and it is mostly running text rather than links (a "widget_recent_entries"
    list beside a "widget" that lied still goes). The boxes around it and before it were judged
    already; the ones after it are judged here."""
    parent = node.parent
    if parent is None:
        return False
    ident = node.attributes.get("id")
    # Blocks of a column named as boilerplate ("sidebar widget-area") are that column's widgets,
    # whichever of them holds a column of prose.
    among = _kind(parent, parent.attributes) == 0
    found = False
    if lying:
        around = {each.mem_id for each in ancestors(node)}
        for box, words in lying.values():
            beside = among and box.parent is not None and box.parent.mem_id == parent.mem_id
            if (beside or box.mem_id in around) and _kind_of_names(
                _stripped(node, words, beside), ident
            ) == 0:
                found = True
                break
    ahead = 0
    sibling = node.next
    while among and not found and sibling is not None and ahead < _LIED_AHEAD:
        if sibling.is_element_node:
            ahead += 1
            words = _boiler_words(sibling.attrs.get("class"))
            if (
                words
                and _kind_of_names(_stripped(node, words, True), ident) == 0
                and _kind(sibling, sibling.attributes) == 1
                and sibling.css_first(_NEVER_INSIDE_BOILERPLATE) is None
                and _holds(sibling, held)
            ):
                lying[sibling.mem_id] = (sibling, words)
                found = True
        sibling = sibling.next
    if not found:
        return False
    size = text_size(text_of(node))
    return size > 0 and link_chars(node) <= MAX_LINK_DENSITY * size


def _note(notes: list[str] | None, why: str, node: LexborNode) -> None:
    if notes is not None:
        notes.append(f"kept {why}: {text_of(node)[:_NOTE_TEXT]!r}")


def _bracketed_reading(node: LexborNode) -> bool:
    """Whether a ruby annotation belongs to a ``<ruby>`` that brackets its reading with ``<rp>``."""
    parent = node.parent
    return parent is not None and parent.tag == "ruby" and parent.css_first("rp") is not None


def clean_tree(
    tree: LexborHTMLParser,
    url: str | None = None,
    notes: list[str] | None = None,
    *,
    spare_named: bool = False,
) -> None:
    """Remove non-content elements in place. ``url`` is the page's own address, if known; ``notes``
    collects, for ``newswire parse --explain``, the boxes kept that a name or tag alone would drop.
    ``spare_named`` keeps the boxes whose class or id names boilerplate (share, related, widget, ...;
    overlays, readers' comments and footers still go), for a second look at a page the first
    cleaning left without an article."""
    body = tree.body
    if body is None:
        return
    _drop_signup_boxes(body)
    for node in body.css(_ALWAYS_DROP):
        if node.tag in _RUBY and _bracketed_reading(node):
            continue
        node.decompose()
    page: list[str] = []  # the page's text, read once when a figure holds a quote
    for node in body.css(_USUALLY_DROP):
        if node.tag == "figure" and node.css_first(_FIGURE_TEXT) is not None:
            continue  # a table the article shows (WordPress wraps tables in <figure>)
        if node.tag == "figure" and _own_quote(node, body, page):
            _note(notes, "a quote the page shows once, in a <figure>", node)
            continue
        if _usually_goes(node):
            node.decompose()
    _drop_cards(body, url)
    page_half: int | None = None  # a furniture-named box holding more is the page's wrapper
    held: dict[int, bool] = {}  # holds_article of the named boxes, read once
    lying: _Lying = {}  # the named boxes that hold the article, judged so far
    around = _ParagraphsAround()  # the paragraphs beside named headings, read once per parent
    for node in body.css("[class], [id]"):
        if node.tag in {"body", "html", "main", "article"} or node.parent is None:
            continue
        attrs = node.attributes
        kind = _kind(node, attrs)
        if (
            notes is not None
            and not kind
            and node.tag in _SLUGGED
            and _kind_of_names(attrs.get("class"), attrs.get("id"))
        ):
            _note(notes, "a heading whose id is its own words (a section anchor)", node)
        if not kind or _in_code(node) or (spare_named and kind == 1):
            continue
        if node.tag in HEADINGS and comments_heading(text_of(node)):
            _note(notes, "a comment section's heading, where tidy ends the article", node)
            continue  # "12 Comments": the tidy step ends the article there, before the thread
        if kind == 1 and node.tag == "p" and "paywall" in (attrs.get("class") or "").casefold():
            # Publishers mark a story's paid paragraphs so: the mark says how the text is sold,
            # not that it is not the article. Paywall prompts are boxes, and still go.
            _note(notes, "a paragraph marked as behind the paywall", node)
            continue
        if kind == 1 and _in_running_text(node):
            continue
        if kind == 1 and node.tag in HEADINGS and _heading_in_text(node, around):
            _note(notes, "a named heading between the article's paragraphs", node)
            continue
        if kind == 2:
            if not _wraps_page_part(node):
                node.decompose()
        elif kind == 3:
            if page_half is None:
                page_half = text_size(text_of(body)) // 2
            if node.css_first(_NEVER_INSIDE_INTERRUPTION) is None and not text_size_over(node, page_half):
                node.decompose()
        elif node.css_first(_NEVER_INSIDE_BOILERPLATE) is None:
            if _holds(node, held):
                words = _boiler_words(attrs.get("class"))
                if words:
                    lying[node.mem_id] = (node, words)
            elif _name_lied(node, lying, held):
                _note(notes, "a box named like a block beside or around it that holds the article", node)
                lying[node.mem_id] = (node, _boiler_words(attrs.get("class")))
            else:
                node.decompose()
