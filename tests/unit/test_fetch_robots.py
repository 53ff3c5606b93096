"""robots.txt cache: status handling, TTLs, single flight, Crawl-delay; plus the host limiter."""

from __future__ import annotations

import asyncio
import itertools

import pytest

import newswire.fetch
from newswire.errors import BlockedError
from newswire.fetch._politeness import HostLimiter
from newswire.fetch._robots import RobotsCache, RobotsUnavailableError, agent_token, origin_of

UA = "newswire/0.1 (+https://github.com/newswire/newswire; news ingestion bot)"
ROBOTS = b"""User-agent: *
Disallow: /private/
Crawl-delay: 3

User-agent: newswire
Disallow: /drafts/
Crawl-delay: 2
"""


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _Loader:
    def __init__(self, status: int | None, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        self.calls: list[str] = []

    async def __call__(self, url: str) -> tuple[int | None, bytes]:
        self.calls.append(url)
        await asyncio.sleep(0)
        return self.status, self.body


def _cache(loader: _Loader, clock: _Clock) -> RobotsCache:
    return RobotsCache(loader, user_agent=UA, ttl_s=3600, error_ttl_s=60, clock=clock)


def test_agent_token_and_origin() -> None:
    assert agent_token(UA) == "newswire"
    assert agent_token("") == ""
    assert origin_of("https://News.Example:8443/a/b?c") == "https://news.example:8443"
    assert origin_of("http://user:pw@example.com/x") == "http://example.com"


async def test_rules_for_our_agent_apply_with_their_crawl_delay() -> None:
    loader = _Loader(200, ROBOTS)
    cache = _cache(loader, _Clock())
    assert await cache.check("http://example.com/news/a") == 2.0
    assert await cache.check("http://example.com/private/a") == 2.0  # our group does not forbid it
    with pytest.raises(BlockedError, match=r"robots\.txt disallows http://example\.com/drafts/x"):
        await cache.check("http://example.com/drafts/x")
    assert loader.calls == ["http://example.com/robots.txt"]


@pytest.mark.parametrize("status", [401, 403, 404, 410])
async def test_client_errors_allow_everything(status: int) -> None:
    cache = _cache(_Loader(status), _Clock())
    assert await cache.check("http://example.com/anything") is None


@pytest.mark.parametrize("status", [None, 429, 500, 503])
async def test_server_errors_disallow_for_now_then_retry(status: int | None) -> None:
    loader = _Loader(status)
    clock = _Clock()
    cache = _cache(loader, clock)
    with pytest.raises(RobotsUnavailableError) as caught:
        await cache.check("http://example.com/a")
    assert caught.value.retryable and caught.value.retry_after == pytest.approx(60)
    clock.now += 30
    with pytest.raises(RobotsUnavailableError):
        await cache.check("http://example.com/a")
    assert len(loader.calls) == 1  # still within the error TTL
    clock.now += 31
    loader.status, loader.body = 200, b""
    assert await cache.check("http://example.com/a") is None
    assert len(loader.calls) == 2


async def test_ttl_expiry_reloads() -> None:
    loader = _Loader(200, ROBOTS)
    clock = _Clock()
    cache = _cache(loader, clock)
    await cache.check("http://example.com/a")
    clock.now += 3599
    await cache.check("http://example.com/b")
    clock.now += 2
    await cache.check("http://example.com/c")
    assert len(loader.calls) == 2


async def test_one_load_per_origin_under_concurrency() -> None:
    loader = _Loader(200, ROBOTS)
    cache = _cache(loader, _Clock())
    await asyncio.gather(
        *(cache.check(f"http://example.com/{i}") for i in range(20)), cache.check("https://example.com/x")
    )
    assert sorted(loader.calls) == ["http://example.com/robots.txt", "https://example.com/robots.txt"]


async def test_host_limiter_spaces_starts_and_caps_concurrency() -> None:
    limiter = HostLimiter(total=10, per_host=2)
    loop = asyncio.get_running_loop()
    starts: list[float] = []
    running = peak = 0

    async def one() -> None:
        nonlocal running, peak
        async with limiter.slot("example.com", 0.02):
            starts.append(loop.time())
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.05)
            running -= 1

    await asyncio.gather(*(one() for _ in range(5)))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert peak == 2
    assert all(gap >= 0.019 for gap in gaps)


async def test_host_limiter_global_cap_and_defer() -> None:
    limiter = HostLimiter(total=1, per_host=4)
    loop = asyncio.get_running_loop()
    limiter.defer("slow.example", 0.1)
    started = loop.time()
    async with limiter.slot("slow.example", 0):
        assert loop.time() - started >= 0.09
    order: list[str] = []

    async def one(host: str) -> None:
        async with limiter.slot(host, 0):
            order.append(f"in {host}")
            await asyncio.sleep(0.01)
            order.append(f"out {host}")

    await asyncio.gather(one("a.example"), one("b.example"))
    assert order in (
        ["in a.example", "out a.example", "in b.example", "out b.example"],
        ["in b.example", "out b.example", "in a.example", "out a.example"],
    )


def test_public_api() -> None:
    assert sorted(newswire.fetch.__all__) == [
        "Download",
        "FetchResult",
        "Fetcher",
        "PAGE_KINDS",
        "PageKind",
        "ResponseObserver",
        "RobotsUnavailableError",
        "Validators",
        "Verdict",
        "page_kind",
        "redirect_kind",
        "refusal_kind",
    ]
    for name in newswire.fetch.__all__:
        assert getattr(newswire.fetch, name) is not None
