"""The address guard: never let a fetched URL (or a redirect) reach an internal network.

A news fetcher follows URLs chosen by strangers: feeds, sitemaps and redirects.
Without a guard, ``http://169.254.169.254/latest/meta-data/`` in a feed reads
cloud credentials and ``http://127.0.0.1:9092/`` pokes at our own broker (SSRF).

Two checks, both using the same rules (:func:`blocked_reason`):

1. ``AddressGuard.check_url`` runs before every request and every redirect hop:
   it resolves the host with ``getaddrinfo`` and refuses the URL if *any*
   address is internal, with a message that names the setting to change.
2. ``GuardedNetworkBackend`` is the httpcore network backend of our transport:
   it resolves again at connect time, refuses internal addresses, and connects
   to the very IP it checked. This closes DNS rebinding (a name that resolves to
   a public address for the check and to 127.0.0.1 for the connection). TLS is
   unaffected: httpcore still sends SNI and verifies the certificate for the
   URL's host name, not for the IP.

Residual risks, documented rather than hidden:

* a caller-supplied ``transport`` (tests, proxies) bypasses check 2; only check
  1 applies, so a rebinding resolver could still win the race there;
* connections are pooled per origin, so a kept-alive connection is reused without
  a new check (it was checked when it was opened);
* through a proxy (``fetch.proxy``, see ``_proxy``) check 2 pins the connection
  to the proxy, and the proxy resolves the target again: check 1 still refuses
  internal targets, but a rebinding name could win that race at the proxy.

Exemptions: ``fetch.allow_private_networks`` switches the guard off;
``fetch.allowed_hosts`` lists ``host:port`` entries (``[::1]:8080`` for IPv6)
that may be internal, e.g. the test site on ``127.0.0.1:<port>``. The settings
refuse a bare host there: it would open every port of that host (the broker's,
the metrics endpoint's) to a redirect or a feed item.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore

from newswire.errors import BlockedError, FetchError
from newswire.fetch._network import AsyncioBackend

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: ``resolve(host, port) -> addresses``; injectable so tests can fake DNS answers.
Resolver = Callable[[str, int], Awaitable[list[str]]]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv6 one (mapped, compatible, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    packed = ip.packed
    if packed[:12] == bytes(12) and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(packed[12:])
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be fetched ("a loopback address", ...), or ``None`` if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) address"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = blocked_reason(inner)
            return f"an IPv6 form of {inner}, {reason}" if reason else None
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip in _METADATA or ip.is_link_local:
        return "a link-local/metadata address"
    if ip.version == 4 and ip in _CGNAT:
        return "a carrier-grade NAT (100.64.0.0/10) address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip.version == net.version and ip in net for net in _PRIVATE):
        return "a private-network address"
    if ip.is_reserved or ip.is_private or not ip.is_global:
        return "a reserved (non-public) address"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """All addresses of ``host`` from the system resolver, in its preference order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for *_, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), None)
    return list(seen)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class AddressGuard:
    """Decides whether a host may be contacted; see the module docstring."""

    def __init__(
        self,
        *,
        allow_private_networks: bool = False,
        allowed_hosts: Iterable[str] = (),
        resolver: Resolver | None = None,
    ) -> None:
        self.allow_private_networks = allow_private_networks
        self.allowed_hosts = frozenset(h.strip().lower() for h in allowed_hosts if h.strip())
        self._resolve = resolver or system_resolver

    def is_exempt(self, host: str, port: int) -> bool:
        """Whether ``host``/``port`` skips the check (global switch or an ``allowed_hosts`` entry)."""
        if self.allow_private_networks:
            return True
        host = host.lower().strip("[]")
        bracketed = f"[{host}]" if ":" in host else host
        return bool({host, bracketed, f"{bracketed}:{port}"} & self.allowed_hosts)

    async def checked_addresses(self, host: str, port: int, *, what: str, check: bool = True) -> list[str]:
        """Resolve ``host`` and return its addresses, raising ``BlockedError`` if any is internal.

        ``what`` is the URL (or ``host:port``) named in error messages; ``check=False``
        only resolves (for exempt hosts, so they too connect to what our resolver said).
        """
        literal = _literal(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = await self._resolve(host, port)
            except socket.gaierror as exc:
                raise FetchError(
                    f"cannot resolve {host}: {exc.strerror}",
                    url=what,
                    retryable=exc.errno == socket.EAI_AGAIN,
                ) from None
            if not addresses:
                raise FetchError(f"cannot resolve {host}: no addresses", url=what, retryable=True)
        for address in addresses if check else ():
            reason = blocked_reason(ipaddress.ip_address(address))
            if reason is not None:
                subject = address if literal is not None else f"{host} resolves to {address},"
                verb = " is" if literal is not None else ""
                raise BlockedError(
                    f"refusing to fetch {what}: {subject}{verb} {reason}; "
                    f"set fetch.allowed_hosts to allow it",
                    url=what,
                )
        return addresses

    async def check(self, host: str, port: int, url: str) -> None:
        """Refuse ``url`` (whose host is ``host``) unless exempt or all its addresses are public."""
        if not self.is_exempt(host, port):
            await self.checked_addresses(host, port, what=url)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that connects only to addresses the guard has just approved.

    (The ``timeout`` parameters are httpcore's interface, hence the ``noqa``.)
    """

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._inner = inner or AsyncioBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        check = not self._guard.is_exempt(host, port)
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._guard.checked_addresses(
                    host, port, what=f"{host}:{port}", check=check
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except FetchError as exc:  # resolution failed: let httpx report it as a connect error
            if isinstance(exc, BlockedError):
                raise
            raise httpcore.ConnectError(str(exc)) from None
        error: Exception | None = None
        for address in addresses:  # connect to what was checked, never re-resolve
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by newswire's fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
