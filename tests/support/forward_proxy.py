"""A small forward proxy on loopback, for tests: plain-HTTP forwarding and CONNECT tunnels.

It asks for ``Proxy-Authorization: Basic`` when ``credentials`` are given (407
otherwise) and records every request it was asked to make, so a test can see
which route a fetch took. One request per client connection.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar
from urllib.parse import urlsplit


@dataclass
class ForwardProxy:
    credentials: tuple[str, str] | None = None
    seen: list[tuple[str, str]] = field(default_factory=list)  # (method, target) of authorised requests
    refused: int = 0
    port: int = 0

    def url(self, user: str | None = None, password: str | None = None) -> str:
        auth = f"{user}:{password}@" if user is not None else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    def _authorised(self, headers: dict[str, str]) -> bool:
        if self.credentials is None:
            return True
        expected = "Basic " + base64.b64encode(":".join(self.credentials).encode()).decode()
        return headers.get("proxy-authorization") == expected

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            line, *rest = head.decode("latin-1").split("\r\n")
            method, target, _ = line.split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in rest if h)}
            if not self._authorised(headers):
                self.refused += 1
                writer.write(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                    b"Connection: close\r\n\r\n"
                )
                await writer.drain()
                return
            self.seen.append((method, target))
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, rest, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _forward(
        self,
        method: str,
        target: str,
        header_lines: list[str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        parts = urlsplit(target)
        up_reader, up_writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        kept = [h for h in header_lines if h and not h.lower().startswith(("proxy-", "connection:"))]
        head = "".join(f"{h}\r\n" for h in [f"{method} {path} HTTP/1.1", *kept, "Connection: close"])
        up_writer.write(head.encode("latin-1") + b"\r\n")
        await up_writer.drain()
        await self._pipe(up_reader, writer)
        up_writer.close()

    async def _tunnel(self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, _, port = target.rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        up_writer.close()

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await src.read(65536):
                dst.write(chunk)
                await dst.drain()
            if dst.can_write_eof():
                dst.write_eof()


class _Proxy(Protocol):
    port: int

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None: ...


P = TypeVar("P", bound=_Proxy)


@contextlib.asynccontextmanager
async def _serving(proxy: P) -> AsyncIterator[P]:
    """Serve ``proxy`` on 127.0.0.1 (a free port, set as ``proxy.port``) in the running loop."""
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        server.close()
        await server.wait_closed()


def forward_proxy(
    credentials: tuple[str, str] | None = None,
) -> contextlib.AbstractAsyncContextManager[ForwardProxy]:
    """Run a :class:`ForwardProxy` on 127.0.0.1 (a free port) in the running loop."""
    return _serving(ForwardProxy(credentials))


@dataclass
class Socks5Proxy:
    """A SOCKS5 proxy (RFC 1928, CONNECT only) with username/password auth (RFC 1929) when asked."""

    credentials: tuple[str, str] | None = None
    seen: list[str] = field(default_factory=list)  # host:port of each authorised CONNECT
    refused: int = 0
    port: int = 0

    def url(self, user: str | None = None, password: str | None = None, scheme: str = "socks5") -> str:
        auth = f"{user}:{password}@" if user is not None else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}"

    async def _authenticate(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        _, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if self.credentials is None:
            writer.write(b"\x05\x00")
            return True
        if 2 not in methods:
            writer.write(b"\x05\xff")
            return False
        writer.write(b"\x05\x02")
        _, ulen = await reader.readexactly(2)
        user = (await reader.readexactly(ulen)).decode()
        plen = (await reader.readexactly(1))[0]
        password = (await reader.readexactly(plen)).decode()
        ok = (user, password) == self.credentials
        writer.write(b"\x01\x00" if ok else b"\x01\x01")
        return ok

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if not await self._authenticate(reader, writer):
                self.refused += 1
                return
            _, command, _, kind = await reader.readexactly(4)
            if kind == 1:
                host = ".".join(str(b) for b in await reader.readexactly(4))
            elif kind == 3:
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            else:
                writer.write(b"\x05\x08\x00\x01\x00\x00\x00\x00\x00\x00")  # address type not supported
                return
            port = int.from_bytes(await reader.readexactly(2), "big")
            if command != 1:
                writer.write(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")  # command not supported
                return
            self.seen.append(f"{host}:{port}")
            up_reader, up_writer = await asyncio.open_connection(host, port)
            writer.write(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + port.to_bytes(2, "big"))
            await writer.drain()
            await asyncio.gather(ForwardProxy._pipe(reader, up_writer), ForwardProxy._pipe(up_reader, writer))
            up_writer.close()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def socks5_proxy(
    credentials: tuple[str, str] | None = None,
) -> contextlib.AbstractAsyncContextManager[Socks5Proxy]:
    """Run a :class:`Socks5Proxy` on 127.0.0.1 (a free port) in the running loop."""
    return _serving(Socks5Proxy(credentials))
