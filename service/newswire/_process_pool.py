"""Worker processes driven from the event loop over sockets; renewed every N jobs, after a crash, when stuck.

Ingest's extraction and parser processes and enrich's NER workers run on it:
CPU-bound work that must not block an event loop, may leak (C parsers, spaCy's
vocabulary) and may die (killed for memory, a crash in C).

Each worker is a ``forkserver`` process with one end of a socket pair. A job is
a length-prefixed pickle of ``(fn, args)`` written to it; the reply is a
length-prefixed pickle of the result or the exception (its traceback attached
as ``__cause__``, as :mod:`concurrent.futures` does). The event loop reads and
writes the sockets itself (``loop.sock_sendall``/``sock_recv_into``), and
keeps a second job queued in each worker's socket, so a worker goes from one
page to the next without waiting for a busy event loop to send it more (in
ingest's bursts the two extraction workers had been idle about a tenth of the
time). A job's time limit starts when the job before it has replied.

Why not :class:`concurrent.futures.ProcessPoolExecutor`:

* **hand-offs**: every job crossed two helper threads (the executor's queue
  feeder and its result manager) and a wake-up pipe per direction before it
  reached the event loop. A micro-benchmark with a 135 KB page in and an
  event-sized result out (``bench/process_pool.py``) measured 0.66 against
  0.40 CPU ms per job across all processes, and ingest's event-loop profile
  had 4.7 % of its samples in the wake-up writes;
* **recycling**: on the CPython versions newswire runs on (3.11, and 3.12/3.13
  before the gh-115634 fix), a worker that exits at ``max_tasks_per_child``
  while work is queued is not replaced, and the pool deadlocks. The soak run
  hit exactly that. Here each worker is retired after ``jobs_per_worker``
  jobs and a fresh one takes its place when next needed;
* **failures**: a worker that dies breaks a ``ProcessPoolExecutor`` for good,
  and a stuck job can only be ended by killing the whole pool. Here a death
  costs the one job that was running in that worker (:class:`BrokenProcessPool`;
  :meth:`WorkerPool.run` tries it once more in a fresh worker, and the job
  queued behind it goes elsewhere), and a job past its time limit kills only
  its own worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle
import signal
import socket
import struct
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

_HEADER = struct.Struct("!Q")
_BUFFER_BYTES = 1 << 20
_READY = b"\x01"
_MAX_REPLY_BYTES = 1 << 30
#: How long a worker may take to start (import, load a model) before it is given up.
_START_TIMEOUT_S = 300.0

#: One job: a module-level function and its arguments.
Call = tuple[Callable[..., T], tuple[Any, ...]]


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, attached as the exception's ``__cause__``."""

    def __str__(self) -> str:
        return str(self.args[0])


def _serve(sock: socket.socket, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    """A worker's life: run jobs from ``sock`` until the pool closes its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the daemon's: it shuts the pool down
    if initializer is not None:
        initializer(*initargs)
    reader = sock.makefile("rb")
    with sock, reader, contextlib.suppress(ConnectionError):  # the pool went away: so does the worker
        sock.sendall(_READY)
        while True:
            header = reader.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return  # the pool retired this worker
            fn, args = pickle.loads(reader.read(_HEADER.unpack(header)[0]))
            try:
                reply: tuple[Any, ...] = (True, fn(*args))
                data = pickle.dumps(reply, protocol=5)
            except Exception as exc:  # the job's failure is the caller's to handle, not the worker's
                data = _pickled_failure(exc)
            sock.sendall(_HEADER.pack(len(data)) + data)


def _pickled_failure(exc: Exception) -> bytes:
    text = "".join(traceback.format_exception(exc))
    try:
        return pickle.dumps((False, exc, text), protocol=5)
    except Exception:  # an exception that does not pickle still gets its message across
        return pickle.dumps((False, RuntimeError(repr(exc)), text), protocol=5)


class _Requeue(Exception):
    """The job was queued behind another in a worker that failed before running it: try elsewhere."""


class _Job:
    __slots__ = ("abandoned", "timeout_s", "turn")

    def __init__(self, turn: asyncio.Future[None] | None, timeout_s: float | None) -> None:
        self.turn = turn  # resolved when the replies before this job's have been read
        self.timeout_s = timeout_s
        self.abandoned = False  # its caller was cancelled: the reply is read and dropped


class _Worker:
    __slots__ = ("ended", "jobs", "process", "queue", "retiring", "sending", "sock", "users")

    def __init__(self, process: Any, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.jobs = 0  # jobs sent to it
        self.queue: deque[_Job] = deque()  # sent, reply not read yet; in order
        self.sending = asyncio.Lock()  # one frame at a time on the socket
        self.retiring = False  # no more jobs: it ends once its queue is empty
        self.ended = False
        self.users = 0  # coroutines that may be waiting on the socket

    def end(self, *, kill: bool) -> None:
        """End the worker: it reads end-of-file and exits (``kill``: at once, even mid-job).

        The socket is shut down, which wakes anything waiting on it here, and closed
        once nothing is (:meth:`release`): a socket closed under a waiting
        ``sock_recv_into`` would leave it waiting forever.
        """
        self.ended = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if kill:
            with contextlib.suppress(OSError, ValueError):
                self.process.kill()
        self.release()

    def release(self) -> None:
        if self.ended and self.users == 0:
            self.sock.close()


class WorkerPool:
    """``workers`` worker processes; see the module docstring.

    Jobs are module-level functions and picklable arguments. :meth:`run` is for
    coroutines on one event loop; it keeps up to :data:`DEPTH` jobs queued in
    each worker, so a worker starts its next job as soon as it has sent a reply,
    not when the event loop gets round to sending more. :meth:`run_all` is for
    blocking callers (enrich splits a batch from its worker thread). A pool
    serves one kind of caller.
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
    ) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.workers = workers
        self._jobs_per_worker = jobs_per_worker  # then the worker is replaced (None: never)
        self._initializer = initializer
        self._initargs = initargs
        self._context = multiprocessing.get_context("forkserver")
        self._all: set[_Worker] = set()  # started and not ended
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
        payload = _frame(fn, args)
        if self._slots is None or self._room is None:
            self._slots = asyncio.Semaphore(self.workers * self.DEPTH)
            self._room = asyncio.Event()
        async with self._slots:
            attempts = 0
            while True:
                worker = await self._choose()
                try:
                    return await self._call(worker, timeout_s, fn, payload)
                except _Requeue:
                    continue
                except BrokenProcessPool:
                    attempts += 1
                    if attempts == 2:
                        raise

    async def _choose(self) -> _Worker:
        """The worker with the fewest queued jobs, a fresh one if all are busy and there is room."""
        assert self._room is not None
        while True:
            if self._closed:
                raise _shut_down()
            open_ = [w for w in self._all if not w.retiring and len(w.queue) < self.DEPTH]
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

    def run_all(self, timeout_s: float | None, calls: Sequence[Call[T]]) -> list[T]:
        """Run ``calls`` (at most one per worker) at once and wait for all of them: blocking.

        The first failure is raised once every call has ended; a worker that died
        gives :class:`BrokenProcessPool` (the caller may try again: fresh workers
        take the dead ones' places).
        """
        if len(calls) > self.workers:
            raise ValueError(f"{len(calls)} calls for {self.workers} workers")
        if self._slots is not None:
            raise RuntimeError("run_all on a pool that coroutines use through run()")
        return asyncio.run(self._run_all(timeout_s, calls))

    async def _run_all(self, timeout_s: float | None, calls: Sequence[Call[T]]) -> list[T]:
        idle = [w for w in self._all if not w.queue and not w.retiring][: len(calls)]
        started = await asyncio.gather(
            *(self._fresh() for _ in range(len(calls) - len(idle))), return_exceptions=True
        )
        workers = idle + [w for w in started if isinstance(w, _Worker)]
        if len(workers) < len(calls):
            raise next(e for e in started if isinstance(e, BaseException))
        pairs = zip(workers, calls, strict=True)
        jobs = [self._call(worker, timeout_s, fn, _frame(fn, args)) for worker, (fn, args) in pairs]
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, _Requeue):
                raise BrokenProcessPool("a worker process was gone before its job reached it")
            if isinstance(outcome, BaseException):
                raise outcome
        return list(outcomes)  # type: ignore[arg-type]

    async def _call(
        self, worker: _Worker, timeout_s: float | None, fn: Callable[..., T], payload: bytes
    ) -> T:
        """Queue ``payload`` in ``worker``, wait for the replies before it, then read its own."""
        loop = asyncio.get_running_loop()
        job = _Job(loop.create_future() if worker.queue else None, timeout_s)
        worker.queue.append(job)
        worker.jobs += 1
        if self._jobs_per_worker is not None and worker.jobs >= self._jobs_per_worker:
            worker.retiring = True
        worker.users += 1
        try:
            # The send goes on if this caller is cancelled: a frame cut short would corrupt
            # the stream under the job running in the worker.
            sending = loop.create_task(self._send(worker, payload))
            sending.add_done_callback(_retrieved)
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

    async def _send(self, worker: _Worker, payload: bytes) -> None:
        worker.users += 1
        try:
            async with worker.sending:
                await asyncio.get_running_loop().sock_sendall(worker.sock, payload)
        except OSError:  # the worker is gone: this job never reached it
            self._fail(worker)
            raise _Requeue from None
        finally:
            worker.users -= 1
            worker.release()

    async def _read(self, worker: _Worker, job: _Job, fn: Any) -> Any:
        """Read the head job's reply within its time limit; then hand the turn to the next job."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(job.timeout_s):
                size = _HEADER.unpack(await _receive(loop, worker.sock, _HEADER.size))[0]
                if size > _MAX_REPLY_BYTES:
                    raise EOFError(f"the worker's reply header is corrupt ({size} bytes announced)")
                data = await _receive(loop, worker.sock, size)
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
        return pickle.loads(data)  # a reply that does not unpickle leaves the stream intact

    def _advance(self, worker: _Worker) -> None:
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

    def _abandon(self, worker: _Worker, job: _Job) -> None:
        """A caller was cancelled before reading its reply: drop the reply when its turn comes."""
        job.abandoned = True
        if worker.queue and worker.queue[0] is job:  # its turn has come already
            self._drain(worker, job)

    def _drain(self, worker: _Worker, job: _Job) -> None:
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

    def _died(self, worker: _Worker, fn: Any, exc: BaseException) -> BrokenProcessPool:
        code = worker.process.exitcode
        how = f"exit code {code}" if code is not None else repr(exc)
        name = fn if isinstance(fn, str) else repr(getattr(fn, "__name__", fn))
        return BrokenProcessPool(f"worker process {worker.process.pid} died running {name} ({how})")

    def _fail(self, worker: _Worker) -> None:
        """Kill a worker whose stream broke; jobs queued behind the one at its head go elsewhere."""
        if worker.ended:
            return
        for job in list(worker.queue)[1:]:
            if job.turn is not None and not job.turn.done():
                job.turn.set_exception(_Requeue())
                _retrieved(job.turn)  # its caller may be gone
        worker.queue.clear()
        self._end(worker, kill=True)
        self._wake_choosers()

    def _start(self) -> _Worker:
        """A fresh worker, ready for jobs (blocking: the caller runs it off the event loop).

        Start-up (forkserver, imports, a model load) is waited for here, so a job's
        time limit measures the job alone.
        """
        if self._closed:
            raise _shut_down()
        ours, theirs = socket.socketpair()
        for end in (ours, theirs):  # a whole page in one write, a whole event in one read
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _BUFFER_BYTES)
            end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _BUFFER_BYTES)
        process = self._context.Process(
            target=_serve, args=(theirs, self._initializer, self._initargs), daemon=True
        )
        try:
            process.start()
        finally:
            theirs.close()
        ours.settimeout(_START_TIMEOUT_S)
        try:
            ready = ours.recv(1)
        except OSError:
            ready = b""
        if ready != _READY:
            ours.close()
            with contextlib.suppress(OSError, ValueError):
                process.kill()
            process.join(5)
            raise BrokenProcessPool(
                f"a worker process failed to start (exit code {process.exitcode}); see its error above"
            )
        ours.setblocking(False)
        return _Worker(process, ours)

    async def _fresh(self) -> _Worker:
        self._release_ended()
        worker = await asyncio.to_thread(self._start)
        if self._closed:  # shut down while it started
            worker.end(kill=True)
            await asyncio.to_thread(worker.process.join, 5)
            raise _shut_down()
        self._all.add(worker)
        return worker

    def _end(self, worker: _Worker, *, kill: bool) -> None:
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


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark ``future``'s exception as seen: it is raised where someone waits, not logged where nobody does."""
    if not future.cancelled():
        future.exception()


def _frame(fn: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    payload = pickle.dumps((fn, args), protocol=5)
    return _HEADER.pack(len(payload)) + payload


async def _receive(loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = await loop.sock_recv_into(sock, view[got:])
        if count == 0:
            raise EOFError("the worker closed its socket")
        got += count
    return buffer
