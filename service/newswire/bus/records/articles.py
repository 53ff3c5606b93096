"""``articles``: every article event (created, updated, removed), the service's output stream.

Key: the article id, so an article's versions stay in order in one partition.
Value: :class:`~newswire.events.ArticleEvent` as JSON (:mod:`newswire.events`
holds its schema). Headers: CloudEvents, type ``io.newswire.article.<change>``,
id ``<article_id>-v<version>``, time the fetch time, subject the article id.
Each event is also written to ``latest`` (:mod:`.latest`), in the same transaction.
"""

from __future__ import annotations

import logging

from newswire import events
from newswire.bus.limits import fit_article
from newswire.bus.records import latest
from newswire.bus.records._base import CE_TYPE_ARTICLE, Headers, Record, cloudevent_headers, value_room
from newswire.config import Settings
from newswire.events import ArticleEvent
from newswire.observe import metrics as m

log = logging.getLogger(__name__)


def headers(source_id: str, article: ArticleEvent) -> Headers:
    return cloudevent_headers(
        ce_type=CE_TYPE_ARTICLE.format(change=article.change),
        source=source_id,
        subject=article.article_id,
        event_id=f"{article.article_id}-v{article.version}",
        time=article.fetched,
    )


def records(settings: Settings, source_id: str, article: ArticleEvent) -> list[Record]:
    """The article's records for ``articles`` and ``latest``, cut to fit the record size limit.

    One that cannot fit at all is dead-lettered as ``too_large`` when its transaction
    is put together (:class:`~newswire.bus.limits.RecordGuard`).
    """
    key = article.article_id.encode()
    head = headers(source_id, article)
    fitted = fit_article(article, value_room(settings, key, head))
    if fitted is not None and fitted is not article:
        m.ARTICLES_TRUNCATED.inc()
        log.warning(
            "article %s: body of %d characters cut to %d to fit kafka.max_message_bytes",
            article.url,
            len(article.body),
            len(fitted.body),
        )
        article = fitted
    record = Record(settings.topic("articles"), key, events.encode_event(article), head)
    return [record, latest.record(settings, record)]
