"""Read a topic as JSON lines (``newswire tail``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from newswire.bus._errors import translate
from newswire.bus.clients import make_consumer, start_client, stop_quietly
from newswire.config import Settings

log = logging.getLogger(__name__)


async def tail(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = False,
    limit: int | None = None,
    follow: bool = False,
    idle_ms: int = 2000,
) -> AsyncIterator[bytes]:
    """Yield each record's value as one JSON line (read committed, no consumer group).

    Without ``follow`` it stops once no record has arrived for ``idle_ms``.
    Values that are not JSON are wrapped as ``{"raw": ...}`` so the output
    stays one JSON document per line.
    """
    consumer = make_consumer(
        settings, topic, group_id=None, auto_offset_reset="earliest" if from_beginning else "latest"
    )
    await start_client(consumer, settings.kafka.bootstrap_servers, "tail consumer")
    seen = 0
    try:
        while limit is None or seen < limit:
            with translate(f"reading {topic}", settings.kafka.bootstrap_servers):
                batch = await consumer.getmany(timeout_ms=idle_ms)
            if not batch and not follow:
                return
            for records in batch.values():
                for record in records:
                    value = record.value or b""
                    try:
                        orjson.loads(value)
                        yield value
                    except orjson.JSONDecodeError:
                        yield orjson.dumps({"raw": value.decode("utf-8", "replace")})
                    seen += 1
                    if limit is not None and seen >= limit:
                        return
    finally:
        await stop_quietly(consumer)


async def read_topic(
    settings: Settings, topic: str, since_ms: int | None = None
) -> list[ConsumerRecord[Any, Any]]:
    """Every committed record of ``topic`` up to its current end (from ``since_ms`` when given)."""
    return [record async for record in iter_topic(settings, topic, since_ms=since_ms)]


async def iter_topic(
    settings: Settings,
    topic: str,
    *,
    since_ms: int | None = None,
    partitions: list[int] | None = None,
    settled: bool = False,
) -> AsyncIterator[ConsumerRecord[Any, Any]]:
    """Yield the committed records of ``topic`` (or of some of its ``partitions``) from the beginning,
    or from ``since_ms``, up to the end each partition had when reading started.

    With ``settled``, the end is taken only once no transaction is open on those partitions
    (waiting up to the transaction timeout, after which the broker aborts an open one, plus
    5 s): see :func:`settled_ends`. Roles rebuild their state this way.
    """
    consumer = make_consumer(settings, group_id=None)
    await start_client(consumer, settings.kafka.bootstrap_servers, f"reader of {topic}")
    try:
        with translate(f"reading {topic}", settings.kafka.bootstrap_servers):
            if partitions is None:
                partitions = sorted(consumer.partitions_for_topic(topic) or ())
                if not partitions:
                    await consumer._client.force_metadata_update()  # topic metadata is fetched lazily
                    partitions = sorted(consumer.partitions_for_topic(topic) or ())
            tps = [TopicPartition(topic, p) for p in partitions]
            if not tps:
                return
            consumer.assign(tps)
            if settled:
                timeout_s = settings.kafka.transaction_timeout_ms / 1000 + 5
                ends = await settled_ends(settings, consumer, tps, timeout_s)
            else:
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
                for got in batch.values():
                    for record in got:
                        yield record
                remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
    finally:
        await stop_quietly(consumer)


async def settled_ends(
    settings: Settings, reader: AIOKafkaConsumer, tps: list[TopicPartition], timeout_s: float
) -> dict[TopicPartition, int]:
    """The read-committed ends of ``tps`` once they reach the partitions' high watermarks.

    A committed transaction becomes readable only when the broker has written its commit
    markers, which it does after answering the commit. State rebuilt from a compacted topic
    right after a commit (a rebalance that follows one, a reconnect) would otherwise miss
    that transaction's writes, such as a parked URL's marker whose offset it already released.
    A transaction left open by a dead producer is aborted by the broker after its timeout, so
    the wait is bounded; past ``timeout_s`` the rebuild goes on with what is readable, and says so.
    """
    probe = make_consumer(settings, group_id=None, read_committed=False)
    await start_client(probe, settings.kafka.bootstrap_servers, "high-watermark probe")
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            with translate("reading end offsets", settings.kafka.bootstrap_servers):
                high: dict[TopicPartition, int] = await probe.end_offsets(tps)
                stable: dict[TopicPartition, int] = await reader.end_offsets(tps)
            open_txn = [tp for tp in tps if stable[tp] < high[tp]]
            if not open_txn:
                return stable
            if time.monotonic() >= deadline:
                log.warning(
                    "partitions %s still have an open transaction after %.0fs; reading what is committed",
                    sorted(f"{tp.topic}-{tp.partition}" for tp in open_txn),
                    timeout_s,
                )
                return stable
            await asyncio.sleep(0.05)
    finally:
        await stop_quietly(probe)
