"""Headline choice and site-name suffix removal.

Titles in ``<title>`` and ``og:title`` usually carry the site name, a section
or a date around the headline ("Headline - Golem.de", "Headline | DW |
28.04.2023"). Segments around common separators are dropped when they look
like the site (its name or domain), the section, a date or a byline. The
headline is the declared title (og:title, JSON-LD) that the page displays as a
heading outside its menus; when it displays none, the ``<h1>`` that rewords a
declared title on a page that is not a dated news story, else the most trusted
non-empty candidate wins.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.extract._text import repair

_SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»«/:]{1,2})\s+|\s*[|·•｜ㅣ：]\s*|(?<=\S)-(?=[^\W\d]{1,12}ㅣ)")
_DATEISH = re.compile(r"^[\d\s./:,-]+$|^\d{1,2}\.?\s+\w+\.?\s+\d{4}$|^\w+\.?\s+\d{1,2},?\s+\d{4}$")
_BYLINE_SEGMENT = re.compile(r"^(?:by|von|par|por|door|di|av|af)\s+\S+(?:\s+\S+){0,3}$", re.IGNORECASE)
_LABEL_WORDS = 2
_LABEL_CHARS = 20
_NON_ALNUM = re.compile(r"[\W_]+")
_WS = re.compile(r"\s+")
_MIN_SHOWN = 8
_HEADINGS = "h1, h2, [itemprop=headline]"
_WORD = re.compile(r"\w+")
# Share of a non-story page's <h1> words a declared title must hold: a rewording of the title,
# not a section or site name ("Contact Us", "Our Blog").
_REWORDING_SHARE = 1 / 3
# ... and at least this many of its words: a blog's or section's name shares one topic word with
# the post's title ("Minecraft News" over "Minecraft 1.8 - The Bountiful Update").
_REWORDING_WORDS = 2
_MAX_HEADINGS = 40
_MAX_MENU_DEPTH = 8
# Quotation marks of the scripts the corpora hold; apostrophes count too, but two wordings of
# one title carry the same apostrophes, so only quotes around a phrase make a difference.
_QUOTE_MARKS = re.compile(r"[\"'\u201c-\u201f\u2018-\u201b\u00ab\u00bb\u2039\u203a\u300c-\u300f]")
_GENERIC_HOST = frozenset({"www", "m", "amp", "mobile", "com", "co", "org", "net", "news", "de", "uk", "at"})


def norm(text: str) -> str:
    """Letters and digits only, case and accents folded: how titles and names are compared."""
    folded = text.casefold()
    if not folded.isascii():
        # ASCII has no decompositions and no combining marks: only other text pays for the
        # per-character pass, which is most of this function's cost on English pages.
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", folded)


def site_keys(url: str, names: list[str | None]) -> set[str]:
    """Normalised strings that identify the site: its names and the labels of its host."""
    keys = {norm(n) for n in names if n and len(norm(n)) >= 2}
    host = urlsplit(url).hostname or ""
    labels = [label for label in host.split(".") if label and label not in _GENERIC_HOST]
    keys.update(norm(label) for label in labels if len(label) >= 2)
    if host:
        keys.add(norm(host.removeprefix("www.")))
    return keys


def section_keys(url: str) -> set[str]:
    """URL path words ("/sport/"): a trailing title segment equal to one is a section name."""
    path = urlsplit(url).path
    return {norm(part) for part in path.split("/")[:-1] if part and len(part) <= 20 and not part.isdigit()}


def _site_like(segment: str, keys: set[str], section: str | None, sections: frozenset[str]) -> bool:
    folded = norm(segment)
    if not folded or folded in sections:
        return True
    if _DATEISH.match(segment.strip()):
        return True
    if section and folded == norm(section):
        return True
    for key in keys:
        if folded == key or (len(key) >= 3 and key in folded and len(folded) <= len(key) + 20):
            return True
        if len(folded) >= 3 and folded in key:
            return True
    return False


def _label_like(segment: str) -> bool:
    return len(segment.split()) <= _LABEL_WORDS and len(segment) <= _LABEL_CHARS


def strip_site(
    title: str, keys: set[str], section: str | None = None, sections: frozenset[str] = frozenset()
) -> str:
    """The title without leading/trailing segments that name the site, section or a date."""
    title = _WS.sub(" ", title).strip()
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    seps = _SEPARATOR.findall(title)
    start, end = 0, len(parts)
    while end - start > 1 and (
        _site_like(parts[end - 1], keys, section, sections) or _BYLINE_SEGMENT.match(parts[end - 1])
    ):
        end -= 1
    if end < len(parts) and end - start > 1 and _label_like(parts[end - 1]):
        end -= 1  # "Headline | Politics | Site": the short segment before the site names its section
    while end - start > 1 and _site_like(parts[start], keys, section, sections):
        start += 1
    if (start, end) == (0, len(parts)):
        return title
    out = parts[start]
    for index in range(start + 1, end):
        out += seps[index - 1] + parts[index]
    return out.strip()


def headings(tree: LexborHTMLParser) -> list[str]:
    """Texts of the page's headings (``<h1>``, ``<h2>``, ``itemprop=headline``) outside menus.

    A breadcrumb or navigation bar often repeats a title as an ``<h1>`` for search engines;
    what it shows is the trail, not the article's headline.
    """
    out: list[str] = []
    for node in tree.css(_HEADINGS)[:_MAX_HEADINGS]:
        if not _in_menu(node):
            out.append(node.text(deep=True))
    return out


def first_h1(tree: LexborHTMLParser) -> str | None:
    """Text of the page's first ``<h1>`` outside menus that shows any text."""
    for node in tree.css("h1")[:_MAX_HEADINGS]:
        text = node.text(deep=True)
        if text.strip() and not _in_menu(node):
            return text
    return None


def _in_menu(node: LexborNode) -> bool:
    parent: LexborNode | None = node
    for _ in range(_MAX_MENU_DEPTH):
        if parent is None or parent.tag in {"body", "article", "main"}:
            return False
        if parent.tag == "nav":
            return True
        marks = f"{parent.attributes.get('class') or ''} {parent.attributes.get('id') or ''}".lower()
        if "breadcrumb" in marks:
            return True
        parent = parent.parent
    return False


def shown_in(title: str, heading: str) -> bool:
    """Whether ``heading`` shows ``title``, alone or after a kicker ("Kicker Title").

    Compared on letters and digits only, so quotes, dashes, a colon after the kicker or a
    missing space between kicker and headline do not matter.
    """
    return _shows(norm(heading), norm(title))


def _shows(heading: str, title: str) -> bool:
    """:func:`shown_in` on normalised texts."""
    if len(title) < _MIN_SHOWN:
        return False
    return heading == title or (heading.endswith(title) and len(title) * 2 >= len(heading))


def choose(
    candidates: list[str | None],
    keys: set[str],
    section: str | None = None,
    sections: frozenset[str] = frozenset(),
    *,
    declared: list[str | None] | None = None,
    page_headings: list[str] | None = None,
    h1: str | None = None,
    story: bool = True,
) -> str | None:
    """The headline: the declared title the page displays, else the first candidate in order of trust.

    All titles are cleaned of site name, section and date first. ``declared`` are the titles
    the page's metadata states (og:title, then the JSON-LD headline);
    the displayed headline is the first of ``page_headings`` that shows one of them, and the
    first declared title it shows wins: og:title is most often the wording the page displays,
    the JSON-LD headline and ``<title>`` an SEO wording of the story. Of two declared titles
    with the same letters, the one without the quotation marks the other sets around a phrase
    wins (the page's quotes are its typography, and where the metadata disagrees on them the
    plain wording is the one both state), else the one written exactly as displayed.

    When no heading shows a declared title, a page that is not a news story (not ``story``: its
    metadata states no publication date, or its JSON-LD calls it a post, guide or page and not a
    news article) gets its first ``<h1>`` outside menus when that rewords a declared title:
    guides, blog posts and landing pages title their metadata for search engines and show
    readers another wording. On dated news stories the development corpora disagree on which
    wording is the headline, so they keep the order of trust, as do pages whose ``<h1>`` names a
    section or the site. Otherwise ``candidates`` decide by order: on the dev corpus the JSON-LD
    headline, then twitter:title and og:title, match the visible headline most often; a majority
    vote did worse because SEO variants of a title agree with each other.
    """
    stated = [(c, norm(c)) for c in (_cleaned(x, keys, section, sections) for x in declared or () if x) if c]
    for heading in page_headings or () if stated else ():
        shown_as = norm(heading)
        shown = next(((c, n) for c, n in stated if _shows(shown_as, n)), None)
        if shown is not None:
            # Of equal wordings, the one without quotation marks another sets around a phrase,
            # then the one written exactly as displayed.
            displayed = _WS.sub(" ", heading).strip()
            equal = [c for c, n in stated if n == shown[1]]
            as_shown = next((c for c in equal if c == displayed), shown[0])
            return min(equal, key=lambda c: (len(_QUOTE_MARKS.findall(c)), c != as_shown))
    if stated and h1 and not story:
        shown_h1 = _cleaned(h1, keys, section, sections)
        if _rewords(shown_h1, [c for c, _ in stated]):
            return shown_h1
    ordered = (_cleaned(x, keys, section, sections) for x in candidates if x)
    return next((c for c in ordered if c), None)


def _rewords(heading: str, titles: list[str]) -> bool:
    """Whether the declared ``titles`` hold two or more and a third of the ``heading``'s words."""
    words = set(_WORD.findall(heading.casefold()))
    stated = {w for title in titles for w in _WORD.findall(title.casefold())}
    return len(words & stated) >= max(_REWORDING_WORDS, _REWORDING_SHARE * len(words))


def _cleaned(candidate: str, keys: set[str], section: str | None, sections: frozenset[str]) -> str:
    if not candidate.strip():
        return ""
    return strip_site(_WS.sub(" ", repair(candidate)).strip(), keys, section, sections)
