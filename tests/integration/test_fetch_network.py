"""The fetcher's asyncio network backend against real loopback servers: TLS, keep-alive, flow control.

The fake news site covers timeouts, sizes and redirects through the same
backend (``test_fetch.py``); these are the behaviours specific to owning the
connections: a kept-alive connection the server has closed is not reused, the
TLS handshake verifies certificates, and unread data does not pile up in memory.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpcore
import pytest

from newswire.config import FetchSettings
from newswire.fetch import Fetcher
from newswire.fetch._network import READ_HIGH_WATER, AsyncioBackend

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ssl_context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def response(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


def settings_for(port: int) -> FetchSettings:
    return FetchSettings(
        allowed_hosts=(f"127.0.0.1:{port}",), obey_robots=False, retries=0, per_host_delay_s=0.0
    )


async def test_a_kept_alive_connection_is_reused_while_the_server_keeps_it() -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                writer.write(response(request.split(b" ")[1]))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async with serve(handler) as port, Fetcher(settings_for(port)) as fetcher:
        bodies = [(await fetcher.fetch(f"http://127.0.0.1:{port}/{n}")).content for n in range(5)]
    assert bodies == [f"/{n}".encode() for n in range(5)]
    assert connections == 1


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    """Servers drop idle keep-alive connections without notice; the next fetch must open a new one
    rather than fail with "server disconnected" (retries are off, so a reuse would be an error)."""
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        request = await reader.readuntil(b"\r\n\r\n")
        writer.write(response(request.split(b" ")[1]))  # no "connection: close": looks reusable
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()

    async with serve(handler) as port, Fetcher(settings_for(port)) as fetcher:
        first = await fetcher.fetch(f"http://127.0.0.1:{port}/first")
        await asyncio.sleep(0.3)
        second = await fetcher.fetch(f"http://127.0.0.1:{port}/second")
    assert (first.content, second.content) == (b"/first", b"/second")
    assert connections == 2


async def test_unread_data_is_bounded_by_pausing_the_socket() -> None:
    body = bytes(range(256)) * (16 * 1024)  # 4 MiB, sent at once

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(body)
        await writer.drain()
        writer.close()

    async with serve(handler) as port:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        await asyncio.sleep(0.5)  # the server has written all it can; nobody reads
        buffered = len(stream._connection.buffer)
        received = bytearray()
        while chunk := await stream.read(64 * 1024, timeout=5):
            received += chunk
        await stream.aclose()
    assert 0 < buffered <= READ_HIGH_WATER + 256 * 1024  # the high-water mark plus one socket read
    assert received == body


async def test_a_server_that_stops_sending_times_out_the_read() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    async with serve(handler) as port:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(1024, timeout=0.2)
        await stream.aclose()


async def test_connecting_to_a_closed_port_is_a_connect_error() -> None:
    async with serve(lambda r, w: asyncio.sleep(0)) as port:
        pass  # the port is free again
    with pytest.raises(httpcore.ConnectError):
        await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)


# -- TLS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


async def https_get(port: int, client_context: ssl.SSLContext) -> tuple[int, bytes]:
    backend = AsyncioBackend()
    async with httpcore.AsyncConnectionPool(ssl_context=client_context, network_backend=backend) as pool:
        reply = await pool.request("GET", f"https://localhost:{port}/secure")
        return reply.status, reply.content


async def test_https_through_the_asyncio_backend(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        writer.write(response(b"over TLS " + request.split(b" ")[1]))
        await writer.drain()
        writer.close()

    async with serve(handler, server_context) as port:
        trusted = ssl.create_default_context(cafile=str(cert))
        assert await https_get(port, trusted) == (200, b"over TLS /secure")
        with pytest.raises(httpcore.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await https_get(port, ssl.create_default_context())  # the system CAs do not know it


async def test_cookies_a_site_sets_are_not_sent_back() -> None:
    """Every fetch is a first visit: metered paywalls cannot count the crawler's reads."""
    cookie_headers: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                lines = request.lower().split(b"\r\n")
                cookie_headers.extend(line for line in lines if line.startswith(b"cookie:"))
                body = b"article"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nset-cookie: meter=1; Path=/\r\nset-cookie: session=abc\r\n"
                    + f"content-length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async with serve(handler) as port, Fetcher(settings_for(port)) as fetcher:
        for n in range(3):
            assert (await fetcher.fetch(f"http://127.0.0.1:{port}/story-{n}")).content == b"article"
    assert cookie_headers == []
