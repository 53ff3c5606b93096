"""The pieces of one fetch attempt: its network budget, its hops, where httpx errors are translated,
and what its last hop amounts to: a page, a 304, or the error it stands for."""

from __future__ import annotations

import http.cookiejar
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from newswire.errors import BlockedError, FetchError, NotArticleError
from newswire.fetch._body import BodyTooLargeError, UnsupportedEncodingError, read_limited
from newswire.fetch._models import FetchResult, Validators
from newswire.fetch._page_kind import refusal_kind
from newswire.fetch._retry import is_retryable_status, parse_retry_after

#: Refusals' bodies are read up to this many bytes, to tell a bot challenge from a plain error.
REFUSAL_MAX_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


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


def page_result(
    url: str, hop: Hop, history: list[str], sent: Validators | None, *, max_redirects: int
) -> FetchResult:
    """What a GET of ``url`` ending at ``hop`` (after redirects ``history``) returns: a 2xx page, or a
    304 for the validators ``sent``; otherwise raises the error ``hop`` stands for."""
    status = hop.status
    if status in REDIRECT_STATUSES:
        raise too_many_redirects(url, status, max_redirects)
    if status != 304 and not 200 <= status < 300:
        raise refusal(hop)
    not_modified = status == 304
    got = Validators(etag=hop.headers.get("etag"), last_modified=hop.headers.get("last-modified"))
    if not_modified:  # a 304 may omit unchanged validators
        known = sent or Validators()
        got = Validators(etag=got.etag or known.etag, last_modified=got.last_modified or known.last_modified)
    return FetchResult(
        url=url,
        final_url=hop.url,
        status=status,
        headers=dict(hop.headers.items()),
        content=b"" if not_modified else hop.content,
        not_modified=not_modified,
        validators=got,
        elapsed_s=0.0,
        content_type=hop.headers.get("content-type"),
        redirect_count=len(history),
        history=tuple(history),
    )


def refusal(hop: Hop) -> FetchError:
    """The error a final response that is neither 2xx nor 304 stands for."""
    status = hop.status
    verdict = refusal_kind(status, hop.headers, hop.content)
    if verdict is not None:  # a bot wall: retrying at once would only hammer it
        return NotArticleError(f"HTTP {status}: {verdict.why}", url=hop.url, kind=verdict.kind, status=status)
    retry_after = parse_retry_after(hop.headers.get("retry-after"))
    return FetchError(
        f"HTTP {status}",
        url=hop.url,
        status=status,
        retryable=is_retryable_status(status),
        retry_after=retry_after,
    )


def too_many_redirects(url: str, status: int, max_redirects: int) -> FetchError:
    """The error of a GET whose last hop allowed is a redirect still."""
    return FetchError(f"too many redirects (more than {max_redirects})", url=url, status=status)


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
