"""Which dates a page states: its metadata, ``<time>`` elements, URL, feed hint or visible text."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from selectolax.lexbor import LexborHTMLParser

from newswire.extract import _dates
from newswire.extract._hints import Hints
from newswire.extract._metadata import Metadata, ld_text

_DATE_BEFORE_HEADLINE = 300
_DATE_AFTER_HEADLINE = 1500
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "date.available",
    "article:published",
    "created",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "article:modified",
    "lastmod",
)


def states_published(md: Metadata) -> bool:
    """Whether the page's metadata (meta tags or any JSON-LD object) says when it was published."""
    return bool(md.all(*_PUBLISHED_META)) or any(obj.get("datePublished") for obj in md.ld_objects)


def _declared_offset(values: list[str | None]) -> tzinfo:
    """The offset the page states on any of its dates, applied to its naive ones."""
    for value in values:
        if value and _dates.has_offset(value):
            parsed = _dates.parse_datetime(value)
            if parsed is not None and parsed.tzinfo is not None:
                return parsed.tzinfo
    return UTC


def _first_date(values: list[str | None], tz: tzinfo) -> datetime | None:
    for value in values:
        parsed = _dates.parse_datetime(value, tz)
        if parsed is not None:
            return parsed
    return None


def _text_date(page_text: str, headline: str | None, tz: tzinfo) -> datetime | None:
    """A date written near the headline in the visible text (last resort)."""
    start = page_text.find(headline) if headline else -1
    start = max(start, 0)
    window = page_text[max(start - _DATE_BEFORE_HEADLINE, 0) : start + _DATE_AFTER_HEADLINE]
    return _dates.find_datetime(window, tz)


def dates_of(
    tree: LexborHTMLParser,
    md: Metadata,
    url: str,
    *,
    hints: Hints | None,
    page_text: str,
    headline: str | None,
) -> tuple[str | None, str | None]:
    """The page's published and modified dates (ISO 8601), or None each.

    Published: JSON-LD, then the meta tags, other JSON-LD objects and ``<time>`` elements, the
    URL's date, the feed's hint, and last a date written near the headline. Naive dates take the
    offset the page states on any of its dates.
    """
    article = md.article
    published_raw: list[str | None] = [ld_text(article.get("datePublished")), *md.all(*_PUBLISHED_META)]
    for obj in md.ld_objects:
        if obj is not article and isinstance(obj.get("datePublished"), str):
            published_raw.append(obj["datePublished"])
    times = tree.css("time[datetime]")
    published_raw.extend(t.attributes.get("datetime") for t in times if "pub" in str(t.attributes))
    published_raw.extend(t.attributes.get("datetime") for t in times[:3])
    modified_raw: list[str | None] = [ld_text(article.get("dateModified")), *md.all(*_MODIFIED_META)]
    tz = _declared_offset(published_raw + modified_raw)
    published = _first_date(published_raw, tz) or _dates.url_date(url)
    if published is None and hints is not None:
        published = _dates.parse_datetime(hints.published)
    if published is None:
        published = _text_date(page_text, headline, tz)
    modified = _first_date(modified_raw, tz)
    return (
        _dates.isoformat(published) if published else None,
        _dates.isoformat(modified) if modified else None,
    )
