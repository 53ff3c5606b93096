"""The per-daemon HTTP endpoint: Prometheus ``/metrics``, ``/healthz`` (alive) and ``/readyz`` (ready).

A deliberately tiny asyncio HTTP/1.1 server: it serves these three paths and
nothing else, binds to loopback by default, and closes every connection after
one response. Health means progress: ``/healthz`` fails when the daemon's loop
has not ticked for ``stall_after_s``, even if the process is still alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from types import TracebackType
from typing import Self

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from newswire.observe.metrics import READY

log = logging.getLogger(__name__)

_MAX_REQUEST_LINE = 8192


class Health:
    """What a daemon reports about itself: liveness ticks and readiness."""

    def __init__(self, name: str, stall_after_s: float = 120.0) -> None:
        self.name = name
        self.stall_after_s = stall_after_s
        self._last_tick = time.monotonic()
        self.ready = False
        self.not_ready_reason = "starting"

    def tick(self) -> None:
        """Record that the daemon's main loop made progress."""
        self._last_tick = time.monotonic()

    def set_ready(self, ready: bool, reason: str = "") -> None:
        self.ready = ready
        self.not_ready_reason = reason
        READY.labels(self.name).set(1 if ready else 0)

    @property
    def alive(self) -> bool:
        return time.monotonic() - self._last_tick < self.stall_after_s


class HealthServer:
    """Serve ``/metrics``, ``/healthz`` and ``/readyz`` for one or more daemons on host:port."""

    def __init__(self, healths: list[Health], host: str = "127.0.0.1", port: int = 0) -> None:
        self.healths = healths
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> Self:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("metrics and health on http://%s:%d/metrics", self.host, self.port)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def _route(self, method: str, path: str) -> tuple[int, str, bytes]:
        path = path.split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"method not allowed\n"
        if path == "/metrics":
            return 200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY)
        if path == "/healthz":
            stalled = [h.name for h in self.healths if not h.alive]
            if stalled:
                return 503, "text/plain", f"stalled: {', '.join(stalled)}\n".encode()
            return 200, "text/plain", b"ok\n"
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
