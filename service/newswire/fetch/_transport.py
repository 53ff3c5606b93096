"""The httpx clients a Fetcher sends through: one per route (direct, or a proxy), each pinned to
addresses the guard has checked."""

from __future__ import annotations

import logging

import httpcore
import httpx

from newswire.config import FetchSettings
from newswire.fetch._body import ACCEPT_ENCODING
from newswire.fetch._guard import AddressGuard, GuardedNetworkBackend, Resolver
from newswire.fetch._hops import DEFAULT_PORTS, NoCookies
from newswire.fetch._network import AsyncioBackend

log = logging.getLogger(__name__)

ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml;q=0.9,"
    "application/atom+xml;q=0.9,application/feed+json;q=0.9,application/json;q=0.8,*/*;q=0.5"
)
_PROXY_PORTS = {**DEFAULT_PORTS, "socks5": 1080, "socks5h": 1080}


def new_client(s: FetchSettings, transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    """A client over ``transport`` with the fetch timeouts, no redirects, no cookies, our headers."""
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(
            connect=s.connect_timeout_s,
            read=s.read_timeout_s,
            write=s.read_timeout_s,
            pool=s.total_timeout_s,
        ),
        follow_redirects=False,
        cookies=NoCookies(),
        trust_env=False,  # proxies from the environment are routed by _proxy, after the guard
        headers={"User-Agent": s.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
    )


def pinned_transport(
    s: FetchSettings, guard: AddressGuard, resolver: Resolver | None, proxy: str | None
) -> httpx.AsyncHTTPTransport:
    """The transport of one route: direct, or through ``proxy``.

    Through a proxy, the connections go to the proxy, so it is the proxy's
    address that is exempt from the guard here; each target URL is still
    checked by ``Fetcher._hop`` before it is requested (the proxy resolves it again).
    """
    if proxy is not None:
        url = httpx.URL(proxy)
        port = url.port or _PROXY_PORTS[url.scheme]
        host = f"[{url.host}]" if ":" in url.host else url.host
        guard = AddressGuard(
            allow_private_networks=s.allow_private_networks,
            allowed_hosts=(*s.allowed_hosts, f"{host}:{port}"),
            resolver=resolver,
        )
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=s.concurrency, max_keepalive_connections=s.concurrency),
        proxy=httpx.Proxy(proxy) if proxy is not None else None,
        trust_env=False,
    )
    # httpx has no public hook for the network backend; swap httpcore's (anyio, slow: see
    # _network.py) for the guarded asyncio one before any connection exists. Guarded by
    # isinstance so an httpx upgrade degrades loudly.
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = GuardedNetworkBackend(guard, AsyncioBackend())
    else:  # pragma: no cover - depends on httpx internals
        log.warning("cannot pin connections to checked addresses; DNS rebinding is not prevented")
    return transport
