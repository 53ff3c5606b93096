"""A made-up article for the per-URL decision's unit tests: one URL, a title and a two-paragraph body."""

from __future__ import annotations

from typing import Any

from newswire.events import ArticleEvent, article_id_for, content_fingerprint

URL = "https://news.example/2024/06/01/bridge"


def article(
    title: str = "Bridge reopens", body: str = "It reopened.\n\nOn Monday.", **fields: Any
) -> ArticleEvent:
    """The article extracted from ``URL`` with this title and body (``fields`` set the others)."""
    return ArticleEvent(
        article_id=article_id_for(URL),
        url=URL,
        canonical_url=URL,
        title=title,
        body=body,
        fingerprint=content_fingerprint(title, body),
        **{"fetched": "2024-06-01T12:00:00+00:00", **fields},
    )
