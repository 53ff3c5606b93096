"""robots.txt: fetched once per origin, cached with a TTL, parsed with protego.

Status handling follows Google's documented crawler behaviour
(developers.google.com/search/docs/crawling-indexing/robots/robots_txt):

* 2xx: parse the first ``ROBOTS_MAX_BYTES`` (500 KiB) as the rules;
* 4xx except 429 (including 404 "no robots.txt"): everything is allowed;
* 429, 5xx or unreachable: everything is disallowed *for now*; the file is tried
  again after ``fetch.robots_error_ttl_s``. Fetches in that window fail with a
  retryable ``FetchError`` whose ``retry_after`` says when to come back.

The cache does not know about HTTP: a *loader* (given by the client) fetches the
file and returns ``(status, body)``, or ``(None, b"")`` when unreachable.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from newswire.errors import FetchError, RobotsDeniedError

#: Google reads at most 500 KiB of a robots.txt and ignores the rest.
ROBOTS_MAX_BYTES = 500 * 1024

#: ``load(robots_url) -> (status or None if unreachable, body)``.
RobotsLoader = Callable[[str], Awaitable[tuple[int | None, bytes]]]


class RobotsUnavailableError(FetchError):
    """robots.txt could not be read (5xx, 429, unreachable): nothing on that origin is fetched for now.

    Retryable, with ``retry_after`` = seconds until robots.txt is tried again; the
    fetcher does not retry it itself (the wait is usually longer than a back-off).
    """

    def __init__(self, message: str, *, url: str, retry_after: float) -> None:
        super().__init__(message, url=url, retryable=True, retry_after=retry_after)


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: ``newswire/0.1 (...)`` → ``newswire``."""
    return (user_agent.split("/", 1)[0].split() or [user_agent])[0]


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (the unit robots.txt applies to)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt says, and until when we believe it."""

    expires_at: float
    parser: Protego | None = None
    unavailable: str | None = None  # why all is disallowed for now (5xx, unreachable)

    def can_fetch(self, url: str, agent: str) -> bool:
        if self.unavailable is not None:
            return False
        return True if self.parser is None else bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return None if delay is None else float(delay)


class RobotsCache:
    """Per-origin robots.txt rules, loaded at most once per TTL even under concurrency."""

    def __init__(
        self,
        loader: RobotsLoader,
        *,
        user_agent: str,
        ttl_s: float,
        error_ttl_s: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = loader
        self.agent = agent_token(user_agent)
        self._ttl_s = ttl_s
        self._error_ttl_s = error_ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._rules: OrderedDict[str, RobotsRules] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, origin: str) -> RobotsRules:
        """The rules of ``origin`` (``scheme://host:port``), loading them when missing or stale."""
        cached = self._fresh(origin)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:  # one load per origin; the others wait and then read the cache
            cached = self._fresh(origin)
            if cached is not None:
                return cached
            rules = self._interpret(*await self._load(f"{origin}/robots.txt"))
            self._rules[origin] = rules
            self._rules.move_to_end(origin)
            while len(self._rules) > self._max_entries:
                old, _ = self._rules.popitem(last=False)
                old_lock = self._locks.get(old)
                if old_lock is not None and not old_lock.locked():
                    del self._locks[old]
            return rules

    async def check(self, url: str) -> float | None:
        """Raise if robots.txt forbids ``url`` (now); else return its Crawl-delay, if any."""
        origin = origin_of(url)
        rules = await self.rules(origin)
        if rules.unavailable is not None:
            raise RobotsUnavailableError(
                f"robots.txt of {origin} is unavailable ({rules.unavailable}); not fetching until it "
                f"can be read",
                url=url,
                retry_after=max(0.0, rules.expires_at - self._clock()),
            )
        if not rules.can_fetch(url, self.agent):
            raise RobotsDeniedError(f"robots.txt disallows {url} for {self.agent}", url=url)
        return rules.crawl_delay(self.agent)

    def _fresh(self, origin: str) -> RobotsRules | None:
        rules = self._rules.get(origin)
        return rules if rules is not None and rules.expires_at > self._clock() else None

    def _interpret(self, status: int | None, body: bytes) -> RobotsRules:
        now = self._clock()
        if status is None:
            return RobotsRules(now + self._error_ttl_s, unavailable="unreachable")
        if status == 429 or status >= 500:
            return RobotsRules(now + self._error_ttl_s, unavailable=f"HTTP {status}")
        if 200 <= status < 300:
            text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
            return RobotsRules(now + self._ttl_s, parser=Protego.parse(text))
        return RobotsRules(now + self._ttl_s)  # 4xx (and odd 1xx/3xx): no rules, all allowed
