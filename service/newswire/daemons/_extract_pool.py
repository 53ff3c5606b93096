"""Ingest's worker processes: a process pool that is renewed every N jobs, after a crash and when stuck.

Ingest runs two: :func:`extraction_pool` extracts fetched pages, and
:func:`parse_pool` parses the feeds, sitemaps and OPML files the discovery role
fetched. Both kinds of work are CPU-bound and can go pathological on hostile
input (a 2 MB feed keeps feedparser busy for seconds), so neither runs on the
event loop, and both are bounded in time by :meth:`RenewingPool.run`.

Why not ``ProcessPoolExecutor(max_tasks_per_child=N)``: on the CPython versions
newswire runs on (3.11, and 3.12/3.13 before the gh-115634 fix), a worker that
exits at its task limit while work is queued is not replaced. The pool then
deadlocks with no worker left, and the interpreter hangs at exit joining it.
The soak run hit exactly that: ingest stopped for good after 2000 pages and
ignored SIGTERM. So recycling happens one level up: after ``recycle_after``
submissions the whole executor is replaced by a fresh one, and the old one is
shut down without waiting, which lets it finish the work it already has before
its workers exit. Parser leaks still cannot grow memory over a long run.

A worker that dies (killed for memory, a crash in a C parser) breaks a
``ProcessPoolExecutor`` for good: every later submit raises
``BrokenProcessPool``. Here the next submit starts a new pool instead, so a
poison page costs the pages that were in flight with it, not every page after.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Pages per worker before its pool is renewed.
PAGES_PER_WORKER = 2000


class RenewingPool(Executor):
    """A process pool renewed after ``recycle_after`` submissions or when broken; see the module docstring."""

    def __init__(
        self,
        workers: int,
        *,
        recycle_after: int,
        mp_context: Any = None,
        initializer: Callable[[], object] | None = None,
    ) -> None:
        self.workers = workers
        self._recycle_after = recycle_after
        self._context = mp_context
        self._initializer = initializer
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        self._submitted = 0
        self._closed = False
        self.renewals = 0  # how many times a fresh pool replaced the previous one

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._context, initializer=self._initializer
        )

    def _renew(self) -> None:
        # The retired pool runs what it was given, then its workers exit; nobody waits for it here.
        retired, self._pool = self._pool, self._new_pool()
        retired.shutdown(wait=False)
        self._submitted = 0
        self.renewals += 1

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            if self._submitted >= self._recycle_after:
                self._renew()
            try:
                future = self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:  # a worker died: its pool is unusable, start over
                self._renew()
                future = self._pool.submit(fn, *args, **kwargs)
            self._submitted += 1
            return future

    def _kill(self, stuck: ProcessPoolExecutor) -> None:
        """Replace ``stuck`` (if still current) and kill its workers: a job in it never returns."""
        processes = list((getattr(stuck, "_processes", None) or {}).values())  # shutdown forgets them
        with self._lock:
            if self._pool is stuck:
                self._renew()
        for process in processes:
            with contextlib.suppress(OSError):
                process.kill()

    async def run(self, timeout_s: float, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args)`` in a worker, within ``timeout_s`` seconds.

        A job that takes longer (a page that makes a C parser go quadratic: the fuzz
        run's 200,000 nested ``<div>``) cannot be interrupted inside the worker, so its
        pool is replaced and its workers killed, and ``TimeoutError`` is raised. Jobs
        that were running beside it in the killed pool are run again once in the new
        pool instead of failing with it.
        """
        for attempt in (1, 2):
            with self._lock:
                pool = self._pool
            future = self.submit(fn, *args, **kwargs)
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), timeout_s)
            except TimeoutError:
                self._kill(pool)
                raise
            except BrokenProcessPool:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            pool = self._pool
        pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def extraction_pool(workers: int) -> RenewingPool:
    """The extraction pool of an ingest process (``workers=0``: one per core)."""
    count = workers or os.cpu_count() or 1
    return RenewingPool(
        count,
        recycle_after=PAGES_PER_WORKER * count,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_worker_init,
    )


def parse_pool() -> RenewingPool:
    """The discovery role's one parser process.

    A pool of its own rather than a share of the extraction pool: a feed queued behind
    hundreds of pages would spend its time bound waiting, and a feed that overruns
    kills only this pool, not the pages being extracted beside it.
    """
    return RenewingPool(
        1,
        recycle_after=PAGES_PER_WORKER,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_parser_init,
    )


def _parser_init() -> None:
    """Parser workers leave Ctrl-C to the daemon and import the parsers before the first document."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import newswire.sources  # noqa: F401 - import cost paid before the first document, not during it


def _worker_init() -> None:
    """Extraction workers leave Ctrl-C to the daemon (it shuts the pool down) and load their models now."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import newswire.extract  # noqa: F401 - import cost paid before the first page, not during it
