"""The extraction jobs ingest runs in its extraction pool: module-level, so they pickle."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newswire.errors import ExtractError, NotArticleError
from newswire.events import ArticleEvent
from newswire.fetch import page_kind


def extract_page(  # noqa: PLR0917 - a process-pool job: executors pass arguments by position
    content: bytes,
    url: str,
    content_type: str | None,
    hints: dict[str, Any],
    fetched: str,
    source: str | None,
) -> tuple[ArticleEvent, float]:
    """Extract one fetched page; returns the event and the CPU seconds it took.

    Raises ``NotArticleError`` for a bot challenge, consent or login wall, error
    page or paywall teaser (``page_kind``), whether or not extraction found text in it.
    """
    from newswire.extract import Hints, extract_html

    started = time.process_time()
    hints["authors"] = tuple(hints.get("authors") or ())
    try:
        event = extract_html(
            content, url, content_type=content_type, hints=Hints(**hints), fetched=fetched, source=source
        )
    except ExtractError:
        verdict = page_kind(content, body=None)
        if verdict is None:
            raise
        raise NotArticleError(verdict.why, url=url, kind=verdict.kind) from None
    verdict = page_kind(content, body=event.body, free_access=event.free_access)
    if verdict is not None:
        raise NotArticleError(verdict.why, url=url, kind=verdict.kind)
    return event, time.process_time() - started


def extract_file(path: str, url: str) -> tuple[ArticleEvent, float]:
    """Extract one local page or text dump."""
    from newswire.extract import parse_path

    started = time.process_time()
    return parse_path(Path(path), url=url), time.process_time() - started


#: The signature of :func:`extract_page`; a replacement must be a picklable module-level function.
ExtractJob = Callable[
    [bytes, str, "str | None", dict[str, Any], str, "str | None"], tuple[ArticleEvent, float]
]
