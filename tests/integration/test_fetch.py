"""The fetch stage against the fake news site on a real loopback server.

Only the fake site's own ``127.0.0.1:<port>`` is allowed through the address
guard; every other internal target (its "internal" sibling port, localhost,
metadata) must still be refused. Delays and back-offs are tiny so the suite
stays fast; the only real waits are the ones the behaviour is about.
"""

from __future__ import annotations

import asyncio
import itertools
import tracemalloc
from datetime import UTC, datetime
from typing import Any

import pytest

from newswire.config import FetchSettings
from newswire.errors import BlockedError, FetchError
from newswire.fetch import Fetcher, RobotsUnavailableError, Validators
from newswire.fetch._guard import Resolver
from tests.fakesite import SEED_SLUG, Article, FakeSite
from tests.fakesite._app import gzip_bomb

pytest_plugins = ["tests.fakesite.fixtures"]

MiB = 1024 * 1024


def make_settings(site: FakeSite, **overrides: Any) -> FetchSettings:
    values: dict[str, Any] = {
        "allowed_hosts": (site.host_port,),
        "per_host_delay_s": 0.0,
        "per_host_concurrency": 4,
        "retries": 2,
        "backoff_base_s": 0.01,
        "backoff_max_s": 5.0,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 2.0,
        "total_timeout_s": 5.0,
        "max_body_bytes": MiB,
    }
    values.update(overrides)
    return FetchSettings(**values)


async def test_fetches_an_article_decoded_with_validators(fake_site: FakeSite) -> None:
    url = fake_site.article_url(SEED_SLUG)
    async with Fetcher(make_settings(fake_site)) as fetcher:
        result = await fetcher.fetch(url)
    assert result.status == 200 and not result.not_modified
    assert result.url == result.final_url == url
    assert result.headers["content-encoding"] == "gzip"  # the site compresses; we hand back plain bytes
    assert b'<h1 class="headline">Baltics in new NATO demand</h1>' in result.content
    assert b'"datePublished": "2022-01-13T19:23:00Z"' in result.content
    assert result.content_type == "text/html; charset=utf-8"
    assert result.validators.etag and result.validators.last_modified
    assert result.retry_count == 0 and result.redirect_count == 0 and result.elapsed_s > 0
    request = fake_site.requests_to(f"/news/{SEED_SLUG}")[0]
    assert request.headers["user-agent"] == FetchSettings().user_agent
    assert "if-none-match" not in request.headers


async def test_legacy_charset_pages_come_back_as_raw_bytes(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        cp1251 = await fetcher.fetch(fake_site.url("/charset/cp1251"))
        latin1 = await fetcher.fetch(fake_site.url("/charset/latin1"))
        sitemap = await fetcher.fetch(fake_site.url("/sitemaps/articles.xml.gz"))
    assert cp1251.content_type == "text/html; charset=iso-8859-1"  # the lie is passed on to extract/
    assert "Новый мост".encode("cp1251") in cp1251.content
    assert latin1.content_type == "text/html" and "Fête".encode("latin-1") in latin1.content
    assert sitemap.content[:2] == b"\x1f\x8b"  # a .gz file is not a Content-Encoding: left alone


# -- robots.txt ------------------------------------------------------------------------------


async def test_robots_disallow_and_single_robots_fetch(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        with pytest.raises(BlockedError, match=r"robots\.txt disallows") as caught:
            await fetcher.fetch(fake_site.url("/private/payroll"))
        assert not caught.value.retryable
        await asyncio.gather(*(fetcher.fetch(u) for u in fake_site.article_urls()[:4]))
    assert fake_site.hits("/private/payroll") == 0
    assert fake_site.hits("/robots.txt") == 1


async def test_robots_can_be_ignored(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, obey_robots=False)) as fetcher:
        result = await fetcher.fetch(fake_site.url("/private/payroll"))
    assert result.status == 200 and fake_site.hits("/robots.txt") == 0


async def test_robots_server_error_disallows_for_now(fake_site: FakeSite) -> None:
    fake_site.robots_status = 503
    async with Fetcher(make_settings(fake_site, robots_error_ttl_s=120)) as fetcher:
        with pytest.raises(RobotsUnavailableError) as caught:
            await fetcher.fetch(fake_site.article_urls()[0])
        with pytest.raises(RobotsUnavailableError):
            await fetcher.fetch(fake_site.article_urls()[1])
    assert caught.value.retryable and 100 < (caught.value.retry_after or 0) <= 120
    assert fake_site.hits("/robots.txt") == 1  # not hammered, not retried inside fetch
    assert fake_site.hits(fake_site.state.newest_first()[0].path) == 0


async def test_robots_not_found_allows_everything(fake_site: FakeSite) -> None:
    fake_site.robots_status = 404
    async with Fetcher(make_settings(fake_site)) as fetcher:
        result = await fetcher.fetch(fake_site.url("/private/payroll"))
    assert result.status == 200


# -- politeness ------------------------------------------------------------------------------


def _gaps(site: FakeSite, paths: list[str]) -> list[float]:
    starts = sorted(r.at for r in site.state.requests if r.path in paths)
    return [b - a for a, b in itertools.pairwise(starts)]


async def test_crawl_delay_spaces_request_starts(fake_site: FakeSite) -> None:
    fake_site.crawl_delay = 0.15
    urls = fake_site.article_urls()[:4]
    async with Fetcher(make_settings(fake_site, per_host_delay_s=0.01)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(u) for u in urls))
    gaps = _gaps(fake_site, [u.removeprefix(fake_site.base_url) for u in urls])
    assert len(gaps) == 3 and min(gaps) >= 0.14


async def test_crawl_delay_is_capped(fake_site: FakeSite) -> None:
    fake_site.crawl_delay = 30
    urls = fake_site.article_urls()[:3]
    async with Fetcher(make_settings(fake_site, max_crawl_delay_s=0.05)) as fetcher:
        await asyncio.wait_for(asyncio.gather(*(fetcher.fetch(u) for u in urls)), 5)
    assert min(_gaps(fake_site, [u.removeprefix(fake_site.base_url) for u in urls])) >= 0.045


async def test_per_host_concurrency_limit(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, per_host_concurrency=2)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(fake_site.url(f"/slow?delay=0.1&n={i}")) for i in range(6)))
    assert fake_site.peak_concurrency("/slow") == 2


async def test_global_concurrency_limit(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, concurrency=1, per_host_concurrency=8)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(fake_site.url(f"/slow?delay=0.05&n={i}")) for i in range(3)))
    assert fake_site.peak_concurrency("/slow") == 1


# -- conditional GET -------------------------------------------------------------------------


async def test_conditional_get_304_then_change(fake_site: FakeSite) -> None:
    slug = "rail-fares-rise"
    url = fake_site.article_url(slug)
    async with Fetcher(make_settings(fake_site)) as fetcher:
        first = await fetcher.fetch(url)
        again = await fetcher.fetch(url, validators=first.validators)
        assert again.not_modified and again.status == 304 and again.content == b""
        assert again.validators == first.validators
        since = Validators(last_modified=first.validators.last_modified)
        by_date = await fetcher.fetch(url, validators=since)
        assert by_date.not_modified
        fake_site.edit_article(slug, title="Rail fares to rise by 5.2 per cent")
        changed = await fetcher.fetch(url, validators=first.validators)
    assert changed.status == 200 and b"5.2 per cent" in changed.content
    assert changed.validators.etag != first.validators.etag
    sent = fake_site.requests_to(f"/news/{slug}")[1].headers
    assert sent["if-none-match"] == first.validators.etag
    assert sent["if-modified-since"] == first.validators.last_modified


async def test_conditional_get_on_a_feed(fake_site: FakeSite) -> None:
    url = fake_site.url("/feeds/rss.xml")
    async with Fetcher(make_settings(fake_site)) as fetcher:
        first = await fetcher.fetch(url)
        assert (await fetcher.fetch(url, validators=first.validators)).not_modified
        fake_site.add_article(
            Article(
                slug="breaking",
                title="Breaking: ferry runs aground",
                lede="No injuries.",
                body=["The ferry ran aground at low tide."],
                published=datetime.now(UTC),
            )
        )
        changed = await fetcher.fetch(url, validators=first.validators)
    assert b"Breaking: ferry runs aground" in changed.content


# -- retries ---------------------------------------------------------------------------------


async def test_429_retry_after_is_honoured(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        result = await fetcher.fetch(fake_site.url("/limited?times=1&after=1"))
    assert result.status == 200 and result.retry_count == 1
    (gap,) = _gaps(fake_site, ["/limited"])
    assert gap >= 1.0


async def test_retry_after_is_capped_by_backoff_max(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, backoff_max_s=0.1)) as fetcher:
        result = await asyncio.wait_for(fetcher.fetch(fake_site.url("/limited?times=1&after=3600")), 5)
    assert result.retry_count == 1


async def test_429_after_last_retry_carries_retry_after(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, retries=0)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(fake_site.url("/limited?times=5&after=7"))
    error = caught.value
    assert error.retryable and error.status == 429 and error.retry_after == 7.0


async def test_500_then_success(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, retries=2)) as fetcher:
        result = await fetcher.fetch(fake_site.url("/flaky?fail=2"))
    assert result.status == 200 and result.retry_count == 2
    assert fake_site.hits("/flaky") == 3


async def test_500_until_retries_run_out(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, retries=1)) as fetcher:
        with pytest.raises(FetchError, match="gave up after 2 attempts") as caught:
            await fetcher.fetch(fake_site.url("/flaky?fail=5"))
    error = caught.value
    assert error.retryable and error.status == 500 and error.retry_after is not None
    assert not isinstance(error, BlockedError)
    assert fake_site.hits("/flaky") == 2


@pytest.mark.parametrize(("path", "status"), [("/no-such-page", 404), ("/gone", 410), ("/status/403", 403)])
async def test_no_retry_on_client_errors(fake_site: FakeSite, path: str, status: int) -> None:
    async with Fetcher(make_settings(fake_site, retries=3)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(fake_site.url(path))
    assert caught.value.status == status and not caught.value.retryable
    assert fake_site.hits(path) == 1


async def test_removed_article_is_410(fake_site: FakeSite) -> None:
    fake_site.remove_article("storm-warning-coast")
    async with Fetcher(make_settings(fake_site)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(fake_site.article_url("storm-warning-coast"))
    assert caught.value.status == 410


# -- timeouts and sizes ----------------------------------------------------------------------


async def test_slow_response_times_out(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, read_timeout_s=0.2, retries=1)) as fetcher:
        with pytest.raises(FetchError, match="read timeout; gave up after 2 attempts") as caught:
            await fetcher.fetch(fake_site.url("/slow?delay=3"))
    assert caught.value.retryable and caught.value.status is None
    assert fake_site.hits("/slow") == 2


async def test_dripping_body_hits_the_total_deadline(fake_site: FakeSite) -> None:
    settings = make_settings(fake_site, read_timeout_s=1.0, total_timeout_s=0.3, retries=0)
    async with Fetcher(settings) as fetcher:
        with pytest.raises(FetchError, match="total fetch deadline exceeded") as caught:
            await fetcher.fetch(fake_site.url("/drip?chunks=50&delay=0.05"))
    assert caught.value.retryable


async def test_content_length_over_limit_is_refused_early(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        with pytest.raises(BlockedError, match="Content-Length 52428800 exceeds"):
            await fetcher.fetch(fake_site.url(f"/big?bytes={50 * MiB}"))


async def test_streamed_body_over_limit_is_cut_off(fake_site: FakeSite) -> None:
    tracemalloc.start()
    try:
        async with Fetcher(make_settings(fake_site)) as fetcher:
            with pytest.raises(BlockedError, match=r"exceeds fetch\.max_body_bytes"):
                await fetcher.fetch(fake_site.url(f"/big?bytes={50 * MiB}&chunked=1"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB


async def test_gzip_bomb_is_refused_with_bounded_memory(fake_site: FakeSite) -> None:
    gzip_bomb()  # build the server's bomb before measuring
    tracemalloc.start()
    try:
        async with Fetcher(make_settings(fake_site)) as fetcher:
            with pytest.raises(BlockedError, match="after decoding"):
                await fetcher.fetch(fake_site.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB  # the bomb inflates to 256 MiB


# -- redirects -------------------------------------------------------------------------------


async def test_redirect_chain_is_followed_and_counted(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        result = await fetcher.fetch(fake_site.url("/redirect/chain/3"))
    assert result.final_url == fake_site.article_urls()[0]
    assert result.redirect_count == 3
    assert result.history == tuple(fake_site.url(f"/redirect/chain/{n}") for n in (3, 2, 1))
    assert all(fake_site.hits(f"/redirect/chain/{n}") == 1 for n in (1, 2, 3))


async def test_relative_redirect(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        result = await fetcher.fetch(fake_site.url("/redirect/relative"))
    assert result.final_url == fake_site.article_urls()[0] and result.redirect_count == 1


async def test_too_many_redirects(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, max_redirects=2)) as fetcher:
        with pytest.raises(FetchError, match="too many redirects") as caught:
            await fetcher.fetch(fake_site.url("/redirect/chain/3"))
        assert not caught.value.retryable
        with pytest.raises(FetchError, match="too many redirects"):
            await fetcher.fetch(fake_site.url("/redirect/loop"))
    assert fake_site.hits("/redirect/loop") == 3


async def test_redirect_to_metadata_address_is_refused(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        with pytest.raises(BlockedError) as caught:
            await fetcher.fetch(fake_site.url("/redirect/metadata"))
    assert str(caught.value).startswith(
        "refusing to fetch http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a "
        "link-local/metadata address; set fetch.allowed_hosts to allow it"
    )


async def test_redirect_to_another_loopback_port_is_refused(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        with pytest.raises(BlockedError, match=r"127\.0\.0\.1 is a loopback address"):
            await fetcher.fetch(fake_site.url("/redirect/loopback"))
        with pytest.raises(BlockedError, match="loopback"):
            await fetcher.fetch(f"http://127.0.0.1:{fake_site.internal_port}/admin")
        with pytest.raises(BlockedError, match="localhost resolves to"):
            await fetcher.fetch(f"http://localhost:{fake_site.port}/")  # only 127.0.0.1:<port> is allowed
    assert fake_site.internal_hits == 0


async def test_guard_without_allowed_hosts_refuses_the_site_itself(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site, allowed_hosts=())) as fetcher:
        with pytest.raises(BlockedError, match="loopback"):
            await fetcher.fetch(fake_site.url("/"))
    assert fake_site.state.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/html,hi",
    ],
)
async def test_other_schemes_are_refused(fake_site: FakeSite, url: str) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        with pytest.raises(BlockedError, match="only http and https"):
            await fetcher.fetch(url)


async def test_redirect_to_other_scheme_is_refused(fake_site: FakeSite) -> None:
    async with Fetcher(make_settings(fake_site)) as fetcher:
        with pytest.raises(BlockedError, match="only http and https"):
            await fetcher.fetch(fake_site.url("/redirect/to?url=file:///etc/passwd"))


# -- plumbing --------------------------------------------------------------------------------


async def test_observer_sees_every_exchange(fake_site: FakeSite) -> None:
    seen: list[tuple[str, str, float]] = []
    settings = make_settings(fake_site, read_timeout_s=0.2, retries=0)
    async with Fetcher(settings, on_response=lambda *args: seen.append(args)) as fetcher:
        await fetcher.fetch(fake_site.url("/redirect/chain/1"))
        with pytest.raises(FetchError):
            await fetcher.fetch(fake_site.url("/slow?delay=2"))
        with pytest.raises(BlockedError):
            await fetcher.fetch(fake_site.url(f"/big?bytes={50 * MiB}"))
    assert [(host, cls) for host, cls, _ in seen] == [
        ("127.0.0.1", "2xx"),
        ("127.0.0.1", "3xx"),
        ("127.0.0.1", "2xx"),
        ("127.0.0.1", "error"),
        ("127.0.0.1", "2xx"),
    ]  # robots, redirect, page, timeout, refused-but-answered
    assert all(elapsed >= 0 for *_, elapsed in seen)


async def test_connection_refused_is_a_retryable_fetch_error(fake_site: FakeSite) -> None:
    fake_site.stop()
    async with Fetcher(make_settings(fake_site, retries=1, obey_robots=False)) as fetcher:
        with pytest.raises(FetchError, match="ConnectError") as caught:
            await fetcher.fetch(fake_site.url("/"))
    assert caught.value.retryable


async def test_lifecycle_is_explicit(fake_site: FakeSite) -> None:
    fetcher = Fetcher(make_settings(fake_site))
    with pytest.raises(RuntimeError, match="not open"):
        await fetcher.fetch(fake_site.url("/"))
    async with fetcher:
        await fetcher.fetch(fake_site.url("/"))
    with pytest.raises(RuntimeError, match="closed"):
        await fetcher.fetch(fake_site.url("/"))
    with pytest.raises(RuntimeError, match="closed"):
        async with fetcher:
            pass


# -- DNS: the connection goes where the check looked -----------------------------------------


def _scripted_resolver(answers: list[list[str]]) -> tuple[Resolver, list[str]]:
    """A resolver giving ``answers`` in turn (the last one forever), and the log of its calls."""
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]

    return resolve, calls


async def test_dns_rebinding_is_caught_at_connect_time(fake_site: FakeSite) -> None:
    """The URL check sees a public address; the connect-time lookup sees loopback: refused."""
    resolver, calls = _scripted_resolver([["93.184.215.14"], ["127.0.0.1"]])
    settings = make_settings(fake_site, obey_robots=False, retries=0)
    async with Fetcher(settings, resolver=resolver) as fetcher:
        with pytest.raises(BlockedError, match=r"rebind\.test resolves to 127\.0\.0\.1, a loopback"):
            await fetcher.fetch(f"http://rebind.test:{fake_site.port}/")
    assert calls == ["rebind.test", "rebind.test"]
    assert fake_site.state.requests == []


async def test_allowed_name_connects_to_the_resolved_address(fake_site: FakeSite) -> None:
    resolver, _ = _scripted_resolver([["127.0.0.1"]])
    settings = make_settings(fake_site, allowed_hosts=(f"news.test:{fake_site.port}",))
    async with Fetcher(settings, resolver=resolver) as fetcher:
        result = await fetcher.fetch(f"http://news.test:{fake_site.port}/news/{SEED_SLUG}")
    assert result.status == 200
    assert fake_site.requests_to(f"/news/{SEED_SLUG}")[0].headers["host"] == f"news.test:{fake_site.port}"
