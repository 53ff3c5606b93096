"""The import role: take WARC files off ``warc-files``, publish their articles, checkpoint inside each file.

One file at a time per worker process; more processes in the same consumer group
(``<ingest.group_id>-import``) take files from the other partitions. Pages are
read with :func:`~newswire.archive.read_warc` from the file's last checkpoint,
extracted in the pool with the same job the fetch role runs (so walls and teasers
are judged the same), and taken back in file order. Every ``ingest.max_in_flight``
pages or ``ingest.commit_interval_ms``, whichever comes first, one transaction
carries the batch's article events, a dead letter per bad record (file and byte
offset in it), and the file's ``import-state`` checkpoint (the position after the
batch's last record). The transaction that reaches the end of the file marks it
``done`` and commits the work item's offset.

A worker killed mid-file leaves its work item uncommitted and its open
transaction aborts; the partition's next owner rebuilds the checkpoints and
reads on from the last committed one, so every page is published exactly once.
While a file is in hand the role keeps polling (within ``max.poll.interval.ms``)
and hands back any other work item it is given, so it stays in the group.

A work item that names an http(s) URL is first downloaded to the worker's spool
(``daemons/_warc_spool.py``) while the role keeps polling; a download that fails
(404, refused by the address guard, over ``ingest.max_warc_bytes``) is one dead
letter (``download_failed``) and the work item is done.

Each page is published as it was extracted (``created``, version 1, ``fetched`` =
its ``WARC-Date``); dedup against the live ingest state is not done here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from newswire.archive import BadRecord, ReadCounts, WarcPage, read_warc
from newswire.bus.records import Record, articles, dead_letters, import_state
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

log = logging.getLogger(__name__)

_PROGRESS_EVERY_S = 10.0
Item = WarcPage | BadRecord


@dataclasses.dataclass(slots=True)
class _File:
    """The file in hand: its work record, where reading stands, and its counts so far."""

    tp: Partition
    record: Consumed
    item: work.WarcFile
    reader: Iterator[Item]
    checkpoint: Checkpoint
    counts: ReadCounts
    from_offset: int  # where this worker started reading (for the ETA)
    started: float = dataclasses.field(default_factory=time.monotonic)
    pages_here: int = 0  # pages extracted by this worker (for pages/s)
    download: asyncio.Task[Download] | None = None  # a URL's file on its way to the spool


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
        self.spool = spool
        self.pool = pool
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
        self.published = 0
        self.files_done = 0
        self._owned: set[Partition] = set()
        self._checkpoints: dict[int, dict[bytes, Checkpoint]] = {}
        self._file: _File | None = None
        self._progress_at = time.monotonic()

    async def run(self) -> None:
        await Runner(self.settings, self, stopper=self.stopper, health=self.health).run()

    # ------------------------------------------------------------- the runner's calls

    async def step(self, session: Session) -> bool:
        if self._file is None:
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
        if self._file.download is None or await self._downloaded(session, self._file):
            await self._batch(session, self._file)
        # Stay in the group while the file takes minutes; hand back any work item given meanwhile.
        for tp, records in (await session.poll(timeout_ms=0, max_records=1)).items():
            session.seek(tp, records[0].offset)
        return True

    async def finish(self, session: Session) -> None:
        """Every committed batch already carries its checkpoint: an unfinished file resumes from it."""

    async def close(self) -> None:
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
        # Batches commit inside step and revocation comes only from a poll between them:
        # nothing is uncommitted here. A file whose partition leaves is resumed by its next owner.
        if self._file is not None and self._file.tp in partitions:
            self._drop_file()
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

    async def _batch(self, session: Session, f: _File) -> None:
        """Read, extract and commit one batch of the file in hand; at its end, finish the file."""
        s = self.settings
        deadline = time.monotonic() + s.ingest.commit_interval_ms / 1000
        workers = max(1, s.ingest.extract_workers or 2)
        slots = asyncio.Semaphore(2 * workers)
        before = dataclasses.replace(f.counts)
        items: list[tuple[Item, asyncio.Task[ArticleEvent | str] | None]] = []
        ended, failed = False, None
        pages = 0
        while pages < s.ingest.max_in_flight and time.monotonic() < deadline:
            try:
                item = next(f.reader)
            except StopIteration:
                ended = True
                break
            except ArchiveError as exc:  # the file cannot be opened or read at all
                ended, failed = True, exc
                break
            task = None
            if isinstance(item, WarcPage):
                await slots.acquire()
                task = asyncio.create_task(self._extract(item, slots))
                pages += 1
            items.append((item, task))
        records: list[Record] = []
        outcomes: dict[str, int] = {}
        for item, task in items:
            if isinstance(item, BadRecord):
                error = item.error
                context = {"path": error.path, "offset": error.offset}
                records.append(self._letter(f.record, str(error), "malformed_record", context))
                continue
            assert task is not None
            result = await task
            if isinstance(result, str):
                outcomes[result] = outcomes.get(result, 0) + 1
            else:
                outcomes["article"] = outcomes.get("article", 0) + 1
                records += articles.records(s, self.source_id, result)
        if failed is not None:
            context = {"path": failed.path, "offset": failed.offset}
            records.append(self._letter(f.record, str(failed), "unreadable_file", context))
        position = items[-1][0].resume if items else f.checkpoint.position
        checkpoint = Checkpoint(position, ended, f.counts.as_dict())
        if not await self._commit(
            session, f.record, records, checkpoint=(f.item.key, checkpoint), finished=ended, file=f
        ):
            return  # the partition moved meanwhile: its next owner reads on from the last checkpoint
        m.IMPORT_BYTES.inc(max(0, checkpoint.position.offset - f.checkpoint.position.offset))
        m.IMPORT_FILE_POSITION.set(0 if ended else checkpoint.position.offset)
        m.IMPORT_FILE_SIZE.set(0 if ended else f.item.size or 0)
        f.checkpoint = checkpoint
        f.pages_here += pages
        for kind, count in f.counts.as_dict().items():
            if kind != "records" and (delta := count - getattr(before, kind)):
                m.IMPORT_RECORDS.labels(kind.removesuffix("s") if kind == "pages" else kind).inc(delta)
        for outcome, count in outcomes.items():
            m.IMPORT_PAGES.labels(outcome).inc(count)
        self._progress(f, ended)
        if ended:
            self.files_done += 1
            m.IMPORT_FILES.inc()
            self._file = None
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

    async def _extract(self, page: WarcPage, slots: asyncio.Semaphore) -> ArticleEvent | str:
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
        finally:
            slots.release()
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
            if tp not in self._owned or (file is not None and self._file is not file):
                return False
            await session.commit(records, offsets, starts={tp: record.offset}, partitioned=partitioned)
        if checkpoint is not None:
            self._checkpoints.setdefault(tp.partition, {})[checkpoint[0]] = checkpoint[1]
        self.published += sum(1 for r in records if r.topic == self.settings.topic("articles"))
        session.active()
        return True

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
            if self._file.download is not None:
                self._file.download.cancel()  # its partial file stays in the spool, to be resumed
            reader = self._file.reader
            if hasattr(reader, "close"):
                reader.close()
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
