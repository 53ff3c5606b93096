"""Fetching through a real forward proxy on loopback: pages and robots.txt take the same route,
credentials are sent but never shown, the environment's proxies count only when ``fetch.proxy``
is unset, and a proxy is no way around the address guard."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from newswire.config import Settings, load_settings
from newswire.errors import BlockedError, FetchError
from newswire.fetch import Fetcher
from tests.conftest import make_settings
from tests.integration.test_ingest_site import articles, read_records, run_daemon
from tests.support.forward_proxy import forward_proxy, socks5_proxy
from tests.support.wall_site import ARTICLE_PATH, WallSite, serve_walls

USER, PASSWORD = "crawler", "s3cret-pass"


@pytest.fixture
def site() -> Iterator[WallSite]:
    with serve_walls() as running:
        yield running


def settings(site: WallSite, environ: dict[str, str] | None = None, **fetch: Any) -> Settings:
    base = {
        "allowed_hosts": [site.host_port],
        "per_host_delay_s": 0,
        "retries": 0,
        "connect_timeout_s": 2,
        "read_timeout_s": 5,
        "total_timeout_s": 10,
    }
    return load_settings(environ=environ or {}, overrides={"fetch": {**base, **fetch}}, default_file=False)


async def fetch_article(s: Settings, site: WallSite) -> bytes:
    async with Fetcher(s.fetch) as fetcher:
        return (await fetcher.fetch(site.url(ARTICLE_PATH))).content


async def test_pages_and_robots_go_through_the_proxy_with_its_credentials(site: WallSite) -> None:
    async with forward_proxy((USER, PASSWORD)) as proxy:
        content = await fetch_article(settings(site, proxy=proxy.url(USER, PASSWORD)), site)
    assert b"Cookie banners, paywalls and bot checks" in content
    assert proxy.seen == [("GET", site.url("/robots.txt")), ("GET", site.url(ARTICLE_PATH))]
    assert proxy.refused == 0


async def test_wrong_proxy_credentials_fail_without_showing_the_password(site: WallSite) -> None:
    async with forward_proxy((USER, PASSWORD)) as proxy:
        with pytest.raises(FetchError) as caught:
            wrong = proxy.url(USER, "wrong-" + PASSWORD)
            await fetch_article(settings(site, proxy=wrong, obey_robots=False), site)
    assert caught.value.status == 407 and not caught.value.retryable
    assert PASSWORD not in str(caught.value) and proxy.seen == [] and proxy.refused == 1
    assert site.hits() == []


def test_proxy_credentials_are_masked_wherever_settings_are_shown(site: WallSite) -> None:
    s = settings(
        site,
        proxy=f"http://{USER}:{PASSWORD}@127.0.0.1:3128",
        proxy_hosts={"*.example.org": f"socks5://{USER}:{PASSWORD}@10.0.0.5:1080", "127.0.0.1": "direct"},
    )
    shown = s.model_dump(mode="json")["fetch"]
    assert shown["proxy"] == "http://***@127.0.0.1:3128"
    assert shown["proxy_hosts"] == {"*.example.org": "socks5://***@10.0.0.5:1080", "127.0.0.1": "direct"}
    assert PASSWORD not in repr(s) and PASSWORD not in str(shown)


async def test_a_proxy_is_no_way_around_the_address_guard(site: WallSite) -> None:
    with socket.socket() as closed:  # a loopback port nobody allowed
        closed.bind(("127.0.0.1", 0))
        internal = f"http://127.0.0.1:{closed.getsockname()[1]}/admin"
    async with forward_proxy() as proxy, Fetcher(settings(site, proxy=proxy.url()).fetch) as fetcher:
        with pytest.raises(BlockedError, match=r"refusing to fetch .* is a loopback address"):
            await fetcher.fetch(internal)
    assert proxy.seen == []


async def test_environment_proxies_apply_when_fetch_proxy_is_unset(site: WallSite) -> None:
    async with forward_proxy() as proxy:
        await fetch_article(settings(site, {"HTTP_PROXY": proxy.url()}), site)
        assert len(proxy.seen) == 2  # robots.txt and the page
        proxy.seen.clear()
        bypass = {"http_proxy": proxy.url(), "NO_PROXY": "localhost,127.0.0.1"}
        await fetch_article(settings(site, bypass), site)
        assert proxy.seen == []  # NO_PROXY wins
        async with forward_proxy() as configured:
            s = settings(site, {"HTTP_PROXY": proxy.url()}, proxy=configured.url())
            await fetch_article(s, site)
        assert proxy.seen == [] and len(configured.seen) == 2  # fetch.proxy wins over the environment


async def test_a_host_pattern_picks_its_own_route(site: WallSite) -> None:
    async with forward_proxy() as default, forward_proxy() as special:
        s = settings(site, proxy=default.url(), proxy_hosts={"127.0.0.*": special.url()})
        await fetch_article(s, site)
        assert default.seen == [] and [t for _, t in special.seen] == [
            site.url("/robots.txt"),
            site.url(ARTICLE_PATH),
        ]
        special.seen.clear()
        await fetch_article(settings(site, proxy=default.url(), proxy_hosts={"127.0.0.1": "direct"}), site)
        assert default.seen == [] and special.seen == []
    assert len(site.hits("/news/")) == 2  # each fetch reached the site


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
async def test_pages_and_robots_go_through_a_socks5_proxy(site: WallSite, scheme: str) -> None:
    async with socks5_proxy((USER, PASSWORD)) as proxy:
        content = await fetch_article(settings(site, proxy=proxy.url(USER, PASSWORD, scheme)), site)
        assert b"Cookie banners, paywalls and bot checks" in content
        assert proxy.seen == [site.host_port, site.host_port] and proxy.refused == 0  # robots.txt, page
        with pytest.raises(FetchError) as caught:
            wrong = proxy.url(USER, "wrong", scheme)
            await fetch_article(settings(site, proxy=wrong, obey_robots=False), site)
    assert PASSWORD not in str(caught.value) and proxy.refused == 1
    assert [p for p, _ in site.hits("/")] == ["/robots.txt", ARTICLE_PATH]


@pytest.mark.kafka
async def test_the_ingest_daemon_publishes_what_it_fetched_through_the_proxy(
    broker, site: WallSite, tmp_path
) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(site.url(ARTICLE_PATH) + "\n")
    async with forward_proxy((USER, PASSWORD)) as proxy:
        s = make_settings(
            broker.bootstrap_servers,
            sources=[{"kind": "urls", "path": str(listing)}],
            fetch={
                "allowed_hosts": [site.host_port],
                "per_host_delay_s": 0,
                "proxy": proxy.url(USER, PASSWORD),
            },
        )
        await run_daemon(s)
    assert [a.url for a in await articles(s)] == [site.url(ARTICLE_PATH)]
    assert proxy.seen == [("GET", site.url("/robots.txt")), ("GET", site.url(ARTICLE_PATH))]


@pytest.mark.kafka
async def test_a_source_with_its_own_proxy_fetches_through_it_and_others_do_not(
    broker, site: WallSite, tmp_path
) -> None:
    proxied, direct = tmp_path / "proxied.txt", tmp_path / "direct.txt"
    proxied.write_text(site.url(ARTICLE_PATH) + "\n")
    direct.write_text(site.url("/news/soft-404") + "\n")
    async with forward_proxy((USER, PASSWORD)) as proxy:
        s = make_settings(
            broker.bootstrap_servers,
            sources=[
                {"kind": "urls", "path": str(proxied), "name": "proxied", "proxy": proxy.url(USER, PASSWORD)},
                {"kind": "urls", "path": str(direct), "name": "direct"},
            ],
            fetch={"allowed_hosts": [site.host_port], "per_host_delay_s": 0, "obey_robots": False},
        )
        await run_daemon(s)
    assert [a.url for a in await articles(s)] == [site.url(ARTICLE_PATH)]
    assert proxy.seen == [("GET", site.url(ARTICLE_PATH))]  # the other source's page went directly
    assert sorted(p for p, _ in site.hits()) == sorted([ARTICLE_PATH, "/news/soft-404"])
    stored = b"".join(r.value for r in await read_records(s, "sources"))
    assert b"127.0.0.1" in stored and PASSWORD.encode() not in stored  # the topic keeps it masked
