"""decode_enriched answers EventError for anything it cannot turn into an EnrichedEvent.

The fuzz run found schema-valid enriched events (a metrics object without
``keywords``, a tone with an extra key) that escaped as TypeError: a reader of
the enriched topic catching EventError, as documented, would have crashed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from newswire.errors import EventError
from newswire.events import decode_enriched, encode_event
from tests.fuzz.seeds import seeds


def _an_enriched_event() -> Any:
    for data in seeds("event"):
        doc = orjson.loads(data)
        if "metrics" in doc:
            decode_enriched(data)  # the seed itself decodes
            return doc
    raise AssertionError("no enriched seed")


@pytest.mark.parametrize(
    "damage",
    [
        lambda doc: doc["metrics"].pop("keywords"),
        lambda doc: doc["metrics"].pop("language"),
        lambda doc: doc["metrics"]["tone"].update({"negative_": 1.0}),
    ],
    ids=["no-keywords", "no-language", "extra-tone-key"],
)
def test_schema_valid_but_unfit_enriched_event_is_an_event_error(damage: Callable[[Any], object]) -> None:
    doc = _an_enriched_event()
    damage(doc)
    with pytest.raises(EventError):
        decode_enriched(orjson.dumps(doc))


def _with_an_entity() -> Any:
    doc = _an_enriched_event()
    if not doc["entities"]:
        doc["entities"] = [
            {"name": "Port Alder", "type": "location", "forms": ["Port Alder"], "count": 1, "first_offset": 0}
        ]
    return doc


def test_a_schema_1_1_event_with_a_mention_count_still_decodes() -> None:
    """Events written before 1.2 carry the number of mentions in ``mentions``."""
    doc = _with_an_entity()
    doc["schema_version"] = "1.1"
    for entity in doc["entities"]:
        entity["mentions"] = 3
        entity.pop("count", None)
    event = decode_enriched(orjson.dumps(doc))
    assert [(e.count, e.mentions) for e in event.entities] == [(3, [])] * len(doc["entities"])


def test_mentions_round_trip_with_their_offsets() -> None:
    doc = _with_an_entity()
    body = doc["article"]["body"]
    entity = doc["entities"][0]
    entity["mentions"] = [{"field": "body", "start": 0, "end": 4, "text": body[:4]}]
    entity["count"] = 1
    event = decode_enriched(orjson.dumps(doc))
    assert orjson.loads(encode_event(event))["entities"][0]["mentions"] == entity["mentions"]


def test_a_mention_outside_the_known_fields_is_an_event_error() -> None:
    doc = _with_an_entity()
    doc["entities"][0]["mentions"] = [{"field": "caption", "start": 0, "end": 1, "text": "x"}]
    with pytest.raises(EventError):
        decode_enriched(orjson.dumps(doc))
