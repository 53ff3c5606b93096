"""What every record shares: the :class:`Record` shape, CloudEvents headers, and size arithmetic.

Each record carries the CloudEvents Kafka protocol binding headers in binary
mode (``ce_specversion``, ``ce_id``, ``ce_source``, ``ce_type``, ``ce_time``,
``ce_subject`` and ``content-type``), so generic CloudEvents consumers can route
on them without parsing the JSON. Sizes are the producer's own estimate, so a
record measured here fits where the producer puts it.
"""

from __future__ import annotations

import uuid
from typing import NamedTuple

from aiokafka.record.default_records import DefaultRecordBatchBuilder

from newswire.config import Settings
from newswire.events import utc_now

Headers = list[tuple[str, bytes]]


class Record(NamedTuple):
    """One record to write: its topic, key, value (None: a tombstone) and headers."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: Headers


CE_TYPE_ARTICLE = "io.newswire.article.{change}"
CE_TYPE_ENRICHED = "io.newswire.article.enriched"
CE_TYPE_DEAD_LETTER = "io.newswire.dead_letter"
CE_TYPE_RAW_PAGE = "io.newswire.raw_page"


def cloudevent_headers(
    *,
    ce_type: str,
    source: str,
    subject: str | None = None,
    event_id: str | None = None,
    time: str | None = None,
) -> Headers:
    """CloudEvents 1.0 binary-mode headers for one record."""
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", (event_id or uuid.uuid4().hex).encode()),
        ("ce_source", source.encode()),
        ("ce_type", ce_type.encode()),
        ("ce_time", (time or utc_now()).encode()),
        ("content-type", b"application/json"),
    ]
    if subject:
        headers.append(("ce_subject", subject.encode()))
    return headers


def header(headers: Headers | None, name: str) -> str | None:
    """The value of one header as text, or None."""
    for key, value in headers or ():
        if key == name:
            return value.decode("utf-8", "replace")
    return None


#: Room kept under ``max.message.bytes`` for what the broker counts besides our estimate
#: (the batch header is in the estimate; compression can add a frame to incompressible data).
SAFETY_MARGIN_BYTES = 1024

#: The record's and the value's length prefixes are varints: they grow with the value.
_LENGTH_PREFIXES = 10


def record_budget(settings: Settings) -> int:
    """The largest record (key, value, headers and batch overhead) newswire writes."""
    return settings.kafka.max_message_bytes - SAFETY_MARGIN_BYTES


def record_size(key: bytes | None, value: bytes | None, headers: Headers) -> int:
    """An upper bound of the bytes one record takes on the wire, as the producer estimates it."""
    return int(DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers))


def value_room(settings: Settings, key: bytes | None, headers: Headers) -> int:
    """The largest value a record with this key and these headers may carry."""
    return record_budget(settings) - record_size(key, b"", headers) - _LENGTH_PREFIXES
