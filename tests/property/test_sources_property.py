"""Whatever bytes a server sends, the source parsers answer with a result or SourceError.

Inputs are random bytes and saved feeds/sitemaps mutated by cutting, splicing
and flipping bytes; each parse must finish within a time bound as well.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.errors import SourceError
from newswire.sources import FeedResult, SitemapResult, parse_feed, parse_opml, parse_sitemap, parse_url_list

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
SEEDS = [
    (FEEDS / name).read_bytes()
    for name in [
        "rss2.xml",
        "rss1.rdf",
        "atom.xml",
        "jsonfeed.json",
        "jsonfeed_v1.json",
        "news_sitemap.xml",
        "sitemap_index.xml",
        "urlset.xml.gz",
        "subscriptions.opml",
        "homepage.html",
    ]
]
SEEDS.append(gzip.decompress((FEEDS / "urlset.xml.gz").read_bytes()))
TIME_BOUND_S = 2.0
SNIPPETS = [
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE x>",
    b"\x00",
    b"\xff\xfe",
    b"{",
    b'"',
    b"<link>",
    b"</item>",
    b"<loc>",
    b"http://",
    b"%",
    b"\xc3",
    b"\x1f\x8b",
    b"<?xml",
    b"--",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        where = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["cut", "insert", "flip", "truncate", "duplicate"]))
        if action == "cut":
            del data[where : where + draw(st.integers(1, 40))]
        elif action == "insert":
            data[where:where] = draw(st.sampled_from(SNIPPETS) | st.binary(max_size=8))
        elif action == "flip":
            data[where] ^= draw(st.integers(1, 255))
        elif action == "truncate":
            del data[where:]
        else:
            data[where:where] = data[where : where + draw(st.integers(1, 200))]
    return bytes(data)


def _only_source_error(content: bytes) -> None:
    for parse in (
        lambda: parse_feed(content, "https://p.example/feed"),
        lambda: parse_sitemap(content, "https://p.example/sitemap.xml"),
        lambda: parse_opml(content),
        lambda: parse_url_list(content.decode("utf-8", "replace"), "list"),
    ):
        started = time.perf_counter()
        try:
            result = parse()
        except SourceError:
            pass
        else:
            assert isinstance(result, FeedResult | SitemapResult | list)
        assert time.perf_counter() - started < TIME_BOUND_S


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_feeds_and_sitemaps(content: bytes) -> None:
    _only_source_error(content)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(content: bytes) -> None:
    _only_source_error(content)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=512))
def test_random_gzip_payload(content: bytes) -> None:
    _only_source_error(gzip.compress(content))
