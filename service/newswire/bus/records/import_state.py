"""``import-state`` (compacted): how far the import of each WARC file got, co-partitioned with ``warc-files``.

The checkpoint of the file whose work item is in partition *p* of ``warc-files`` is
written to partition *p* of ``import-state`` (records go to a fixed partition), in the
same transaction as the articles read up to it. Key: the file's identity (the work
item's key). Value (JSON): ``{position: {offset, skip}, done, counts}``, where
``position`` is a :class:`~newswire.archive.Position` to resume reading from and
``counts`` the file's :class:`~newswire.archive.ReadCounts` so far. No headers.
"""

from __future__ import annotations

import dataclasses

import orjson

from newswire.archive import START, Position
from newswire.bus.records._base import Record
from newswire.config import Settings


@dataclasses.dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where the import of one file stands: read on from ``position``; ``done`` once the file ended."""

    position: Position = START
    done: bool = False
    counts: dict[str, int] = dataclasses.field(default_factory=dict)


def encode(checkpoint: Checkpoint) -> bytes:
    position = {"offset": checkpoint.position.offset, "skip": checkpoint.position.skip}
    return orjson.dumps({"position": position, "done": checkpoint.done, "counts": checkpoint.counts})


def decode(value: bytes) -> Checkpoint:
    """A checkpoint from its JSON; raises ``ValueError`` (or ``KeyError``/``TypeError``) on bad bytes."""
    doc = orjson.loads(value)
    position = Position(int(doc["position"]["offset"]), int(doc["position"].get("skip", 0)))
    counts = {str(k): int(v) for k, v in (doc.get("counts") or {}).items()}
    return Checkpoint(position, bool(doc.get("done")), counts)


def record(settings: Settings, key: bytes, checkpoint: Checkpoint) -> Record:
    return Record(settings.topic("import-state"), key, encode(checkpoint), [])
