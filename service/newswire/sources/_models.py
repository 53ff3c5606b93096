"""What the source parsers return: candidate article URLs with the hints a feed gave."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """One article URL found in a source, before it is fetched.

    ``url`` is canonical (:func:`newswire.urls.canonicalize`). ``source`` names
    where it was found (the feed or sitemap URL, or the list's source name).
    ``published`` and ``lastmod`` are tz-aware ISO 8601 strings in UTC
    (``2024-06-01T12:00:00+00:00``); a date the source gave without a time or a
    zone is read as UTC. Everything but ``url`` and ``source`` is a hint from
    the source and may be missing or wrong: extraction has the last word.
    """

    url: str
    source: str
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None
    lastmod: str | None = None
    language: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class FeedResult:
    """A parsed RSS, Atom or JSON feed.

    ``ttl_s`` is how long the publisher asks readers to wait between polls
    (RSS ``<ttl>`` or ``sy:updatePeriod``/``sy:updateFrequency``), in seconds,
    or None when the feed says nothing.
    """

    candidates: tuple[Candidate, ...]
    ttl_s: float | None = None
    title: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SitemapResult:
    """A parsed sitemap: article candidates of a urlset, child sitemaps of an index.

    ``sitemap_lastmod`` maps a child sitemap to its ``<lastmod>`` in the index
    (UTC ISO 8601), when the index gives one: a backfill skips children older
    than it cares about without fetching them.
    """

    candidates: tuple[Candidate, ...]
    sitemaps: tuple[str, ...] = ()
    sitemap_lastmod: dict[str, str] = dataclasses.field(default_factory=dict)
