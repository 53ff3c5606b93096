"""Value objects that cross the ``fetch/`` boundary: what callers pass in and get back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: ``on_response(host, status_class, elapsed_s)``: called once per HTTP exchange
#: (every redirect hop, retry attempt and robots.txt fetch). ``status_class`` is
#: ``"1xx"``..``"5xx"``, or ``"error"`` when no response arrived (timeout, reset).
ResponseObserver = Callable[[str, str, float], None]


@dataclass(frozen=True, slots=True)
class Validators:
    """Cache validators of a previous response, sent back as a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)

    def request_headers(self) -> dict[str, str]:
        """The conditional GET's headers: ``If-None-Match`` and ``If-Modified-Since``, for those known."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful fetch (2xx, or 304 when ``not_modified``).

    ``content`` is the body after Content-Encoding was undone (never more than
    ``fetch.max_body_bytes``); it is ``b""`` when ``not_modified``. Charset
    decoding is left to ``extract/``: use ``content_type`` for the header charset.
    ``headers`` are the final response's headers with lower-cased names
    (repeated headers joined with ``", "``). ``validators`` are the ones to
    store for the next conditional GET of ``url``. ``elapsed_s`` is the wall time
    spent in ``Fetcher.fetch`` (politeness waits and back-off included).
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    not_modified: bool
    validators: Validators
    elapsed_s: float
    content_type: str | None
    retry_count: int = 0
    redirect_count: int = 0
    history: tuple[str, ...] = field(default=())
