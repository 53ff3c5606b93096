"""A local site that answers with the walls of ``tests.support.walls`` instead of articles.

``/news/<wall name>`` serves that wall (status, headers, markup, or its
redirect); ``/news/about-walls`` is a real article; redirect targets serve the
consent or login page they lead to, ``/`` a home page. Every request is logged
with its arrival time, so tests can see how often a host was asked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.support.walls import ARTICLE_ABOUT_WALLS, CONSENT_PAGE, LOGIN_PAGE, WALLS, Wall

ARTICLE_PATH = "/news/about-walls"
_LANDING = {"/privacy-gate/consent": CONSENT_PAGE.body, "/account/login": LOGIN_PAGE.body}
_HOME = "<!doctype html><html><head><title>News Example</title></head><body><h1>News</h1></body></html>"


@dataclass
class WallSite:
    host_port: str
    requests: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://{self.host_port}{path}"

    def wall_url(self, wall: Wall) -> str:
        return self.url(f"/news/{wall.name}")

    def hits(self, prefix: str = "/news/") -> list[tuple[str, float]]:
        with self.lock:
            return [(p, t) for p, t in self.requests if p.startswith(prefix)]


def _handler(site: WallSite) -> type[BaseHTTPRequestHandler]:
    walls = {f"/news/{w.name}": w for w in WALLS}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def _send(self, status: int, body: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
            data = body.encode()
            self.send_response_only(status)  # no Server header of its own: the walls bring theirs
            self.send_header("Date", self.date_time_string())
            names = {k.lower() for k, _ in headers}
            for key, value in headers:
                self.send_header(key, value)
            if "content-type" not in names:
                self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            with site.lock:
                site.requests.append((path, time.monotonic()))
            wall = walls.get(path)
            if wall is not None and wall.redirect_to is not None:
                self._send(wall.status, "", (("Location", wall.redirect_to),))
            elif wall is not None:
                self._send(wall.status, wall.body, wall.headers)
            elif path == ARTICLE_PATH:
                self._send(200, ARTICLE_ABOUT_WALLS)
            elif path in _LANDING:
                self._send(200, _LANDING[path])
            elif path == "/":
                self._send(200, _HOME)
            else:
                self._send(404, "<html><body>Not Found</body></html>")

    return Handler


@contextmanager
def serve_walls() -> Iterator[WallSite]:
    """Run a :class:`WallSite` on 127.0.0.1 (a free port) for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    site = WallSite(f"127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(site)
    thread = threading.Thread(target=server.serve_forever, name="wall-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
