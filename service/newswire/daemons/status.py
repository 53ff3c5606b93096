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
from aiokafka import TopicPartition

from newswire.bus import make_consumer, start_client, translate
from newswire.config import Settings


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


async def _read_all(settings: Settings, topic: str, since_ms: int | None = None) -> list[bytes]:
    consumer = make_consumer(settings, group_id=None)
    await start_client(consumer, settings.kafka.bootstrap_servers, "status reader")
    values: list[bytes] = []
    try:
        with translate(f"reading {topic}", settings.kafka.bootstrap_servers):
            partitions = consumer.partitions_for_topic(topic) or set()
            if not partitions:
                await consumer._client.force_metadata_update()  # topic metadata is fetched lazily
                partitions = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in sorted(partitions)]
            if not tps:
                return []
            consumer.assign(tps)
            ends = await consumer.end_offsets(tps)
            if since_ms is None:
                await consumer.seek_to_beginning(*tps)
            else:
                starts = await consumer.offsets_for_times(dict.fromkeys(tps, since_ms))
                for tp in tps:
                    found = starts.get(tp)
                    consumer.seek(tp, found.offset if found is not None else ends[tp])
            remaining = {tp for tp in tps if await consumer.position(tp) < ends[tp]}
            while remaining:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    values += [r.value for r in records if r.value is not None]
                remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return values


async def source_status(settings: Settings) -> list[dict[str, Any]]:
    """One row per source: last poll, last success, articles in the last hour, error rate, next poll."""
    latest: dict[str, dict[str, Any]] = {}
    for value in await _read_all(settings, settings.topic("source-status")):
        doc = orjson.loads(value)
        latest[doc["source"]] = doc
    hour_ago_ms = int((time.time() - 3600) * 1000)
    per_source: Counter[str] = Counter()
    for value in await _read_all(settings, settings.topic("articles"), since_ms=hour_ago_ms):
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
