"""The fake news site as a plain ASGI app (no framework), with state tests can change.

Routes (all GET):

=============================  =====================================================================
``/``                          home page linking every article
``/robots.txt``                ``Disallow: /private/`` and ``/search``; ``Crawl-delay`` when
                               ``state.crawl_delay`` is set; status overridable (``robots_status``)
``/feeds/rss.xml``             RSS 2.0; ``/feeds/atom.xml`` Atom; ``/feeds/feed.json`` JSON Feed 1.1
``/sitemaps/news.xml``         Google News sitemap
``/members/rss.xml``            the RSS feed for subscribers only: 401 unless the request carries
                               ``MEMBER_USER``/``MEMBER_PASSWORD`` (basic auth) or
                               ``?token=MEMBER_TOKEN``
``/feeds/huge.xml?items=N``    RSS 2.0 of N made-up items (2 MB at 8000: seconds of feedparser time)
``/sitemap.xml``               sitemap index → ``/sitemaps/news.xml``, ``/sitemaps/articles.xml.gz``
                               (a gzip *file*, no Content-Encoding) and, with generated articles,
                               ``/sitemaps/generated.xml.gz``
``/sitemaps/archive.xml``      the archive: a sitemap index (child ``<lastmod>`` = newest entry) of
                               ``/sitemaps/archive-<k>.xml.gz``, each a gzip file listing
                               ``state.archive_chunk`` generated articles, oldest first
``/news/<slug>``               article pages (ETag + Last-Modified, real 304s); removed → 410
``/private/<anything>``        a page robots.txt disallows
``/redirect/chain/<n>``        n redirects (301/302/307/308 in turn), then the newest article
``/redirect/loop``             redirects to itself forever
``/redirect/relative``         a relative ``Location`` (``../news/<slug>``)
``/redirect/metadata``         → ``http://169.254.169.254/latest/meta-data/``
``/redirect/loopback``         → ``http://127.0.0.1:<internal_port>/admin`` (a second, "internal"
                               server that counts its hits in ``state.internal_hits``)
``/redirect/to?url=U``         → U (any URL, e.g. ``ftp://...``)
``/limited?times=1&after=1``   429 with ``Retry-After: <after>`` for the first ``times`` requests
                               (``after=date`` sends an HTTP-date 2 s ahead), then 200
``/flaky?fail=2``              500 for the first ``fail`` requests, then 200
``/slow?delay=2``              waits ``delay`` seconds before the headers
``/drip?chunks=20&delay=0.2``  headers at once, then one small chunk every ``delay`` seconds
``/big?bytes=N[&chunked=1]``   N bytes of HTML, with Content-Length (or chunked, without it)
``/bomb``                      ~256 KiB gzip that inflates to 256 MiB, ``Content-Encoding: gzip``
``/charset/cp1251``            windows-1251 bytes, header says ``charset=iso-8859-1`` (wrong), meta right
``/charset/latin1``            latin-1 bytes, no charset in header or markup
``/gone``                      410; ``/status/<code>`` any status; everything else 404
=============================  =====================================================================

Query-string counters (``/flaky``, ``/limited``) are kept per path *and* query,
so two tests' URLs never share a counter. Text responses are gzip-encoded when
the client accepts gzip, as real sites do.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import threading
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from tests.fakesite import _render
from tests.fakesite._articles import Article, generated, handwritten, seed_article

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

BOMB_DECODED_BYTES = 256 * 1024 * 1024

#: The credentials ``/members/rss.xml`` asks for: basic auth, or a token in the query string.
MEMBER_USER, MEMBER_PASSWORD, MEMBER_TOKEN = "member", "feed-pass-7731", "feed-token-5520"


@cache
def gzip_bomb() -> bytes:
    """A valid gzip member of ``BOMB_DECODED_BYTES`` zeros, built from one repeated deflate block."""
    zeros = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflate.compress(zeros)
    deflate.flush(zlib.Z_FULL_FLUSH)  # after a full flush every 1 MiB block compresses identically
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = BOMB_DECODED_BYTES >> 20
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + (BOMB_DECODED_BYTES & 0xFFFFFFFF).to_bytes(4, "little")
    return header + block * count + b"\x03\x00" + trailer


@dataclass(frozen=True)
class RequestRecord:
    """One request the site received (``at`` is ``time.monotonic()`` when it arrived)."""

    path: str
    query: str
    headers: dict[str, str]
    at: float


@dataclass
class SiteState:
    """Everything a test may read or change. Guard compound changes with ``lock``."""

    articles: dict[str, Article]
    generated: list[Article] = field(default_factory=list)
    archive_chunk: int = 10
    gone: set[str] = field(default_factory=set)
    crawl_delay: float | None = None
    robots_status: int = 200
    robots_extra: str = ""
    internal_port: int = 0
    internal_hits: int = 0
    requests: list[RequestRecord] = field(default_factory=list)
    counters: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[str] = field(default_factory=Counter)
    peak_in_flight: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def fresh(cls, n_generated: int = 0) -> SiteState:
        articles = {a.slug: a for a in [*handwritten(), seed_article()]}
        return cls(articles=articles, generated=generated(n_generated))

    def newest_first(self) -> list[Article]:
        with self.lock:
            return sorted(self.articles.values(), key=lambda a: a.published, reverse=True)

    def find(self, slug: str) -> Article | None:
        with self.lock:
            if slug in self.articles:
                return self.articles[slug]
        if slug.startswith("gen-") and slug[4:].isdigit() and int(slug[4:]) < len(self.generated):
            return self.generated[int(slug[4:])]
        return None


class _Response:
    def __init__(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        *,
        compressible: bool = True,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if content_type:
            self.headers.setdefault("content-type", content_type)
        self.compressible = compressible


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


class FakeSiteApp:
    """ASGI callable; ``base_url`` is set by the server once the port is known."""

    def __init__(self, state: SiteState) -> None:
        self.state = state
        self.base_url = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        query_string = scope.get("query_string", b"").decode("latin-1")
        query = {k: v[-1] for k, v in parse_qs(query_string).items()}
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        state = self.state
        with state.lock:
            state.requests.append(RequestRecord(path, query_string, headers, time.monotonic()))
            state.in_flight[path] += 1
            state.peak_in_flight[path] = max(state.peak_in_flight[path], state.in_flight[path])
        try:
            if await self._stream(path, query, send):
                return
            response = await self._route(path, query, query_string, headers)
            await self._send(send, response, headers)
        finally:
            with state.lock:
                state.in_flight[path] -= 1

    # -- plain responses -------------------------------------------------------------------

    async def _route(
        self, path: str, query: dict[str, str], query_string: str, headers: dict[str, str]
    ) -> _Response:
        state = self.state
        base = self.base_url
        if path == "/":
            return _Response(200, _render.home_html(state.newest_first()).encode())
        if path == "/robots.txt":
            return self._robots()
        feeds = {
            "/feeds/rss.xml": (_render.rss, "application/rss+xml; charset=utf-8"),
            "/feeds/atom.xml": (_render.atom, "application/atom+xml; charset=utf-8"),
            "/feeds/feed.json": (_render.json_feed, "application/feed+json; charset=utf-8"),
            "/sitemaps/news.xml": (_render.news_sitemap, "application/xml; charset=utf-8"),
        }
        if path in feeds:
            render, content_type = feeds[path]
            articles = state.newest_first()
            body = render(articles, base).encode()
            return self._conditional(headers, body, content_type, max(a.updated for a in articles))
        if path == "/members/rss.xml":
            basic = base64.b64encode(f"{MEMBER_USER}:{MEMBER_PASSWORD}".encode()).decode()
            if headers.get("authorization") != f"Basic {basic}" and query.get("token") != MEMBER_TOKEN:
                return _Response(
                    401, b"subscribers only", "text/plain", {"www-authenticate": 'Basic realm="m"'}
                )
            body = _render.rss(state.newest_first(), base).encode()
            return _Response(200, body, "application/rss+xml; charset=utf-8")
        if path == "/feeds/huge.xml":
            body = _render.huge_rss(int(query.get("items", "8000")), base).encode()
            return _Response(200, body, "application/rss+xml; charset=utf-8")
        if path == "/sitemap.xml":
            children: list[tuple[str, datetime | None]] = [
                ("/sitemaps/news.xml", None),
                ("/sitemaps/articles.xml.gz", None),
            ]
            if state.generated:
                children.append(("/sitemaps/generated.xml.gz", None))
            return _Response(200, _render.sitemap_index(children, base).encode(), "application/xml")
        if path == "/sitemaps/archive.xml" or path.startswith("/sitemaps/archive-"):
            return self._archive(path)
        if path in ("/sitemaps/articles.xml.gz", "/sitemaps/generated.xml.gz"):
            articles = state.newest_first() if "articles" in path else state.generated
            body = gzip.compress(_render.urlset(articles, base).encode(), mtime=0)
            return _Response(200, body, "application/gzip", compressible=False)
        if path.startswith("/news/"):
            return self._article(path.removeprefix("/news/"), headers)
        if path.startswith("/private/"):
            return _Response(200, b"<html><body><h1>Staff only</h1><p>Payroll.</p></body></html>")
        if path.startswith("/redirect/"):
            return self._redirect(path.removeprefix("/redirect/"), query)
        if path == "/limited":
            return self._limited(path, query, query_string)
        if path == "/flaky":
            with state.lock:
                state.counters[f"{path}?{query_string}"] += 1
                seen = state.counters[f"{path}?{query_string}"]
            if seen <= int(query.get("fail", "1")):
                return _Response(500, _render.error_html(500, "Internal Server Error").encode())
            return _Response(200, b"<html><body><p>Recovered.</p></body></html>")
        if path == "/slow":
            await asyncio.sleep(float(query.get("delay", "2")))
            return _Response(200, b"<html><body><p>Finally.</p></body></html>")
        if path == "/charset/cp1251":
            return _Response(200, _render.cp1251_page(), "text/html; charset=iso-8859-1")
        if path == "/charset/latin1":
            return _Response(200, _render.latin1_page(), "text/html")
        if path == "/gone":
            return _Response(410, _render.error_html(410, "Gone").encode())
        if path.startswith("/status/") and path[8:].isdigit():
            code = int(path[8:])
            return _Response(code, _render.error_html(code, "Status").encode())
        return _Response(404, _render.error_html(404, "Not Found").encode())

    def _archive(self, path: str) -> _Response:
        """An archive sitemap index over the generated articles, ``archive_chunk`` per child."""
        state = self.state
        size = state.archive_chunk
        chunks = [state.generated[i : i + size] for i in range(0, len(state.generated), size)]
        if path == "/sitemaps/archive.xml":
            children: list[tuple[str, datetime | None]] = [
                (f"/sitemaps/archive-{k}.xml.gz", max(a.updated for a in chunk))
                for k, chunk in enumerate(chunks)
            ]
            return _Response(200, _render.sitemap_index(children, self.base_url).encode(), "application/xml")
        number = path.removeprefix("/sitemaps/archive-").removesuffix(".xml.gz")
        if not number.isdigit() or int(number) >= len(chunks):
            return _Response(404, _render.error_html(404, "Not Found").encode())
        body = gzip.compress(_render.urlset(chunks[int(number)], self.base_url).encode(), mtime=0)
        return _Response(200, body, "application/gzip", compressible=False)

    def _robots(self) -> _Response:
        state = self.state
        if state.robots_status != 200:
            return _Response(state.robots_status, b"unavailable", "text/plain")
        lines = ["User-agent: *", "Disallow: /private/", "Disallow: /search"]
        if state.crawl_delay is not None:
            lines.append(f"Crawl-delay: {state.crawl_delay:g}")
        lines += [
            "",
            "User-agent: GreedyBot",
            "Disallow: /",
            "",
            f"Sitemap: {self.base_url}/sitemap.xml",
            f"Sitemap: {self.base_url}/sitemaps/news.xml",
        ]
        text = "\n".join(lines) + "\n" + state.robots_extra
        return _Response(200, text.encode(), "text/plain; charset=utf-8")

    def _article(self, slug: str, headers: dict[str, str]) -> _Response:
        if slug in self.state.gone:
            return _Response(410, _render.error_html(410, "This article has been removed").encode())
        article = self.state.find(slug)
        if article is None:
            return _Response(404, _render.error_html(404, "Not Found").encode())
        related = [a for a in self.state.newest_first() if a.slug != slug][:4]
        body = _render.article_html(article, self.base_url, related).encode()
        return self._conditional(
            headers, body, "text/html; charset=utf-8", article.updated, etag=article.fingerprint()
        )

    def _conditional(
        self,
        headers: dict[str, str],
        body: bytes,
        content_type: str,
        updated: datetime,
        etag: str | None = None,
    ) -> _Response:
        tag = f'"{etag}"' if etag else f'"{zlib.crc32(body):08x}"'
        last_modified = _http_date(updated)
        validators = {"etag": tag, "last-modified": last_modified, "cache-control": "max-age=60"}
        if_none_match = headers.get("if-none-match")
        if if_none_match is not None:
            candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
            if tag in candidates or "*" in candidates:
                return _Response(304, b"", None, validators)
        elif "if-modified-since" in headers:
            try:
                since = parsedate_to_datetime(headers["if-modified-since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo and updated.replace(microsecond=0) <= since:
                return _Response(304, b"", None, validators)
        return _Response(200, body, content_type, validators)

    def _redirect(self, rest: str, query: dict[str, str]) -> _Response:
        newest = self.state.newest_first()[0]
        if rest.startswith("chain/") and rest[6:].isdigit():
            n = int(rest[6:])
            target = f"/redirect/chain/{n - 1}" if n > 1 else newest.path
            return _Response((301, 302, 307, 308)[n % 4], b"", None, {"location": target})
        targets = {
            "loop": "/redirect/loop",
            "relative": f"../news/{newest.slug}",
            "metadata": "http://169.254.169.254/latest/meta-data/",
            "loopback": f"http://127.0.0.1:{self.state.internal_port}/admin",
            "to": query.get("url", "/"),
        }
        if rest not in targets:
            return _Response(404, _render.error_html(404, "Not Found").encode())
        return _Response(302, b"", None, {"location": targets[rest]})

    def _limited(self, path: str, query: dict[str, str], query_string: str) -> _Response:
        state = self.state
        with state.lock:
            state.counters[f"{path}?{query_string}"] += 1
            seen = state.counters[f"{path}?{query_string}"]
        if seen > int(query.get("times", "1")):
            return _Response(200, b"<html><body><p>Welcome back.</p></body></html>")
        after = query.get("after", "1")
        if after == "date":
            after = _http_date(datetime.now(UTC) + timedelta(seconds=2))
        return _Response(429, b"slow down", "text/plain", {"retry-after": after})

    async def _send(self, send: Send, response: _Response, request_headers: dict[str, str]) -> None:
        body = response.body
        headers = response.headers
        accepts_gzip = "gzip" in request_headers.get("accept-encoding", "").lower()
        if response.compressible and accepts_gzip and len(body) > 256 and response.status == 200:
            body = gzip.compress(body, mtime=0)
            headers = {**headers, "content-encoding": "gzip", "vary": "Accept-Encoding"}
        if response.status != 304:
            headers = {**headers, "content-length": str(len(body))}
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": body if response.status != 304 else b""})

    # -- streamed responses ----------------------------------------------------------------

    async def _stream(self, path: str, query: dict[str, str], send: Send) -> bool:
        """Bodies that must not be built in memory first; returns whether it answered."""
        if path == "/big":
            size = int(query.get("bytes", str(32 * 1024 * 1024)))
            headers = [(b"content-type", b"text/html; charset=utf-8")]
            if query.get("chunked") != "1":
                headers.append((b"content-length", str(size).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            chunk = b"<p>" + b"x" * 65_529 + b"</p>"
            sent = 0
            while sent < size:
                piece = chunk[: size - sent]
                sent += len(piece)
                try:
                    await send({"type": "http.response.body", "body": piece, "more_body": sent < size})
                except OSError:  # the client hung up, as it should
                    return True
            return True
        if path == "/bomb":
            bomb = gzip_bomb()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/html; charset=utf-8"),
                        (b"content-encoding", b"gzip"),
                        (b"content-length", str(len(bomb)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": bomb})
            return True
        if path == "/drip":
            chunks = int(query.get("chunks", "20"))
            delay = float(query.get("delay", "0.2"))
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")],
                }
            )
            for i in range(chunks):
                await send({"type": "http.response.body", "body": b"<p>drip</p>\n", "more_body": True})
                if i < chunks - 1:
                    await asyncio.sleep(delay)
            await send({"type": "http.response.body", "body": b""})
            return True
        return False
