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

Batches are pipelined, two deep: while batch N is put into stories, encoded
and committed, batch N+1 is already being enriched (in the enricher's worker
processes, or a thread). Enrichment is pure, so starting early commits nothing:
a batch fetched before a rebalance is dropped unpublished (its partitions'
next owner, maybe this process, consumes it again from the committed offsets),
and one in flight at a Kafka error or a crash is redone the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from newswire import events
from newswire.bus import ensure_topics
from newswire.bus.admin import warn_about_mismatches
from newswire.bus.limits import record_budget
from newswire.bus.records import Record, dead_letters, enriched
from newswire.bus.runner import Consumed, Partition, RoleSpec, Runner, Session
from newswire.config import Settings
from newswire.daemons._runtime import Stopper, instance_id, watch_readiness
from newswire.errors import EnrichError, EventError
from newswire.events import ArticleEvent, EnrichedEvent
from newswire.observe import Health
from newswire.observe import metrics as m
from newswire.pool.enricher import AsyncEnricher, BatchEnricher, EnricherPool, Results, as_async, threaded
from newswire.stories import StoryIndex

log = logging.getLogger(__name__)

STAGE = "enrich"


async def default_enricher(settings: Settings) -> AsyncEnricher:
    """A pool of ``enrich.workers`` processes, or one in-process :class:`Enricher` on a thread."""
    e = settings.enrich
    workers = e.workers or len(os.sched_getaffinity(0))
    if workers > 1:
        return await EnricherPool(workers, entities=e.entities, model=e.model).start()
    from newswire.enrich import Enricher

    return threaded(await asyncio.to_thread(Enricher, entities=e.entities, model=e.model))


@dataclasses.dataclass(slots=True)
class _Batch:
    """Records fetched together, their decoded articles, and their enrichment under way."""

    records: list[Consumed]
    articles: list[tuple[Consumed, ArticleEvent]]
    dead: list[Record]  # dead letters of events that did not decode
    results: asyncio.Task[Results]
    generation: int  # EnrichDaemon._generation when fetched


class EnrichDaemon:
    """Consume article events, enrich them in batches, publish transactionally."""

    def __init__(
        self,
        settings: Settings,
        *,
        enricher: BatchEnricher | AsyncEnricher | None = None,
        enricher_factory: Callable[[Settings], Awaitable[AsyncEnricher]] = default_enricher,
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
        self._generation = 0  # bumped when partitions are revoked: older unpublished batches are void
        self._pending: _Batch | None = None  # being enriched, not yet published
        self._enricher_in_use: AsyncEnricher | None = None
        e = settings.enrich
        self._stories = (
            StoryIndex(capacity=e.story_capacity, threshold=e.story_threshold, window_s=e.story_window_s)
            if e.stories
            else None
        )
        ident = instance_id(settings.enrich.instance_id)
        self._source = f"/newswire/enrich/{ident}"
        self._budget = record_budget(settings)
        self.spec = RoleSpec(
            name="enrich",
            stage=STAGE,
            topic=settings.topic("articles"),
            group_id=e.group_id,
            source_id=self._source,
            transactional_id=f"{e.group_id}-{ident}",
            max_poll_records=e.batch_size,
        )

    async def run(self) -> int:
        """Run until stopped, ``max_events`` processed or idle for ``idle_timeout_s``; return events done."""
        s = self.settings
        own = self._enricher is None
        enricher = await self._enricher_factory(s) if self._enricher is None else as_async(self._enricher)
        await ensure_topics(s)
        await warn_about_mismatches(s)
        readiness = asyncio.create_task(watch_readiness(s, self.health, self.stopper))
        self._enricher_in_use = enricher
        log.info("enrich daemon consuming %s as group %s", s.topic("articles"), s.enrich.group_id)
        try:
            await Runner(s, self, stopper=self.stopper, health=self.health).run()
        finally:
            readiness.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await readiness
            if own:
                await enricher.close()  # our own pool, not one handed in
        log.info("enrich daemon stopped after %d events", self.processed)
        return self.processed

    async def assigned(self, session: Session, partitions: set[Partition]) -> None:
        """Nothing to rebuild: the story index is this process's own."""

    async def revoked(self, session: Session, partitions: set[Partition]) -> None:
        # The runner holds the rebalance until the batch being committed has committed or
        # aborted; a batch still being enriched is void (see the module docstring).
        self._generation += 1

    async def step(self, session: Session) -> bool:
        s = self.settings
        assert self._enricher_in_use is not None
        if self.max_events is not None and self.processed >= self.max_events:
            return False
        pending = self._pending
        if pending is not None:
            await pending.results  # one batch in the enricher at a time
        batch = await session.poll(
            timeout_ms=s.enrich.batch_timeout_ms if pending is None else 0, max_records=s.enrich.batch_size
        )
        records = [r for tp_records in batch.values() for r in tp_records]
        started = self._start(self._enricher_in_use, records) if records else None
        if pending is not None:
            await self._finish(session, pending)
        self._pending = started
        if records:
            session.active()
            return True
        return not (self._pending is None and await session.idle(self.idle_timeout_s))

    async def finish(self, session: Session) -> None:
        if self._pending is not None:  # stopping: publish what is already enriched
            pending, self._pending = self._pending, None
            await self._finish(session, pending)

    async def close(self) -> None:
        if self._pending is not None:  # a Kafka error: the batch is redone from the committed offsets
            pending, self._pending = self._pending, None
            with contextlib.suppress(Exception):
                await pending.results

    def _start(self, enricher: AsyncEnricher, records: list[Consumed]) -> _Batch:
        """Decode a batch and start enriching it in the background."""
        m.ENRICH_IN.inc(len(records))
        m.ENRICH_BATCH.observe(len(records))
        t0 = time.perf_counter()
        dead: list[Record] = []
        articles: list[tuple[Consumed, ArticleEvent]] = []
        for record in records:
            size = len(record.value or b"")
            if size > self._budget:
                # Its enriched event holds the whole article, so it could never be written.
                m.RECORDS_REJECTED.labels(STAGE, "too_large").inc()
                error = f"{size} bytes, over the limit of {self._budget} (kafka.max_message_bytes)"
                dead.append(self._dead_letter(record, error, "too_large"))
                continue
            try:
                articles.append((record, events.decode_article(record.value)))
            except EventError as exc:
                dead.append(self._dead_letter(record, exc, "invalid_event"))
        m.ENRICH_STAGE_SECONDS.labels("decode").observe(time.perf_counter() - t0)
        work = self._enrich(enricher, [a for _, a in articles])
        return _Batch(records, articles, dead, asyncio.create_task(work), self._generation)

    async def _finish(self, session: Session, batch: _Batch) -> None:
        """Wait for a batch's enrichment, put it into stories and publish it in one transaction."""
        results = await batch.results
        async with session.lock:
            if batch.generation != self._generation:
                log.info(
                    "dropping a batch of %d fetched before a rebalance; it is consumed again",
                    len(batch.records),
                )
                return
            await self._publish(session, batch, results)

    async def _publish(
        self, session: Session, batch: _Batch, results: list[EnrichedEvent | EnrichError]
    ) -> None:
        s = self.settings
        await asyncio.to_thread(self._cluster, [a for _, a in batch.articles], results)
        t2 = time.perf_counter()
        out: list[Record] = list(batch.dead)
        now = datetime.now(UTC)
        enriched_topic = s.topic("enriched")
        for (record, article), result in zip(batch.articles, results, strict=True):
            if isinstance(result, EnrichError):
                out.append(self._dead_letter(record, result, "enrich_failed"))
                continue
            out.append(enriched.record(s, self._source, article, result))
            with contextlib.suppress(ValueError):
                fetched = datetime.fromisoformat(article.fetched)
                m.ENRICH_LATENCY.observe(max(0.0, (now - fetched).total_seconds()))
        offsets: dict[Partition, int] = {}
        starts: dict[Partition, int] = {}
        for record in batch.records:
            tp = Partition(record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
            starts[tp] = min(starts.get(tp, record.offset), record.offset)
        t3 = time.perf_counter()
        m.ENRICH_STAGE_SECONDS.labels("encode").observe(t3 - t2)
        await session.commit(out, offsets, starts=starts)
        m.ENRICH_STAGE_SECONDS.labels("publish").observe(time.perf_counter() - t3)
        published = sum(1 for r in out if r.topic == enriched_topic)
        m.ENRICH_OUT.inc(published)
        self.processed += len(batch.records)

    @staticmethod
    async def _enrich(enricher: AsyncEnricher, articles: list[ArticleEvent]) -> Results:
        """Enrich a batch (in the enricher's worker processes, or its thread)."""
        started = time.perf_counter()
        results = await enricher.enrich_async(articles)
        m.ENRICH_STAGE_SECONDS.labels("enrich").observe(time.perf_counter() - started)
        return results

    def _cluster(self, articles: list[ArticleEvent], results: list[EnrichedEvent | EnrichError]) -> None:
        """Put each enriched article in its story, in batch order (runs in a worker thread)."""
        if self._stories is None:
            return
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

    def _dead_letter(self, record: Consumed, error: Exception | str, reason: str) -> Record:
        log.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, error)
        m.ENRICH_FAILED.labels(reason).inc()
        origin = dead_letters.Origin(record.topic, record.partition, record.offset, record.key)
        return dead_letters.letter(
            self.settings,
            stage=STAGE,
            source_id=self._source,
            error=error,
            reason=reason,
            payload=record.value,
            origin=origin,
            key=record.key,
        )
