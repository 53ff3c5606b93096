"""The lxml RSS reader against feedparser: where it answers, the candidates are the same.

``read_rss`` may decline any feed (feedparser then reads it), but what it
returns must give exactly the FeedResult feedparser's reading gives. The feeds
below are built from the constructs real news feeds use and the ones that
trip readers up: escaped and double-escaped markup, CDATA, Latin-1 mojibake,
relative and entity-laden links, guids with and without isPermaLink, RFC 822
dates in their many spellings, dc:date, content:encoded before and after
description, authors with e-mail addresses, xml:lang at every level, Media RSS
groups whose titles feedparser takes for the item's, unknown namespaces.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newswire.sources import FeedResult
from newswire.sources._feed import feed_result, read_with_feedparser
from newswire.sources._rss_lxml import read_rss

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
URL = "https://news.example.com/feeds/main.xml"

NAMESPACES = (
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:x="urn:example:unknown" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
)

texts = st.sampled_from(
    [
        "",
        "  ",
        "Plain headline",
        "Tom &amp; Jerry",
        "Tom &amp;amp; Jerry",
        "&lt;b&gt;Bold&lt;/b&gt; move",
        "<![CDATA[<p>Para <em>one</em></p>]]>",
        "Café in Zürich",
        "CafÃ© mojibake",
        "  padded  \n text ",
        "日本語の見出し",
        "Quote &quot;this&quot; &#8217;s",
        "a\u0085b",
        "x € y",
    ]
)
links = st.sampled_from(
    [
        "https://news.example.com/a/1",
        "/relative/path",
        "relative",
        "https://news.example.com/q?a=1&amp;b=2",
        "https://news.example.com/q?a=1&amp;amp;b=2",
        "https://news.example.com/q?x=1&amp;y;=2",
        "",
        "  https://news.example.com/ws  ",
        "javascript:alert(1)",
        "mailto:a@b.c",
        "https://news.example.com/caf%C3%A9",
        "https://news.example.com/café",
        "https:///news.example.com/3s",
        "http://[::1",
        "HTTPS://News.Example.com/Up",
    ]
)
dates = st.sampled_from(
    [
        "Sat, 01 Jun 2024 14:30:00 +0200",
        "Sat, 01 Jun 2024 14:30:00 GMT",
        "01 Jun 2024 14:30:00 GMT",
        "Sat, 1 Jun 2024 14:30 -0530",
        "Sat, 01 Jun 2024 14:30:00 EST",
        "Sat, 01 Jun 2024 14:30:00 PDT",
        "Sat, 01 Jun 2024 14:30:00 UT",
        "Sat, 01 Jun 2024 14:30:00 Z",
        "Sat, 01 Jun 24 14:30:00 GMT",
        "sat, 01 jun 2024 14:30:00 gmt",
        "Sat, 01 Jun 2024 14:30:00",
        "Sat, 01 Jun 2024 14:30:00 CEST",
        "2024-06-01T14:30:00Z",
        "2024-06-01T14:30:00+02:00",
        "2024-06-01",
        "Sat, 31 Feb 2024 14:30:00 GMT",
        "not a date",
        "",
        "Sat, 01 Jun 2024 24:00:00 GMT",
        "Mon, 01 Jun 2024 14:30:00 +0000",
    ]
)
w3c_dates = st.sampled_from(
    [
        "2024-06-01T14:30:00Z",
        "2024-06-01T14:30:00+02:00",
        "2024-06-01T14:30Z",
        "2024-06-01T14:30:00.5Z",
        "2024-06-01",
        "2024-06",
        "2024-06-01 14:30:00",
        "junk",
        "",
        "2024-02-30T00:00:00Z",
    ]
)
people = st.sampled_from(
    [
        "Jane Doe",
        "",
        "jane@example.com (Jane Doe)",
        "Jane Doe <jane@example.com>",
        "Ana Müller",
        "By Staff",
        "(Reuters)",
    ]
)
langs = st.sampled_from([None, "en", "en_GB", "", "fr-CA", "DE"])


def rarely(*attributes: str) -> st.SearchStrategy[str]:
    """No attribute most of the time, else one of ``attributes`` (so most feeds stay on the fast path)."""
    return st.sampled_from([""] * (3 * len(attributes)) + list(attributes))


def attr_lang(lang: str | None) -> str:
    return "" if lang is None else f' xml:lang="{lang}"'


@st.composite
def items(draw: st.DrawFn) -> str:
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append(f"<title{attr_lang(draw(langs))}>{draw(texts)}</title>")
    if draw(st.booleans()):
        attribute = draw(rarely(' href="https://news.example.com/h"', ' rel="alternate"'))
        parts.append(f"<link{attribute}>{draw(links)}</link>")
    if draw(st.booleans()):
        permalink = draw(st.sampled_from(["", "true", "false", "True"]))
        guid = draw(
            st.sampled_from(["id-1", "https://news.example.com/g/1", "/g/rel", "https:///news.example.com/g"])
        )
        spelling = draw(st.sampled_from(["isPermaLink"] * 8 + ["isPermalink", "ispermalink"]))
        attribute = f' {spelling}="{permalink}"' if permalink else ""
        parts.append(f"<guid{attribute}>{guid}</guid>")
    if draw(st.booleans()):
        parts.append(f"<pubDate>{draw(dates)}</pubDate>")
    if draw(st.booleans()):
        parts.append(f"<dc:date>{draw(w3c_dates)}</dc:date>")
    for _ in range(draw(st.integers(0, 3))):
        tag = draw(st.sampled_from(["dc:creator", "author", "dc:creator"]))
        parts.append(f"<{tag}>{escape(draw(people))}</{tag}>")
    summaries = draw(st.sampled_from(["", "d", "c", "dc", "cd"]))
    for kind in summaries:
        if kind == "d":
            mode = draw(rarely(' mode="base64"', ' Lang="fr"'))
            parts.append(f"<description{attr_lang(draw(langs))}{mode}>{draw(texts)}</description>")
        else:
            parts.append(f"<content:encoded>{draw(texts)}</content:encoded>")
    extras = draw(
        st.lists(
            st.sampled_from(
                [
                    "<category>World</category>",
                    '<enclosure url="https://cdn.example.com/a.jpg" type="image/jpeg" length="1"/>',
                    '<source url="https://wire.example.com/rss">The Wire</source>',
                    "<comments>https://news.example.com/a/1#comments</comments>",
                    '<media:content url="https://cdn.example.com/v.mp4"/>',
                    '<media:content url="https://cdn.example.com/v.mp4">'
                    "<media:title>Video title</media:title></media:content>",
                    "<media:group><media:title>Group title</media:title></media:group>",
                    '<media:thumbnail url="https://cdn.example.com/t.jpg"/>',
                    "<media:description>Media description</media:description>",
                    '<atom:link rel="alternate" href="https://news.example.com/alt"/>',
                    "<lastBuildDate>Sat, 01 Jun 2024 10:00:00 GMT</lastBuildDate>",
                    "<x:title>Unknown namespace</x:title>",
                    "<itunes:summary>Podcast summary</itunes:summary>",
                    "<dc:title>DC title</dc:title>",
                    "<title>Second title</title>",
                    "<link>https://news.example.com/second</link>",
                    "<dc:subject>Politics</dc:subject>",
                ]
            ),
            max_size=3,
        )
    )
    parts += extras
    order = draw(st.permutations(parts))
    attributes = draw(
        rarely(
            ' base="https://other.example/"',
            ' href="https://news.example.com/item-href"',
            ' rdf:about="https://news.example.com/about"',
            ' Lang="de"',
        )
    )
    return f"<item{attr_lang(draw(langs))}{attributes}>{''.join(order)}</item>"


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    head: list[str] = []
    if draw(st.booleans()):
        head.append(f"<title>{draw(texts)}</title>")
    if draw(st.booleans()):
        head.append(f"<language>{draw(st.sampled_from(['en-us', 'fr', '', 'de_DE']))}</language>")
    if draw(st.booleans()):
        head.append(f"<ttl>{draw(st.sampled_from(['15', '0', 'x', '60.5']))}</ttl>")
    if draw(st.booleans()):
        head.append("<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>")
    head += draw(
        st.lists(
            st.sampled_from(
                [
                    "<link>https://news.example.com/</link>",
                    "<description>All the news</description>",
                    "<image><url>https://news.example.com/logo.png</url><title>Logo title</title>"
                    "<link>https://news.example.com/</link></image>",
                    "<image><foo/><title>Logo after an unknown element</title></image>",
                    '<atom:link rel="self" href="https://news.example.com/feeds/main.xml"'
                    ' type="application/rss+xml"/>',
                    "<generator>WordPress</generator>",
                    "<managingEditor>ed@example.com (Ed)</managingEditor>",
                    "<title>Second channel title</title>",
                    "<dc:language>nl</dc:language>",
                ]
            ),
            max_size=3,
        )
    )
    body = draw(st.lists(items(), min_size=1, max_size=4))
    at_end = draw(st.booleans())
    channel = "".join(body + head) if at_end else "".join(head + body)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {NAMESPACES}{attr_lang(draw(langs))}>'
        f"<channel{attr_lang(draw(langs))}>{channel}</channel></rss>"
    ).encode()


def by_feedparser(content: bytes) -> FeedResult:
    return feed_result(read_with_feedparser(content, URL), URL)


def by_lxml(content: bytes) -> FeedResult | None:
    parsed = read_rss(content)
    return None if parsed is None else feed_result(parsed, URL)


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feeds())
@example(
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><item><title>a</title>'
    b"<link>https://news.example.com/a</link></item></channel></rss>"
)
def test_where_lxml_answers_it_agrees_with_feedparser(content: bytes) -> None:
    fast = by_lxml(content)
    if fast is not None:
        assert fast == by_feedparser(content)


def test_plain_news_feeds_take_the_fast_path() -> None:
    """The fixtures' RSS 2.0 and the benchmark site's feed are read by lxml, with feedparser's result."""
    sys.path.insert(0, str(ROOT / "bench" / "site"))
    try:
        import content as bench_content  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    renderer = bench_content.Renderer(bench_content.load_corpus("en"), "http://127.0.0.1:8080")
    pages = [renderer.page(i, 1_700_000_000.0 - 60 * i, "run")[0] for i in range(64)]
    bench_feed = bench_content.rss(pages, "http://127.0.0.1:8080", "run")
    for content in ((FEEDS / "rss2.xml").read_bytes(), bench_feed):
        fast = by_lxml(content)
        assert fast is not None
        assert fast == by_feedparser(content)
    assert len(by_feedparser(bench_feed).candidates) == 64


def test_everything_else_is_left_to_feedparser() -> None:
    for name in ("atom.xml", "rss1.rdf"):
        assert read_rss((FEEDS / name).read_bytes()) is None
    declared_latin1 = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel></channel></rss>'
    )
    broken = b'<rss version="2.0"><channel><item><title>A & B</title></item></channel></rss>'
    with_base = b'<rss version="2.0" xml:base="https://a.example/"><channel></channel></rss>'
    for content in (declared_latin1, broken, with_base):
        assert read_rss(content) is None
