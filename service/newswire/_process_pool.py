"""A process pool that is renewed every N jobs, after a crash and when a job is stuck.

Ingest's extraction and parser processes and enrich's NER workers run on it:
CPU-bound work that must not block an event loop, may leak (C parsers, spaCy's
vocabulary) and may die (killed for memory, a crash in C).

Why not ``ProcessPoolExecutor(max_tasks_per_child=N)``: on the CPython versions
newswire runs on (3.11, and 3.12/3.13 before the gh-115634 fix), a worker that
exits at its task limit while work is queued is not replaced. The pool then
deadlocks with no worker left, and the interpreter hangs at exit joining it.
The soak run hit exactly that: ingest stopped for good after 2000 pages and
ignored SIGTERM. So recycling happens one level up: after ``recycle_after``
submissions the whole executor is replaced by a fresh one, and the old one is
shut down without waiting, which lets it finish the work it already has before
its workers exit. Leaks in the workers still cannot grow memory over a long run.

A worker that dies breaks a ``ProcessPoolExecutor`` for good: every later
submit raises ``BrokenProcessPool``. Here the next submit starts a new pool
instead, so a poison input costs the jobs that were in flight with it, not
every job after.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class RenewingPool(Executor):
    """A process pool renewed after ``recycle_after`` submissions (``None``: never) or when broken.

    See the module docstring.
    """

    def __init__(
        self,
        workers: int,
        *,
        recycle_after: int | None,
        mp_context: Any = None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self.workers = workers
        self._recycle_after = recycle_after
        self._context = mp_context
        self._initializer = initializer
        self._initargs = initargs
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        self._submitted = 0
        self._closed = False
        self.renewals = 0  # how many times a fresh pool replaced the previous one

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=self._initializer,
            initargs=self._initargs,
        )

    def _renew(self) -> None:
        # The retired pool runs what it was given, then its workers exit; nobody waits for it here.
        retired, self._pool = self._pool, self._new_pool()
        retired.shutdown(wait=False)
        self._submitted = 0
        self.renewals += 1

    def pids(self) -> set[int]:
        """The current pool's worker processes (started on demand, so empty before the first job)."""
        with self._lock:
            return set((getattr(self._pool, "_processes", None) or {}).keys())

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            if self._recycle_after is not None and self._submitted >= self._recycle_after:
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
