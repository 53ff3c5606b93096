"""``Fetcher``: one polite, guarded, retrying HTTP GET per call, on top of httpx.

What happens in ``fetch(url)``, in order, for every attempt and every redirect hop:

1. only ``http``/``https`` URLs pass (``BlockedError`` otherwise);
2. the address guard resolves the host and refuses internal addresses (``_guard``);
3. robots.txt of the hop's origin is consulted (``_robots``), giving a Crawl-delay;
4. a politeness slot is taken: global and per-host concurrency, per-host spacing
   of request starts (``_politeness``);
5. the request goes out with ``follow_redirects=False``; a 3xx with ``Location``
   loops back to 1 for the next hop, at most ``max_redirects`` times;
6. the final response: 2xx → body read within ``max_body_bytes`` *decoded*
   (``_body``); 304 → ``not_modified``; a bot-protection vendor's refusal
   (``_page_kind.refusal_kind``) → ``NotArticleError(kind="blocked")``, not
   retried; 429/5xx/408 → retryable; other 4xx → ``FetchError(retryable=False)``.

Retryable failures (timeouts, connection errors, 429, 5xx) are retried
``fetch.retries`` times with full-jitter back-off or the server's
``Retry-After`` (the loop is ``_retrying``, the policy ``_retry``), then raised
as ``FetchError(retryable=True)`` with a ``retry_after`` hint. ``total_timeout_s``
bounds the network time of one attempt (all hops, body included); politeness
waits and back-off sleeps are not counted against it.

httpx exceptions are translated in exactly one place,
:func:`~newswire.fetch._hops.translated`, so callers only ever see
``FetchError``/``BlockedError``.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from newswire.config import DIRECT, FetchSettings
from newswire.errors import BlockedError, FetchError
from newswire.fetch._body import read_limited
from newswire.fetch._download import DOWNLOAD_TIMEOUT_S, BodySink, Download, Spooler
from newswire.fetch._guard import AddressGuard, Resolver
from newswire.fetch._hops import (
    DEFAULT_PORTS,
    REDIRECT_STATUSES,
    Budget,
    Hop,
    page_result,
    parse_url,
    refusal_body,
    translated,
)
from newswire.fetch._models import FetchResult, ResponseObserver, Validators
from newswire.fetch._politeness import HostLimiter
from newswire.fetch._proxy import proxy_for
from newswire.fetch._retry import RetryPolicy, parse_retry_after
from newswire.fetch._retrying import retrying
from newswire.fetch._robots import ROBOTS_MAX_BYTES, RobotsCache
from newswire.fetch._transport import new_client, pinned_transport

log = logging.getLogger(__name__)

ROBOTS_MAX_REDIRECTS = 5  # as Google does
#: Refusals whose body is read (up to ``_hops.REFUSAL_MAX_BYTES``) to tell a bot challenge from a plain error.
REFUSAL_STATUSES = frozenset({401, 403, 405, 429, 503})
#: The route one ``fetch``/``download(proxy=...)`` asked for, seen by all its hops and robots.txt loads.
_ROUTE: contextvars.ContextVar[str | None] = contextvars.ContextVar("newswire_fetch_route", default=None)
T = TypeVar("T")


class Fetcher:
    """Polite, SSRF-guarded, retrying HTTP GETs. Use as ``async with Fetcher(settings) as f``.

    ``transport`` replaces the network layer (e.g. ``httpx.MockTransport``); the
    address guard's URL check still runs, but connections are not pinned to the
    checked address (see ``_guard``), and proxies are not used. Otherwise each
    URL goes directly or through the proxy ``_proxy.proxy_for`` picks, robots.txt
    included. ``on_response(host, status_class, elapsed_s)``
    is called once per HTTP exchange for metrics. ``resolver`` and ``rng`` exist for
    tests (fake DNS answers, deterministic jitter).

    One ``Fetcher`` is meant to live as long as the process: robots.txt and the
    per-host politeness state are kept in it. It cannot be reopened after close.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_response: ResponseObserver | None = None,
        resolver: Resolver | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = s = settings or FetchSettings()
        self._transport = transport
        self._on_response = on_response
        self._rng = rng
        self._resolver = resolver
        self._guard = AddressGuard(
            allow_private_networks=s.allow_private_networks, allowed_hosts=s.allowed_hosts, resolver=resolver
        )
        self._limiter = HostLimiter(total=s.concurrency, per_host=s.per_host_concurrency)
        self._robots = RobotsCache(
            self._load_robots, user_agent=s.user_agent, ttl_s=s.robots_ttl_s, error_ttl_s=s.robots_error_ttl_s
        )
        self._policy = RetryPolicy(retries=s.retries, base_s=s.backoff_base_s, max_s=s.backoff_max_s)
        self._client: httpx.AsyncClient | None = None  # the direct route
        self._proxied: dict[str, httpx.AsyncClient] = {}  # proxy URL -> its route, opened on first use
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Fetcher:
        if self._closed:
            raise RuntimeError("this Fetcher is closed; create a new one")
        if self._client is None:
            self._client = self._new_client(self._transport or self._pinned_transport(None))
        return self

    def _new_client(self, transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
        return new_client(self.settings, transport)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close connections. Idempotent."""
        self._closed = True
        clients = [*self._proxied.values(), *([self._client] if self._client is not None else [])]
        self._client = None
        self._proxied = {}
        for client in clients:
            await client.aclose()

    def _pinned_transport(self, proxy: str | None) -> httpx.AsyncHTTPTransport:
        return pinned_transport(self.settings, self._guard, self._resolver, proxy)

    def _require_client(self, url: httpx.URL | None = None) -> httpx.AsyncClient:
        """The client of ``url``'s route (see ``_proxy``); a caller-supplied transport is the only route."""
        if self._client is None:
            state = "closed" if self._closed else "not open"
            raise RuntimeError(f"Fetcher is {state}; use 'async with Fetcher(settings) as fetcher'")
        proxy = _ROUTE.get() or (proxy_for(url.scheme, url.host, self.settings) if url is not None else None)
        if proxy == DIRECT:
            proxy = None
        if proxy is None or self._transport is not None:
            return self._client
        client = self._proxied.get(proxy)
        if client is None:
            client = self._proxied[proxy] = self._new_client(self._pinned_transport(proxy))
        return client

    # -- the public operation --------------------------------------------------------------

    async def fetch(
        self, url: str, *, validators: Validators | None = None, proxy: str | None = None
    ) -> FetchResult:
        """GET ``url`` politely; see the module docstring for the steps and errors.

        ``proxy`` (a proxy URL, or ``direct``) overrides the configured route for this
        fetch, robots.txt included: a source's own ``proxy``.

        Raises ``BlockedError`` (policy: scheme, guard, robots.txt, size),
        ``FetchError(retryable=False)`` (other 4xx, bad URL, too many redirects) or
        ``FetchError(retryable=True, retry_after=...)`` once retries are used up
        (``retry_after`` is the server's ``Retry-After`` if it sent one, else a back-off hint).
        """
        started = time.monotonic()
        result, retries = await self._retried(url, proxy, lambda: self._attempt(url, validators))
        return replace(result, retry_count=retries, elapsed_s=time.monotonic() - started)

    async def download(
        self,
        url: str,
        dest: Path,
        *,
        max_bytes: int,
        timeout_s: float = DOWNLOAD_TIMEOUT_S,
        proxy: str | None = None,
    ) -> Download:
        """GET ``url`` politely into the file ``dest``, streamed to disk, never held in memory.

        The same steps as :meth:`fetch` (scheme, address guard on every hop, robots.txt,
        politeness slot, proxy route, redirects, retries), but the body is stored as sent
        (see ``_download``): written to ``dest.part`` and renamed to ``dest`` once whole.
        An attempt that breaks off is retried from the bytes already on disk when the
        server supports ranges, and a partial file left by an earlier call is resumed
        the same way. ``timeout_s`` bounds one attempt; stalls are caught sooner by
        ``fetch.read_timeout_s``.

        Raises ``BlockedError`` (policy, or the file is over ``max_bytes``: nothing is kept) or
        ``FetchError`` as :meth:`fetch` does (the partial file is kept for a later call to resume).
        """
        spool = Spooler(url, dest, max_bytes)
        final_url, _ = await self._retried(url, proxy, lambda: self._download_attempt(url, spool, timeout_s))
        return spool.finish(final_url)

    async def _retried(
        self, url: str, proxy: str | None, attempt_once: Callable[[], Awaitable[T]]
    ) -> tuple[T, int]:
        """``attempt_once()`` retried (``_retrying``); its hops and robots.txt loads go ``proxy``'s route."""
        self._require_client()
        token = _ROUTE.set(proxy)  # for this call's hops and robots.txt loads only
        try:
            return await retrying(url, attempt_once, self._policy, self._rng)
        finally:
            _ROUTE.reset(token)

    def hold_off(self, host: str, seconds: float) -> None:
        """Start no request to ``host`` for ``seconds`` (a host that answers with bot challenges)."""
        self._limiter.defer(host, seconds)

    async def _attempt(self, url: str, validators: Validators | None) -> FetchResult:
        """One attempt of :meth:`fetch`: a conditional GET when ``validators`` are known."""
        hop, history = await self._follow(
            url,
            validators.request_headers() if validators else {},
            Budget(self.settings.total_timeout_s),
            max_redirects=self.settings.max_redirects,
            obey_robots=self.settings.obey_robots,
            body_limit=self.settings.max_body_bytes,
            truncate=False,
        )
        return page_result(url, hop, history, validators, max_redirects=self.settings.max_redirects)

    async def _download_attempt(self, url: str, spool: Spooler, timeout_s: float) -> str:
        """One attempt of :meth:`download`; returns the URL the file came from (after redirects)."""
        hop, _ = await self._follow(
            url,
            spool.request_headers(),
            Budget(timeout_s),
            max_redirects=self.settings.max_redirects,
            obey_robots=self.settings.obey_robots,
            body_limit=spool.max_bytes,
            truncate=False,
            sink=spool,
        )
        return spool.settle(hop, max_redirects=self.settings.max_redirects)

    # -- hops ------------------------------------------------------------------------------

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        budget: Budget,
        *,
        max_redirects: int,
        obey_robots: bool,
        body_limit: int,
        truncate: bool,
        sink: BodySink | None = None,
    ) -> tuple[Hop, list[str]]:
        """Request ``url``, following up to ``max_redirects`` redirects, every hop checked."""
        history: list[str] = []
        current = url
        while True:
            hop = await self._hop(
                current,
                headers,
                budget,
                obey_robots=obey_robots,
                body_limit=body_limit,
                truncate=truncate,
                sink=sink,
            )
            location = hop.headers.get("location")
            if hop.status not in REDIRECT_STATUSES or not location or len(history) >= max_redirects:
                return hop, history
            history.append(current)
            with translated(current, limit=body_limit):
                current = str(httpx.URL(current).join(location).copy_with(fragment=None))

    async def _hop(
        self,
        url: str,
        headers: dict[str, str],
        budget: Budget,
        *,
        obey_robots: bool,
        body_limit: int,
        truncate: bool,
        sink: BodySink | None = None,
    ) -> Hop:
        parsed = parse_url(url)
        host = parsed.host
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        await self._guard.check(host, port, url)
        delay = self.settings.per_host_delay_s
        if obey_robots:
            crawl_delay = await self._robots.check(url)
            if crawl_delay is not None:
                delay = max(delay, min(crawl_delay, self.settings.max_crawl_delay_s))
        async with self._limiter.slot(host, delay):
            if budget.left <= 0:
                raise FetchError("total fetch deadline exceeded", url=url, retryable=True)
            with budget.charge(), translated(url, limit=body_limit):
                async with asyncio.timeout(budget.left):
                    hop = await self._exchange(parsed, headers, body_limit, truncate, sink)
        if hop.status in (429, 503):
            retry_after = parse_retry_after(hop.headers.get("retry-after"))
            if retry_after:  # everyone waits for this host, not only this request's retry
                self._limiter.defer(host, min(retry_after, self._policy.max_s))
        return hop

    async def _exchange(
        self, url: httpx.URL, headers: dict[str, str], body_limit: int, truncate: bool, sink: BodySink | None
    ) -> Hop:
        client = self._require_client(url)
        request = client.build_request("GET", url, headers=headers)
        started = time.monotonic()
        status_class = "error"
        try:
            response = await client.send(request, stream=True)
        except BaseException:
            self._observe(url.host, status_class, started)
            raise
        status_class = f"{response.status_code // 100}xx"
        try:
            content = b""
            if 200 <= response.status_code < 300 and sink is not None:
                await sink(response)  # it checks its own size cap while it streams
            elif 200 <= response.status_code < 300:
                length = response.headers.get("content-length", "")
                if not truncate and length.isdigit() and int(length) > body_limit:
                    raise BlockedError(
                        f"Content-Length {length} exceeds fetch.max_body_bytes={body_limit}", url=str(url)
                    )
                content = await read_limited(
                    response.aiter_raw(),
                    response.headers.get("content-encoding"),
                    body_limit,
                    truncate=truncate,
                )
            elif response.status_code in REFUSAL_STATUSES:
                content = await refusal_body(response)
            return Hop(str(url), response.status_code, response.headers, content)
        finally:
            await response.aclose()
            self._observe(url.host, status_class, started)

    def _observe(self, host: str, status_class: str, started: float) -> None:
        if self._on_response is not None:
            self._on_response(host, status_class, time.monotonic() - started)

    # -- robots.txt ------------------------------------------------------------------------

    async def _load_robots(self, robots_url: str) -> tuple[int | None, bytes]:
        """Loader for ``RobotsCache``: one attempt, up to 5 redirects, first 500 KiB."""
        try:
            hop, _ = await self._follow(
                robots_url,
                {},
                Budget(self.settings.total_timeout_s),
                max_redirects=ROBOTS_MAX_REDIRECTS,
                obey_robots=False,
                body_limit=ROBOTS_MAX_BYTES,
                truncate=True,
            )
        except BlockedError as exc:  # e.g. robots.txt redirects to an internal address
            log.info("robots.txt unusable, treating as absent: %s", exc)
            return 404, b""
        except FetchError as exc:
            log.info("robots.txt unreachable: %s", exc)
            return None, b""
        return hop.status, hop.content
