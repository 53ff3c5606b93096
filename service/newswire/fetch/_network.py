"""httpcore's network layer on plain asyncio transports, without anyio.

httpcore's default asyncio backend goes through anyio: every read, write and
keep-alive check walks anyio's stream wrappers and typed-attribute lookups.
For a fetcher that spends its event loop on short local or LAN requests that
is most of the HTTP cost: ``bench/http_backend.py`` measures the client CPU per
request of both backends against the same local server.

This backend speaks to asyncio directly: one ``asyncio.Protocol`` per
connection buffers what arrives and wakes the one reader httpcore runs per
connection. Reading is paused past :data:`READ_HIGH_WATER` buffered bytes, and
writing waits while the transport says its buffer is full, so a fast server or
a slow peer cannot grow memory. Errors map onto httpcore's exceptions, which
httpx turns into its own, so callers see the same errors as with anyio.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

#: Pause reading from the socket once this many received bytes wait unread.
READ_HIGH_WATER = 256 * 1024


class _Connection(asyncio.Protocol):
    """One connection's transport, received bytes and flow control; :class:`AsyncioStream` reads from it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.reading_paused = False
        self._data_waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self.writing_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_HIGH_WATER and self.transport is not None and not self.reading_paused:
            self.transport.pause_reading()
            self.reading_paused = True
        _wake(self._data_waiter)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self._data_waiter)
        return False  # close our side too: HTTP/1.1 has no use for a half-open connection

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _wake(self._data_waiter)
        _wake(self._drain_waiter)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self._drain_waiter)

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` received bytes; reading resumes once half the high-water mark is left."""
        if len(self.buffer) <= max_bytes:
            data = bytes(self.buffer)
            self.buffer.clear()
        else:
            data = bytes(self.buffer[:max_bytes])
            del self.buffer[:max_bytes]
        if self.reading_paused and len(self.buffer) <= READ_HIGH_WATER // 2 and self.transport is not None:
            self.reading_paused = False
            self.transport.resume_reading()
        return data

    async def wait_for_data(self) -> None:
        self._data_waiter = asyncio.get_running_loop().create_future()
        try:
            await self._data_waiter
        finally:
            self._data_waiter = None

    async def wait_for_drain(self) -> None:
        self._drain_waiter = asyncio.get_running_loop().create_future()
        try:
            await self._drain_waiter
        finally:
            self._drain_waiter = None


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection, as httpcore's HTTP/1.1 code reads and writes it.

    (The ``timeout`` parameters are httpcore's interface, hence the ``noqa``.)
    """

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection

    @property
    def _transport(self) -> asyncio.Transport:
        transport = self._connection.transport
        assert transport is not None, "a connected protocol has its transport"
        return transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        conn = self._connection
        if not conn.buffer and not conn.eof:
            try:
                async with asyncio.timeout(timeout):
                    while not conn.buffer and not conn.eof:
                        await conn.wait_for_data()
            except TimeoutError:
                raise httpcore.ReadTimeout(f"no data for {timeout} s") from None
        if not conn.buffer:
            if conn.error is not None:
                raise httpcore.ReadError(str(conn.error) or type(conn.error).__name__)
            return b""
        return conn.take(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        conn = self._connection
        if conn.error is not None or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        if conn.writing_paused:
            try:
                async with asyncio.timeout(timeout):
                    while conn.writing_paused and conn.error is None:
                        await conn.wait_for_drain()
            except TimeoutError:
                raise httpcore.WriteTimeout(f"could not send for {timeout} s") from None
            if conn.error is not None:
                raise httpcore.WriteError(str(conn.error))

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> AsyncioStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._connection, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"TLS handshake took over {timeout} s") from None
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        if transport is None:  # the connection closed during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        assert isinstance(transport, asyncio.Transport)
        self._connection.transport = transport
        return AsyncioStream(self._connection)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # httpcore asks before reusing an idle kept-alive connection: anything received
            # (or a close) while idle means the server is done with it. asyncio has already
            # moved such bytes off the socket, so the buffer is the place to look.
            return bool(self._connection.buffer) or self._connection.eof
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections (``host`` is the address to connect to)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncioStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, connection = await loop.create_connection(
                    _Connection, host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"connecting to {host}:{port} took over {timeout} s") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        assert isinstance(transport, asyncio.Transport)
        sock: socket.socket | None = transport.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return AsyncioStream(connection)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncioStream:
        raise httpcore.ConnectError("unix sockets are not used by newswire's fetcher")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
