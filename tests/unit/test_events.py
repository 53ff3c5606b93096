"""The event contract: schemas shipped in the package, codec round trips, stable identities."""

from __future__ import annotations

import json

import orjson
import pytest

import newswire
from newswire.errors import EventError
from newswire.events import (
    ArticleEvent,
    article_id_for,
    content_fingerprint,
    decode_article,
    encode_event,
    schema_text,
    utc_now,
)


def make_article(**changes: object) -> ArticleEvent:
    url = "https://news.example/2024/06/01/story"
    fields: dict[str, object] = {
        "article_id": article_id_for(url),
        "url": url,
        "canonical_url": url,
        "title": "A story",
        "body": "First paragraph.\n\nSecond paragraph.",
        "fetched": "2024-06-01T12:00:00+00:00",
        "fingerprint": content_fingerprint("A story", "First paragraph.\n\nSecond paragraph."),
        "published": "2024-06-01T10:00:00+02:00",
        "authors": ["Ann Example"],
        "language": "en",
    }
    fields.update(changes)
    return ArticleEvent(**fields)  # type: ignore[arg-type]


def test_schemas_are_shipped_and_are_valid_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    for name in ("article", "enriched"):
        doc = json.loads(schema_text(name))
        jsonschema.Draft7Validator.check_schema(doc)


def test_article_round_trip_and_independent_schema_validation() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    article = make_article()
    data = encode_event(article)
    assert decode_article(data) == article
    jsonschema.validate(orjson.loads(data), json.loads(schema_text("article")))


def test_identity_is_stable_and_content_fingerprint_ignores_whitespace_and_case() -> None:
    assert article_id_for("https://a.example/x") == article_id_for("https://a.example/x")
    assert article_id_for("https://a.example/x") != article_id_for("https://a.example/y")
    assert content_fingerprint("Title", "Body  text") == content_fingerprint("title", "body\ntext")
    assert content_fingerprint("Title", "Body") != content_fingerprint("Title", "Body changed")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "breaks schema"),
        (
            orjson.dumps({**orjson.loads(encode_event(make_article())), "article_id": "short"}),
            "breaks schema",
        ),
        (
            orjson.dumps({**orjson.loads(encode_event(make_article())), "published": "2024-06-01T10:00:00"}),
            "breaks schema",
        ),  # naive timestamps are refused: the contract promises timezone-aware times
        (orjson.dumps({**orjson.loads(encode_event(make_article())), "change": "deleted"}), "breaks schema"),
    ],
)
def test_malformed_events_are_a_clear_event_error(data: bytes, reason: str) -> None:
    with pytest.raises(EventError, match=reason):
        decode_article(data)


def test_utc_now_is_timezone_aware() -> None:
    assert utc_now().endswith("+00:00")


def test_public_surface_is_what_all_says() -> None:
    import types

    public = {
        n
        for n in dir(newswire)
        if not n.startswith("_")
        and n != "annotations"
        and not isinstance(getattr(newswire, n), types.ModuleType)
    }
    assert public | {"__version__"} == set(newswire.__all__)
