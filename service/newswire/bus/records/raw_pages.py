"""``raw-pages``: each published article's page as it was fetched (``ingest.keep_raw``), for replay.

Key: the article id. Value: the page's bytes, untouched. Headers: CloudEvents
(type ``io.newswire.raw_page``, id ``<article_id>-v<version>-raw``) plus
``nw_url`` (the candidate URL), ``nw_final_url`` (after redirects),
``nw_content_type`` and ``nw_source``.
"""

from __future__ import annotations

import dataclasses

from newswire.bus.records._base import CE_TYPE_RAW_PAGE, Headers, Record, cloudevent_headers, header
from newswire.config import Settings
from newswire.events import ArticleEvent


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RawPage:
    """A stored page and where it came from."""

    url: str
    final_url: str
    content_type: str | None
    source: str | None
    content: bytes


def record(settings: Settings, source_id: str, article: ArticleEvent, page: RawPage) -> Record:
    headers = cloudevent_headers(
        ce_type=CE_TYPE_RAW_PAGE,
        source=source_id,
        subject=article.article_id,
        event_id=f"{article.article_id}-v{article.version}-raw",
        time=article.fetched,
    )
    headers += [
        ("nw_url", page.url.encode()),
        ("nw_final_url", page.final_url.encode()),
        ("nw_content_type", (page.content_type or "").encode()),
        ("nw_source", (page.source or "").encode()),
    ]
    return Record(settings.topic("raw-pages"), article.article_id.encode(), page.content, headers)


def decode(value: bytes, headers: Headers) -> RawPage | None:
    """The page a raw-pages record holds, or None when it does not say which URL it is."""
    url = header(headers, "nw_url")
    if not url:
        return None
    return RawPage(
        url=url,
        final_url=header(headers, "nw_final_url") or url,
        content_type=header(headers, "nw_content_type") or None,
        source=header(headers, "nw_source") or None,
        content=value,
    )
