"""Each kind's entry point, called the way the daemon calls it, and the errors it documents.

An input passes when the entry point returns a well-formed result or raises
one of ``DOCUMENTED[kind]`` (what the daemon catches and counts or
dead-letters). Anything else is a crash; a result that breaks its declared
types or the event schema is a bad result. Both must never happen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newswire.bus.records.urls import decode as decode_candidate
from newswire.daemons._extract_jobs import extract_page
from newswire.errors import EventError, ExtractError, NotArticleError, SourceError
from newswire.events import decode_article, decode_enriched, validate
from newswire.extract import parse_path
from newswire.sources import Candidate, parse_feed, parse_opml, parse_sitemap
from tests.fuzz import records

URL = "https://fuzz.example/2024/05/03/article"

#: What each entry point may raise on bad input (and what its daemon catches).
DOCUMENTED: dict[str, tuple[type[BaseException], ...]] = {
    "feed": (SourceError,),
    "sitemap": (SourceError,),
    "opml": (SourceError,),
    "html": (ExtractError, NotArticleError),  # a wall instead of an article is refused, not published
    "text": (ExtractError, OSError),  # the ingest daemon's file handler catches both
    "event": (EventError,),
    "candidate": (
        ValueError,
        TypeError,
        KeyError,
    ),  # decode_candidate's docstring; the fetch role catches these
    "record": (),  # nothing: every record must end written, cut to fit or dead-lettered
}

_CONTENT_TYPES = [
    None,
    "text/html; charset=utf-8",
    "text/html",
    "text/html; charset=bogus-charset",
    "text/html; charset=utf-16",
    "application/xhtml+xml",
    "application/octet-stream",
    "text/html; charset=",
]


class BadResult(Exception):
    """The entry point returned, but what it returned breaks its contract."""


_EXPANDED = ("lollollol", "root:x:0")  # billion laughs; /etc/passwd


def _written(marker: str, data: bytes) -> bool:
    """Whether the input itself spells ``marker`` (then finding it in the output proves nothing)."""
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError, zlib.error):
            data = zlib.decompressobj(31).decompress(data, 64 << 20)
    codecs = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037")
    return any(marker.encode(codec) in data for codec in codecs)


def _refuse_expansion(text: str | None, what: str, data: bytes) -> None:
    """An entity the parser expanded anyway shows up in the text it returned."""
    for marker in _EXPANDED:
        if text and marker in text and not _written(marker, data):
            raise BadResult(f"{what} holds expanded entity text ({marker})")


def _check_candidates(candidates: Sequence[Candidate], data: bytes) -> None:
    for c in candidates:
        _refuse_expansion(c.url, "candidate.url", data)
        _refuse_expansion(c.title, "candidate.title", data)
        if not (isinstance(c.url, str) and isinstance(c.source, str)):
            raise BadResult(f"candidate with non-string url/source: {c!r:.200}")
        for name in ("title", "published", "summary", "lastmod", "language"):
            if not isinstance(getattr(c, name), str | None):
                raise BadResult(f"candidate.{name} is {type(getattr(c, name)).__name__}")
        if not all(isinstance(a, str) for a in c.authors):
            raise BadResult("candidate.authors holds a non-string")


def _hints(rng: random.Random) -> dict[str, Any]:
    pick = rng.choice
    return {
        "title": pick([None, "", "Headline", "x" * 5000, "\u0000\ufffd"]),
        "published": pick([None, "2024-05-03T10:00:00+00:00", "yesterday", "2024-13-45T99:99:99Z"]),
        "authors": pick([(), ("Jane Doe",), ("", "By and &")]),
        "summary": pick([None, "A summary.", "<p>html</p>"]),
        "language": pick([None, "en", "zz", "en-GB", ""]),
    }


def run(kind: str, data: bytes, rng: random.Random, workdir: Path, name: str | None = None) -> str:
    """Run one input; returns ``"ok"`` or ``"rejected: <Error>"``, raises on a crash or bad result."""
    try:
        _call(kind, data, rng, workdir, name)
    except DOCUMENTED[kind] as exc:
        return f"rejected: {type(exc).__name__}"
    return "ok"


def _call(kind: str, data: bytes, rng: random.Random, workdir: Path, name: str | None) -> None:
    if kind == "feed":
        _check_candidates(parse_feed(data, "https://fuzz.example/feed.xml").candidates, data)
    elif kind == "sitemap":
        result = parse_sitemap(data, "https://fuzz.example/sitemap.xml")
        _check_candidates(result.candidates, data)
        if not all(isinstance(s, str) for s in result.sitemaps):
            raise BadResult("sitemap index lists a non-string")
    elif kind == "opml":
        for source in parse_opml(data):
            if not isinstance(source.url, str):
                raise BadResult(f"opml source without a string url: {source!r:.200}")
    elif kind == "html":
        event, _ = extract_page(
            data, URL, rng.choice(_CONTENT_TYPES), _hints(rng), "2024-05-03T12:00:00+00:00", None
        )
        _check_article(event, data)
    elif kind == "text":
        suffix = name if name and name.endswith(".gz") else "dump.txt"
        path = workdir / suffix
        path.write_bytes(data)
        _check_article(parse_path(path, URL), data)
    elif kind == "event":
        try:
            decode_article(data)  # what enrich reads from the articles topic
        except EventError:
            decode_enriched(data)  # what readers of the enriched topic decode
    elif kind == "candidate":
        # What the fetch role relies on before its catch-all (the rest is checked inside it).
        work = decode_candidate(data)
        if not (isinstance(work.candidate.url, str) and isinstance(work.candidate.source, str)):
            raise BadResult(f"candidate with non-string url/source: {work.candidate!r:.200}")
    elif kind == "record":
        try:
            records.check(data)
        except records.Stall as exc:
            raise BadResult(f"stall: {exc}") from None
    else:
        raise ValueError(kind)


def _check_article(event: Any, data: bytes) -> None:
    try:
        validate("article", dataclasses.asdict(event))
    except EventError as exc:
        raise BadResult(f"extracted event breaks the article schema: {exc}") from None
    if not event.body.strip():
        raise BadResult("extracted event with an empty body")
    _refuse_expansion(event.body, "article body", data)
    _refuse_expansion(event.title, "article title", data)
