"""``warc-files``: one WARC file to import, a work item for the import workers.

Key: the file's identity (its absolute path, or the URL as given), so a file's work
item and its checkpoint in ``import-state`` share a partition. Value (JSON):
``{path_or_url, size, queued_at}`` (``size`` in bytes, None for a URL). No headers.
"""

from __future__ import annotations

import dataclasses

import orjson

from newswire.bus.records._base import Record
from newswire.config import Settings


@dataclasses.dataclass(frozen=True, slots=True)
class WarcFile:
    """A queued WARC file."""

    path_or_url: str
    size: int | None
    queued_at: str

    @property
    def key(self) -> bytes:
        return self.path_or_url.encode()


def encode(item: WarcFile) -> bytes:
    return orjson.dumps(dataclasses.asdict(item))


def decode(value: bytes) -> WarcFile:
    """A work item from its JSON; raises ``ValueError`` (or ``KeyError``/``TypeError``) on bad bytes."""
    doc = orjson.loads(value)
    size = doc.get("size")
    return WarcFile(str(doc["path_or_url"]), int(size) if size is not None else None, str(doc["queued_at"]))


def record(settings: Settings, item: WarcFile) -> Record:
    return Record(settings.topic("warc-files"), item.key, encode(item), [])
