"""The import role: take WARC files off ``warc-files``, extract their pages, checkpoint inside each file.

One file at a time per worker process; more processes in the same consumer group
(``<ingest.group_id>-import``) take files from the other partitions. Pages are
read with :func:`~newswire.archive.read_warc` from the file's last checkpoint,
extracted in the pool with the same job the fetch role runs (so walls and teasers
are judged the same), and taken back in file order. Every ``ingest.max_in_flight``
pages or ``ingest.commit_interval_ms``, whichever comes first, one transaction
carries the extracted prefix of the file (a ``urls`` record per article, a dead
letter per bad record with file and byte offset) and the file's ``import-state`` checkpoint
(the position after the prefix's last record). The transaction that reaches the
end of the file marks it ``done`` and commits the work item's offset.

The file is read as a pipeline: the transaction runs in the background while the
next pages are read and extracted, and reading runs ahead of the extraction pool
by a few pages, so the pool never waits for a commit or for the reader. Commits
still go one at a time, in file order, and only while the worker owns the file.

A worker killed mid-file leaves its work item uncommitted and its open
transaction aborts; the partition's next owner rebuilds the checkpoints and
reads on from the last committed one, so every page is handed on exactly once.
While a file is in hand the role keeps polling (within ``max.poll.interval.ms``)
and hands back any other work item it is given, so it stays in the group.

A work item that names an http(s) URL is first downloaded to the worker's spool
(``daemons/_warc_spool.py``) while the role keeps polling; a download that fails
(404, refused by the address guard, over ``ingest.max_warc_bytes``) is one dead
letter (``download_failed``) and the work item is done.

An article is not published here: its ``urls`` record (keyed by host, like a
candidate URL, and carrying the extracted event with ``fetched`` = the record's
``WARC-Date``) goes to the ingest fetch role that owns the URL's state, which
decides it as it decides a fetched page: created, updated with the next version,
unchanged, or a duplicate of another URL's text; and skipped when the URL was
checked after the capture. So the same page in two files, or in a file and on
the live site, is published once, and versions stay in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import time
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeAlias

from newswire.archive import BadRecord, ReadCounts, WarcPage, read_warc
from newswire.bus.records import Record, dead_letters, import_state, urls
from newswire.bus.records import warc_files as work
from newswire.bus.records.import_state import Checkpoint
from newswire.bus.runner import Consumed, Partition, RoleSpec, Runner, Session, StopFlag
from newswire.bus.tail import iter_topic
from newswire.config import Settings
from newswire.daemons._extract_jobs import extract_page
from newswire.daemons._warc_spool import WarcSpool, is_url
from newswire.errors import ArchiveError, ExtractError, FetchError, NotArticleError
from newswire.events import ArticleEvent
from newswire.fetch import Download
from newswire.observe import Health
from newswire.observe import metrics as m
from newswire.pool import WorkerPool
from newswire.sources import Candidate
from newswire.urls import canonicalize

log = logging.getLogger(__name__)

_PROGRESS_EVERY_S = 10.0
_POLL_EVERY_S = 0.1
_SOURCE = "warc-import"  # the candidate source of an imported page's urls record
Item = WarcPage | BadRecord
Extraction: TypeAlias = "asyncio.Task[ArticleEvent | str]"


@dataclasses.dataclass(slots=True)
class _Read:
    """One item read from the file: its extraction (pages only) and the file's counts after it."""

    item: Item
    task: Extraction | None
    counts: ReadCounts


@dataclasses.dataclass(slots=True)
class _File:
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
    read: deque[_Read] = dataclasses.field(default_factory=deque)  # read and not yet committed
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


class ImportRole:
    """Consumes WARC work items; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        pool: WorkerPool | None,
        *,
        stopper: StopFlag,
        health: Health,
        source_id: str,
        transactional_id: str,
        idle_timeout_s: float | None = None,
        spool: WarcSpool | None = None,
    ) -> None:
        self.settings = settings
        self.pool = pool
        self.spool = spool
        self.stopper = stopper
        self.health = health
        self.source_id = source_id
        self.idle_timeout_s = idle_timeout_s
        self.spec = RoleSpec(
            name="import role",
            stage="import",
            topic=settings.topic("warc-files"),
            group_id=f"{settings.ingest.group_id}-import",
            source_id=source_id,
            transactional_id=transactional_id,
            max_poll_records=1,
        )
        # Pages handed to the pool ahead of the one it works on: enough that each extraction
        # process always has its next pages queued (``pool.depth`` each), not more.
        self._ahead = 2 * pool.depth * pool.workers if pool is not None else 1
        self.published = 0
        self.files_done = 0
        self._owned: set[Partition] = set()
        self._checkpoints: dict[int, dict[bytes, Checkpoint]] = {}
        self._file: _File | None = None
        self._committing: asyncio.Task[None] | None = None
        self._finishing: _File | None = None  # a file whose last transaction is under way
        self._last_commit = time.monotonic()
        self._progress_at = time.monotonic()
        self._polled_at = time.monotonic()

    async def run(self) -> None:
        await Runner(self.settings, self, stopper=self.stopper, health=self.health).run()

    # ------------------------------------------------------------- the runner's calls

    async def step(self, session: Session) -> bool:
        self._settle_commit()
        f = self._file
        if f is None:
            if self._committing is not None:  # a file's last transaction: its checkpoint says done
                await asyncio.wait([self._committing])
                return True
            batch = await session.poll(timeout_ms=200, max_records=1)
            for tp, records in batch.items():
                if self._file is not None or tp not in self._owned:
                    session.seek(tp, records[0].offset)  # one file at a time; or not rebuilt yet
                    continue
                await self._take(session, tp, records[0])
                if len(records) > 1:
                    session.seek(tp, records[1].offset)
            idle = self.idle_timeout_s
            return not (idle is not None and self._file is None and session.idle_for() > idle)
        if f.download is None or await self._downloaded(session, f):
            await self._advance(session, f)
        # Stay in the group while the file takes minutes; hand back any work item given meanwhile.
        # Not at every page: a poll costs the loop about as much as reading a record.
        if time.monotonic() - self._polled_at >= _POLL_EVERY_S:
            self._polled_at = time.monotonic()
            for tp, records in (await session.poll(timeout_ms=0, max_records=1)).items():
                session.seek(tp, records[0].offset)
        return True

    async def _advance(self, session: Session, f: _File) -> None:
        """Read ahead, start the next transaction when one is due, and wait a moment for pages."""
        self._read_ahead(f)
        interval = self.settings.ingest.commit_interval_ms / 1000
        due_in = self._last_commit + interval - time.monotonic()
        if self._committing is None:
            ready = f.done_prefix()
            pages = sum(1 for r in itertools.islice(f.read, ready) if r.task is not None)
            whole = f.ended and ready == len(f.read)
            full = len(f.read) >= 2 * self.settings.ingest.max_in_flight  # reading waits for this commit
            if ready and (due_in <= 0 or pages >= self.settings.ingest.max_in_flight or whole or full):
                self._start_commit(session, f, ready)
            elif whole:  # nothing left to commit: a file that ended on a committed item
                self._start_commit(session, f, 0)
        # Wait for the next page to come back (or the transaction, or the next commit's time).
        waits: set[asyncio.Future[Any]] = {t for r in f.read if (t := r.task) is not None and not t.done()}
        if self._committing is not None:
            waits.add(self._committing)
        if waits:
            await asyncio.wait(
                waits, timeout=min(0.2, max(0.005, due_in)), return_when=asyncio.FIRST_COMPLETED
            )

    async def finish(self, session: Session) -> None:
        """Let the transaction in flight end; an unfinished file resumes from the last checkpoint."""
        if self._committing is not None:
            await asyncio.wait([self._committing])
            self._settle_commit()

    async def close(self) -> None:
        if self._committing is not None:
            self._committing.cancel()
            with contextlib.suppress(BaseException):
                await self._committing
            self._committing = None
        self._finishing = None
        self._drop_file()
        self._owned.clear()
        self._checkpoints.clear()

    async def assigned(self, session: Session, partitions: set[Partition]) -> None:
        mine = {tp for tp in partitions if tp.topic == self.spec.topic}
        if not mine:
            return
        loaded = await self._rebuild(sorted(tp.partition for tp in mine))
        self._checkpoints.update(loaded)
        self._owned |= mine
        log.info("import role owns warc-files partitions %s", sorted(tp.partition for tp in self._owned))

    async def revoked(self, session: Session, partitions: set[Partition]) -> None:
        # Called holding session.lock, so no transaction is in flight: what was committed
        # carries its checkpoint, and the file's next owner reads on from there.
        if self._file is not None and self._file.tp in partitions:
            self._drop_file()
        if self._finishing is not None and self._finishing.tp in partitions:
            self._finishing.dropped = True
        for tp in partitions:
            self._owned.discard(tp)
            self._checkpoints.pop(tp.partition, None)

    # ------------------------------------------------------------- one file

    async def _take(self, session: Session, tp: Partition, record: Consumed) -> None:
        """Start the file of one work record (or settle a record that names no file to read)."""
        s = self.settings
        try:
            item = work.decode(record.value or b"")
        except (ValueError, KeyError, TypeError) as exc:
            letter = self._letter(record, f"not a warc-files record: {exc}", "invalid_work_item", {})
            await self._commit(session, record, [letter], checkpoint=None, finished=True)
            return
        checkpoint = self._checkpoints.get(tp.partition, {}).get(item.key)
        if checkpoint is not None and checkpoint.done:
            log.info("%s was imported already; skipping its work item", item.path_or_url)
            await self._commit(session, record, [], checkpoint=None, finished=True)
            return
        checkpoint = checkpoint or Checkpoint()
        counts = ReadCounts(**checkpoint.counts)
        if is_url(item.path_or_url) and self.spool is not None:
            download = asyncio.create_task(self.spool.fetch(item.path_or_url))
            start = checkpoint.position.offset
            self._file = _File(tp, record, item, iter(()), checkpoint, counts, start, download=download)
            return
        reader = read_warc(
            Path(item.path_or_url),
            max_payload_bytes=s.fetch.max_body_bytes,
            start=checkpoint.position,
            counts=counts,
        )
        self._file = _File(tp, record, item, reader, checkpoint, counts, checkpoint.position.offset)
        m.IMPORT_FILE_SIZE.set(item.size or 0)
        m.IMPORT_FILE_POSITION.set(checkpoint.position.offset)
        log.info("importing %s from byte %d", item.path_or_url, checkpoint.position.offset)

    def _read_ahead(self, f: _File) -> None:
        """Read on until the pool has its next pages queued (or the file ends, or enough waits to commit)."""
        most = 2 * self.settings.ingest.max_in_flight  # also in step(): a full queue commits at once
        extracting = f.extracting()
        while not f.ended and extracting < self._ahead and len(f.read) < most:
            try:
                item = next(f.reader)
            except StopIteration:
                f.ended = True
                break
            except ArchiveError as exc:  # the file cannot be opened or read on at all
                f.ended, f.failed = True, exc
                break
            task = None
            if isinstance(item, WarcPage):
                task = asyncio.create_task(self._extract(item))
                extracting += 1
            f.read.append(_Read(item, task, dataclasses.replace(f.counts)))

    def _settle_commit(self) -> None:
        """Take in the finished transaction; a failed one raises BusError (the runner reconnects)."""
        committing = self._committing
        if committing is not None and committing.done():
            self._committing = None
            committing.result()

    def _start_commit(self, session: Session, f: _File, count: int) -> None:
        """Commit the first ``count`` items read, in the background (extraction goes on meanwhile)."""
        batch = [f.read.popleft() for _ in range(count)]
        final = f.ended and not f.read
        if final:
            self._file = None  # the next file may be taken once this transaction is through
            self._finishing = f
        self._last_commit = time.monotonic()
        self._committing = asyncio.create_task(self._commit_batch(session, f, batch, final))

    async def _commit_batch(self, session: Session, f: _File, batch: list[_Read], final: bool) -> None:
        """One transaction for ``batch`` (the file's next items, extracted); at its end, finish the file."""
        records: list[Record] = []
        outcomes: dict[str, int] = {}
        pages = 0
        for r in batch:
            if isinstance(r.item, BadRecord):
                error = r.item.error
                context = {"path": error.path, "offset": error.offset}
                records.append(self._letter(f.record, str(error), "malformed_record", context))
                continue
            assert r.task is not None
            pages += 1
            result = r.task.result()
            if isinstance(result, str):
                outcomes[result] = outcomes.get(result, 0) + 1
                continue
            try:
                records.append(self._handed_on(result))
            except ValueError as exc:  # a target URI that is not http(s): no URL state to decide in
                context = {"path": r.item.path, "offset": r.item.offset, "url": result.url}
                records.append(self._letter(f.record, str(exc), "invalid_url", context))
                outcomes["invalid_url"] = outcomes.get("invalid_url", 0) + 1
                continue
            outcomes["article"] = outcomes.get("article", 0) + 1
        if final and f.failed is not None:
            context = {"path": f.failed.path, "offset": f.failed.offset}
            records.append(self._letter(f.record, str(f.failed), "unreadable_file", context))
        position = batch[-1].item.resume if batch else f.checkpoint.position
        counts = batch[-1].counts if batch else f.counts
        before = ReadCounts(**f.checkpoint.counts)
        checkpoint = Checkpoint(position, final, counts.as_dict())
        try:
            committed = await self._commit(
                session, f.record, records, checkpoint=(f.item.key, checkpoint), finished=final, file=f
            )
        finally:
            if final:
                self._finishing = None
        if not committed:
            return  # the partition moved meanwhile: its next owner reads on from the last checkpoint
        m.IMPORT_BYTES.inc(max(0, checkpoint.position.offset - f.checkpoint.position.offset))
        m.IMPORT_FILE_POSITION.set(0 if final else checkpoint.position.offset)
        m.IMPORT_FILE_SIZE.set(0 if final else f.item.size or 0)
        f.checkpoint = checkpoint
        f.pages_here += pages
        for kind, count in checkpoint.counts.items():
            if kind != "records" and (delta := count - getattr(before, kind)):
                m.IMPORT_RECORDS.labels(kind.removesuffix("s") if kind == "pages" else kind).inc(delta)
        for outcome, count in outcomes.items():
            m.IMPORT_PAGES.labels(outcome).inc(count)
        self._progress(f, final)
        if final:
            self.files_done += 1
            m.IMPORT_FILES.inc()
            if self.spool is not None and is_url(f.item.path_or_url):
                self.spool.release(f.item.path_or_url)

    async def _downloaded(self, session: Session, f: _File) -> bool:
        """Whether the URL work item's file is in the spool and ``f`` reads it; waits a moment.

        A failed download is a dead letter and settles the work item (no checkpoint: queued
        again, the URL is tried again).
        """
        assert f.download is not None and self.spool is not None
        done, _ = await asyncio.wait({f.download}, timeout=0.2)
        if not done:
            return False
        try:
            download = f.download.result()
        except (FetchError, OSError) as exc:
            url = f.item.path_or_url
            self.spool.release(url)
            letter = self._letter(f.record, f"cannot download {url}: {exc}", "download_failed", {"url": url})
            self._file = None
            await self._commit(session, f.record, [letter], checkpoint=None, finished=True)
            return False
        f.download, f.started = None, time.monotonic()
        f.item = dataclasses.replace(f.item, size=download.size)
        m.IMPORT_FILE_SIZE.set(download.size)
        m.IMPORT_FILE_POSITION.set(f.checkpoint.position.offset)
        f.reader = read_warc(
            download.path,
            max_payload_bytes=self.settings.fetch.max_body_bytes,
            start=f.checkpoint.position,
            counts=f.counts,
        )
        log.info("importing %s (%s) from byte %d", f.item.path_or_url, download.path, f.from_offset)
        return True

    async def _extract(self, page: WarcPage) -> ArticleEvent | str:
        """The page's article event, or why it has none (``not_article``, ``no_article``)."""
        s = self.settings
        args: tuple[bytes, str, str | None, dict[str, object], str, None] = (
            page.payload,
            page.url,
            page.content_type,
            {},
            page.fetched,
            None,
        )
        try:
            if self.pool is None:
                event, _ = extract_page(*args)
            else:
                event, _ = await self.pool.run(s.ingest.extract_timeout_s, extract_page, *args)
        except NotArticleError:
            return "not_article"
        except ExtractError:
            return "no_article"
        except TimeoutError:
            log.warning("%s@%d: %s: extraction timed out; skipped", page.path, page.offset, page.url)
            return "timeout"
        return event

    async def _commit(
        self,
        session: Session,
        record: Consumed,
        records: list[Record],
        *,
        checkpoint: tuple[bytes, Checkpoint] | None,
        finished: bool,
        file: _File | None = None,
    ) -> bool:
        """One transaction: ``records``, the checkpoint (to the work item's partition) and, once
        the work item is ``finished``, its offset. False, and nothing written, when the partition
        was revoked (or the ``file`` dropped) while the batch was put together.

        Revocation runs in the background (aiokafka's coordinator) under ``session.lock``; once
        it has, the partition's next owner may already be reading on from the last checkpoint,
        so a late batch of this worker would publish its pages twice.
        """
        tp = Partition(record.topic, record.partition)
        partitioned = {}
        if checkpoint is not None:
            partitioned[tp.partition] = [import_state.record(self.settings, *checkpoint)]
        offsets = {tp: record.offset + 1} if finished else {}
        async with session.lock:
            if tp not in self._owned or (file is not None and file.dropped):
                return False
            await session.commit(records, offsets, starts={tp: record.offset}, partitioned=partitioned)
        if checkpoint is not None:
            self._checkpoints.setdefault(tp.partition, {})[checkpoint[0]] = checkpoint[1]
        self.published += sum(1 for r in records if r.topic == self.settings.topic("urls"))
        session.active()
        return True

    def _handed_on(self, article: ArticleEvent) -> Record:
        """The urls record that takes ``article`` to the fetch role owning its URL's state."""
        url = canonicalize(article.url)
        return urls.record(self.settings, Candidate(url=url, source=_SOURCE), imported=article)

    def _letter(self, record: Consumed, error: str, reason: str, context: Mapping[str, object]) -> Record:
        log.warning("dead-lettering from %s: %s", self.spec.topic, error)
        return dead_letters.letter(
            self.settings,
            stage="import",
            source_id=self.source_id,
            error=error,
            reason=reason,
            payload=None,
            origin=dead_letters.Origin(self.spec.topic, record.partition, record.offset, record.key),
            key=record.key,
            context=dict(context),
        )

    def _progress(self, f: _File, ended: bool) -> None:
        now = time.monotonic()
        if not ended and now - self._progress_at < _PROGRESS_EVERY_S:
            return
        self._progress_at = now
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

    def _drop_file(self) -> None:
        if self._file is not None:
            self._file.cancel()
            self._file = None
            m.IMPORT_FILE_SIZE.set(0)
            m.IMPORT_FILE_POSITION.set(0)

    async def _rebuild(self, partitions: list[int]) -> dict[int, dict[bytes, Checkpoint]]:
        """The checkpoints of ``partitions`` of ``import-state``, read to their settled end."""
        loaded: dict[int, dict[bytes, Checkpoint]] = {p: {} for p in partitions}
        topic = self.settings.topic("import-state")
        async for record in iter_topic(self.settings, topic, partitions=partitions, settled=True):
            if record.key is None:
                continue
            if record.value is None:
                loaded[record.partition].pop(record.key, None)
                continue
            with contextlib.suppress(ValueError, KeyError, TypeError):
                loaded[record.partition][record.key] = import_state.decode(record.value)
        return loaded
