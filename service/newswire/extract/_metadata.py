"""Page metadata: JSON-LD, ``<meta>`` (OpenGraph, Twitter, Dublin Core, …) and link tags.

Collects raw values only; choosing between them happens in ``_html.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator
from typing import Any

import orjson
from selectolax.lexbor import LexborHTMLParser

from newswire.extract._text import clean, repair

_ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "SatiricalArticle",
        "Review",
        "WebPage",
        "ItemPage",
        "VideoObject",
        "Blog",
        "LiveBlog",
    )
)
_MAX_JSON = 2_000_000
_KEY_NOISE = re.compile(r"[\s:._-]+")


@dataclasses.dataclass(slots=True)
class Metadata:
    """Raw metadata of one page. ``meta`` keys are name/property/itemprop values, see :func:`meta_key`."""

    meta: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    article: dict[str, Any] = dataclasses.field(default_factory=dict)
    ld_objects: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    canonical: str | None = None
    html_lang: str | None = None

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(meta_key(key), ()):
                if value.strip():
                    return value.strip()
        return None

    def all(self, *keys: str) -> list[str]:
        return [v.strip() for key in keys for v in self.meta.get(meta_key(key), ()) if v.strip()]


# A page's lookups ask for the same few dozen names, and pages name their tags alike: each
# distinct name is folded once.
@functools.lru_cache(maxsize=4096)
def meta_key(name: str) -> str:
    """Meta names compared loosely: "article:published_time" = "article:published:time" = "Published-Time"."""
    return _KEY_NOISE.sub("", name.lower())


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON-LD document (``@graph``, lists, nested ``mainEntity``)."""
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement", "item"):
            if key in node:
                yield from _walk(node[key], depth + 1)


def types_of(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return {kind.lower()}
    if isinstance(kind, list):
        return {k.lower() for k in kind if isinstance(k, str)}
    return set()


def _article_rank(obj: dict[str, Any]) -> int:
    kinds = types_of(obj)
    if not kinds & _ARTICLE_TYPES:
        return 0
    rank = 1
    if kinds & {"webpage", "itempage", "videoobject", "blog", "liveblog"}:
        rank = 0 if "headline" not in obj else 1
    if kinds - {"webpage", "itempage", "videoobject", "blog", "liveblog"}:
        rank += 2
    if "headline" in obj:
        rank += 1
    if "articleBody" in obj:
        rank += 1
    if "datePublished" in obj:
        rank += 1
    return rank


def parse_metadata(tree: LexborHTMLParser) -> Metadata:
    md = Metadata()
    html = tree.css_first("html")
    if html is not None:
        md.html_lang = html.attributes.get("lang") or html.attributes.get("xml:lang")
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = attrs.get(attr)
            if key:
                md.meta.setdefault(meta_key(key), []).append(repair(content))
    for node in tree.css("link[rel]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        href = node.attributes.get("href")
        if "canonical" in rel and href and md.canonical is None:
            md.canonical = href.strip()
    best_rank = 0
    for node in tree.css(
        'script[type="application/ld+json"], script[type="application/ld+json; charset=utf-8"]'
    ):
        raw = node.text(deep=True) or ""
        if not raw.strip() or len(raw) > _MAX_JSON:
            continue
        try:
            doc = orjson.loads(raw.strip().rstrip(";"))
        except orjson.JSONDecodeError:
            try:
                doc = orjson.loads(
                    raw.replace("\n", " ").replace("\r", " ").replace("\t", " ").strip().rstrip(";")
                )
            except orjson.JSONDecodeError:
                continue
        for obj in _walk(doc):
            md.ld_objects.append(obj)
            rank = _article_rank(obj)
            if rank > best_rank:
                best_rank, md.article = rank, obj
    return md


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as one string (first of a list, ``name``/``@value`` of an object)."""
    if isinstance(value, str):
        return clean(value, unescape=True)
    if isinstance(value, list):
        for item in value:
            text = ld_text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        for key in ("name", "@value", "url", "@id"):
            if isinstance(value.get(key), str) and value[key].strip():
                return clean(value[key], unescape=True)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def ld_list(value: Any) -> list[str]:
    """A JSON-LD value as a list of strings (comma-separated strings are split later)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = ld_text(item)
        if text:
            out.append(text)
    return out
