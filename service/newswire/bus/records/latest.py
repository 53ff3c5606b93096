"""``latest`` (compacted): the newest version of every article, for readers that want state, not history.

Key, value and headers are those of the article's record in ``articles``
(:mod:`.articles`); compaction keeps the last one per article id.
"""

from __future__ import annotations

from newswire.bus.records._base import Record
from newswire.config import Settings


def record(settings: Settings, article_record: Record) -> Record:
    return article_record._replace(topic=settings.topic("latest"))
