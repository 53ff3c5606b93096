"""Ingest's worker pools: pages are extracted in one, sources parsed in another.

Ingest runs two: :func:`extraction_pool` extracts fetched pages, and
:func:`parse_pool` parses the feeds, sitemaps and OPML files the discovery role
fetched. Both kinds of work are CPU-bound and can go pathological on hostile
input (a 2 MB feed keeps feedparser busy for seconds), so neither runs on the
event loop, and both are bounded in time by :meth:`WorkerPool.run`.
"""

from __future__ import annotations

import os

from newswire.pool._workers import WorkerPool

#: Pages (or documents) a worker extracts before a fresh one replaces it.
PAGES_PER_WORKER = 2000


def extraction_pool(workers: int, *, depth: int = WorkerPool.DEPTH) -> WorkerPool:
    """The extraction pool of an ingest process (``workers=0``: one per core), ``depth`` jobs
    queued in each worker."""
    count = workers or os.cpu_count() or 1
    return WorkerPool(count, jobs_per_worker=PAGES_PER_WORKER, initializer=_worker_init, depth=depth)


def parse_pool() -> WorkerPool:
    """The discovery role's one parser process.

    A pool of its own rather than a share of the extraction pool: a feed queued behind
    hundreds of pages would spend its time bound waiting, and a feed that overruns
    kills only this pool, not the pages being extracted beside it.
    """
    return WorkerPool(1, jobs_per_worker=PAGES_PER_WORKER, initializer=_parser_init)


def _parser_init() -> None:
    """Parser workers import the parsers before the first document."""
    import newswire.sources  # noqa: F401 - import cost paid before the first document, not during it


def _worker_init() -> None:
    """Extraction workers load their models before the first page."""
    import newswire.extract  # noqa: F401 - import cost paid before the first page, not during it
