"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), our own small reader.

Items are read leniently (a bad item is skipped, a bad date is dropped), the
document strictly: it must be a JSON object whose ``version`` names JSON Feed
and whose ``items`` is a list, or it is a :class:`~newswire.errors.SourceError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from newswire.errors import SourceError
from newswire.sources._models import Candidate, FeedResult
from newswire.sources._values import from_w3c, language_tag, plain_text
from newswire.urls import canonicalize

_VERSION_PREFIX = "https://jsonfeed.org/version/1"


def parse_json_feed(content: bytes, url: str) -> FeedResult:
    """Parse a JSON Feed fetched from ``url`` (see :func:`newswire.sources.parse_feed`)."""
    try:
        doc = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"feed {url} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise SourceError(f"feed {url} is JSON but not a JSON Feed (top level is not an object)")
    version = doc.get("version")
    if not isinstance(version, str) or not version.startswith(_VERSION_PREFIX):
        raise SourceError(f"feed {url} is JSON but not a JSON Feed (version is {version!r})")
    items = doc.get("items")
    if not isinstance(items, list):
        raise SourceError(f"feed {url} is a JSON Feed without an items list")
    feed_language = language_tag(doc.get("language"))
    feed_authors = _authors(doc)
    found: dict[str, Candidate] = {}
    for item in items:
        if isinstance(item, dict) and (candidate := _candidate(item, url, feed_language, feed_authors)):
            found.setdefault(candidate.url, candidate)
    return FeedResult(
        candidates=tuple(found.values()),
        ttl_s=None,
        title=plain_text(doc.get("title"), limit=300),
    )


def _authors(obj: Mapping[str, Any]) -> tuple[str, ...]:
    raw = obj.get("authors")  # 1.1
    people = raw if isinstance(raw, list) else [obj.get("author")]  # 1.0
    names = [plain_text(p.get("name"), limit=200) for p in people if isinstance(p, dict)]
    return tuple(dict.fromkeys(n for n in names if n))


def _candidate(
    item: Mapping[str, Any], base: str, feed_language: str | None, feed_authors: tuple[str, ...]
) -> Candidate | None:
    link: str | None = None
    for key in ("url", "external_url", "id"):
        value = item.get(key)
        # An id is often a number or a tag: use it only when it is an absolute http(s) URL.
        if key == "id" and not (isinstance(value, str) and value.strip().lower().startswith("http")):
            continue
        if isinstance(value, str) and value.strip():
            try:
                link = canonicalize(value, base)
            except ValueError:
                continue
            break
    if link is None:
        return None
    summary = (
        plain_text(item.get("summary"))
        or plain_text(item.get("content_text"))
        or plain_text(item.get("content_html"))
    )
    return Candidate(
        url=link,
        source=base,
        title=plain_text(item.get("title"), limit=500),
        published=from_w3c(item.get("date_published")),
        authors=_authors(item) or feed_authors,
        summary=summary,
        lastmod=from_w3c(item.get("date_modified")),
        language=language_tag(item.get("language")) or feed_language,
    )
