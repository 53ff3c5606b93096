"""What goes on the wire besides the event body: CloudEvents headers and dead letters.

Each record carries the CloudEvents Kafka protocol binding headers in binary
mode (``ce_specversion``, ``ce_id``, ``ce_source``, ``ce_type``, ``ce_time``,
``ce_subject`` and ``content-type``), so generic CloudEvents consumers can route
on them without parsing the JSON.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import orjson

from newswire.events import utc_now

Headers = list[tuple[str, bytes]]
Record = tuple[str, bytes | None, bytes | None, Headers]  # topic, key, value (None: tombstone), headers

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
    max_bytes: int | None = None,
) -> bytes:
    """A dead-letter record: the failed input, wrapped with why, where and when it failed.

    The payload is kept as text when it is valid UTF-8 and base64 otherwise, so
    the record itself is always valid JSON. Its size and SHA-256 digest are always
    given. When the whole record would exceed ``max_bytes``, only the head of the
    payload is kept (``payload_truncated: true``), so a dead letter always fits
    where it goes.
    """
    doc: dict[str, Any] = {
        "stage": stage,
        "error": str(error)[:4096],
        "error_type": type(error).__name__ if isinstance(error, BaseException) else "Error",
        "failed_at": utc_now(),
        "origin": {
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "key": key.decode("utf-8", "replace")[:1024] if key is not None else None,
        },
        "context": context or {},
    }
    if payload is None:
        return orjson.dumps(doc)
    doc["payload_bytes"] = len(payload)
    doc["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    doc["payload_truncated"] = False
    encoded = _with_payload(doc, payload)
    if max_bytes is None or len(encoded) <= max_bytes:
        return encoded
    doc["payload_truncated"] = True
    head = max(0, max_bytes - len(_with_payload(doc, b"")))
    while True:  # JSON escapes can make text longer than its bytes: shrink until it fits
        encoded = _with_payload(doc, _utf8_head(payload, head))
        if len(encoded) <= max_bytes or head == 0:
            return encoded
        head = head * max_bytes // len(encoded) - 16 if head > 64 else 0
        head = max(head, 0)


def _with_payload(doc: dict[str, Any], payload: bytes) -> bytes:
    try:
        doc["payload"] = payload.decode("utf-8")
        doc["payload_encoding"] = "utf-8"
    except UnicodeDecodeError:
        doc["payload"] = base64.b64encode(payload).decode()
        doc["payload_encoding"] = "base64"
    return orjson.dumps(doc)


def _utf8_head(payload: bytes, size: int) -> bytes:
    """The first ``size`` bytes, less a multi-byte character cut in two at the end."""
    head = payload[:size]
    for trim in range(4):
        try:
            (head[: len(head) - trim] if trim else head).decode("utf-8")
        except UnicodeDecodeError:
            continue
        return head[: len(head) - trim] if trim else head
    return head


def with_origin(letter: bytes, *, partition: int, offset: int, key: bytes | None) -> bytes:
    """A dead letter from :func:`dead_letter` with its origin's partition, offset and key filled in
    (for stages that build the letter before they know which record it came from)."""
    doc = orjson.loads(letter)
    doc["origin"].update(
        partition=partition,
        offset=offset,
        key=key.decode("utf-8", "replace")[:1024] if key is not None else None,
    )
    return orjson.dumps(doc)
