"""The bundled demo news site that ``make run`` ingests, so a fresh clone works offline.

``site/`` holds six short fictional articles written for newswire, an RSS feed of them and a
robots.txt. :class:`DemoSite` serves them on loopback (``newswire run --demo-site``), and the
default ``newswire.toml`` has a feed source for it, so the whole path runs: discover the feed,
fetch the pages over HTTP (politeness, robots.txt and the address guard included), extract,
publish, enrich.

The feed's links must name the address the site really listens on, so ``feed.xml`` is a
template whose ``{base}`` becomes ``http://HOST:PORT`` when served.
"""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, ClassVar

from newswire.errors import ConfigError

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_ADDRESS", "DemoSite", "parse_address"]

#: Where ``make run`` serves the demo site; the default ``newswire.toml`` points here.
DEFAULT_ADDRESS = "127.0.0.1:8642"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def parse_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` → (host, port); the demo site only listens on loopback."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or host not in ("127.0.0.1", "localhost"):
        raise ConfigError(f"--demo-site wants 127.0.0.1:PORT, got {address!r}")
    return host, int(port)


def _load_pages(base: str) -> dict[str, tuple[bytes, str]]:
    """Every file of ``site/`` by URL path, with its content type; the feed's ``{base}`` filled in."""
    pages: dict[str, tuple[bytes, str]] = {}
    for item in resources.files(__name__).joinpath("site").iterdir():
        suffix = "." + item.name.rpartition(".")[2]
        if suffix not in _TYPES:
            continue
        body = item.read_bytes()
        if item.name == "feed.xml":
            body = body.replace(b"{base}", base.encode())
        pages["/" + item.name] = (body, _TYPES[suffix])
    pages["/"] = pages["/index.html"]
    return pages


class _Handler(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[bytes, str]]] = {}
    server_version = "newswire-demo"

    def do_GET(self) -> None:
        found = self.pages.get(self.path.partition("?")[0])
        if found is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body, content_type = found
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo site: " + format, *args)


class DemoSite:
    """The demo site on a loopback port, served from a thread until :meth:`stop`.

    A thread rather than the daemons' event loop: the site stands in for a web server
    elsewhere, and must not share (or stall) the loop that fetches from it.
    """

    def __init__(self, address: str = DEFAULT_ADDRESS) -> None:
        self.host, port = parse_address(address)
        handler: type[_Handler] = type("DemoHandler", (_Handler,), {})
        try:
            self._server = ThreadingHTTPServer((self.host, port), handler)
        except OSError as exc:
            raise ConfigError(
                f"cannot serve the demo site on {address}: {exc.strerror}. Is another `make run` "
                "running? Stop it, or pass --demo-site 127.0.0.1:OTHER_PORT and change the demo "
                "source's url and fetch.allowed_hosts in newswire.toml to match"
            ) from None
        self.port = int(self._server.server_address[1])
        handler.pages = _load_pages(self.url)
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-site", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> DemoSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
