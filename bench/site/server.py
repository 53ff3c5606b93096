"""The benchmark news site: a small asyncio HTTP/1.1 server with pre-rendered gzip pages.

Run it in its own process (``python bench/site/server.py --port P``); it prints
``ready <port>`` on stdout once it listens. Everything is rendered and gzipped
when an article is *scheduled*, so serving is a dictionary lookup and a write.

Routes (``RUN`` is any name; each run is an independent site section):

* ``GET /robots.txt``: allows everything.
* ``GET /RUN/rss.xml``: RSS 2.0 of RUN's articles already published, newest
  first, at most the run's ``feed_limit``; ``ETag``/``If-None-Match`` answer 304.
* ``GET /RUN/sitemap.xml`` (index) and ``/RUN/sitemap-K.xml`` (1000 URLs each).
* ``GET /RUN/news/...``: the article pages (404 until their publish time).
* ``POST /_control/publish`` ``{"run", "count", "rate", "feed_limit", "lead_s"}``:
  render ``count`` new articles and publish them from ``now + lead_s`` on,
  ``rate`` per second (0: all at once). Answers ``{"items": [[url, publish_ts], ...]}``
  (epoch seconds: the moment the article appears in the feed).
* ``POST /_control/drop`` ``{"run"}``: forget a run. ``GET /_control/stats``: counters.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import gzip
import json
import socket
import sys
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import unquote

import content  # the sibling module: this file runs as a script

GZIP_LEVEL = 6
SITEMAP_CHUNK = 1000
ROBOTS = b"User-agent: *\nAllow: /\n"


@dataclass
class Run:
    name: str
    pages: list[content.Page] = field(default_factory=list)  # in publish order
    times: list[float] = field(default_factory=list)  # publish times, sorted
    by_path: dict[str, content.Page] = field(default_factory=dict)
    feed_limit: int = 100
    feed_cache: tuple[str, bytes] | None = None

    def published(self, now: float) -> int:
        return bisect.bisect_right(self.times, now)


class Site:
    def __init__(self, base_url: str, languages: str) -> None:
        self.base_url = base_url
        self.renderer = content.Renderer(content.load_corpus(languages), base_url)
        self.runs: dict[str, Run] = {}
        self.seq = 0
        self.stats = {
            "requests": 0,
            "article_requests": 0,
            "feed_requests": 0,
            "feed_304": 0,
            "bytes_sent": 0,
            "pages_rendered": 0,
            "raw_bytes_rendered": 0,
            "gz_bytes_rendered": 0,
        }

    # -- control ----------------------------------------------------------------------------

    def publish(self, run_name: str, count: int, rate: float, feed_limit: int | None, lead_s: float) -> dict:
        run = self.runs.setdefault(run_name, Run(run_name))
        if feed_limit:
            run.feed_limit = feed_limit
        rendered = []
        provisional = time.time()
        for i in range(count):
            # The date printed in the page is provisional (off by the rendering time, seconds at most);
            # the publish time that counts is fixed below, after rendering, so rendering never delays it.
            page, html = self.renderer.page(self.seq, provisional + (i / rate if rate > 0 else 0.0), run_name)
            self.seq += 1
            raw = html.encode()
            page.gz = gzip.compress(raw, GZIP_LEVEL, mtime=0)
            rendered.append(page)
            self.stats["pages_rendered"] += 1
            self.stats["raw_bytes_rendered"] += len(raw)
            self.stats["gz_bytes_rendered"] += len(page.gz)
        start = max(time.time() + lead_s, run.times[-1] if run.times else 0.0)
        items = []
        for i, page in enumerate(rendered):
            page.published = start + (i / rate if rate > 0 else 0.0)
            run.pages.append(page)
            run.times.append(page.published)
            run.by_path[page.path] = page
            items.append([self.base_url + page.path, page.published, page.raw_size, len(page.gz)])
        run.feed_cache = None
        return {"items": items, "start": start}

    # -- pages ------------------------------------------------------------------------------

    def feed(self, run: Run, now: float) -> tuple[str, bytes]:
        n = run.published(now)
        etag = f'"{run.name}-{n}-{run.feed_limit}"'
        if run.feed_cache is None or run.feed_cache[0] != etag:
            newest = run.pages[max(0, n - run.feed_limit) : n][::-1]
            run.feed_cache = (etag, gzip.compress(content.rss(newest, self.base_url, run.name), 1, mtime=0))
        return run.feed_cache

    def route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes, dict[str, str], bool]:
        """(status, content type, payload, extra headers, payload is gzip)."""
        self.stats["requests"] += 1
        path = unquote(path.split("?", 1)[0])
        now = time.time()
        if method == "POST" and path == "/_control/publish":
            req = json.loads(body)
            out = self.publish(
                req["run"],
                int(req["count"]),
                float(req.get("rate", 0)),
                req.get("feed_limit"),
                float(req.get("lead_s", 0.05)),
            )
            return 200, "application/json", json.dumps(out).encode(), {}, False
        if method == "POST" and path == "/_control/drop":
            self.runs.pop(json.loads(body)["run"], None)
            return 200, "application/json", b"{}", {}, False
        if path == "/_control/stats":
            return 200, "application/json", json.dumps(self.stats).encode(), {}, False
        if path == "/robots.txt":
            return 200, "text/plain", ROBOTS, {}, False
        parts = path.split("/", 2)
        run = self.runs.get(parts[1]) if len(parts) > 2 else None
        if run is None:
            return 404, "text/plain", b"not found\n", {}, False
        rest = parts[2]
        if rest == "rss.xml":
            self.stats["feed_requests"] += 1
            etag, gz = self.feed(run, now)
            if headers.get("if-none-match") == etag:
                self.stats["feed_304"] += 1
                return 304, "application/rss+xml", b"", {"etag": etag}, False
            return (
                200,
                "application/rss+xml; charset=utf-8",
                gz,
                {"etag": etag, "cache-control": "no-cache"},
                True,
            )
        if rest == "sitemap.xml":
            n = run.published(now)
            body_ = content.sitemap_index((n + SITEMAP_CHUNK - 1) // SITEMAP_CHUNK, self.base_url, run.name)
            return 200, "application/xml", body_, {}, False
        if rest.startswith("sitemap-") and rest.endswith(".xml"):
            k = int(rest[8:-4])
            n = run.published(now)
            chunk = run.pages[k * SITEMAP_CHUNK : min(n, (k + 1) * SITEMAP_CHUNK)]
            return 200, "application/xml", content.sitemap(chunk, self.base_url), {}, False
        page = run.by_path.get(path)
        if page is None or page.published > now:
            return 404, "text/html", b"<h1>Not found</h1>", {}, False
        self.stats["article_requests"] += 1
        if headers.get("if-none-match") == page.etag:
            return 304, "text/html", b"", {"etag": page.etag}, False
        extra = {
            "etag": page.etag,
            "last-modified": formatdate(page.published, usegmt=True),
            "cache-control": "max-age=60",
        }
        return 200, "text/html; charset=utf-8", page.gz, extra, True

    # -- HTTP/1.1 ---------------------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = b""
                if length := int(headers.get("content-length", "0") or 0):
                    body = await reader.readexactly(length)
                try:
                    status, ctype, payload, extra, is_gz = self.route(method, target, headers, body)
                except Exception as exc:  # a bench server: answer 500 and keep serving
                    status, ctype, payload, extra, is_gz = 500, "text/plain", repr(exc).encode(), {}, False
                if is_gz and "gzip" not in headers.get("accept-encoding", ""):
                    payload, is_gz = gzip.decompress(payload), False
                keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                out = [
                    f"HTTP/1.1 {status} {'OK' if status < 300 else 'X'}",
                    f"content-type: {ctype}",
                    f"content-length: {0 if method == 'HEAD' else len(payload)}",
                    f"connection: {'keep-alive' if keep else 'close'}",
                ]
                if is_gz:
                    out.append("content-encoding: gzip")
                out += [f"{k}: {v}" for k, v in extra.items()]
                data = ("\r\n".join(out) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else payload)
                self.stats["bytes_sent"] += len(data)
                writer.write(data)
                await writer.drain()
                if not keep:
                    break
        with contextlib.suppress(Exception):
            writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--languages", default="en", help="corpus languages: all, or a comma list (en,de)")
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    site = Site(f"http://127.0.0.1:{port}", args.languages)
    server = await asyncio.start_server(site.handle, sock=sock, backlog=1024, limit=1 << 20)
    sys.stdout.write(f"ready {port}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
