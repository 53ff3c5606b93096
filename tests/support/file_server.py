"""``FileServer``: a real HTTP server on 127.0.0.1 serving files from memory, with byte ranges.

For downloads of large files (WARC over http): it answers ``Range: bytes=N-`` with
``206`` (when ``If-Range``, if sent, matches its ETag), can break off the first
response for a path after some bytes (to make a client resume), and records every
request's path and headers. ``/robots.txt`` and unknown paths are 404.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Served:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    status: int


@dataclass
class _State:
    files: dict[str, bytes] = field(default_factory=dict)
    cut_after: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before breaking off, once
    hold_after: dict[str, tuple[int, threading.Event]] = field(default_factory=dict)  # path -> pause, once
    ranges: bool = True
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    requests: list[Served] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest() + '"'


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        state = self.server.state
        body = state.files.get(self.path)
        if body is None:
            self._record(404)
            self._answer(404, b"not found", {})
            return
        start = 0
        wanted = self.headers.get("Range", "")
        if_range = self.headers.get("If-Range")
        ranged = state.ranges and wanted.startswith("bytes=") and wanted.endswith("-")
        if ranged and (if_range is None or if_range == _etag(body)):
            start = int(wanted[len("bytes=") : -1])
        if start >= len(body) and start:
            self._record(416)
            self._answer(416, b"", {"Content-Range": f"bytes */{len(body)}"})
            return
        status = 206 if start else 200
        self._record(status)
        headers = {"ETag": _etag(body), "Accept-Ranges": "bytes" if state.ranges else "none"}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
        with state.lock:
            cut = state.cut_after.pop(self.path, None)
            hold = state.hold_after.pop(self.path, None)
        self._answer(status, body[start:], headers, cut=cut, hold=hold)

    def _record(self, status: int) -> None:
        with self.server.state.lock:
            self.server.state.requests.append(Served(self.path, dict(self.headers.items()), status))

    def _answer(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str],
        *,
        cut: int | None = None,
        hold: tuple[int, threading.Event] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/warc" if status < 300 else "text/plain")
        if self.server.state.send_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.close_connection = True
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if hold is not None:
            sent, go_on = hold
            self.wfile.write(body[:sent])
            self.wfile.flush()
            go_on.wait(30)
            body = body[sent:]
        if cut is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut])  # then break off: the client sees a short body
        self.wfile.flush()
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is no error
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FileServer:
    """``with FileServer({"/a.warc.gz": data}) as server: server.url("/a.warc.gz")``."""

    def __init__(self, files: dict[str, bytes], *, ranges: bool = True, send_length: bool = True) -> None:
        self.state = _State(files=dict(files), ranges=ranges, send_length=send_length)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host_port(self) -> str:
        """``127.0.0.1:<port>``: the entry to put in ``fetch.allowed_hosts``."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cut_first_response(self, path: str, after: int) -> None:
        """Break off the next response for ``path`` after ``after`` bytes of body."""
        self.state.cut_after[path] = after

    def hold_first_response(self, path: str, after: int) -> threading.Event:
        """Pause the next response for ``path`` after ``after`` bytes of body until the event is set."""
        go_on = threading.Event()
        self.state.hold_after[path] = (after, go_on)
        return go_on

    def requests_to(self, path: str) -> list[Served]:
        with self.state.lock:
            return [r for r in self.state.requests if r.path == path]

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
