"""Record size limits: what fits in one Kafka record, and what newswire does with what does not.

One number rules them all: ``kafka.max_message_bytes``. The producer's
``max_request_size``, every topic's ``max.message.bytes`` and the consumers'
fetch sizes are derived from it (see :mod:`newswire.bus.clients` and
:mod:`newswire.bus.topics`); :func:`newswire.bus.admin.limit_mismatches` says
when an existing topic disagrees.

A record that does not fit is never a Kafka outage. Newswire's rule:

* an article event is cut to fit: its ``diff`` is dropped first, then its body
  is truncated at a paragraph boundary (inside the first paragraph at a word
  boundary when that one alone is too long), and the event says so with
  ``truncated: true`` and ``original_body_chars``; its ``fingerprint`` still
  covers the whole text, so change detection is unaffected;
* any other record that does not fit (or that the producer refuses as invalid)
  is replaced, in the same transaction, by a dead letter with the reason
  ``too_large`` (or ``invalid``), counted in
  ``newswire_records_rejected_total{stage,reason}``;
* a dead letter keeps the head of its payload, the payload's size and its
  SHA-256 digest, and is never larger than the limit itself.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import orjson

from newswire.bus.records._base import (
    SAFETY_MARGIN_BYTES,
    Record,
    record_budget,
    record_size,
    value_room,
)
from newswire.bus.records.dead_letters import Origin, letter
from newswire.config import Settings
from newswire.events import ArticleEvent, encode_event
from newswire.observe import metrics as m

__all__ = [
    "SAFETY_MARGIN_BYTES",
    "RecordGuard",
    "fit_article",
    "record_budget",
    "record_size",
    "value_room",
]

log = logging.getLogger(__name__)

#: Called with a record that cannot be written, the reason and the error text; returns what to
#: write instead (a dead letter), or None to write nothing.
Reject = Callable[[Record, str, str], "Record | None"]


def fit_article(article: ArticleEvent, room: int) -> ArticleEvent | None:
    """``article`` if its encoding fits in ``room`` bytes, else a copy cut by the rule above.

    Returns None when even an empty body does not fit (an enormous title or lead).
    """
    if len(encode_event(article)) <= room:
        return article
    cut = dataclasses.replace(article, diff=None, truncated=True, original_body_chars=len(article.body))
    fixed = len(encode_event(dataclasses.replace(cut, body="")))
    if fixed > room:
        return None
    paragraphs = article.body.split("\n\n")

    def fits(body: str) -> bool:
        return fixed + len(orjson.dumps(body)) - 2 <= room  # the empty body's "" is in ``fixed``

    keep = _largest(len(paragraphs), lambda n: fits("\n\n".join(paragraphs[:n])))
    if keep > 0:
        cut.body = "\n\n".join(paragraphs[:keep])
    else:
        first = paragraphs[0]
        chars = _largest(len(first), lambda n: fits(first[:n]))
        head = first[:chars]
        space = head.rfind(" ")
        cut.body = head[:space] if space > 0 else head
    return cut


def _largest(upper: int, ok: Callable[[int], bool]) -> int:
    """The largest n in [0, upper] with ok(n), for ok true up to some n and false after it."""
    low, high = 0, upper
    while low < high:
        mid = (low + high + 1) // 2
        if ok(mid):
            low = mid
        else:
            high = mid - 1
    return low


class RecordGuard:
    """Turns records that cannot be written into dead letters that can, for one stage."""

    def __init__(self, settings: Settings, stage: str, source_id: str) -> None:
        self.settings = settings
        self.stage = stage
        self.source_id = source_id
        self.budget = record_budget(settings)

    def fits(self, record: Record) -> bool:
        _, key, value, headers = record
        return record_size(key, value, headers) <= self.budget

    def reject(self, record: Record, reason: str, error: str) -> Record | None:
        """Count and log a record that cannot be written; a dead letter to write instead.

        A dead letter that itself fails is dropped (after counting) rather than replaced
        again: its payload is capped, so that happens only when the broker's limits are far
        below ours, which ``newswire topics describe`` reports.
        """
        topic, key, value, _ = record
        m.RECORDS_REJECTED.labels(self.stage, reason).inc()
        size = len(value or b"")
        log.warning("record for %s (%d bytes) cannot be written: %s; dead-lettering it", topic, size, error)
        letters = self.settings.topic("dead-letters")
        if topic == letters:
            log.error("a dead letter of %d bytes was refused too (%s); it is dropped", size, error)
            return None
        return letter(
            self.settings,
            stage=self.stage,
            source_id=self.source_id,
            error=f"{reason}: {error}",
            reason=reason,
            payload=value,
            origin=Origin(topic, key=key),
            key=key,
        )
