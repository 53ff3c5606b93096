"""What goes on the wire besides the event body: CloudEvents headers and dead letters.

Each record carries the CloudEvents Kafka protocol binding headers in binary
mode (``ce_specversion``, ``ce_id``, ``ce_source``, ``ce_type``, ``ce_time``,
``ce_subject`` and ``content-type``), so generic CloudEvents consumers can route
on them without parsing the JSON.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import orjson

from newswire.events import utc_now

Headers = list[tuple[str, bytes]]

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


def dead_letter(
    *,
    stage: str,
    error: BaseException | str,
    payload: bytes | None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    key: bytes | None = None,
    context: dict[str, Any] | None = None,
) -> bytes:
    """A dead-letter record: the failed input, untouched, wrapped with why, where and when it failed.

    The payload is kept as text when it is valid UTF-8 and base64 otherwise,
    so nothing is lost and the record itself is always valid JSON.
    """
    doc: dict[str, Any] = {
        "stage": stage,
        "error": str(error),
        "error_type": type(error).__name__ if isinstance(error, BaseException) else "Error",
        "failed_at": utc_now(),
        "origin": {
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "key": key.decode("utf-8", "replace") if key is not None else None,
        },
        "context": context or {},
    }
    if payload is not None:
        try:
            doc["payload"] = payload.decode("utf-8")
            doc["payload_encoding"] = "utf-8"
        except UnicodeDecodeError:
            doc["payload"] = base64.b64encode(payload).decode()
            doc["payload_encoding"] = "base64"
    return orjson.dumps(doc)
