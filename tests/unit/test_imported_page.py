"""A page read from a WARC file, decided as a fetched page by its capture time: created, updated,
unchanged, a duplicate of another URL's text, or skipped as an older snapshot. No Kafka, no network."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from newswire.daemons._imported_page import decide_imported
from newswire.daemons._url_decision import ArticleDecision, Reason, decide_article
from newswire.state import UrlState
from tests.support.bridge_story import URL, article

NOV_5 = "2026-11-05T08:00:00+00:00"
NOV_6 = "2026-11-06T08:00:00+00:00"


def at(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def live_fetch(checked: float) -> UrlState:
    """The state after the URL's article was fetched live and published at ``checked``."""
    base = UrlState(
        url=URL, checked=checked, etag='"live"', last_modified="Tue, 04 Nov 2026", lastmod="2026-11-04"
    )
    return decide_article(article(), None, base, owner=None).state


def decided(result: ArticleDecision | Reason) -> ArticleDecision:
    assert isinstance(result, ArticleDecision), result
    return result


def test_a_new_url_is_created_at_version_1_checked_at_its_capture_time() -> None:
    decision = decided(decide_imported(article(fetched=NOV_5), URL, None, owner=None))
    assert decision.reason is Reason.CREATED
    assert decision.article is not None and decision.article.version == 1
    assert decision.state.checked == at(NOV_5)
    assert (decision.state.etag, decision.state.last_modified, decision.state.lastmod) == (None, None, None)


def test_a_later_capture_that_changed_is_the_next_version_and_keeps_the_live_validators() -> None:
    prev = live_fetch(at(NOV_5) - 60)
    edited = article(title="Bridge reopens early", fetched=NOV_6)
    decision = decided(decide_imported(edited, URL, prev, owner=None))
    assert decision.reason is Reason.UPDATED
    assert decision.article is not None and decision.article.version == 2
    assert decision.article.changed_fields == ["title"]
    assert (decision.state.etag, decision.state.last_modified, decision.state.lastmod) == (
        '"live"',
        "Tue, 04 Nov 2026",
        "2026-11-04",
    )
    assert decision.state.checked == at(NOV_6)


def test_the_same_page_captured_again_is_unchanged_and_publishes_nothing() -> None:
    prev = live_fetch(at(NOV_5))
    decision = decided(decide_imported(article(fetched=NOV_6), URL, prev, owner=None))
    assert decision.reason is Reason.UNCHANGED and decision.article is None
    assert decision.state.checked == at(NOV_6) and decision.state.version == prev.version


def test_text_another_url_already_published_is_a_duplicate() -> None:
    decision = decided(
        decide_imported(article(fetched=NOV_5), URL, None, owner="https://news.example/amp/bridge")
    )
    assert decision.reason is Reason.DUPLICATE_CONTENT and decision.article is None


def test_a_capture_older_than_the_urls_last_check_is_an_older_snapshot_and_no_edit() -> None:
    prev = live_fetch(at(NOV_6))
    older = article(title="An older headline", fetched=NOV_5)
    assert decide_imported(older, URL, prev, owner=None) is Reason.OLDER_SNAPSHOT
    gone = dataclasses.replace(prev, removed=True)
    assert decide_imported(older, URL, gone, owner=None) is Reason.OLDER_SNAPSHOT  # no resurrection
