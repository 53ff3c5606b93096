"""``dead-letters``: an input newswire could not handle, with why, where and when it failed.

Key: the failed record's key (ingest: the URL). Headers: CloudEvents, type
``io.newswire.dead_letter``. Value (JSON)::

    stage          "ingest" | "enrich" | the stage whose record could not be written
    error          the error text (at most 4096 characters); error_type its class
    failed_at      ISO 8601 UTC
    origin         {topic, partition, offset, key} of the failed input
    context        {"reason": <why, e.g. fetch_failed, invalid_event, too_large>, "url": ...}
    payload        the failed input: text when valid UTF-8 (payload_encoding "utf-8"),
                   else base64; payload_bytes, payload_sha256 and payload_truncated

:func:`letter` is the one place a dead-letter record is built (and counted).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from typing import Any

import orjson

from newswire.bus.records._base import CE_TYPE_DEAD_LETTER, Record, cloudevent_headers, value_room
from newswire.config import Settings
from newswire.events import utc_now
from newswire.observe import metrics as m


@dataclasses.dataclass(frozen=True, slots=True)
class Origin:
    """Where a failed input was read (partition, offset and key are filled in when known)."""

    topic: str | None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None


def letter(
    settings: Settings,
    *,
    stage: str,
    source_id: str,
    error: BaseException | str,
    reason: str,
    payload: bytes | None,
    origin: Origin,
    key: bytes | None,
    context: dict[str, Any] | None = None,
) -> Record:
    """The dead-letter record for one failed input, cut to fit the record size limit; counted."""
    m.DEAD_LETTERS.labels(stage).inc()
    headers = cloudevent_headers(ce_type=CE_TYPE_DEAD_LETTER, source=source_id)
    value = dead_letter(
        stage=stage,
        error=error,
        payload=payload,
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        key=origin.key,
        context={"reason": reason, **(context or {})},
        max_bytes=value_room(settings, key, headers),
    )
    return Record(settings.topic("dead-letters"), key, value, headers)


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


def with_origin(encoded: bytes, *, partition: int, offset: int, key: bytes | None) -> bytes:
    """A dead letter from :func:`dead_letter` with its origin's partition, offset and key filled in
    (for stages that build the letter before they know which record it came from)."""
    doc = orjson.loads(encoded)
    doc["origin"].update(
        partition=partition,
        offset=offset,
        key=key.decode("utf-8", "replace")[:1024] if key is not None else None,
    )
    return orjson.dumps(doc)
