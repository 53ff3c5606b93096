"""``enriched``: each article event with its entities, metrics and story, from the enrich daemon.

Key: the article id. Value: :class:`~newswire.events.EnrichedEvent` as JSON
(:mod:`newswire.events` holds its schema). Headers: CloudEvents, type
``io.newswire.article.enriched``, id ``<article_id>-<version>-enriched``.
"""

from __future__ import annotations

from newswire import events
from newswire.bus.records._base import CE_TYPE_ENRICHED, Record, cloudevent_headers
from newswire.config import Settings
from newswire.events import ArticleEvent, EnrichedEvent


def record(settings: Settings, source_id: str, article: ArticleEvent, enriched: EnrichedEvent) -> Record:
    headers = cloudevent_headers(
        ce_type=CE_TYPE_ENRICHED,
        source=source_id,
        subject=article.article_id,
        event_id=f"{article.article_id}-{article.version}-enriched",
    )
    return Record(
        settings.topic("enriched"), article.article_id.encode(), events.encode_event(enriched), headers
    )
