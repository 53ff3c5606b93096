"""``newswire parse FILE.warc.gz`` run as a user runs it: events out, bad records and a summary on stderr."""

from __future__ import annotations

import gzip
from pathlib import Path

from newswire.events import decode_article
from tests.integration.test_cli import run
from tests.support.warc_bytes import gzip_members, http_response, page_record, record

PAGES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "pages").glob("*.html"))


def test_parse_prints_the_events_of_a_warc_file_and_reports_what_it_skipped(tmp_path: Path) -> None:
    good = [page_record(f"https://news.example/{p.stem}", p.read_bytes()) for p in PAGES]
    image = record("https://news.example/logo.png", http_response(b"\x89PNG", content_type="image/png"))
    head = gzip_members([good[0], image])
    warc = tmp_path / "CC-NEWS-20261105080910-00001.warc.gz"
    warc.write_bytes(head + b"\0torn\0" * 4 + gzip_members(good[1:]))
    result = run("parse", str(warc), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    events = [decode_article(line) for line in result.stdout.splitlines()]
    assert [e.url for e in events] == [f"https://news.example/{p.stem}" for p in PAGES]
    assert {e.fetched for e in events} == {"2026-11-05T08:09:10.000+00:00"}
    err = result.stderr.decode()
    assert f"bad record: {warc}@{len(head)}: unreadable WARC data" in err
    assert f"{warc}: 5 records, 3 HTML pages, 3 articles, 0 pages without an article" in err
    assert "non_html 1, malformed 1" in err


def test_parse_fails_a_warc_file_it_cannot_read_and_goes_on_with_the_others(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGES[0].read_bytes())
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(gzip.compress(b""))
    result = run("parse", str(tmp_path / "missing.warc.gz"), str(empty), str(page), cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1
    err = result.stderr.decode()
    assert "missing.warc.gz: cannot open" in err
    assert f"{empty}: 0 records" in err
    assert "1 of 3 inputs failed" in err
