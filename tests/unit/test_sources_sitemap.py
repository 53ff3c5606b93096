"""Sitemaps → candidates or child sitemaps, safely."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from newswire.errors import SourceError
from newswire.sources import MAX_DECOMPRESSED_BYTES, Candidate, SitemapResult, parse_sitemap

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
SITE = "https://news.example.com/sitemap.xml"


def sitemap(name: str) -> SitemapResult:
    return parse_sitemap((FEEDS / name).read_bytes(), SITE)


def test_google_news_sitemap() -> None:
    result = sitemap("news_sitemap.xml")
    assert result.sitemaps == ()
    assert result.candidates == (
        Candidate(
            url="https://news.example.com/world/summit",
            source=SITE,
            title="Leaders meet at summit",
            published="2024-06-09T08:45:00+00:00",
            lastmod="2024-06-09T10:00:00+00:00",
            language="en",
        ),
        Candidate(
            url="https://news.example.com/business/merger",
            source=SITE,
            title="Two firms merge",
            published="2024-06-09T00:00:00+00:00",
            language="zh-cn",
        ),
    )  # the mailto: and the <url> without <loc> are skipped


def test_sitemap_index_lists_children_once_resolved() -> None:
    result = sitemap("sitemap_index.xml")
    assert result.candidates == ()
    assert result.sitemaps == (
        "https://news.example.com/sitemaps/news.xml",
        "https://news.example.com/sitemaps/2024-06.xml.gz",
        "https://news.example.com/sitemaps/relative.xml",
    )
    # The first listing of a child wins, lastmod included.
    news = "https://news.example.com/sitemaps/news.xml"
    assert result.sitemap_lastmod == {news: "2024-06-09T00:00:00+00:00"}


def test_gzipped_urlset_and_lastmod_as_publication_hint() -> None:
    result = sitemap("urlset.xml.gz")
    assert [(c.url, c.lastmod, c.published) for c in result.candidates] == [
        (
            "https://news.example.com/archive/2024/06/01/a",
            "2024-06-01T00:00:00+00:00",
            "2024-06-01T00:00:00+00:00",
        ),
        (
            "https://news.example.com/archive/2024/06/02/b",
            "2024-06-02T08:00:00+00:00",
            "2024-06-02T08:00:00+00:00",
        ),
        ("https://news.example.com/archive/2024/06/03/c", None, None),
    ]


def test_gzip_detected_by_magic_not_name() -> None:
    raw = (FEEDS / "sitemap_index.xml").read_bytes()
    assert parse_sitemap(gzip.compress(raw), "https://x.example/sitemap.xml").sitemaps


def test_multi_member_gzip() -> None:
    half = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/1</loc>'
    rest = b"</url></urlset>"
    result = parse_sitemap(gzip.compress(half) + gzip.compress(rest), "https://a.example/s.xml")
    assert [c.url for c in result.candidates] == ["https://a.example/1"]


def test_gzip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as out:
        chunk = b" " * (1024 * 1024)
        for _ in range(MAX_DECOMPRESSED_BYTES // len(chunk) + 2):
            out.write(chunk)
    bomb = buffer.getvalue()
    assert len(bomb) < 200_000
    with pytest.raises(SourceError, match="more than 50 MB"):
        parse_sitemap(bomb, SITE)


@pytest.mark.parametrize("content", [b"\x1f\x8bnot gzip at all", gzip.compress(b"<urlset/>")[:-12]])
def test_corrupt_or_truncated_gzip(content: bytes) -> None:
    with pytest.raises(SourceError, match="gzip"):
        parse_sitemap(content, SITE)


def test_text_sitemap() -> None:
    text = b"https://a.example/1\n\nhttps://a.example/2?utm_source=x\nhttps://a.example/1\n"
    assert [c.url for c in parse_sitemap(text, "https://a.example/sitemap.txt").candidates] == [
        "https://a.example/1",
        "https://a.example/2",
    ]


def test_wrong_namespace_still_read() -> None:
    content = b"<urlset><url><loc>https://a.example/x</loc><lastmod>2024-06</lastmod></url></urlset>"
    [only] = parse_sitemap(content, SITE).candidates
    assert only.lastmod == "2024-06-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("billion_laughs.xml", "declares XML entities"),
        ("external_entity.xml", "declares XML entities"),
        ("homepage.html", "HTML page"),
        ("rss2.xml", "is a feed, not a sitemap"),
        ("atom.xml", "is a feed, not a sitemap"),
        ("subscriptions.opml", "not a sitemap"),
        ("garbage.bin", "neither XML nor"),
        ("jsonfeed.json", "neither XML nor a text sitemap"),
    ],
)
def test_not_a_sitemap_is_source_error(name: str, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        sitemap(name)


@pytest.mark.parametrize("content", [b"", b"<urlset>", b"<?xml version='1.0'?>", b"<urlset></wrong>"])
def test_broken_xml(content: bytes) -> None:
    with pytest.raises(SourceError):
        parse_sitemap(content, SITE)


def test_external_entity_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY s SYSTEM "file://{secret}">]>'
        "<urlset><url><loc>https://a.example/&s;</loc></url></urlset>"
    ).encode()
    with pytest.raises(SourceError) as caught:
        parse_sitemap(doc, SITE)
    assert "TOP-SECRET" not in str(caught.value)
