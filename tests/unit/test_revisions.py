"""Update diffs: what a reader of an ``updated`` event learns about the previous version."""

from __future__ import annotations

import json

import orjson
import pytest

from newswire.events import (
    ArticleEvent,
    FieldChange,
    ParagraphEdit,
    TextDiff,
    article_id_for,
    content_fingerprint,
    decode_article,
    encode_event,
    schema_text,
)
from newswire.revisions import (
    MAX_REMEMBERED_BYTES,
    paragraph_digests,
    paragraphs,
    remember_text,
    text_diff,
)
from newswire.state import UrlState

URL = "https://news.example/2024/06/01/bridge"
BODY = [
    "The bridge reopened on Monday.",
    "Engineers replaced 212 deck plates.",
    "The repairs cost 31.4 million.",
    "Ferries return to the normal timetable.",
]


def article(title: str = "Bridge reopens", body: list[str] = BODY, **changes: object) -> ArticleEvent:
    text = "\n\n".join(body)
    fields: dict[str, object] = {
        "article_id": article_id_for(URL),
        "url": URL,
        "canonical_url": URL,
        "title": title,
        "body": text,
        "fetched": "2024-06-01T12:00:00+00:00",
        "fingerprint": content_fingerprint(title, text),
        "authors": ["Jonah Reyes"],
        "lead": "Commuters regain their route.",
    }
    fields.update(changes)
    return ArticleEvent(**fields)  # type: ignore[arg-type]


def diff_between(old: ArticleEvent, new: ArticleEvent) -> TextDiff | None:
    """What ingest does: remember the published version, diff the next one against that memory."""
    return text_diff(remember_text(old), paragraph_digests(old.body), new)


def apply(old: list[str], edits: list[ParagraphEdit]) -> list[str]:
    """A reader who kept the previous event rebuilds the new body from the edit script."""
    out = list(old)
    for edit in reversed(edits):
        out[edit.old_start : edit.old_start + edit.old_count] = edit.text
    return out


def test_headline_edit_is_told_old_to_new_and_nothing_else() -> None:
    diff = diff_between(article(), article(title="Bridge reopens two weeks early"))
    assert diff == TextDiff(title=FieldChange(old="Bridge reopens", new="Bridge reopens two weeks early"))


def test_corrected_paragraph_is_a_replace_with_its_new_text() -> None:
    corrected = [*BODY[:2], "The repairs cost 31.8 million.", BODY[3]]
    diff = diff_between(article(), article(body=corrected))
    assert diff is not None and diff.title is None and diff.lead is None
    fix = "The repairs cost 31.8 million."
    assert diff.body == [ParagraphEdit(op="replace", old_start=2, old_count=1, new_start=2, text=[fix])]


def test_inserted_and_deleted_paragraphs_rebuild_the_new_body() -> None:
    edited = ["An update at 9am: traffic is heavy.", BODY[0], BODY[1], BODY[3], "Cyclists wait a month."]
    diff = diff_between(article(), article(body=edited))
    assert diff is not None and diff.body is not None
    assert [(e.op, e.old_start, e.old_count, e.new_start) for e in diff.body] == [
        ("insert", 0, 0, 0),
        ("delete", 2, 1, 3),
        ("insert", 4, 0, 4),
    ]
    assert apply(BODY, diff.body) == edited


def test_new_authors_and_lead_are_told_old_to_new() -> None:
    diff = diff_between(article(), article(authors=["Jonah Reyes", "Ann Lee"], lead=None))
    assert diff is not None
    assert diff.authors == FieldChange(old=["Jonah Reyes"], new=["Jonah Reyes", "Ann Lee"])
    assert diff.lead == FieldChange(old="Commuters regain their route.", new=None)


def test_state_written_before_diffs_existed_gives_no_diff() -> None:
    # A fetch-state record from an older newswire has neither field: the update keeps changed_fields only.
    old_record = orjson.dumps(
        {
            "url": URL,
            "checked": 1.0,
            "article_id": article_id_for(URL),
            "version": 1,
            "fingerprint": "0" * 32,
            "fields": {"title": "ab" * 8},
        }
    )
    state = UrlState.decode(old_record)
    assert state.text is None and state.paragraphs is None
    assert text_diff(state.text, state.paragraphs, article()) is None


def test_a_lead_too_long_to_remember_is_left_out_of_the_diff() -> None:
    long_lead = "word " * MAX_REMEMBERED_BYTES
    old = article(lead=long_lead)
    assert "lead" not in remember_text(old) and "title" in remember_text(old)
    diff = diff_between(old, article(lead="Short now."))
    assert diff == TextDiff()


def test_state_keeps_eight_bytes_per_paragraph_not_the_body() -> None:
    body = [f"Paragraph {i} " + "of considerable length, " * 30 for i in range(40)]
    published = article(body=body)
    state = UrlState(
        url=URL, checked=1.0, text=remember_text(published), paragraphs=paragraph_digests(published.body)
    )
    record = state.encode()
    assert len(published.body) > 25_000
    # 40 digests of 8 bytes in base64, the three short fields, and the keys: well under a kilobyte.
    assert len(orjson.loads(record)["paragraphs"]) == (40 * 8 + 2) // 3 * 4
    assert len(record) < 800
    assert UrlState.decode(record) == state


def test_paragraphs_split_like_a_reader_splits_the_body() -> None:
    assert paragraphs("") == []
    assert paragraphs("One.\n\nTwo.") == ["One.", "Two."]


def test_update_event_with_diff_round_trips_and_validates_against_the_shipped_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    update = article(title="Bridge reopens early", version=2, change="updated", changed_fields=["title"])
    update.diff = diff_between(article(), update)
    data = encode_event(update)
    doc = orjson.loads(data)
    assert doc["diff"]["title"] == {"old": "Bridge reopens", "new": "Bridge reopens early"}
    jsonschema.validate(doc, json.loads(schema_text("article")))
    assert decode_article(data) == update
    # Events without the field (schema 1.0 producers) still decode.
    del doc["diff"]
    assert decode_article(orjson.dumps(doc)).diff is None
