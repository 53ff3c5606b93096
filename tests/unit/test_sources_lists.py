"""OPML, URL lists and folders of saved pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.config import SourceSettings
from newswire.errors import SourceError
from newswire.sources import Candidate, parse_opml, parse_sitemap, parse_url_list, scan_files

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def test_opml_feeds_flattened_deduplicated_named() -> None:
    assert parse_opml((FEEDS / "subscriptions.opml").read_bytes()) == [
        SourceSettings(kind="feed", url="https://news.example.com/rss.xml", name="Example Times"),
        SourceSettings(kind="feed", url="https://journal.example.fr/atom.xml", name="Le Journal"),
    ]


def test_opml_feeds_sharing_a_title_stay_separate_sources() -> None:
    doc = (
        b'<opml version="2.0"><body>'
        b'<outline text="Daily Planet"><outline text="Politics" xmlUrl="https://planet.example/politics.xml"/></outline>'
        b'<outline text="Bugle"><outline text="Politics" xmlUrl="https://bugle.example/rss?token=s3cret"/>'
        b'<outline text="Sport" xmlUrl="https://bugle.example/sport.xml"/></outline>'
        b"</body></opml>"
    )
    feeds = parse_opml(doc)
    assert [f.key for f in feeds] == ["Politics", "Politics (https://bugle.example/rss?token=***)", "Sport"]
    assert feeds[1].url == "https://bugle.example/rss?token=s3cret"
    # The first feed keeps its key when the second is added after it.
    first_alone = doc.replace(
        b'<outline text="Politics" xmlUrl="https://bugle.example/rss?token=s3cret"/>', b""
    )
    assert [f.key for f in parse_opml(first_alone)] == ["Politics", "Sport"]


def test_an_opml_feed_keeps_its_user_and_password_but_its_key_masks_them() -> None:
    doc = (
        b'<opml version="2.0"><body>'
        b'<outline text="Members" xmlUrl="https://planet.example/members.xml"/>'
        b'<outline text="Members" xmlUrl="HTTPS://reader:pa%40ss@Planet.Example:443/paid.xml#top"/>'
        b"</body></opml>"
    )
    free, paid = parse_opml(doc)
    assert free.key == "Members"
    assert paid.url == "https://reader:pa%40ss@planet.example/paid.xml"
    assert paid.key == "Members (https://***@planet.example/paid.xml)"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("rss2.xml", "not an OPML document"), ("billion_laughs.xml", "entities"), ("garbage.bin", "XML")],
)
def test_not_opml(name: str, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        parse_opml((FEEDS / name).read_bytes())


def test_external_dtd_reference_is_not_fetched_but_allowed() -> None:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://127.0.0.1:9/opml.dtd">'
        b'<opml version="1.0"><body><outline text="A" xmlUrl="https://a.example/rss"/></body></opml>'
    )
    assert [s.url for s in parse_opml(doc)] == ["https://a.example/rss"]
    sitemap = (
        b'<!DOCTYPE urlset SYSTEM "http://127.0.0.1:9/x.dtd">'
        b"<urlset><url><loc>https://a.example/1</loc></url></urlset>"
    )
    assert len(parse_sitemap(sitemap, "https://a.example/s.xml").candidates) == 1


def test_url_list() -> None:
    text = """\ufeff# morning picks
https://news.example.com/a?utm_source=mail

   https://news.example.com/b   # the follow-up
HTTPS://NEWS.example.com/a
"""
    assert parse_url_list(text, "picks.txt") == [
        Candidate(url="https://news.example.com/a", source="picks.txt"),
        Candidate(url="https://news.example.com/b", source="picks.txt"),
    ]


def test_url_list_names_the_bad_line() -> None:
    with pytest.raises(SourceError, match=r"picks.txt line 3: not an http\(s\) URL"):
        parse_url_list("https://a.example/\n\nftp://files.example/x\n", "picks.txt")


def test_empty_url_list() -> None:
    assert parse_url_list("# nothing yet\n\n", "x") == []


def test_scan_files(tmp_path: Path) -> None:
    for name in [
        "b.html",
        "a.htm",
        "c.html.gz",
        "notes.txt",
        "UPPER.HTML",
        "image.png",
        ".hidden.html",
        "sub/d.html",
        "sub/deeper/e.txt",
        ".git/f.html",
        "sub/.cache/g.html",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in scan_files(tmp_path)]
    assert found == [
        "UPPER.HTML",
        "a.htm",
        "b.html",
        "c.html.gz",
        "notes.txt",
        "sub/d.html",
        "sub/deeper/e.txt",
    ]


def test_scan_single_file(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>hi</p>")
    assert scan_files(page) == [page]
    other = tmp_path / "data.csv"
    other.write_text("a,b")
    with pytest.raises(SourceError, match="not a saved page"):
        scan_files(other)


def test_scan_missing(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        scan_files(tmp_path / "nope")
