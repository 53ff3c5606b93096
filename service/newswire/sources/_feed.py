"""RSS 0.9x/1.0/2.0 and Atom feeds (through feedparser), JSON Feed (through ``_jsonfeed``).

feedparser is forgiving on purpose: a feed with an unescaped ``&`` or a bad
date still yields its entries, as it does for readers. What it cannot turn
into a feed (an HTML page, a JSON error body, random bytes) becomes a
:class:`~newswire.errors.SourceError` that says what the bytes looked like.

feedparser only ever sees a byte stream (never a string it could take for a
URL or a path, so it never opens a socket or a file), with HTML sanitising and
relative-URI rewriting turned off: we take plain text hints and resolve links
ourselves (after feedparser has applied any ``xml:base``).

Speed: feedparser spends nearly all its time in its SAX handlers: a 512-item
RSS 2.0 news feed (330 kB) takes it 0.26-0.45 s on this 2-core box. So a
well-formed UTF-8 RSS 2.0 feed is read with lxml first (:mod:`._rss_lxml`, the
same feed in about 0.09 s, most of it canonicalising the 512 links), which
answers only when it is sure it reads the feed as feedparser would; everything
else (Atom, RSS 1.0, broken XML, odd dates, unusual elements) goes to
feedparser. A JSON Feed of the same size takes about 10 ms.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import feedparser

from newswire.errors import SourceError
from newswire.sources._jsonfeed import parse_json_feed
from newswire.sources._models import Candidate, FeedResult
from newswire.sources._rss_lxml import read_rss
from newswire.sources._values import from_struct_time, language_tag, plain_text
from newswire.sources._xml import looks_like_html, refuse_entities
from newswire.urls import canonicalize

_BOM = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

#: sy:updatePeriod in seconds (RSS 1.0 syndication module).
_UPDATE_PERIOD_S = {
    "hourly": 3600.0,
    "daily": 86_400.0,
    "weekly": 604_800.0,
    "monthly": 2_592_000.0,
    "yearly": 31_536_000.0,
}


def parse_feed(content: bytes, url: str) -> FeedResult:
    """Parse an RSS, Atom or JSON feed fetched from ``url``.

    Entry links are resolved against ``url`` and canonicalised; entries without
    a usable http(s) link are skipped, and repeated links are kept once.

    Raises :class:`SourceError` if ``content`` is not a feed (empty, HTML, not
    XML or JSON, JSON that is not a JSON Feed) or declares XML entities.
    """
    head = content[:512].lstrip()
    for bom in _BOM:
        head = head.removeprefix(bom).lstrip()
    if not head:
        raise SourceError(f"feed {url} is empty")
    if head[:1] in (b"{", b"["):
        return parse_json_feed(content, url)
    if looks_like_html(head):
        raise SourceError(f"feed {url} is an HTML page, not a feed (is the URL the site's home page?)")
    refuse_entities(content, f"feed {url}")
    return feed_result(read_rss(content) or read_with_feedparser(content, url), url, head)


def feed_result(parsed: Mapping[str, Any], url: str, head: bytes = b"<") -> FeedResult:
    """What :func:`parse_feed` makes of feedparser's reading of a feed (or :func:`read_rss`'s)."""
    version = parsed.get("version") or ""
    entries: list[Any] = parsed.get("entries") or []
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        kind = "XML but not RSS or Atom" if head.startswith(b"<") else "neither XML nor JSON"
        raise SourceError(f"feed {url} is {kind}{detail}")
    meta: Mapping[str, Any] = parsed.get("feed") or {}
    feed_language = language_tag(meta.get("language"))
    return FeedResult(
        candidates=tuple(_dedupe(_candidate(e, url, feed_language) for e in entries)),
        ttl_s=_ttl_s(meta),
        title=plain_text(meta.get("title"), limit=300),
    )


def read_with_feedparser(content: bytes, url: str) -> Any:
    """feedparser's reading of ``content``; :class:`SourceError` if it raises."""
    try:
        return feedparser.parse(
            io.BytesIO(content),
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        UnicodeError,
        OverflowError,
        RecursionError,
    ) as exc:  # feedparser is foreign code: translate
        raise SourceError(f"feed {url} could not be parsed: {exc!r}") from None


def _link(entry: Mapping[str, Any], base: str) -> str | None:
    options: list[Any] = [entry.get("link")]
    options += [link.get("href") for link in entry.get("links") or () if link.get("rel") == "alternate"]
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip().lower().startswith(("http://", "https://")):
        options.append(guid)
    for option in options:
        if isinstance(option, str) and option.strip():
            try:
                return canonicalize(option, base)
            except ValueError:
                continue
    return None


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for author in entry.get("authors") or ():
        if isinstance(author, Mapping):
            name = plain_text(author.get("name") or author.get("email"), limit=200)
            if name:
                names.append(name)
    if not names and (single := plain_text(entry.get("author"), limit=200)):
        names.append(single)
    return tuple(dict.fromkeys(names))


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key)
        if isinstance(detail, Mapping) and (lang := language_tag(detail.get("language"))):
            return lang
    return None


def _candidate(entry: Mapping[str, Any], base: str, feed_language: str | None) -> Candidate | None:
    link = _link(entry, base)
    if link is None:
        return None
    # dict.get, not entry.get: FeedParserDict maps a missing "updated" to "published"
    # (with a DeprecationWarning), which would invent a modification date.
    updated = from_struct_time(dict.get(entry, "updated_parsed")) if isinstance(entry, dict) else None
    published = from_struct_time(entry.get("published_parsed")) or updated
    return Candidate(
        url=link,
        source=base,
        title=plain_text(entry.get("title"), limit=500),
        published=published,
        authors=_authors(entry),
        summary=plain_text(entry.get("summary")),
        lastmod=updated,
        language=_entry_language(entry) or feed_language,
    )


def _dedupe(candidates: Iterable[Candidate | None]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        if candidate is not None and candidate.url not in seen:
            seen[candidate.url] = candidate
    return list(seen.values())


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 1e9 else None


def _ttl_s(meta: Mapping[str, Any]) -> float | None:
    """The longest wait the feed asks for: RSS <ttl> (minutes) or the syndication module."""
    hints: list[float] = []
    if (minutes := _number(meta.get("ttl"))) is not None:
        hints.append(minutes * 60.0)
    period = _UPDATE_PERIOD_S.get(str(meta.get("sy_updateperiod") or "").strip().lower())
    if period is not None:
        frequency = _number(meta.get("sy_updatefrequency")) or 1.0
        hints.append(period / max(frequency, 1.0))
    return max(hints) if hints else None
