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
from newswire.events import decode_enriched
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
