"""The import role's transactions: what one carries, and the file checkpoints they commit.

One transaction carries a prefix of the file in hand (``daemons/_import_file.py``),
extracted: a ``urls`` record per article (handed to the ingest fetch role that owns
the URL's state), a dead letter per bad record with file and byte offset, and the
file's ``import-state`` checkpoint (the position after the prefix's last record),
written to the work item's partition of ``import-state``. The transaction that
reaches the end of the file marks it ``done`` and commits the work item's offset.

:class:`ImportCommits` also keeps the checkpoints of the ``warc-files`` partitions
this worker owns, rebuilt from ``import-state`` when they are assigned, and refuses
to commit for a partition once it is revoked: its next owner may already be reading
on from the last checkpoint.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping

from newswire.archive import BadRecord, ReadCounts
from newswire.bus.records import Record, dead_letters, import_state, urls
from newswire.bus.records.import_state import Checkpoint
from newswire.bus.runner import Consumed, Partition, Session
from newswire.bus.tail import iter_topic
from newswire.config import Settings
from newswire.daemons._import_file import FileInHand, ReadItem
from newswire.events import ArticleEvent
from newswire.observe import metrics as m
from newswire.sources import Candidate
from newswire.urls import canonicalize

log = logging.getLogger(__name__)

_SOURCE = "warc-import"  # the candidate source of an imported page's urls record


class ImportCommits:
    """Commits an import worker's transactions and keeps the checkpoints of its partitions."""

    def __init__(self, settings: Settings, *, source_id: str, topic: str) -> None:
        self.settings = settings
        self.source_id = source_id
        self.topic = topic  # warc-files
        self.published = 0  # urls records committed
        self._owned: set[Partition] = set()
        self._checkpoints: dict[int, dict[bytes, Checkpoint]] = {}

    # ------------------------------------------------------------- the partitions owned

    def owns(self, tp: Partition) -> bool:
        return tp in self._owned

    def owned(self) -> list[int]:
        return sorted(tp.partition for tp in self._owned)

    async def own(self, partitions: set[Partition]) -> None:
        """Take ``partitions`` on, with their checkpoints rebuilt from ``import-state``."""
        loaded = await self._rebuild(sorted(tp.partition for tp in partitions))
        self._checkpoints.update(loaded)
        self._owned |= partitions

    def disown(self, partitions: Iterable[Partition]) -> None:
        for tp in partitions:
            self._owned.discard(tp)
            self._checkpoints.pop(tp.partition, None)

    def forget(self) -> None:
        self._owned.clear()
        self._checkpoints.clear()

    def checkpoint_of(self, tp: Partition, key: bytes) -> Checkpoint | None:
        """The last committed checkpoint of the file ``key`` names, on its ``warc-files`` partition."""
        return self._checkpoints.get(tp.partition, {}).get(key)

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

    # ------------------------------------------------------------- transactions

    async def commit_batch(self, session: Session, f: FileInHand, batch: list[ReadItem], final: bool) -> bool:
        """One transaction for ``batch`` (the file's next items, extracted), ``final`` when it ends the file.

        False, and nothing written, when the partition moved meanwhile: its next owner reads on
        from the last checkpoint.
        """
        records: list[Record] = []
        outcomes: dict[str, int] = {}
        pages = 0
        for r in batch:
            if isinstance(r.item, BadRecord):
                error = r.item.error
                context = {"path": error.path, "offset": error.offset}
                records.append(self.letter(f.record, str(error), "malformed_record", context))
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
                records.append(self.letter(f.record, str(exc), "invalid_url", context))
                outcomes["invalid_url"] = outcomes.get("invalid_url", 0) + 1
                continue
            outcomes["article"] = outcomes.get("article", 0) + 1
        if final and f.failed is not None:
            context = {"path": f.failed.path, "offset": f.failed.offset}
            records.append(self.letter(f.record, str(f.failed), "unreadable_file", context))
        position = batch[-1].item.resume if batch else f.checkpoint.position
        counts = batch[-1].counts if batch else f.counts
        before = ReadCounts(**f.checkpoint.counts)
        checkpoint = Checkpoint(position, final, counts.as_dict())
        if not await self.commit(
            session, f.record, records, checkpoint=(f.item.key, checkpoint), finished=final, file=f
        ):
            return False
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
        return True

    async def commit(
        self,
        session: Session,
        record: Consumed,
        records: list[Record],
        *,
        checkpoint: tuple[bytes, Checkpoint] | None,
        finished: bool,
        file: FileInHand | None = None,
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

    def letter(self, record: Consumed, error: str, reason: str, context: Mapping[str, object]) -> Record:
        """The dead letter of work record ``record`` (``reason`` and ``context`` say what was wrong)."""
        log.warning("dead-lettering from %s: %s", self.topic, error)
        return dead_letters.letter(
            self.settings,
            stage="import",
            source_id=self.source_id,
            error=error,
            reason=reason,
            payload=None,
            origin=dead_letters.Origin(self.topic, record.partition, record.offset, record.key),
            key=record.key,
            context=dict(context),
        )
