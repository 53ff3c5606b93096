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
letter (``download_failed``) and the work item is done (``daemons/_import_download.py``).

The file in hand is a :class:`~newswire.daemons._import_file.FileInHand`; the
transactions, and the checkpoints they carry, are made by
:class:`~newswire.daemons._import_commits.ImportCommits`.

An article is not published here: its ``urls`` record (keyed by host, like a
candidate URL, and carrying the extracted event with ``fetched`` = the record's
``WARC-Date``) goes to the ingest fetch role that owns the URL's state, which
decides it as it decides a fetched page: created, updated with the next version,
unchanged, or a duplicate of another URL's text; and skipped when the URL was
checked after the capture (``daemons/_imported_page.py``). So the same page in two
files, or in a file and on the live site, is published once, and versions stay in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import time
from pathlib import Path
from typing import Any

from newswire.archive import ReadCounts, WarcPage
from newswire.bus.records import warc_files as work
from newswire.bus.records.import_state import Checkpoint
from newswire.bus.runner import Consumed, Partition, RoleSpec, Runner, Session, StopFlag
from newswire.config import Settings
from newswire.daemons._extract_jobs import extract_page
from newswire.daemons._import_commits import ImportCommits
from newswire.daemons._import_download import start_download, start_reading, wait_for_download
from newswire.daemons._import_file import FileInHand, ReadItem, log_progress, open_reader
from newswire.daemons._warc_spool import WarcSpool, is_url
from newswire.errors import ArchiveError, ExtractError, FetchError, NotArticleError
from newswire.events import ArticleEvent
from newswire.observe import Health
from newswire.observe import metrics as m
from newswire.pool import WorkerPool

log = logging.getLogger(__name__)

_PROGRESS_EVERY_S = 10.0
_POLL_EVERY_S = 0.1


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
        self.files_done = 0
        self.commits = ImportCommits(settings, source_id=source_id, topic=self.spec.topic)
        self._file: FileInHand | None = None
        self._committing: asyncio.Task[None] | None = None
        self._finishing: FileInHand | None = None  # a file whose last transaction is under way
        self._last_commit = time.monotonic()
        self._progress_at = time.monotonic()
        self._polled_at = time.monotonic()

    @property
    def published(self) -> int:
        """Articles handed on to ingest (``urls`` records committed)."""
        return self.commits.published

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
                if self._file is not None or not self.commits.owns(tp):
                    session.seek(tp, records[0].offset)  # one file at a time; or not rebuilt yet
                    continue
                await self._take(session, tp, records[0])
                if len(records) > 1:
                    session.seek(tp, records[1].offset)
            return not (self._file is None and await session.idle(self.idle_timeout_s))
        if f.download is None or await self._downloaded(session, f):
            await self._advance(session, f)
        # Stay in the group while the file takes minutes; hand back any work item given meanwhile.
        # Not at every page: a poll costs the loop about as much as reading a record.
        if time.monotonic() - self._polled_at >= _POLL_EVERY_S:
            self._polled_at = time.monotonic()
            for tp, records in (await session.poll(timeout_ms=0, max_records=1)).items():
                session.seek(tp, records[0].offset)
        return True

    async def _advance(self, session: Session, f: FileInHand) -> None:
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
        self.commits.forget()

    async def assigned(self, session: Session, partitions: set[Partition]) -> None:
        mine = {tp for tp in partitions if tp.topic == self.spec.topic}
        if not mine:
            return
        await self.commits.own(mine)
        log.info("import role owns warc-files partitions %s", self.commits.owned())

    async def revoked(self, session: Session, partitions: set[Partition]) -> None:
        # Called holding session.lock, so no transaction is in flight: what was committed
        # carries its checkpoint, and the file's next owner reads on from there.
        if self._file is not None and self._file.tp in partitions:
            self._drop_file()
        if self._finishing is not None and self._finishing.tp in partitions:
            self._finishing.dropped = True
        self.commits.disown(partitions)

    # ------------------------------------------------------------- one file

    async def _take(self, session: Session, tp: Partition, record: Consumed) -> None:
        """Start the file of one work record (or settle a record that names no file to read)."""
        try:
            item = work.decode(record.value or b"")
        except (ValueError, KeyError, TypeError) as exc:
            letter = self.commits.letter(record, f"not a warc-files record: {exc}", "invalid_work_item", {})
            await self.commits.commit(session, record, [letter], checkpoint=None, finished=True)
            return
        checkpoint = self.commits.checkpoint_of(tp, item.key)
        if checkpoint is not None and checkpoint.done:
            log.info("%s was imported already; skipping its work item", item.path_or_url)
            await self.commits.commit(session, record, [], checkpoint=None, finished=True)
            return
        checkpoint = checkpoint or Checkpoint()
        counts = ReadCounts(**checkpoint.counts)
        start = checkpoint.position.offset
        if is_url(item.path_or_url) and self.spool is not None:
            self._file = FileInHand(tp, record, item, iter(()), checkpoint, counts, start)
            start_download(self.spool, self._file)
            return
        reader = open_reader(self.settings, Path(item.path_or_url), checkpoint, counts)
        self._file = FileInHand(tp, record, item, reader, checkpoint, counts, start)
        m.IMPORT_FILE_SIZE.set(item.size or 0)
        m.IMPORT_FILE_POSITION.set(start)
        log.info("importing %s from byte %d", item.path_or_url, start)

    async def _downloaded(self, session: Session, f: FileInHand) -> bool:
        """Whether the URL work item's file is in the spool and ``f`` reads it; waits a moment.

        A failed download is a dead letter and settles the work item (no checkpoint: queued
        again, the URL is tried again).
        """
        assert self.spool is not None
        got = await wait_for_download(f)
        if got is None:
            return False
        if isinstance(got, FetchError | OSError):
            url = f.item.path_or_url
            self.spool.release(url)
            letter = self.commits.letter(
                f.record, f"cannot download {url}: {got}", "download_failed", {"url": url}
            )
            self._file = None
            await self.commits.commit(session, f.record, [letter], checkpoint=None, finished=True)
            return False
        start_reading(self.settings, f, got)
        return True

    def _read_ahead(self, f: FileInHand) -> None:
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
            f.read.append(ReadItem(item, task, dataclasses.replace(f.counts)))

    def _settle_commit(self) -> None:
        """Take in the finished transaction; a failed one raises BusError (the runner reconnects)."""
        committing = self._committing
        if committing is not None and committing.done():
            self._committing = None
            committing.result()

    def _start_commit(self, session: Session, f: FileInHand, count: int) -> None:
        """Commit the first ``count`` items read, in the background (extraction goes on meanwhile)."""
        batch = [f.read.popleft() for _ in range(count)]
        final = f.ended and not f.read
        if final:
            self._file = None  # the next file may be taken once this transaction is through
            self._finishing = f
        self._last_commit = time.monotonic()
        self._committing = asyncio.create_task(self._commit_batch(session, f, batch, final))

    async def _commit_batch(
        self, session: Session, f: FileInHand, batch: list[ReadItem], final: bool
    ) -> None:
        """One transaction for ``batch`` (the file's next items, extracted); at its end, finish the file."""
        try:
            committed = await self.commits.commit_batch(session, f, batch, final)
        finally:
            if final:
                self._finishing = None
        if not committed:
            return  # the partition moved meanwhile: its next owner reads on from the last checkpoint
        self._progress(f, final)
        if final:
            self.files_done += 1
            m.IMPORT_FILES.inc()
            if self.spool is not None and is_url(f.item.path_or_url):
                self.spool.release(f.item.path_or_url)

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

    def _progress(self, f: FileInHand, ended: bool) -> None:
        now = time.monotonic()
        if not ended and now - self._progress_at < _PROGRESS_EVERY_S:
            return
        self._progress_at = now
        log_progress(f, ended, now)

    def _drop_file(self) -> None:
        if self._file is not None:
            self._file.cancel()
            self._file = None
            m.IMPORT_FILE_SIZE.set(0)
            m.IMPORT_FILE_POSITION.set(0)
