"""When a refetched page is an edit: any tracked field counts, re-rendering noise in the text does not."""

from __future__ import annotations

import dataclasses

from newswire.daemons._url_decision import edited_fields, field_digests
from newswire.events import ArticleEvent
from newswire.state import UrlState
from tests.support import bridge_story as story
from tests.support.bridge_story import URL


def article(
    title: str = "Bridge reopens", body: str = "It reopened.\n\nOn Monday.", **changes: object
) -> ArticleEvent:
    return story.article(
        title, body, authors=["Jonah Reyes"], lead="Commuters regain their route.", **changes
    )


def published(event: ArticleEvent) -> UrlState:
    """The state ingest keeps after publishing ``event``."""
    return UrlState(
        url=URL,
        checked=1.0,
        article_id=event.article_id,
        version=1,
        fingerprint=event.fingerprint,
        fields=field_digests(event),
    )


def edited(old: ArticleEvent, new: ArticleEvent) -> list[str]:
    return edited_fields(published(old), new, field_digests(new))


def test_a_refetch_of_the_same_page_is_no_edit() -> None:
    assert edited(article(), article()) == []


def test_fields_outside_the_fingerprint_are_edits_on_their_own() -> None:
    old = article()
    assert edited(old, dataclasses.replace(old, authors=["Jonah Reyes", "Aileen Brody"])) == ["authors"]
    assert edited(old, dataclasses.replace(old, lead="Two weeks early.")) == ["lead"]
    assert edited(old, dataclasses.replace(old, modified="2024-06-02T08:00:00+00:00")) == ["modified"]
    assert edited(old, dataclasses.replace(old, tags=["transport"], lead="New.")) == ["lead", "tags"]


def test_whitespace_or_case_only_text_changes_stay_no_edit_unless_something_else_moved() -> None:
    old = article()
    noise = article(title="Bridge  Reopens", body="It reopened.\n\nOn  Monday.")
    assert edited(old, noise) == []
    # Once something else is an edit, every differing field is named, as the diff shows it.
    assert edited(old, dataclasses.replace(noise, authors=["Aileen Brody"])) == ["title", "authors", "body"]


def test_a_text_edit_names_the_text_fields_that_moved() -> None:
    old = article()
    assert edited(old, article(title="Bridge reopens early")) == ["title"]
