"""Which names a page gives as its authors: JSON-LD, meta tags, then bylines.

People win over organisations. A name that is the site itself ("MDR THÜRINGEN" beside the
reporter, "Stuttgarter Zeitung" in a meta tag while JSON-LD credits "dpa") is where templates
put the publisher, so it counts as an organisation: dropped beside a person, and second to the
organisations JSON-LD names. A source that names only the site ends the search: the bylines
after it then mostly credit a video or an agency, not the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser

from newswire.extract import _authors
from newswire.extract._hints import Hints
from newswire.extract._metadata import Metadata
from newswire.extract._title import norm

_AUTHOR_META = (
    "author",
    "twitter:misc:Written by",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "cxenseparse:author",
    "og:article:author",
)
_BYLINE_SELECTOR = (
    "[itemprop=author], [rel=author], .byline, .author, .author-name, .article-author, .story-byline, "
    "[class*=byline], [class*=author-name], [class*=AuthorName], [class*=authors__], "
    "[data-testid*=byline]"
)
# Parts of an author box that show something other than the name.
_NOT_A_NAME = re.compile(r"brand|logo|avatar|image|img|photo|bio|follow|social", re.IGNORECASE)
_WRITTEN_BY = frozenset({"written by", "geschrieben von", "verfasst von", "escrito por", "écrit par"})
_MAX_BYLINES = 10
_MAX_BYLINE_CHARS = 120
_MIN_KEY_INSIDE = 5


def _names_site(name: str, keys: set[str]) -> bool:
    """Whether ``name`` is the site: one of its names or host labels, or a word of it is."""
    whole = norm(name)
    if whole in keys or any(len(k) >= _MIN_KEY_INSIDE and k in whole for k in keys):
        return True
    return any(norm(word) in keys for word in name.split())


def _without_site(name: str, keys: set[str]) -> str:
    """The name without the site's name after it ("Brian Truitt USA TODAY"), when a name is left."""
    words = name.split()
    for cut in range(2, len(words)):
        if norm(" ".join(words[cut:])) in keys:
            return " ".join(words[:cut]).rstrip(" ,-|")
    return name


def _sources(tree: LexborHTMLParser, md: Metadata) -> Iterator[list[str]]:
    """Names from each non-JSON-LD source, most trusted first."""
    # Yoast-style "twitter:label1" = "Written by", "twitter:data1" = the name.
    for n in (1, 2):
        if (md.first(f"twitter:label{n}") or "").lower() in _WRITTEN_BY:
            yield _authors.split_names(md.first(f"twitter:data{n}") or "")
    for key in _AUTHOR_META:
        yield [name for value in md.all(key) for name in _authors.split_names(value)]
    for node in tree.css(_BYLINE_SELECTOR)[:_MAX_BYLINES]:
        if _NOT_A_NAME.search(node.attributes.get("class") or ""):
            continue
        inner = node.css_first("[itemprop=name]")
        text = " ".join((inner or node).text(deep=True, separator=" ").split())
        if text and len(text) <= _MAX_BYLINE_CHARS:
            yield _authors.split_names(text)


def authors_of(
    tree: LexborHTMLParser, md: Metadata, hints: Hints | None, site: str | None, keys: set[str]
) -> list[str]:
    """The page's authors: people from the first source naming one, else organisations."""
    article = md.article
    people, orgs = _authors.ld_people_and_orgs(article.get("author") or article.get("creator"))
    site_key = norm(site) if site else ""
    site_keys = keys | ({site_key} if site_key else set())
    people = [_without_site(p, site_keys) for p in people]
    named_site = [p for p in people if (site_key and site_key in norm(p)) or _names_site(p, site_keys)]
    people = [p for p in people if p not in named_site]
    orgs = orgs + named_site
    if people:
        return people
    others: list[str] = []
    for credited in _sources(tree, md):
        found = [_without_site(n, site_keys) for n in credited]
        persons = [n for n in found if not _names_site(n, site_keys)]
        if persons:
            return _authors.dedupe(persons)
        if found:
            others = found
            break
    if orgs or others:
        return _authors.dedupe(orgs or others)
    if hints is not None:
        return _authors.dedupe([n for h in hints.authors for n in _authors.split_names(h)])
    return []
