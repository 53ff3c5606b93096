"""``source-status`` (compacted): how each source's polling and each backfill is going.

Two kinds of record share the topic:

* a :class:`SourceStatus` row per source (key: the source's id) or backfill
  (key: ``backfill:<url>``), the rows ``newswire status`` shows; a tombstone
  removes the row of a source taken out of the configuration. The discover
  role writes one after each poll; a backfill rewrites its own with every chunk;
* a :class:`BackfillCheckpoint` per child sitemap of a backfill (key:
  ``<backfill key> <sitemap url>``): how many of its entries are queued and
  whether it is done, so a rerun resumes where the last one stopped.

No headers. Values are JSON objects with the dataclasses' fields; a source's
row also repeats its id as ``key`` and carries ``interval_s``,
``last_failure`` and ``candidates_last_poll``, a backfill's its sitemap counts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from newswire.bus.records._base import Record
from newswire.config import Settings, masked_url_credentials


@dataclasses.dataclass(slots=True, kw_only=True)
class SourceStatus:
    """One row of ``newswire status``: a source's or a backfill's last poll, successes and errors."""

    source: str
    kind: str | None = None
    url: str | None = None
    last_poll: float | None = None
    last_success: float | None = None
    success_count: int = 0
    error_count: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    next_poll: float | None = None
    # a polled source's
    interval_s: float | None = None
    last_failure: float | None = None
    candidates_last_poll: int | None = None
    # a backfill's
    sitemaps_done: int | None = None
    sitemaps_total: int | None = None
    urls_queued: int | None = None
    finished: bool | None = None


# The fields each kind of row carries, in the order they are written.
_SOURCE_FIELDS = (
    "source", "kind", "url", "candidates_last_poll", "key", "interval_s", "next_poll", "last_poll",
    "last_success", "last_failure", "consecutive_failures", "error_count", "success_count", "last_error",
)  # fmt: skip
_BACKFILL_FIELDS = (
    "source", "kind", "url", "sitemaps_done", "sitemaps_total", "urls_queued", "last_poll",
    "last_success", "success_count", "error_count", "consecutive_failures", "last_error", "next_poll",
    "finished",
)  # fmt: skip
_FIELDS = frozenset(f.name for f in dataclasses.fields(SourceStatus))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BackfillCheckpoint:
    """How far a backfill got in one child sitemap: entries queued (or skipped) and whether it is done."""

    backfill: str
    sitemap: str
    next: int
    done: bool
    updated: float


def checkpoint_key(backfill: str, sitemap: str) -> bytes:
    return f"{backfill} {sitemap}".encode()


def record(settings: Settings, status: SourceStatus) -> Record:
    """The row's record, keyed by its source; credentials in its URL and error masked."""
    fields = _BACKFILL_FIELDS if status.kind == "backfill" else _SOURCE_FIELDS
    doc = {name: status.source if name == "key" else getattr(status, name) for name in fields}
    # A source's URL may carry credentials, and an error message may quote it.
    for name in ("url", "last_error"):
        if doc[name]:
            doc[name] = masked_url_credentials(doc[name])
    return Record(settings.topic("source-status"), status.source.encode(), orjson.dumps(doc), [])


def tombstone(settings: Settings, source: str) -> Record:
    """Removes the row of a source that is no longer configured."""
    return Record(settings.topic("source-status"), source.encode(), None, [])


def checkpoint_record(settings: Settings, checkpoint: BackfillCheckpoint) -> Record:
    key = checkpoint_key(checkpoint.backfill, checkpoint.sitemap)
    return Record(settings.topic("source-status"), key, orjson.dumps(dataclasses.asdict(checkpoint)), [])


def decode(value: bytes | None) -> SourceStatus | BackfillCheckpoint | None:
    """A source-status record's row or checkpoint; None for a tombstone or anything else."""
    if not value:
        return None
    doc: Any = orjson.loads(value)
    if not isinstance(doc, dict):
        return None
    if "source" in doc:
        return SourceStatus(**{k: v for k, v in doc.items() if k in _FIELDS})
    if "sitemap" in doc and "backfill" in doc:
        return BackfillCheckpoint(
            backfill=doc["backfill"],
            sitemap=doc["sitemap"],
            next=int(doc.get("next", 0)),
            done=bool(doc.get("done")),
            updated=float(doc.get("updated", 0.0)),
        )
    return None
