"""Politeness: how many requests run at once, per host and overall, and how often a host is hit.

``HostLimiter.slot(host, delay_s)`` is entered around every request. It

1. takes one of the host's ``per_host`` permits (parallel requests to one host),
2. under the host's lock, sleeps until ``delay_s`` after the previous request
   *start* on that host (or later, if a server asked us to back off, see
   :meth:`HostLimiter.defer`),
3. only then takes one of the ``total`` global permits, so a worker waiting on a
   slow, crawl-delayed host does not hold a global permit while it sleeps.

The start time is recorded after the global permit is granted, so the spacing
between starts on one host is never shorter than ``delay_s`` even when the
global limit is saturated.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

#: Keep at most this many idle host entries; older idle ones are forgotten.
_MAX_IDLE_HOSTS = 10_000


@dataclass
class _Host:
    permits: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    users: int = 0


class HostLimiter:
    """Global and per-host concurrency plus a minimum delay between request starts per host."""

    def __init__(self, *, total: int, per_host: int, clock: Callable[[], float] | None = None) -> None:
        self._total = asyncio.Semaphore(total)
        self._per_host = per_host
        self._hosts: dict[str, _Host] = {}
        self._clock = clock

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            if len(self._hosts) >= _MAX_IDLE_HOSTS:
                self._forget_idle()
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._per_host))
        return state

    def _forget_idle(self) -> None:
        now = self._now()
        for name in [n for n, s in self._hosts.items() if s.users == 0 and s.next_start <= now]:
            del self._hosts[name]

    def defer(self, host: str, seconds: float) -> None:
        """Start nothing on ``host`` for ``seconds`` (after a 429/503 with ``Retry-After``)."""
        state = self._host(host)
        state.next_start = max(state.next_start, self._now() + seconds)

    @asynccontextmanager
    async def slot(self, host: str, delay_s: float) -> AsyncIterator[None]:
        """Hold a request slot for ``host``; at most ``delay_s`` between starts is enforced."""
        state = self._host(host)
        state.users += 1
        try:
            async with state.permits:
                async with state.lock:
                    wait = state.next_start - self._now()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    await self._total.acquire()
                    state.next_start = max(state.next_start, self._now() + delay_s)
                try:
                    yield
                finally:
                    self._total.release()
        finally:
            state.users -= 1
