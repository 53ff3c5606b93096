"""The ``[fetch]`` section and its proxies (a proxy URL may hold a password: it is a secret)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    field_serializer,
    field_validator,
)

from newswire.config._base import _Frozen


class FetchSettings(_Frozen):
    """How politely and how safely pages are fetched."""

    user_agent: str = "newswire/0.1 (+https://github.com/newswire/newswire; news ingestion bot)"
    concurrency: int = Field(default=32, ge=1, le=1024)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    per_host_delay_s: float = Field(default=1.0, ge=0)
    connect_timeout_s: float = Field(default=10.0, gt=0)
    read_timeout_s: float = Field(default=20.0, gt=0)
    total_timeout_s: float = Field(default=60.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=30)
    retries: int = Field(default=3, ge=0, le=20)
    backoff_base_s: float = Field(default=1.0, ge=0)
    backoff_max_s: float = Field(default=300.0, ge=0)
    obey_robots: bool = True
    allow_private_networks: bool = False
    allowed_hosts: tuple[str, ...] = ()
    robots_ttl_s: float = Field(default=3600.0, gt=0)

    @field_validator("allowed_hosts")
    @classmethod
    def _host_ports(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            host, sep, port = entry.strip().rpartition(":")
            bare_v6 = not entry.strip().startswith("[") and ":" in host
            if not sep or not host or not port.isdigit() or bare_v6:
                raise ValueError(
                    f"{entry!r} has no port: write host:port (e.g. 127.0.0.1:8080, [::1]:8080); "
                    "a bare host would allow every port of it, the broker's and the metrics' included"
                )
        return value

    robots_error_ttl_s: float = Field(
        default=600.0, gt=0, description="retry robots.txt after 5xx/unreachable"
    )
    max_crawl_delay_s: float = Field(default=60.0, ge=0, description="cap on a robots.txt Crawl-delay")
    blocked_backoff_s: float = Field(
        default=300.0, ge=0, description="pause a host after a bot challenge; doubles per repeat"
    )
    blocked_backoff_max_s: float = Field(default=6 * 3600.0, ge=0, description="cap on that pause")
    # Proxies (http://, https://, socks5:// or socks5h:// URLs; user:password@ allowed, never logged).
    # Route of a URL: the first ``proxy_hosts`` pattern its host matches ("direct" for none), else
    # none if ``no_proxy`` lists the host, else ``proxy``, else the scheme's ``http(s)_proxy``; the
    # last three default to HTTP_PROXY/HTTPS_PROXY/NO_PROXY from the environment when ``proxy`` is unset.
    proxy: SecretStr | None = None
    proxy_hosts: dict[str, SecretStr] = Field(default_factory=dict)
    http_proxy: SecretStr | None = None
    https_proxy: SecretStr | None = None
    no_proxy: tuple[str, ...] = ()

    @field_validator("proxy", "http_proxy", "https_proxy")
    @classmethod
    def _proxy_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _check_proxy(value.get_secret_value(), direct_ok=False)
        return value

    @field_validator("proxy_hosts")
    @classmethod
    def _proxy_routes(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for pattern, url in value.items():
            if not pattern.strip():
                raise ValueError("a proxy_hosts key is a host pattern such as '*.example.com'")
            _check_proxy(url.get_secret_value(), direct_ok=True)
        return value

    @field_serializer("proxy", "http_proxy", "https_proxy", when_used="json")
    def _masked(self, value: SecretStr | None) -> str | None:
        return None if value is None else masked_url_credentials(value.get_secret_value())

    @field_serializer("proxy_hosts", when_used="json")
    def _masked_routes(self, value: dict[str, SecretStr]) -> dict[str, str]:
        return {pattern: masked_url_credentials(url.get_secret_value()) for pattern, url in value.items()}


PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
DIRECT = "direct"


def _check_proxy(url: str, *, direct_ok: bool) -> None:
    if direct_ok and url == DIRECT:
        return
    parts = urlsplit(url)
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        # The URL itself may hold a password: name only its scheme.
        raise ValueError(
            f"a proxy is a {'/'.join(PROXY_SCHEMES)} URL with a host, not a {parts.scheme!r} URL"
        )


#: What stands for a masked credential.
URL_MASK = "***"

#: The user-info part of every URL in a text, up to its last ``@`` (a password may hold one).
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s?#]*@", re.IGNORECASE)

#: Query parameters that private feeds use for a credential (``?token=...``), alone or as the
#: last word of a longer name (``private_token``, ``client_secret``, ``X-Amz-Signature``).
_SECRET_PARAM = (
    r"[?&](?:[\w.-]*[_.-])?"
    r"(?:access_token|api[_-]?key|apikey|auth|key|passw(?:or)?d|secret|signature|token)="
)

#: The value of such a parameter, up to the next parameter, fragment, space, quote or the
#: parenthesis of a message quoting the URL ("HTTP 401 (https://...?token=...)").
_QUERY_SECRET = re.compile(rf"(?P<name>{_SECRET_PARAM})[^&#\s'\")]+", re.IGNORECASE)

#: A credential that :func:`masked_url_credentials` replaced.
_MASKED = re.compile(
    rf"://{re.escape(URL_MASK)}@|{_SECRET_PARAM}{re.escape(URL_MASK)}(?=[&#\s'\")]|$)", re.IGNORECASE
)


def masked_url_credentials(text: str) -> str:
    """``text`` with the user and password of every URL in it, and the value of its credential
    query parameters (``token``, ``key``, ``apikey``, ``secret``, ``password``...), replaced by
    ``***``: what logs, status, Kafka records and the effective-configuration dump may show."""
    return _QUERY_SECRET.sub(rf"\g<name>{URL_MASK}", _URL_USERINFO.sub(rf"\g<scheme>{URL_MASK}@", text))


def has_masked_credentials(url: str) -> bool:
    """Whether ``url`` is a masked one (see :func:`masked_url_credentials`): not fetchable as it is."""
    return _MASKED.search(url) is not None
