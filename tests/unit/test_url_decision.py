"""The per-URL decision, as pure functions: fetch or skip; created, updated, duplicate or unchanged;
removed, retried or dead-lettered; an archived capture decided or skipped as older. No Kafka, no network."""

from __future__ import annotations

import dataclasses

from newswire.daemons._url_decision import (
    MAX_ATTEMPTS,
    Reason,
    decide_article,
    decide_failure,
    retry_delay,
    skip_before_fetch,
    skip_imported,
)
from newswire.events import article_id_for
from newswire.state import UrlState
from tests.support.bridge_story import URL, article


def fetched_at(now: float) -> UrlState:
    return UrlState(url=URL, checked=now, etag='"v2"', lastmod="2024-06-02")


def test_a_new_url_is_fetched_and_its_article_created_at_version_1() -> None:
    assert skip_before_fetch(None, lastmod="2024-06-01", now=100.0, recheck_after_s=60) is None
    decision = decide_article(article(), None, fetched_at(100.0), owner=None)
    assert decision.reason is Reason.CREATED
    assert decision.article is not None and decision.article.version == 1
    assert decision.state.article_id == article_id_for(URL) and decision.state.etag == '"v2"'
    assert decision.state.fingerprint == decision.article.fingerprint


def test_a_url_checked_lately_or_whose_lastmod_stood_still_is_not_fetched() -> None:
    prev = decide_article(article(), None, fetched_at(100.0), owner=None).state
    prev = dataclasses.replace(prev, lastmod="2024-06-02")
    assert (
        skip_before_fetch(prev, lastmod="2024-06-02", now=1e6, recheck_after_s=60) is Reason.UNCHANGED_LASTMOD
    )
    assert (
        skip_before_fetch(prev, lastmod="2024-06-03", now=130.0, recheck_after_s=60)
        is Reason.RECENTLY_CHECKED
    )
    assert skip_before_fetch(prev, lastmod="2024-06-03", now=200.0, recheck_after_s=60) is None
    removed = dataclasses.replace(prev, removed=True)
    assert skip_before_fetch(removed, lastmod="2024-06-02", now=130.0, recheck_after_s=60) is None


def test_an_edited_article_is_an_update_with_the_next_version_and_its_diff() -> None:
    prev = decide_article(article(), None, fetched_at(100.0), owner=None).state
    edited = article(body="It reopened.\n\nOn Tuesday, after repairs.")
    decision = decide_article(edited, prev, fetched_at(200.0), owner=URL)
    assert decision.reason is Reason.UPDATED
    assert decision.article is not None and decision.article.version == 2
    assert decision.article.change == "updated" and "body" in decision.article.changed_fields
    assert decision.article.diff is not None
    assert decision.state.version == 2 and decision.state.checked == 200.0


def test_an_unchanged_refetch_publishes_nothing_but_keeps_the_new_validators() -> None:
    prev = decide_article(article(), None, fetched_at(100.0), owner=None).state
    decision = decide_article(article(), prev, dataclasses.replace(fetched_at(300.0), etag='"v3"'), owner=URL)
    assert decision.reason is Reason.UNCHANGED and decision.article is None
    assert decision.state.version == 1 and decision.state.etag == '"v3"' and decision.state.checked == 300.0


def test_forcing_republishes_an_unchanged_article_as_an_update() -> None:
    prev = decide_article(article(), None, fetched_at(100.0), owner=None).state
    decision = decide_article(article(), prev, fetched_at(300.0), owner=URL, force=True)
    assert decision.reason is Reason.UPDATED and decision.article is not None
    assert decision.article.version == 2


def test_text_another_url_already_published_is_a_duplicate() -> None:
    decision = decide_article(article(), None, fetched_at(100.0), owner="https://news.example/amp/bridge")
    assert decision.reason is Reason.DUPLICATE_CONTENT and decision.article is None
    assert decision.state == fetched_at(100.0)


def test_a_page_gone_after_publishing_is_removed_and_a_transient_failure_retried_then_dead_lettered() -> None:
    prev = decide_article(article(), None, fetched_at(100.0), owner=None).state
    assert decide_failure(prev, status=404, retryable=False, attempt=0) is Reason.REMOVED
    assert decide_failure(prev, status=410, retryable=False, attempt=0) is Reason.REMOVED
    assert decide_failure(None, status=404, retryable=False, attempt=0) is Reason.FETCH_FAILED
    assert decide_failure(prev, status=503, retryable=True, attempt=0) is Reason.REQUEUED
    last = MAX_ATTEMPTS - 1
    assert decide_failure(prev, status=503, retryable=True, attempt=last) is Reason.FETCH_FAILED
    assert retry_delay(0, None) == 30.0 and retry_delay(1, None) == 60.0 and retry_delay(0, 120.0) == 120.0


def test_an_archived_capture_is_decided_unless_the_url_was_checked_after_it() -> None:
    assert skip_imported(None, captured=100.0) is None
    prev = decide_article(article(), None, fetched_at(100.0), owner=None).state
    assert skip_imported(prev, captured=100.0) is None  # the same capture again: decided (unchanged)
    assert skip_imported(prev, captured=150.0) is None  # a later one: decided (an edit or unchanged)
    assert skip_imported(prev, captured=99.0) is Reason.OLDER_SNAPSHOT
    gone = dataclasses.replace(prev, removed=True, checked=200.0)
    assert skip_imported(gone, captured=150.0) is Reason.OLDER_SNAPSHOT  # no resurrection by an old copy


def test_reasons_are_the_strings_metrics_and_dead_letters_have_always_carried() -> None:
    assert Reason.ROBOTS_DENIED == "robots_denied" and Reason("consent_wall") is Reason.CONSENT_WALL
    from newswire.fetch._page_kind import PAGE_KINDS

    assert {Reason(kind) for kind in PAGE_KINDS} <= set(Reason)
