"""The enrich daemon: articles topic → entities and metrics → enriched topic, exactly once.

Each batch is one Kafka transaction: the enriched events, the dead letters of
the batch's poison events, and the consumed offsets commit together. A reader
with ``isolation_level=read_committed`` therefore sees each article once in the
enriched topic, even when a process dies mid-batch (its open transaction is
aborted, and the partition's next owner starts again from the last commit).

Scaling is the consumer group's: run N processes with the same
``enrich.group_id`` and the articles topic's partitions spread over them.
A rebalance waits for the batch in flight to commit before giving up its
partitions, so two owners never commit the same offsets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from newswire import events
from newswire.bus import (
    CE_TYPE_DEAD_LETTER,
    CE_TYPE_ENRICHED,
    PartitionTracker,
    cloudevent_headers,
    dead_letter,
    ensure_topics,
    make_consumer,
    make_producer,
    start_client,
    transact,
    translate,
)
from newswire.bus.clients import Record
from newswire.config import Settings
from newswire.daemons._runtime import Connection, Stopper, instance_id, keep_running, watch_readiness
from newswire.errors import BusError, EnrichError, EventError
from newswire.events import ArticleEvent, EnrichedEvent
from newswire.observe import Health
from newswire.observe import metrics as m
from newswire.stories import StoryIndex

log = logging.getLogger(__name__)

STAGE = "enrich"


class BatchEnricher(Protocol):
    def enrich_batch(
        self, articles: Sequence[ArticleEvent], *, now: datetime | None = None
    ) -> list[EnrichedEvent | EnrichError]: ...


def default_enricher(settings: Settings) -> BatchEnricher:
    """One in-process :class:`Enricher`, or a pool of ``enrich.workers`` processes."""
    from newswire.enrich import Enricher, EnricherPool

    e = settings.enrich
    workers = e.workers or len(os.sched_getaffinity(0))
    if workers > 1:
        return EnricherPool(workers, entities=e.entities, model=e.model)
    return Enricher(entities=e.entities, model=e.model)


class EnrichDaemon:
    """Consume article events, enrich them in batches, publish transactionally."""

    def __init__(
        self,
        settings: Settings,
        *,
        enricher: BatchEnricher | None = None,
        enricher_factory: Callable[[Settings], BatchEnricher] = default_enricher,
        stopper: Stopper | None = None,
        health: Health | None = None,
        max_events: int | None = None,
        idle_timeout_s: float | None = None,
    ) -> None:
        self.settings = settings
        self._enricher = enricher
        self._enricher_factory = enricher_factory
        self.stopper = stopper or Stopper()
        self.health = health or Health("enrich")
        self.max_events = max_events
        self.idle_timeout_s = idle_timeout_s
        self.processed = 0
        self._txn_lock = asyncio.Lock()
        self._positions: dict[TopicPartition, int] = {}
        e = settings.enrich
        self._stories = (
            StoryIndex(capacity=e.story_capacity, threshold=e.story_threshold, window_s=e.story_window_s)
            if e.stories
            else None
        )
        self._source = f"/newswire/enrich/{instance_id(settings.enrich.instance_id)}"

    async def run(self) -> int:
        """Run until stopped, ``max_events`` processed or idle for ``idle_timeout_s``; return events done."""
        s = self.settings
        enricher = self._enricher
        if enricher is None:
            enricher = await asyncio.to_thread(self._enricher_factory, s)
        await ensure_topics(s)
        readiness = asyncio.create_task(watch_readiness(s, self.health, self.stopper))
        try:
            await keep_running(
                "enrich", lambda connection: self._run_once(enricher, connection), self.stopper, self.health
            )
        finally:
            readiness.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await readiness
            if self._enricher is None and hasattr(enricher, "close"):
                await asyncio.to_thread(enricher.close)  # our own pool, not one handed in
        log.info("enrich daemon stopped after %d events", self.processed)
        return self.processed

    async def _run_once(self, enricher: BatchEnricher, connection: Connection) -> bool:
        """Connect, consume until done or a Kafka error; True when finished for good."""
        s = self.settings
        tracker = PartitionTracker()
        tracker.on_revoke.append(self._before_revoke)
        consumer = make_consumer(s, group_id=s.enrich.group_id, max_poll_records=s.enrich.batch_size)
        consumer.subscribe([s.topic("articles")], listener=tracker)
        txn_id = f"{s.enrich.group_id}-{instance_id(s.enrich.instance_id)}"
        producer = make_producer(s, transactional_id=txn_id)
        try:
            await start_client(producer, s.kafka.bootstrap_servers, "enrich producer")
            await start_client(consumer, s.kafka.bootstrap_servers, "enrich consumer")
            connection.established()
            log.info("enrich daemon consuming %s as group %s", s.topic("articles"), s.enrich.group_id)
            return await self._loop(consumer, producer, enricher)
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()  # commits nothing: offsets go with transactions
            with contextlib.suppress(Exception):
                await producer.stop()

    async def _before_revoke(self, revoked: set[TopicPartition]) -> None:
        # Hold the rebalance until the batch in flight has committed or aborted.
        async with self._txn_lock:
            pass

    async def _loop(
        self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer, enricher: BatchEnricher
    ) -> bool:
        s = self.settings
        idle_since = time.monotonic()
        while not self.stopper.stopping:
            self.health.tick()
            if self.max_events is not None and self.processed >= self.max_events:
                break
            with translate("consuming articles", s.kafka.bootstrap_servers):
                batch = await consumer.getmany(
                    timeout_ms=s.enrich.batch_timeout_ms, max_records=s.enrich.batch_size
                )
            records = [r for tp_records in batch.values() for r in tp_records]
            self._update_lag(consumer)
            if not records:
                if self.idle_timeout_s is not None and time.monotonic() - idle_since > self.idle_timeout_s:
                    return True
                continue
            idle_since = time.monotonic()
            async with self._txn_lock:
                await self._process(producer, enricher, records)
        return True

    async def _process(
        self,
        producer: AIOKafkaProducer,
        enricher: BatchEnricher,
        records: list[ConsumerRecord[Any, Any]],
    ) -> None:
        s = self.settings
        m.ENRICH_IN.inc(len(records))
        m.ENRICH_BATCH.observe(len(records))
        out: list[Record] = []
        articles: list[tuple[ConsumerRecord[Any, Any], ArticleEvent]] = []
        t0 = time.perf_counter()
        for record in records:
            try:
                articles.append((record, events.decode_article(record.value)))
            except EventError as exc:
                out.append(self._dead_letter(record, exc, "invalid_event"))
        t1 = time.perf_counter()
        m.ENRICH_STAGE_SECONDS.labels("decode").observe(t1 - t0)
        results = await asyncio.to_thread(self._enrich_and_cluster, enricher, [a for _, a in articles])
        t2 = time.perf_counter()
        m.ENRICH_STAGE_SECONDS.labels("enrich").observe(t2 - t1)
        now = datetime.now(UTC)
        enriched_topic = s.topic("enriched")
        for (record, article), result in zip(articles, results, strict=True):
            if isinstance(result, EnrichError):
                out.append(self._dead_letter(record, result, "enrich_failed"))
                continue
            headers = cloudevent_headers(
                ce_type=CE_TYPE_ENRICHED,
                source=self._source,
                subject=article.article_id,
                event_id=f"{article.article_id}-{article.version}-enriched",
            )
            out.append((enriched_topic, article.article_id.encode(), events.encode_event(result), headers))
            with contextlib.suppress(ValueError):
                fetched = datetime.fromisoformat(article.fetched)
                m.ENRICH_LATENCY.observe(max(0.0, (now - fetched).total_seconds()))
        offsets: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
        t3 = time.perf_counter()
        m.ENRICH_STAGE_SECONDS.labels("encode").observe(t3 - t2)
        try:
            await transact(producer, out, offsets, s.enrich.group_id)
        except BusError as exc:
            m.TRANSACTIONS.labels("enrich", "aborted").inc()
            log.warning("enrich transaction failed (%s); reconnecting to redo the batch", exc)
            raise
        m.ENRICH_STAGE_SECONDS.labels("publish").observe(time.perf_counter() - t3)
        m.TRANSACTIONS.labels("enrich", "committed").inc()
        self._positions.update(offsets)
        published = sum(1 for topic, *_ in out if topic == enriched_topic)
        m.ENRICH_OUT.inc(published)
        self.processed += len(records)

    def _enrich_and_cluster(
        self, enricher: BatchEnricher, articles: list[ArticleEvent]
    ) -> list[EnrichedEvent | EnrichError]:
        """Enrich a batch, then put each article in its story (runs in a worker thread)."""
        results = enricher.enrich_batch(articles)
        if self._stories is None:
            return results
        started = time.perf_counter()
        for article, result in zip(articles, results, strict=True):
            if isinstance(result, EnrichedEvent):
                try:
                    seen_at = datetime.fromisoformat(article.fetched).timestamp()
                except ValueError:
                    seen_at = time.time()
                result.story = self._stories.assign(
                    article.article_id, article.body, article.title, seen_at=seen_at
                ).to_event()
        m.ENRICH_STAGE_SECONDS.labels("stories").observe(time.perf_counter() - started)
        return results

    def _dead_letter(self, record: ConsumerRecord[Any, Any], error: Exception, reason: str) -> Record:
        log.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, error)
        m.ENRICH_FAILED.labels(reason).inc()
        m.DEAD_LETTERS.labels(STAGE).inc()
        value = dead_letter(
            stage=STAGE,
            error=error,
            payload=record.value,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            context={"reason": reason},
        )
        headers = cloudevent_headers(ce_type=CE_TYPE_DEAD_LETTER, source=self._source)
        return (self.settings.topic("dead-letters"), record.key, value, headers)

    def _update_lag(self, consumer: AIOKafkaConsumer) -> None:
        group = self.settings.enrich.group_id
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is not None and tp in self._positions:
                m.CONSUMER_LAG.labels(group, tp.topic, str(tp.partition)).set(
                    max(0, high - self._positions[tp])
                )
