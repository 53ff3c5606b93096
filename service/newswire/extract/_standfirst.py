"""The standfirst a page shows under its headline, for the event's ``lead``.

A page's meta description is often an SEO summary the page never shows, while readers see a
different standfirst in the article's header. Templates name that block with a handful of words
in several languages (``standfirst``, ``dek``, ``ingress``, ``chapeau``, ``bajada``, ...); it sits
after the headline and before the body's first paragraph, and is never part of the body.

Two more blocks are standfirsts by where they sit rather than by a standfirst word: the line
after the headline inside its ``<hgroup>`` (HTML's own markup for a heading's subtitle), and a
block named ``teaser`` (German and Dutch templates' word for the standfirst) that follows the
headline with at most a date or byline line between them and holds no link and no heading: a
teaser *card* elsewhere on the page is a link with a headline of its own.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import NamedTuple

from selectolax.lexbor import LexborNode

from newswire.extract._nodes import ancestors, siblings, text_of
from newswire.extract._vocab import BOILERPLATE_TOKENS, NOT_STANDFIRST_TOKENS, SITE_TOKENS, STANDFIRST_TOKENS

STANDFIRST_WORDS = frozenset(STANDFIRST_TOKENS.split())
_NOT_STANDFIRST = frozenset(NOT_STANDFIRST_TOKENS.split())
_SITE = frozenset(SITE_TOKENS.split())
# Boxes around such a block that make it the site's, or another story's: the site's tagline in
# its masthead, a related story's deck, an author's profile. Not "site" or "blog" alone: layout
# wrappers carry them ("site-main", "siteAreaNews").
_NOT_AROUND = frozenset(BOILERPLATE_TOKENS.split()) | frozenset(
    (
        "branding",
        "masthead",
        "tagline",
        "slogan",
        "logo",
        "about",
        "profile",
        "autor",
        "bio",
        "most",
        "viewed",
    )
)
_NOT_AROUND_TAGS = frozenset({"aside", "footer", "nav", "figure", "figcaption"})
_SKIP_TAGS = frozenset({"figure", "figcaption", "picture", "img", "a", "button", "nav", "time", "form"})
_NON_ALNUM = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w+")
_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
# The word a block's names hold when it is a standfirst only by its place right below the
# headline; elsewhere it names a card of another story.
_TEASER = "teaser"
# The nodes worth a look, found by the parser: a class or id holding a stem of a standfirst word.
_STEMS = sorted(
    {w[:4] for w in STANDFIRST_WORDS if len(w) > 4} | {w for w in STANDFIRST_WORDS if len(w) <= 4} | {"sub"}
)
_SELECTOR = ", ".join(f'[class*="{stem}" i], [id*="{stem}" i]' for stem in (*_STEMS, _TEASER))
_MAX_H1 = 20


class Standfirst(NamedTuple):
    """A block that may be the standfirst: its text, and whether only its place right below the
    headline makes it one (an ``<hgroup>`` subtitle, a ``teaser``), not a standfirst word."""

    text: str
    placed: bool
    # The block's twins right after it (same tag and class): a standfirst of several lines.
    rest: tuple[str, ...] = ()


_HEADINGS = "h1, h2, h3, h4, h5, h6"
# Sentence ends a teaser's text closes with (a card's label or a kicker does not).
_SENTENCE_END = tuple('.!?…"“”»«)')
_LEVELS = 5
# The most characters a block placed by position may sit after the headline's text: a date line,
# a byline or the headline repeated, not a paragraph.
_NEAR = 200
_MAX_NODES = 3000
_MIN_CHARS = 40
_MAX_CHARS = 1000
_MIN_WORDS = 6
_PROBE = 60


def _marks(node: LexborNode) -> str:
    attrs = node.attrs
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def _tokens(node: LexborNode, marks: str | None = None) -> list[str]:
    return [t.lower() for t in _SPLIT.split(_marks(node) if marks is None else marks) if t]


def _names_standfirst(tokens: list[str]) -> bool:
    if not tokens or _NOT_STANDFIRST.intersection(tokens) or _SITE.intersection(tokens):
        return False
    if STANDFIRST_WORDS.intersection(tokens):
        return True
    return any(a + b in STANDFIRST_WORDS for a, b in pairwise(tokens))


def _names_teaser(tokens: list[str]) -> bool:
    """A ``teaser``'s names with no other word of a card, caption or masthead among them."""
    others = [t for t in tokens if t != _TEASER]
    if len(others) == len(tokens):
        return False
    return not _NOT_STANDFIRST.intersection(others) and not _SITE.intersection(others)


def _plain_teaser(node: LexborNode, text: str, top: LexborNode) -> bool:
    """Whether a ``teaser`` block reads as the story's own standfirst: sentences with no link
    and no heading in it or around it (a card of another story links and has a headline)."""
    if not text.endswith(_SENTENCE_END) or node.css_first("a") is not None or node.css_first(_HEADINGS):
        return False
    for parent in ancestors(node):
        if parent is top:
            return True
        if parent.tag == "a":
            return False
    return True


def _hgroup_subtitle(h1: LexborNode) -> str | None:
    """The line after ``h1`` in its ``<hgroup>``, the subtitle HTML's own markup names."""
    if h1.parent is None or h1.parent.tag != "hgroup":
        return None
    for node in siblings(h1, True):
        if node.tag in ("p", "h2", "h3", "h4", "h5", "h6"):
            text = text_of(node)
            return text if _reads_as_standfirst(text) and not _SITE.intersection(_tokens(node)) else None
    return None


def _reads_as_standfirst(text: str) -> bool:
    return _MIN_CHARS <= len(text) <= _MAX_CHARS and len(text.split()) >= _MIN_WORDS


def _linked_share(node: LexborNode, chars: int) -> float:
    linked = sum(len(text_of(a)) for a in node.css("a"))
    return linked / chars if chars else 1.0


def _follows(node: LexborNode, around_h1: set[LexborNode]) -> bool:
    """Whether ``node`` comes after the headline in page order: an earlier sibling of it or of one
    of its ancestors is the headline or holds it (``around_h1``: the headline and its ancestors)."""
    return any(
        earlier in around_h1 for probe in (node, *ancestors(node)) for earlier in siblings(probe, False)
    )


def _in_other_box(node: LexborNode, around_h1: set[LexborNode], verdicts: dict[int, bool]) -> bool:
    """Whether a box around ``node`` that does not hold the headline is a caption, a masthead, a
    related list or a profile (the boxes that hold the headline too are the article's own).

    ``verdicts`` keeps the answer for each box passed on the way up, by ``mem_id``, for one page:
    candidates nested in each other share their ancestors, which are then read once, not once per
    candidate below them."""
    passed: list[int] = []
    verdict = False
    for parent in ancestors(node):
        known = verdicts.get(parent.mem_id)
        if known is not None:
            verdict = known
            break
        if parent in around_h1:
            break
        passed.append(parent.mem_id)
        if parent.tag in _NOT_AROUND_TAGS or _NOT_AROUND.intersection(_tokens(parent)):
            verdict = True
            break
    for key in passed:
        verdicts[key] = verdict
    return verdict


def _is_site_name(h1: LexborNode, site_names: list[str | None]) -> bool:
    key = _NON_ALNUM.sub("", (h1.text(deep=True) or "").casefold())
    return bool(key) and any(name and key in _NON_ALNUM.sub("", name.casefold()) for name in site_names)


def _is_headline(h1: LexborNode, title: str | None) -> bool:
    """Whether ``h1`` shows the article's title (not the site's name above a blog post)."""
    words = set(_WORD.findall((h1.text(deep=True) or "").casefold()))
    return bool(words and title) and len(words & set(_WORD.findall(str(title).casefold()))) * 2 >= len(words)


def story_h1(h1s: list[LexborNode], title: str | None, site_names: list[str | None]) -> LexborNode | None:
    """The first ``<h1>`` that shows the article's title and not the site's name: a template may
    put the site's logo in an ``<h1>`` above the story's own."""
    for h1 in h1s[:_MAX_H1]:
        if _is_headline(h1, title) and not _is_site_name(h1, site_names):
            return h1
    return None


def candidates(h1: LexborNode | None) -> list[Standfirst]:
    """The blocks after ``h1``, the story's headline (:func:`story_h1`), that may be its standfirst,
    in page order: its ``<hgroup>`` subtitle, and blocks whose class names a standfirst (or a
    teaser, placed: see :func:`shown_standfirst`).

    A block must read as
    a sentence or two (6+ words, 40-1,000 characters, mostly unlinked) and sit in the article's
    header, not in a caption, masthead, related list or profile. A page with no such headline
    (no ``<h1>`` shows the title, or each shows the site's name) has none.
    """
    if h1 is None:
        return []
    top = h1
    around_h1 = {h1}
    for _ in range(_LEVELS):
        if top.parent is None or top.parent.tag in ("body", "html"):
            break
        top = top.parent
        around_h1.add(top)
    subtitle = _hgroup_subtitle(h1)
    found = [Standfirst(subtitle, True)] if subtitle else []
    after_h1 = False
    verdicts: dict[int, bool] = {}
    for node in top.css(_SELECTOR)[:_MAX_NODES]:
        if not after_h1:
            # Nodes come in page order: those before the headline, or around it, are not its
            # standfirst.
            after_h1 = node not in around_h1 and _follows(node, around_h1)
            if not after_h1:
                continue
        if node.tag in _SKIP_TAGS:
            continue
        tokens = _tokens(node)
        named = _names_standfirst(tokens)
        if not named and not _names_teaser(tokens):
            continue
        text = text_of(node)
        if not _reads_as_standfirst(text) or (not named and not _plain_teaser(node, text, top)):
            continue
        if _in_other_box(node, around_h1, verdicts) or _linked_share(node, len(text)) >= 0.5:
            continue
        found.append(Standfirst(text, not named, _twins_after(node) if named else ()))
    return found


def _twins_after(node: LexborNode) -> tuple[str, ...]:
    """The texts of the elements right after ``node`` with its tag and class, up to the first other
    element: a standfirst written as two or three subtitles (``h2.subtitle`` twice)."""
    marks = node.attrs.get("class")
    if not marks:
        return ()
    texts: list[str] = []
    size = len(text_of(node))
    for sibling in siblings(node, True):
        if sibling.tag == "-comment" or (sibling.tag == "-text" and not (sibling.text_content or "").strip()):
            continue
        if sibling.tag != node.tag or sibling.attrs.get("class") != marks:
            break
        text = text_of(sibling)
        size += len(text)
        if len(text.split()) < _MIN_WORDS or size > _MAX_CHARS or _linked_share(sibling, len(text)) >= 0.5:
            break
        texts.append(text)
    return tuple(texts)


def shown_standfirst(found: list[Standfirst], body: str, page_text: str, headline_text: str) -> str | None:
    """The first of ``found`` that is not part of ``body`` and shows before its first paragraph:
    the lead and the body never share text. A block placed by position must also follow the
    headline's text closely (``_NEAR``): a teaser further down is another story's."""
    first = body.split("\n\n", 1)[0][:_PROBE]
    body_at = page_text.find(first) if first else -1
    for text, placed, rest in found:
        if text[:_PROBE] in body:
            continue
        at = page_text.find(text[:_PROBE])
        if at < 0 or (body_at >= 0 and at > body_at):
            continue
        if placed:
            h1_at = page_text.rfind(headline_text, 0, at) if headline_text else -1
            if h1_at < 0 or at - h1_at - len(headline_text) > _NEAR:
                continue
        kept = []
        for part in rest:
            if part[:_PROBE] in body:
                break
            kept.append(part)
        return " ".join((text, *kept))
    return None
