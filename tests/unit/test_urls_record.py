"""The ``urls`` record of a page read from a WARC file carries its extracted article intact."""

from __future__ import annotations

from newswire.bus.records import urls
from newswire.events import ArticleEvent, article_id_for, content_fingerprint
from newswire.sources import Candidate

URL = "https://news.example/2026/11/05/bridge"


def test_an_imported_article_round_trips_through_its_urls_record_keyed_by_host() -> None:
    article = ArticleEvent(
        article_id=article_id_for(URL),
        url=URL,
        canonical_url=URL,
        title="Bridge reopens",
        authors=["A. Writer"],
        body="It reopened.\n\nOn Monday.",
        fetched="2026-11-05T08:09:10.000Z",
        fingerprint=content_fingerprint("Bridge reopens", "It reopened.\n\nOn Monday."),
    )
    candidate = Candidate(url=URL, source="warc-import")
    work = urls.decode(urls.encode(candidate, imported=article))
    assert work.imported == article and work.candidate == candidate and work.replay is None
    assert urls.decode(urls.encode(candidate)).imported is None
    assert urls.key(URL) == b"news.example"
