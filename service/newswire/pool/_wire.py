"""The wire between the pool and one worker process: frames, the worker's loop, its start.

A job is a length-prefixed pickle of ``(fn, args)`` written to the worker's
end of a socket pair; the reply is a length-prefixed pickle of the result or
the exception (its traceback attached as ``__cause__``, as
:mod:`concurrent.futures` does). The pool reads and writes its ends from the
event loop (:mod:`newswire.pool._workers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import signal
import socket
import struct
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

_HEADER = struct.Struct("!Q")
_BUFFER_BYTES = 1 << 20
_READY = b"\x01"
MAX_REPLY_BYTES = 1 << 30
#: How long a worker may take to start (import, load a model) before it is given up.
_START_TIMEOUT_S = 300.0
HEADER_SIZE = _HEADER.size

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


class Requeue(Exception):
    """The job was queued behind another in a worker that failed before running it: try elsewhere."""


class Job:
    __slots__ = ("abandoned", "timeout_s", "turn")

    def __init__(self, turn: asyncio.Future[None] | None, timeout_s: float | None) -> None:
        self.turn = turn  # resolved when the replies before this job's have been read
        self.timeout_s = timeout_s
        self.abandoned = False  # its caller was cancelled: the reply is read and dropped


class Worker:
    __slots__ = ("ended", "jobs", "process", "queue", "retiring", "sending", "sock", "users")

    def __init__(self, process: Any, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.jobs = 0  # jobs sent to it
        self.queue: deque[Job] = deque()  # sent, reply not read yet; in order
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


def start_worker(
    context: Any, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
) -> Worker:
    """A fresh worker, ready for jobs (blocking: the caller runs it off the event loop).

    Start-up (forkserver, imports, a model load) is waited for here, so a job's
    time limit measures the job alone.
    """
    ours, theirs = socket.socketpair()
    for end in (ours, theirs):  # a whole page in one write, a whole event in one read
        end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _BUFFER_BYTES)
        end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _BUFFER_BYTES)
    process = context.Process(target=_serve, args=(theirs, initializer, initargs), daemon=True)
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
    return Worker(process, ours)


def retrieved(future: asyncio.Future[Any]) -> None:
    """Mark ``future``'s exception as seen: it is raised where someone waits, not logged where nobody does."""
    if not future.cancelled():
        future.exception()


def frame(fn: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    payload = pickle.dumps((fn, args), protocol=5)
    return _HEADER.pack(len(payload)) + payload


async def receive(loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = await loop.sock_recv_into(sock, view[got:])
        if count == 0:
            raise EOFError("the worker closed its socket")
        got += count
    return buffer


def reply_size(header: bytes | bytearray) -> int:
    return int(_HEADER.unpack(header)[0])
