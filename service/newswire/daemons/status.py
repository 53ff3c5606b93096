"""``newswire status``: what every source did lately, read back from Kafka.

The discover role records each poll in the compacted ``source-status`` topic;
articles per source in the last hour are counted from the ``articles`` topic,
starting at the offsets of one hour ago.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import orjson

from newswire.bus.tail import read_topic
from newswire.config import Settings


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


async def source_status(settings: Settings) -> list[dict[str, Any]]:
    """One row per source: last poll, last success, articles in the last hour, error rate, next poll."""
    latest: dict[str, dict[str, Any]] = {}
    for value in [r.value for r in await read_topic(settings, settings.topic("source-status"))]:
        doc = orjson.loads(value) if value else {}
        if "source" in doc:  # backfill checkpoints share the topic; backfill summaries are rows
            latest[doc["source"]] = doc
    hour_ago_ms = int((time.time() - 3600) * 1000)
    per_source: Counter[str] = Counter()
    for value in [
        r.value for r in await read_topic(settings, settings.topic("articles"), since_ms=hour_ago_ms)
    ]:
        source = orjson.loads(value).get("source")
        if source:
            per_source[source] += 1
    rows = []
    for key in sorted(latest):
        doc = latest[key]
        polls = doc.get("error_count", 0) + doc.get("success_count", 0)
        rows.append(
            {
                "source": key,
                "kind": doc.get("kind"),
                "last_poll": _iso(doc.get("last_poll")),
                "last_success": _iso(doc.get("last_success")),
                "articles_last_hour": per_source.get(key, 0),
                "error_rate": (doc.get("error_count", 0) / polls) if polls else 0.0,
                "consecutive_failures": doc.get("consecutive_failures", 0),
                "last_error": doc.get("last_error"),
                "next_poll": _iso(doc.get("next_poll")),
            }
        )
    return rows
