"""Every worker pool, owned by the event loop and awaited through one async interface.

CPU-bound work (extracting pages, parsing feeds, NER) runs in worker processes
that the daemon's event loop drives over sockets (:class:`WorkerPool`:
``await pool.run(timeout, fn, *args)``, ``await pool.run_all(timeout, calls)``).
Ingest has an extraction pool and a parser pool (:mod:`.ingest`); enrich an
:class:`~newswire.pool.enricher.EnricherPool`, or one enricher on a thread
(:func:`~newswire.pool.enricher.threaded`). No thread runs an event loop.
"""

from newswire.pool._wire import RemoteTraceback
from newswire.pool._workers import WorkerPool
from newswire.pool.ingest import extraction_pool, parse_pool

__all__ = ["RemoteTraceback", "WorkerPool", "extraction_pool", "parse_pool"]
