"""The pieces of one fetch attempt: its network budget, its hops, and where httpx errors are translated."""

from __future__ import annotations

import http.cookiejar
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from newswire.errors import BlockedError, FetchError
from newswire.fetch._body import BodyTooLargeError, UnsupportedEncodingError, read_limited

#: Refusals' bodies are read up to this many bytes, to tell a bot challenge from a plain error.
REFUSAL_MAX_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class Budget:
    """Network seconds left for one attempt (politeness waits are not charged)."""

    left: float

    @contextmanager
    def charge(self) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.left -= time.monotonic() - started


@dataclass(frozen=True, slots=True)
class Hop:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes


def strip_url(exc: FetchError) -> str:
    text = str(exc)
    suffix = f" ({exc.url})"
    return text[: -len(suffix)] if text.endswith(suffix) else text


@contextmanager
def translated(url: str, *, limit: int) -> Iterator[None]:
    """The one place where httpx (and decoder) exceptions become ``FetchError``."""
    try:
        yield
    except TimeoutError:  # our per-attempt deadline (asyncio.timeout)
        raise FetchError("total fetch deadline exceeded", url=url, retryable=True) from None
    except httpx.TimeoutException as exc:
        kind = {
            httpx.ConnectTimeout: "connect",
            httpx.ReadTimeout: "read",
            httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "pool",
        }.get(type(exc), "")
        raise FetchError(f"{kind} timeout".strip(), url=url, retryable=True) from None
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}", url=url, retryable=True) from None
    except httpx.UnsupportedProtocol as exc:
        raise BlockedError(f"unsupported URL: {exc}", url=url) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}", url=url) from None
    except BodyTooLargeError:
        raise BlockedError(f"body exceeds fetch.max_body_bytes={limit} after decoding", url=url) from None
    except UnsupportedEncodingError as exc:
        raise FetchError(f"unsupported Content-Encoding {exc}", url=url) from None
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body: {exc}", url=url) from None


async def refusal_body(response: httpx.Response) -> bytes:
    """The start of a refusal's body, to recognise a challenge by; an unreadable one is empty."""
    try:
        return await read_limited(
            response.aiter_raw(), response.headers.get("content-encoding"), REFUSAL_MAX_BYTES, truncate=True
        )
    except (UnsupportedEncodingError, zlib.error):
        return b""


def parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"invalid URL: {exc}", url=str(url)) from None
    if parsed.scheme not in DEFAULT_PORTS:
        raise BlockedError(
            f"only http and https URLs are fetched, not {parsed.scheme or 'relative'!r}", url=url
        )
    if not parsed.host:
        raise FetchError("URL has no host", url=url)
    return parsed


class NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing: every fetch is a first visit.

    A crawler that kept cookies would have metered paywalls count its reads and
    consent walls follow it, and one jar for every site it visits would grow for
    the life of the daemon. (httpx's jar also cost 4% of ingest's event loop.)
    """

    def extract_cookies(self, response: object, request: object) -> None:
        return None

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None
