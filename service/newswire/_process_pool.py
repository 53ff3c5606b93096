"""Worker processes driven from the event loop over sockets; renewed every N jobs, after a crash, when stuck.

Ingest's extraction and parser processes and enrich's NER workers run on it:
CPU-bound work that must not block an event loop, may leak (C parsers, spaCy's
vocabulary) and may die (killed for memory, a crash in C).

Each worker is a ``forkserver`` process with one end of a socket pair. A job is
a length-prefixed pickle of ``(fn, args)`` written to it; the reply is a
length-prefixed pickle of the result or the exception (its traceback attached
as ``__cause__``, as :mod:`concurrent.futures` does). The event loop reads and
writes the sockets itself (``loop.sock_sendall``/``sock_recv_into``).

Why not :class:`concurrent.futures.ProcessPoolExecutor`:

* **hand-offs**: every job crossed two helper threads (the executor's queue
  feeder and its result manager) and a wake-up pipe per direction before it
  reached the event loop. A micro-benchmark with a 135 KB page in and an
  event-sized result out (``bench/process_pool.py``) measured about twice the
  CPU per job across all processes, and ingest's event-loop profile had 4.7 %
  of its samples in the wake-up writes;
* **recycling**: on the CPython versions newswire runs on (3.11, and 3.12/3.13
  before the gh-115634 fix), a worker that exits at ``max_tasks_per_child``
  while work is queued is not replaced, and the pool deadlocks. The soak run
  hit exactly that. Here each worker is retired after its share of
  ``recycle_after`` jobs and a fresh one takes its place when next needed;
* **failures**: a worker that dies breaks a ``ProcessPoolExecutor`` for good,
  and a stuck job can only be ended by killing the whole pool. Here a death
  costs the one job that was in that worker (:class:`BrokenProcessPool`;
  :meth:`WorkerPool.run` tries it once more in a fresh worker), and a job past
  its time limit kills only its own worker.
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


class _Worker:
    __slots__ = ("jobs", "process", "sock")

    def __init__(self, process: Any, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.jobs = 0

    def close(self, *, kill: bool) -> None:
        """End the worker: closing its socket makes an idle one exit; ``kill`` ends a busy one."""
        self.sock.close()
        if kill:
            with contextlib.suppress(OSError, ValueError):
                self.process.kill()


class WorkerPool:
    """``workers`` worker processes; see the module docstring.

    Jobs are module-level functions and picklable arguments. :meth:`run` is for
    coroutines on one event loop; :meth:`run_all` for blocking callers (enrich
    splits a batch from its worker thread). A pool serves one kind of caller.
    """

    def __init__(
        self,
        workers: int,
        *,
        recycle_after: int | None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.workers = workers
        self._jobs_per_worker = None if recycle_after is None else max(1, recycle_after // workers)
        self._initializer = initializer
        self._initargs = initargs
        self._context = multiprocessing.get_context("forkserver")
        self._idle: deque[_Worker] = deque()
        self._all: set[_Worker] = set()
        self._slots: asyncio.Semaphore | None = None
        self._ended: list[Any] = []  # processes to release once they have exited
        self._closed = False
        self.renewals = 0  # workers replaced: retired after their share of jobs, died, or killed when stuck

    def pids(self) -> set[int]:
        """The worker processes (started on demand, so empty before the first job)."""
        return {worker.process.pid for worker in self._all}

    async def run(self, timeout_s: float | None, fn: Callable[..., T], /, *args: Any) -> T:
        """``fn(*args)`` in a worker, within ``timeout_s`` seconds (None: no limit).

        A job that takes longer (a page that makes a C parser go quadratic: the fuzz
        run's 200,000 nested ``<div>``) cannot be interrupted inside the worker, so the
        worker is killed and ``TimeoutError`` raised. A job whose worker died is run
        once more in a fresh worker; if that one dies too, :class:`BrokenProcessPool`.
        """
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            for attempt in (1, 2):
                worker = self._idle.pop() if self._idle else await self._fresh()
                try:
                    return await self._call(worker, timeout_s, fn, args)
                except BrokenProcessPool:
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

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
        idle = [self._idle.pop() for _ in range(min(len(calls), len(self._idle)))]
        started = await asyncio.gather(
            *(self._fresh() for _ in range(len(calls) - len(idle))), return_exceptions=True
        )
        workers = idle + [w for w in started if isinstance(w, _Worker)]
        if len(workers) < len(calls):
            self._idle.extend(workers)
            raise next(e for e in started if isinstance(e, BaseException))
        outcomes = await asyncio.gather(
            *(self._call(w, timeout_s, fn, args) for w, (fn, args) in zip(workers, calls, strict=True)),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return list(outcomes)  # type: ignore[arg-type]

    async def _call(
        self, worker: _Worker, timeout_s: float | None, fn: Callable[..., T], args: tuple[Any, ...]
    ) -> T:
        if self._closed:
            self._end(worker, kill=False)
            raise RuntimeError("cannot run a job on a pool that was shut down")
        try:
            payload = pickle.dumps((fn, args), protocol=5)
        except Exception:
            self._idle.append(worker)
            raise
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout_s):
                await loop.sock_sendall(worker.sock, _HEADER.pack(len(payload)) + payload)
                size = _HEADER.unpack(await _receive(loop, worker.sock, _HEADER.size))[0]
                if size > _MAX_REPLY_BYTES:
                    raise EOFError(f"the worker's reply header is corrupt ({size} bytes announced)")
                reply = pickle.loads(await _receive(loop, worker.sock, size))
        except TimeoutError:
            self._end(worker, kill=True)
            raise
        except (EOFError, OSError) as exc:
            self._end(worker, kill=True)
            code = worker.process.exitcode
            how = f"exit code {code}" if code is not None else repr(exc)
            raise BrokenProcessPool(
                f"worker process {worker.process.pid} died running {getattr(fn, '__name__', fn)!r} ({how})"
            ) from None
        except BaseException:  # cancelled mid-job: the reply would reach the worker's next caller
            self._end(worker, kill=True)
            raise
        worker.jobs += 1
        if self._closed or (self._jobs_per_worker is not None and worker.jobs >= self._jobs_per_worker):
            self._end(worker, kill=False)
        else:
            self._idle.append(worker)
        if reply[0]:
            return reply[1]  # type: ignore[no-any-return]
        failure: BaseException = reply[1]
        failure.__cause__ = RemoteTraceback(reply[2])
        raise failure

    def _start(self) -> _Worker:
        """A fresh worker, ready for jobs (blocking: the caller runs it off the event loop).

        Start-up (forkserver, imports, a model load) is waited for here, so a job's
        time limit measures the job alone.
        """
        if self._closed:
            raise RuntimeError("cannot run a job on a pool that was shut down")
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
            worker.close(kill=True)
            raise RuntimeError("cannot run a job on a pool that was shut down")
        self._all.add(worker)
        return worker

    def _end(self, worker: _Worker, *, kill: bool) -> None:
        worker.close(kill=kill)
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
        idle = set(self._idle)
        self._idle.clear()
        for worker in list(self._all):
            self._end(worker, kill=worker not in idle)
        if wait:
            for process in self._ended:
                process.join(5)
                if process.exitcode is None:
                    process.kill()
                    process.join(5)
            self._release_ended()


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
