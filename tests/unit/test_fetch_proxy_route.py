"""Which proxy a URL goes through: host patterns, then NO_PROXY, then fetch.proxy, then the scheme's."""

from __future__ import annotations

from typing import Any

import pytest

from newswire.config import FetchSettings, load_settings
from newswire.errors import ConfigError
from newswire.fetch._proxy import proxy_for

P, Q, ENV_HTTP, ENV_HTTPS = "http://p:3128", "socks5://q:1080", "http://env:80", "http://envs:443"


def route(url: str, environ: dict[str, str] | None = None, **fetch: Any) -> str | None:
    settings = load_settings(environ=environ or {}, overrides={"fetch": fetch}, default_file=False).fetch
    scheme, _, rest = url.partition("://")
    return proxy_for(scheme, rest.split("/")[0].rsplit(":", 1)[0], settings)


def test_no_proxy_configured_means_direct() -> None:
    assert proxy_for("https", "news.example", FetchSettings()) is None


def test_the_first_matching_host_pattern_wins_and_direct_means_none() -> None:
    hosts = {"*.wire.example": Q, "cdn.*": "direct"}
    assert route("https://www.wire.example/a", proxy=P, proxy_hosts=hosts) == Q
    assert route("https://cdn.example/a", proxy=P, proxy_hosts=hosts) is None
    assert route("https://news.example/a", proxy=P, proxy_hosts=hosts) == P


@pytest.mark.parametrize(
    ("no_proxy", "host", "direct"),
    [
        ("news.example", "news.example", True),
        ("news.example", "www.news.example", True),  # subdomains too
        (".news.example", "www.news.example", True),
        ("news.example:8080", "news.example", True),
        ("news.example", "othernews.example", False),  # a suffix that is not a subdomain
        ("*", "anything.example", True),
    ],
)
def test_no_proxy_entries(no_proxy: str, host: str, direct: bool) -> None:
    got = route(f"http://{host}/x", {"HTTP_PROXY": ENV_HTTP, "NO_PROXY": no_proxy})
    assert got == (None if direct else ENV_HTTP)


def test_environment_proxies_go_by_scheme_and_only_when_fetch_proxy_is_unset() -> None:
    env = {"HTTP_PROXY": ENV_HTTP, "https_proxy": ENV_HTTPS}
    assert route("http://news.example/", env) == ENV_HTTP
    assert route("https://news.example/", env) == ENV_HTTPS
    assert route("https://news.example/", env, proxy=P) == P
    assert route("http://news.example/", {**env, "NEWSWIRE_FETCH__PROXY": Q}) == Q


@pytest.mark.parametrize("bad", ["ftp://user:hunter2@p:21", "p:3128", "http://", "direct"])
def test_a_bad_proxy_is_refused_without_echoing_its_password(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"fetch\.proxy") as caught:
        route("http://news.example/", proxy=bad)
    assert "hunter2" not in str(caught.value)
