"""``newswire enrich-file FILE``: enrich article events from a JSON-lines file, no Kafka involved."""

from __future__ import annotations

import sys
from collections.abc import Callable

from newswire.config import Settings
from newswire.errors import EnrichError, EventError
from newswire.events import decode_article, encode_event


def enrich_file(settings: Settings, data: bytes, out: Callable[[bytes], None]) -> int:
    """Print one enriched event per article line of ``data``; 1 if any line failed (said on stderr)."""
    from newswire.enrich import Enricher

    lines = [(n, raw) for n, raw in enumerate(data.splitlines(), 1) if raw.strip()]
    enricher = Enricher(entities=settings.enrich.entities, model=settings.enrich.model)
    failed = 0
    batch_size = settings.enrich.batch_size
    for start in range(0, len(lines), batch_size):
        chunk = lines[start : start + batch_size]
        articles = []
        for n, raw in chunk:
            try:
                articles.append(decode_article(raw))
            except EventError as exc:
                failed += 1
                print(f"newswire enrich-file: line {n}: {exc}", file=sys.stderr)
        for result in enricher.enrich_batch(articles):
            if isinstance(result, EnrichError):
                failed += 1
                print(f"newswire enrich-file: {result}", file=sys.stderr)
            else:
                out(encode_event(result))
    return 1 if failed else 0
