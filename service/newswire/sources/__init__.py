"""Sources: feeds, sitemaps, OPML, URL lists and folders → candidate article URLs.

Everything here is pure: parsers take the bytes someone else fetched and
return :class:`Candidate` values with canonical URLs and the hints the source
gave (title, dates in UTC ISO 8601, authors, language); :class:`SourceSchedule`
decides when each source is polled next, from ``now`` values the caller
passes. Bad input raises :class:`~newswire.errors.SourceError` and nothing
else.

    parse_feed(bytes, url)     RSS 0.9x/1.0/2.0, Atom, JSON Feed → FeedResult
    parse_sitemap(bytes, url)  index, urlset, Google News, gzip, text → SitemapResult
    parse_opml(bytes)          subscriptions → [SourceSettings(kind="feed")]
    parse_url_list(text, src)  one URL a line → [Candidate]
    scan_files(path)           saved pages under a folder → [Path]
"""

from __future__ import annotations

from newswire.sources._feed import parse_feed
from newswire.sources._lists import parse_url_list, scan_files
from newswire.sources._models import Candidate, FeedResult, SitemapResult
from newswire.sources._opml import parse_opml
from newswire.sources._schedule import SourceSchedule, SourceStatus, cache_control_max_age
from newswire.sources._sitemap import MAX_DECOMPRESSED_BYTES, parse_sitemap

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "Candidate",
    "FeedResult",
    "SitemapResult",
    "SourceSchedule",
    "SourceStatus",
    "cache_control_max_age",
    "parse_feed",
    "parse_opml",
    "parse_sitemap",
    "parse_url_list",
    "scan_files",
]
