"""``FakeSite``: the fake news site served by uvicorn on 127.0.0.1 from a background thread.

The server thread has its own event loop, so the site keeps answering while a
test's loop is busy (or blocked), and tests can use either sync or async code.
Next to the site runs a second, "internal" TCP server on another loopback port
(``internal_port``): a stand-in for an admin endpoint that an SSRF-guarded
client must never reach. It answers anything with ``200 internal secret`` and
counts connections in ``state.internal_hits``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import TracebackType

import uvicorn

from tests.fakesite._app import FakeSiteApp, RequestRecord, SiteState
from tests.fakesite._articles import Article


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class FakeSite:
    """A real HTTP news site on loopback. ``with FakeSite() as site: httpx.get(site.base_url)``.

    Mutate it from tests with :meth:`add_article`, :meth:`edit_article`,
    :meth:`remove_article` and the ``crawl_delay`` / ``robots_status`` attributes;
    observe it with :meth:`hits`, :meth:`requests_to` and ``internal_hits``.
    """

    def __init__(
        self, *, n_generated: int = 0, crawl_delay: float | None = None, archive_chunk: int = 10
    ) -> None:
        self.state = SiteState.fresh(n_generated)
        self.state.crawl_delay = crawl_delay
        self.state.archive_chunk = archive_chunk
        self.app = FakeSiteApp(self.state)
        self._sock = _listening_socket()
        self._internal_sock = _listening_socket()
        self.port: int = self._sock.getsockname()[1]
        self.internal_port: int = self._internal_sock.getsockname()[1]
        self.state.internal_port = self.internal_port
        self.app.base_url = self.base_url
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- addresses -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def host_port(self) -> str:
        """``127.0.0.1:<port>``: the entry to put in ``fetch.allowed_hosts``."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` (``/news/x``) on this site."""
        return f"{self.base_url}{path}"

    def article_url(self, slug: str) -> str:
        return self.url(f"/news/{slug}")

    def article_urls(self) -> list[str]:
        """Every regular article's URL, newest first."""
        return [self.url(a.path) for a in self.state.newest_first()]

    def generated_urls(self) -> list[str]:
        return [self.url(a.path) for a in self.state.generated]

    def archive_sitemaps(self) -> list[str]:
        """Paths of the archive's child sitemaps (``/sitemaps/archive.xml`` lists them), oldest first."""
        count = -(-len(self.state.generated) // self.state.archive_chunk)  # ceiling division
        return [f"/sitemaps/archive-{k}.xml.gz" for k in range(count)]

    # -- mutation --------------------------------------------------------------------------

    @property
    def crawl_delay(self) -> float | None:
        return self.state.crawl_delay

    @crawl_delay.setter
    def crawl_delay(self, value: float | None) -> None:
        self.state.crawl_delay = value

    @property
    def robots_status(self) -> int:
        return self.state.robots_status

    @robots_status.setter
    def robots_status(self, value: int) -> None:
        self.state.robots_status = value

    def article(self, slug: str) -> Article:
        found = self.state.find(slug)
        if found is None:
            raise KeyError(slug)
        return found

    def add_article(self, article: Article) -> str:
        """Publish ``article`` (it shows up on the home page, in feeds and sitemaps); returns its URL."""
        with self.state.lock:
            self.state.articles[article.slug] = article
            self.state.gone.discard(article.slug)
        return self.url(article.path)

    def edit_article(
        self,
        slug: str,
        *,
        title: str | None = None,
        lede: str | None = None,
        body: Iterable[str] | None = None,
        authors: Iterable[str] | None = None,
        modified: datetime | None = None,
        silent: bool = False,
    ) -> Article:
        """Change an article; its ``modified`` time (hence Last-Modified and ETag) moves forward.

        ``silent=True`` is a quiet correction, as newsrooms fix a byline: the page's
        dates (and Last-Modified) stay as they were and only the ETag changes, so
        the edited fields are the only difference a crawler can see.
        """
        with self.state.lock:
            old = self.state.articles[slug]
            stamp = modified or datetime.now(UTC).replace(microsecond=0)
            if stamp <= old.updated:  # Last-Modified has 1 s resolution: always move it forward
                stamp = old.updated.replace(microsecond=0) + timedelta(seconds=1)
            new = replace(
                old,
                title=title if title is not None else old.title,
                lede=lede if lede is not None else old.lede,
                body=list(body) if body is not None else list(old.body),
                authors=list(authors) if authors is not None else list(old.authors),
                modified=old.modified if silent else stamp,
            )
            self.state.articles[slug] = new
            return new

    def remove_article(self, slug: str) -> None:
        """Take an article down: its URL answers 410 Gone from now on."""
        with self.state.lock:
            self.state.articles.pop(slug, None)
            self.state.gone.add(slug)

    # -- observation -----------------------------------------------------------------------

    def requests_to(self, path: str) -> list[RequestRecord]:
        """Requests received for ``path`` (query ignored), oldest first."""
        with self.state.lock:
            return [r for r in self.state.requests if r.path == path]

    def hits(self, path: str) -> int:
        """How many requests ``path`` (query ignored) has received."""
        return len(self.requests_to(path))

    def peak_concurrency(self, path: str) -> int:
        """The most requests for ``path`` the site was serving at the same moment."""
        with self.state.lock:
            return self.state.peak_in_flight[path]

    @property
    def internal_hits(self) -> int:
        """Connections that reached the "internal" server: an SSRF guard must keep this at 0."""
        return self.state.internal_hits

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> FakeSite:
        if self._thread is not None:
            raise RuntimeError("FakeSite already started")
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            http="h11",
            ws="none",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"fakesite:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"fake site failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("fake site did not start in time")
            time.sleep(0.005)
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._error = exc
            raise

    async def _serve(self) -> None:
        assert self._server is not None

        async def internal(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.state.internal_hits += 1
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\nconnection: close\r\n\r\ninternal secret")
            await writer.drain()
            writer.close()

        internal_server = await asyncio.start_server(internal, sock=self._internal_sock)
        async with internal_server:
            await self._server.serve(sockets=[self._sock])

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._server.force_exit = True
            self._thread.join(timeout)
        self._sock.close()
        self._internal_sock.close()

    def __enter__(self) -> FakeSite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
