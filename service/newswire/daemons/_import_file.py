"""The WARC file an import worker has in hand: where reading stands, what waits to be committed.

:class:`FileInHand` is the import role's (``daemons/_import_role.py``) view of one
work item while it is read: the reader, the checkpoint it started from and the last
one committed, the items read and not yet committed (each page with its extraction
running in the pool), and the counts after each. The role commits a prefix of
:attr:`FileInHand.read` once none of it is still extracting (:meth:`FileInHand.done_prefix`),
so pages are handed on in file order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TypeAlias

from newswire.archive import BadRecord, ReadCounts, WarcPage, read_warc
from newswire.bus.records import warc_files as work
from newswire.bus.records.import_state import Checkpoint
from newswire.bus.runner import Consumed, Partition
from newswire.config import Settings
from newswire.errors import ArchiveError
from newswire.events import ArticleEvent
from newswire.fetch import Download

log = logging.getLogger(__name__)

Item = WarcPage | BadRecord
#: A page's extraction in the pool: its article event, or why it has none.
Extraction: TypeAlias = "asyncio.Task[ArticleEvent | str]"


@dataclasses.dataclass(slots=True)
class ReadItem:
    """One item read from the file: its extraction (pages only) and the file's counts after it."""

    item: Item
    task: Extraction | None
    counts: ReadCounts


@dataclasses.dataclass(slots=True)
class FileInHand:
    """The file in hand: its work record, where reading stands, and its counts so far."""

    tp: Partition
    record: Consumed
    item: work.WarcFile
    reader: Iterator[Item]
    checkpoint: Checkpoint
    counts: ReadCounts  # advanced by the reader as it reads
    from_offset: int  # where this worker started reading (for the ETA)
    started: float = dataclasses.field(default_factory=time.monotonic)
    pages_here: int = 0  # pages extracted by this worker (for pages/s)
    read: deque[ReadItem] = dataclasses.field(default_factory=deque)  # read and not yet committed
    ended: bool = False  # the reader has nothing more
    failed: ArchiveError | None = None  # the file could not be opened or read on
    dropped: bool = False  # its partition was revoked or the connection lost: commit nothing more
    download: asyncio.Task[Download] | None = None  # a URL's file on its way to the spool

    def extracting(self) -> int:
        return sum(1 for r in self.read if r.task is not None and not r.task.done())

    def done_prefix(self) -> int:
        """How many of the items read are ready to commit (in file order, none still extracting)."""
        n = 0
        for r in self.read:
            if r.task is not None and not r.task.done():
                break
            n += 1
        return n

    def cancel(self) -> None:
        self.dropped = True
        if self.download is not None:
            self.download.cancel()  # its partial file stays in the spool, to be resumed
        for r in self.read:
            if r.task is not None:
                r.task.cancel()
        self.read.clear()
        if hasattr(self.reader, "close"):
            self.reader.close()


def open_reader(
    settings: Settings, path: str | Path, checkpoint: Checkpoint, counts: ReadCounts
) -> Iterator[Item]:
    """The file's items from ``checkpoint`` on, counted in ``counts``; payloads within the fetch cap."""
    return read_warc(
        path, max_payload_bytes=settings.fetch.max_body_bytes, start=checkpoint.position, counts=counts
    )


def log_progress(f: FileInHand, ended: bool, now: float) -> None:
    """One line on how far the file is: bytes, records, pages, pages/s, the time left, what was skipped."""
    rate = f.pages_here / max(1e-6, now - f.started)
    size = f.item.size or 0
    at = f.checkpoint.position.offset
    done_here = at - f.from_offset
    left = (size - at) / done_here * (now - f.started) if done_here > 0 and at < size else 0.0
    log.info(
        "%s %s: %d of %d bytes, %d records, %d pages, %.1f pages/s, ETA %.0fs; skipped %d",
        "imported" if ended else "importing",
        f.item.path_or_url,
        min(at, size) if size else at,
        size,
        f.counts.records,
        f.counts.pages,
        rate,
        left,
        f.counts.skipped(),
    )
