"""Worker processes driven from the event loop over sockets; renewed every N jobs, after a crash, when stuck.

Ingest's extraction and parser processes and enrich's NER workers run on it:
CPU-bound work that must not block an event loop, may leak (C parsers, spaCy's
vocabulary) and may die (killed for memory, a crash in C).

Each worker is a ``forkserver`` process with one end of a socket pair
(:mod:`newswire.pool._wire`). The event loop reads and writes the sockets itself
(``loop.sock_sendall``/``sock_recv_into``), and keeps a second job queued in
each worker's socket, so a worker goes from one job to the next without
waiting for a busy event loop to send it more. A job's time limit starts when
the job before it has replied.

Why not :class:`concurrent.futures.ProcessPoolExecutor` (measurements in
``docs/worker-pool.md``): every job would cross two helper threads and a wake-up
pipe per direction; a worker that exits at ``max_tasks_per_child`` while work is
queued is not replaced on the CPython versions newswire runs on (3.11, and
3.12/3.13 before gh-115634), so the pool deadlocks; and a worker that dies
breaks the executor for good. Here each worker is retired after
``jobs_per_worker`` jobs and replaced when next needed; a death costs the one
job running in that worker (:class:`BrokenProcessPool`; :meth:`WorkerPool.run`
tries it once more in a fresh worker, and the job queued behind it goes
elsewhere); a job past its time limit kills only its own worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from newswire.pool._wire import (
    HEADER_SIZE,
    MAX_REPLY_BYTES,
    Call,
    Job,
    RemoteTraceback,
    Requeue,
    Worker,
    frame,
    receive,
    reply_size,
    retrieved,
    start_worker,
)

T = TypeVar("T")

#: Replies larger than this are unpickled off the event loop.
OFF_LOOP_BYTES = 256 * 1024


class WorkerPool:
    """``workers`` worker processes, used from one event loop; see the module docstring.

    Jobs are module-level functions and picklable arguments. :meth:`run` runs one
    job and keeps up to ``depth`` (default :data:`DEPTH`) jobs queued in each worker, so a worker starts
    its next job as soon as it has sent a reply, not when the event loop gets round
    to sending more. :meth:`run_all` runs one job per worker side by side (enrich
    splits a batch over its workers). A pool serves one of the two.
    """

    #: Jobs queued in one worker at a time (by :meth:`run`).
    DEPTH = 2

    def __init__(
        self,
        workers: int,
        *,
        jobs_per_worker: int | None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        depth: int = DEPTH,
    ) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.workers = workers
        self.depth = depth
        self._jobs_per_worker = jobs_per_worker  # then the worker is replaced (None: never)
        self._initializer = initializer
        self._initargs = initargs
        self._context = multiprocessing.get_context("forkserver")
        self._all: set[Worker] = set()  # started and not ended
        self._starting = 0
        self._slots: asyncio.Semaphore | None = None
        self._room: asyncio.Event | None = None
        self._drains: set[asyncio.Task[None]] = set()
        self._ended: list[Any] = []  # processes to release once they have exited
        self._closed = False
        self.renewals = 0  # workers replaced: retired after their share of jobs, died, or killed when stuck

    def pids(self) -> set[int]:
        """The worker processes (started on demand, so empty before the first job)."""
        return {worker.process.pid for worker in self._all}

    async def run(self, timeout_s: float | None, fn: Callable[..., T], /, *args: Any) -> T:
        """``fn(*args)`` in a worker, within ``timeout_s`` seconds of starting (None: no limit).

        A job that takes longer (a page that makes a C parser go quadratic: the fuzz
        run's 200,000 nested ``<div>``) cannot be interrupted inside the worker, so the
        worker is killed and ``TimeoutError`` raised; jobs queued behind it go to
        other workers. A job whose worker died while running it is run once more in a
        fresh worker; if that one dies too, :class:`BrokenProcessPool`.
        """
        payload = frame(fn, args)
        if self._slots is None or self._room is None:
            self._slots = asyncio.Semaphore(self.workers * self.depth)
            self._room = asyncio.Event()
        async with self._slots:
            attempts = 0
            while True:
                worker = await self._choose()
                try:
                    return await self._call(worker, timeout_s, fn, payload)
                except Requeue:
                    continue
                except BrokenProcessPool:
                    attempts += 1
                    if attempts == 2:
                        raise

    async def _choose(self) -> Worker:
        """The worker with the fewest queued jobs, a fresh one if all are busy and there is room."""
        assert self._room is not None
        while True:
            if self._closed:
                raise _shut_down()
            open_ = [w for w in self._all if not w.retiring and len(w.queue) < self.depth]
            best = min(open_, key=lambda w: len(w.queue), default=None)
            live = sum(1 for w in self._all if not w.retiring) + self._starting
            if (best is None or best.queue) and live < self.workers:
                self._starting += 1
                try:
                    return await self._fresh()
                finally:
                    self._starting -= 1
                    self._wake_choosers()
            if best is not None:
                return best
            await self._room.wait()

    async def run_all(self, timeout_s: float | None, calls: Sequence[Call[T]]) -> list[T]:
        """Run ``calls`` (at most one per worker) at once and wait for all of them.

        The first failure is raised once every call has ended; a worker that died
        gives :class:`BrokenProcessPool` (the caller may try again: fresh workers
        take the dead ones' places).
        """
        if len(calls) > self.workers:
            raise ValueError(f"{len(calls)} calls for {self.workers} workers")
        if self._slots is not None:
            raise RuntimeError("run_all on a pool that coroutines use through run()")
        idle = [w for w in self._all if not w.queue and not w.retiring][: len(calls)]
        started = await asyncio.gather(
            *(self._fresh() for _ in range(len(calls) - len(idle))), return_exceptions=True
        )
        workers = idle + [w for w in started if isinstance(w, Worker)]
        if len(workers) < len(calls):
            raise next(e for e in started if isinstance(e, BaseException))
        pairs = list(zip(workers, calls, strict=True))
        frames = await asyncio.gather(*(asyncio.to_thread(frame, fn, args) for _, (fn, args) in pairs))
        jobs = [
            self._call(worker, timeout_s, fn, payload)
            for (worker, (fn, _)), payload in zip(pairs, frames, strict=True)
        ]
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Requeue):
                raise BrokenProcessPool("a worker process was gone before its job reached it")
            if isinstance(outcome, BaseException):
                raise outcome
        return list(outcomes)  # type: ignore[arg-type]

    async def _call(self, worker: Worker, timeout_s: float | None, fn: Callable[..., T], payload: bytes) -> T:
        """Queue ``payload`` in ``worker``, wait for the replies before it, then read its own."""
        loop = asyncio.get_running_loop()
        job = Job(loop.create_future() if worker.queue else None, timeout_s)
        worker.queue.append(job)
        worker.jobs += 1
        if self._jobs_per_worker is not None and worker.jobs >= self._jobs_per_worker:
            worker.retiring = True
        worker.users += 1
        try:
            # The send goes on if this caller is cancelled: a frame cut short would corrupt
            # the stream under the job running in the worker.
            sending = loop.create_task(self._send(worker, payload))
            sending.add_done_callback(retrieved)
            try:
                await asyncio.shield(sending)
                if job.turn is not None:
                    await job.turn
            except asyncio.CancelledError:
                self._abandon(worker, job)
                raise
            reply = await self._read(worker, job, fn)
        finally:
            worker.users -= 1
            worker.release()
        if reply[0]:
            return reply[1]  # type: ignore[no-any-return]
        failure: BaseException = reply[1]
        failure.__cause__ = RemoteTraceback(reply[2])
        raise failure

    async def _send(self, worker: Worker, payload: bytes) -> None:
        worker.users += 1
        try:
            async with worker.sending:
                await asyncio.get_running_loop().sock_sendall(worker.sock, payload)
        except OSError:  # the worker is gone: this job never reached it
            self._fail(worker)
            raise Requeue from None
        finally:
            worker.users -= 1
            worker.release()

    async def _read(self, worker: Worker, job: Job, fn: Any) -> Any:
        """Read the head job's reply within its time limit; then hand the turn to the next job."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(job.timeout_s):
                size = reply_size(await receive(loop, worker.sock, HEADER_SIZE))
                if size > MAX_REPLY_BYTES:
                    raise EOFError(f"the worker's reply header is corrupt ({size} bytes announced)")
                data = await receive(loop, worker.sock, size)
        except TimeoutError:
            self._fail(worker)
            raise
        except (EOFError, OSError) as exc:
            self._fail(worker)
            raise self._died(worker, fn, exc) from None
        except BaseException:  # cancelled mid-reply: the rest of it would reach the next job
            self._fail(worker)
            raise
        if worker.queue and worker.queue[0] is job:  # not if the worker failed meanwhile
            worker.queue.popleft()
            self._advance(worker)
        # A reply that does not unpickle leaves the stream intact. A big one (an enriched batch)
        # is unpickled on a worker thread, so the loop goes on serving Kafka meanwhile.
        if len(data) > OFF_LOOP_BYTES:
            return await asyncio.to_thread(pickle.loads, data)
        return pickle.loads(data)

    def _advance(self, worker: Worker) -> None:
        """Give the next queued job its turn (or drop an abandoned one's reply); retire an emptied worker."""
        self._wake_choosers()
        if not worker.queue:
            if worker.retiring or self._closed:
                self._end(worker, kill=False)
            return
        head = worker.queue[0]
        if head.abandoned:
            self._drain(worker, head)
        elif head.turn is not None and not head.turn.done():
            head.turn.set_result(None)

    def _wake_choosers(self) -> None:
        """A worker has room, started or ended: callers waiting in :meth:`_choose` look again."""
        if self._room is not None:
            self._room.set()
            self._room.clear()

    def _abandon(self, worker: Worker, job: Job) -> None:
        """A caller was cancelled before reading its reply: drop the reply when its turn comes."""
        job.abandoned = True
        if worker.queue and worker.queue[0] is job:  # its turn has come already
            self._drain(worker, job)

    def _drain(self, worker: Worker, job: Job) -> None:
        async def read_and_drop() -> None:
            worker.users += 1
            try:
                with contextlib.suppress(BaseException):  # nobody wants it; _read dealt with the worker
                    await self._read(worker, job, "a cancelled job")
            finally:
                worker.users -= 1
                worker.release()

        task = asyncio.get_running_loop().create_task(read_and_drop())
        self._drains.add(task)
        task.add_done_callback(self._drains.discard)

    def _died(self, worker: Worker, fn: Any, exc: BaseException) -> BrokenProcessPool:
        code = worker.process.exitcode
        how = f"exit code {code}" if code is not None else repr(exc)
        name = fn if isinstance(fn, str) else repr(getattr(fn, "__name__", fn))
        return BrokenProcessPool(f"worker process {worker.process.pid} died running {name} ({how})")

    def _fail(self, worker: Worker) -> None:
        """Kill a worker whose stream broke; jobs queued behind the one at its head go elsewhere."""
        if worker.ended:
            return
        for job in list(worker.queue)[1:]:
            if job.turn is not None and not job.turn.done():
                job.turn.set_exception(Requeue())
                retrieved(job.turn)  # its caller may be gone
        worker.queue.clear()
        self._end(worker, kill=True)
        self._wake_choosers()

    def _start(self) -> Worker:
        """A fresh worker, ready for jobs (blocking: :meth:`_fresh` runs it off the event loop).

        Start-up (forkserver, imports, a model load) is waited for here, so a job's
        time limit measures the job alone.
        """
        if self._closed:
            raise _shut_down()
        return start_worker(self._context, self._initializer, self._initargs)

    async def _fresh(self) -> Worker:
        self._release_ended()
        worker = await asyncio.to_thread(self._start)
        if self._closed:  # shut down while it started
            worker.end(kill=True)
            await asyncio.to_thread(worker.process.join, 5)
            raise _shut_down()
        self._all.add(worker)
        return worker

    def _end(self, worker: Worker, *, kill: bool) -> None:
        worker.end(kill=kill)
        if worker in self._all:
            self._all.discard(worker)
            self._ended.append(worker.process)
            if not self._closed:
                self.renewals += 1

    def _release_ended(self) -> None:
        still: list[Any] = []
        for process in self._ended:
            if process.exitcode is None:
                still.append(process)
            else:
                process.close()
        self._ended = still

    def shutdown(self, wait: bool = True) -> None:
        """Stop every worker: idle ones exit, busy ones are killed; ``wait`` for them to be gone."""
        self._closed = True
        if self._room is not None:  # callers waiting for a worker: there will be none
            self._room.set()
        for worker in list(self._all):
            self._end(worker, kill=bool(worker.queue))
        if wait:
            for process in self._ended:
                process.join(5)
                if process.exitcode is None:
                    process.kill()
                    process.join(5)
            self._release_ended()


def _shut_down() -> RuntimeError:
    return RuntimeError("cannot run a job on a pool that was shut down")


__all__ = ["RemoteTraceback", "WorkerPool"]
