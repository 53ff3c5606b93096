"""The per-daemon HTTP endpoint: Prometheus ``/metrics``, ``/healthz`` (alive) and ``/readyz`` (ready).

A deliberately tiny asyncio HTTP/1.1 server: it serves these three paths and
nothing else, binds to loopback by default, and closes every connection after
one response.

Alive is not the same as busy. ``/healthz`` fails only when the daemon's event
loop has stopped running: a heartbeat task on that loop stamps each
:class:`Health` every second, and the endpoint reports the daemon stalled when
no stamp came for ``observe.stall_after_s`` (synchronous CPU work on the loop,
a deadlock in a callback). The endpoint itself runs on a thread with its own
event loop, so a wedged daemon loop gets a 503 that says so instead of a
silent timeout (a wedge in C code that holds the GIL still times the probe out,
which a probe counts as a failure too). A daemon that is waiting for Kafka
(its transaction commit blocked, its consumer reconnecting) is alive: restarting
it would not bring Kafka back, so that is ``/readyz``'s to report, not a reason
for Kubernetes to restart the pod. The work loops' own progress (``tick``) is
still shown in the ``/healthz`` body, for people.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from concurrent.futures import Future
from types import TracebackType
from typing import Self

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from newswire.observe.metrics import READY

log = logging.getLogger(__name__)

_MAX_REQUEST_LINE = 8192


class Health:
    """What a daemon reports about itself: whether its event loop runs, its progress, its readiness.

    Read from the endpoint's thread; every field is a single value written by the daemon's loop.
    """

    def __init__(self, name: str, stall_after_s: float = 60.0) -> None:
        self.name = name
        self.stall_after_s = stall_after_s
        now = time.monotonic()
        self._last_beat = now
        self._last_tick = now
        self.ready = False
        self.not_ready_reason = "starting"
        self._connection: tuple[bool, str] = (False, "starting")
        self._stuck: str | None = None

    def beat(self) -> None:
        """Record that the daemon's event loop ran (the heartbeat task calls this)."""
        self._last_beat = time.monotonic()

    def tick(self) -> None:
        """Record that the daemon's work loop came round (informational: waiting on Kafka is not a stall)."""
        self._last_tick = time.monotonic()

    def set_ready(self, ready: bool, reason: str = "") -> None:
        """Whether the daemon is connected and its topics exist (the readiness watcher says)."""
        self._connection = (ready, reason)
        self._publish()

    def set_stuck(self, reason: str | None) -> None:
        """Mark the daemon not ready because its work makes no progress (None: it moves again).

        This holds whatever the connection says: a daemon redoing the same batch over and
        over is connected, yet gets nothing done.
        """
        self._stuck = reason
        self._publish()

    def _publish(self) -> None:
        self.ready, self.not_ready_reason = (False, self._stuck) if self._stuck else self._connection
        READY.labels(self.name).set(1 if self.ready else 0)

    @property
    def loop_silent_s(self) -> float:
        """Seconds since the event loop last ran the heartbeat."""
        return time.monotonic() - self._last_beat

    @property
    def progress_age_s(self) -> float:
        """Seconds since the work loop last came round."""
        return time.monotonic() - self._last_tick

    @property
    def alive(self) -> bool:
        return self.loop_silent_s < self.stall_after_s

    def describe(self) -> str:
        return (
            f"{self.name}: event loop ran {self.loop_silent_s:.1f}s ago (stalled after "
            f"{self.stall_after_s:g}s), work loop came round {self.progress_age_s:.1f}s ago"
        )


class HealthServer:
    """Serve ``/metrics``, ``/healthz`` and ``/readyz`` for one or more daemons on host:port.

    Start it on the daemons' event loop: :meth:`start` runs the heartbeat there and the
    server on a thread of its own (see the module docstring).
    """

    def __init__(self, healths: list[Health], host: str = "127.0.0.1", port: int = 0) -> None:
        self.healths = healths
        self.host = host
        self.port = port
        # A few beats per stall window, so one late beat never reads as a stall.
        self.beat_every_s = min([1.0, *(h.stall_after_s / 4 for h in healths)])
        self._heartbeat: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    async def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("the health server is already running")
        started: Future[int] = Future()
        self._thread = threading.Thread(
            target=self._serve, args=(started,), name="newswire-health", daemon=True
        )
        self._thread.start()
        try:
            self.port = await asyncio.wrap_future(started)
        except BaseException:
            self._thread = None
            raise
        for health in self.healths:
            health.beat()
        self._heartbeat = asyncio.create_task(self._beat_forever(), name="newswire-heartbeat")
        log.info("metrics and health on http://%s:%d/metrics", self.host, self.port)
        return self

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is not None and loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # its loop already ended
                loop.call_soon_threadsafe(stop.set)
            await asyncio.to_thread(thread.join, 5)
        self._thread = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def _beat_forever(self) -> None:
        while True:
            for health in self.healths:
                health.beat()
            await asyncio.sleep(self.beat_every_s)

    def _serve(self, started: Future[int]) -> None:
        """The endpoint thread: its own event loop, serving until :meth:`stop`."""
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve_until_stopped(loop, started))
        except BaseException as exc:
            if started.done():
                log.exception("the health endpoint stopped serving")
            else:
                started.set_exception(exc)  # start() raises it
        finally:
            loop.close()

    async def _serve_until_stopped(self, loop: asyncio.AbstractEventLoop, started: Future[int]) -> None:
        self._stop = asyncio.Event()
        self._loop = loop
        server = await asyncio.start_server(self._handle, self.host, self.port)
        started.set_result(server.sockets[0].getsockname()[1])
        try:
            await self._stop.wait()
        finally:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
            pending = asyncio.all_tasks() - {asyncio.current_task()}
            for task in pending:  # connections still being answered
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def _route(self, method: str, path: str) -> tuple[int, str, bytes]:
        path = path.split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"method not allowed\n"
        if path == "/metrics":
            return 200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY)
        if path == "/healthz":
            report = "".join(f"{h.describe()}\n" for h in self.healths)
            stalled = [h.name for h in self.healths if not h.alive]
            if stalled:
                return 503, "text/plain", f"stalled: {', '.join(stalled)}\n{report}".encode()
            return 200, "text/plain", f"ok\n{report}".encode()
        if path == "/readyz":
            waiting = [f"{h.name}: {h.not_ready_reason}" for h in self.healths if not h.ready]
            if waiting:
                return 503, "text/plain", ("not ready\n" + "\n".join(waiting) + "\n").encode()
            return 200, "text/plain", b"ready\n"
        return 404, "text/plain", b"not found\n"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                request_line = await reader.readline()
                if len(request_line) > _MAX_REQUEST_LINE:
                    raise ValueError("request line too long")
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    if len(line) > _MAX_REQUEST_LINE:
                        raise ValueError("header too long")
            parts = request_line.decode("latin-1").split()
            status, ctype, body = (
                (400, "text/plain", b"bad request\n") if len(parts) < 2 else self._route(parts[0], parts[1])
            )
            reason = {
                200: "OK",
                400: "Bad Request",
                404: "Not Found",
                405: "Method Not Allowed",
                503: "Service Unavailable",
            }[status]
            head = (
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            writer.write(head + (b"" if parts and parts[0] == "HEAD" else body))
            await writer.drain()
        except (TimeoutError, ValueError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
