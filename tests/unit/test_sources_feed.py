"""Feeds → candidates: the URLs, the UTC dates and the hints a user would see."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from newswire.errors import SourceError
from newswire.sources import Candidate, FeedResult, parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def feed(name: str, url: str) -> FeedResult:
    return parse_feed((FEEDS / name).read_bytes(), url)


def test_rss2_links_dates_creators_and_ttl() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feedparser deprecation fallbacks used
        result = feed("rss2.xml", "https://news.example.com/rss.xml")
    assert result.title == "Example Times & Co"
    assert result.ttl_s == 15 * 60
    assert [c.url for c in result.candidates] == [
        "https://news.example.com/politics/budget-2024",  # utm_* gone; the :443 duplicate kept once
        "https://news.example.com/weather/storm",  # relative link resolved, fragment gone
        "https://news.example.com/sport/final",  # permalink guid when there is no <link>
    ]
    budget, storm, final = result.candidates
    assert budget == Candidate(
        url="https://news.example.com/politics/budget-2024",
        source="https://news.example.com/rss.xml",
        title="Council approves new budget",
        published="2024-06-01T12:30:00+00:00",  # +0200 converted to UTC
        authors=("Jane Doe",),
        summary="The council approved the budget on Friday.",
        lastmod=None,
        language="en-gb",
    )
    assert storm.published == "2024-06-02T08:00:00+00:00"
    assert storm.authors == ("John Roe",)
    assert final.published is None  # "not a date" is dropped, not fatal


def test_rss1_rdf_latin1_and_syndication_period() -> None:
    result = feed("rss1.rdf", "https://blog.example.org/index.rdf")
    assert result.ttl_s == 1800  # hourly, twice an hour
    [cafe] = result.candidates
    assert cafe.url == "https://blog.example.org/2024/caf%C3%A9"
    assert cafe.title == "Café opens"
    assert cafe.authors == ("Anna Müller",)
    assert cafe.published == "2024-06-03T07:15:00+00:00"
    assert cafe.language == "de"


def test_atom_multiple_authors_alternate_link_and_languages() -> None:
    result = feed("atom.xml", "https://journal.example.fr/atom.xml")
    assert result.title == "Le Journal"
    assert result.ttl_s is None
    first, second = result.candidates
    assert first.url == "https://journal.example.fr/2024/06/elections"  # rel=alternate, fbclid gone
    assert first.title == "Élections & résultats"
    assert first.authors == ("Marie Curie", "Pierre Curie")
    assert first.published == "2024-06-05T18:00:00+00:00"
    assert first.lastmod == "2024-06-05T19:15:00+00:00"
    assert first.summary == "Les résultats sont tombés."
    assert first.language == "fr"
    assert second.language == "en"
    assert second.published == "2024-06-06T06:00:00+00:00"  # only <updated>: used as publication hint


def test_json_feed_1_1() -> None:
    result = feed("jsonfeed.json", "https://json.example.com/feed.json")
    assert result.title == "JSON Daily"
    markets, rates = result.candidates
    assert markets.url == "https://json.example.com/2024/06/07/markets"
    assert markets.published == "2024-06-07T14:00:00+00:00"
    assert markets.lastmod == "2024-06-07T12:30:00+00:00"
    assert markets.authors == ("Sam Lee", "Ana Ruiz")
    assert markets.summary == "Stocks rose."
    assert markets.language == "en-gb"
    assert rates.url == "https://json.example.com/2024/06/08/rates"  # URL-shaped id
    assert rates.published == "2024-06-08T00:00:00+00:00"
    assert rates.authors == ("Desk Editor",)  # feed-level authors
    assert rates.summary == "The central bank kept rates unchanged."
    assert rates.language == "en-us"


def test_json_feed_1_0_relative_url_and_single_author() -> None:
    [item] = feed("jsonfeed_v1.json", "https://old.example.com/feed.json").candidates
    assert item.url == "https://old.example.com/posts/a"
    assert item.authors == ("Solo Writer",)
    assert item.published == "2020-01-02T03:04:05+00:00"


def test_empty_rss_channel_is_a_feed_without_candidates() -> None:
    result = parse_feed(
        b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "https://q.example/"
    )
    assert result == FeedResult(candidates=(), ttl_s=None, title="Quiet")


def test_malformed_but_readable_rss_still_yields_entries() -> None:
    content = (
        b'<rss version="2.0"><channel><title>A & B</title>'
        b"<item><title>One</title><link>https://e.example/1</link></item></channel></rss>"
    )
    assert [c.url for c in parse_feed(content, "https://e.example/rss").candidates] == ["https://e.example/1"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("homepage.html", "HTML page"),
        ("garbage.bin", "neither XML nor JSON"),
        ("not_jsonfeed.json", "not a JSON Feed"),
        ("billion_laughs.xml", "declares XML entities"),
        ("external_entity.xml", "declares XML entities"),
        ("news_sitemap.xml", "not RSS or Atom"),
    ],
)
def test_not_a_feed_is_source_error_with_reason(name: str, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        feed(name, "https://x.example/feed")


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n", b"{", b"[1, 2]", b'{"version": "https://jsonfeed.org/version/1.1"}', b"\xef\xbb\xbf"],
)
def test_degenerate_inputs(content: bytes) -> None:
    with pytest.raises(SourceError):
        parse_feed(content, "https://x.example/feed")


def test_utf16_entity_bomb_is_refused() -> None:
    text = (FEEDS / "billion_laughs.xml").read_text("utf-8")
    bomb = text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    with pytest.raises(SourceError, match="entities"):
        parse_feed(bomb.encode("utf-16"), "https://x.example/feed")


def test_atom_xml_base_and_relative_links() -> None:
    content = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/">
      <title>B</title>
      <entry><title>Rel</title><link href="posts/one.html"/><id>x</id></entry>
      <entry><title>Abs</title><link href="/other/two.html"/><id>y</id></entry>
    </feed>"""
    result = parse_feed(content, "https://site.example/feeds/atom.xml")
    assert [c.url for c in result.candidates] == [
        "https://site.example/blog/posts/one.html",
        "https://site.example/other/two.html",
    ]
