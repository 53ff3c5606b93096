"""Ingest's fetch role: own some partitions of ``urls``, fetch and extract them, publish transactionally.

URLs are keyed by host, so the instance owning a partition owns its hosts:
politeness, robots.txt, conditional-GET validators and URL dedup are decided
in one place. Work runs concurrently (up to ``ingest.max_in_flight``), but
commits go in offset order: at most every ``commit_interval_ms`` (or, when a
transaction takes longer, as soon as the previous one is done; and at once
when a URL finishes after a quiet spell), the done prefix of each partition is
published in one transaction with its articles, its fetch-state updates and
its consumed offsets. A URL's fetch-state goes with
its own offset even when it finished earlier, behind a URL still in flight.
The transaction runs beside the consume loop, so new URLs are taken on while
it is in flight. A crash loses only work that was never committed, which the
partition's next owner redoes from the last committed offset, so each article
is published exactly once.

A slow URL never holds back the ones behind it. Once a URL has been in flight
for ``ingest.park_after_s`` while later URLs of its partition are done, the
next commit *parks* it: its urls record goes into ``fetch-state`` (key
``\x00parked\x00<url>``) in the same transaction that releases its offset.
The fetch goes on; its outcome is committed by a later transaction together
with a tombstone for that marker. If the partition moves or the process dies
first, the next owner finds the marker when it rebuilds the partition's state
and handles the URL again, so parking keeps exactly-once.

The same bound is ingest's backpressure: a URL counts as in flight until its
transaction commits, so when Kafka is unreachable the role fetches at most
``max_in_flight`` more pages, then waits (the commit blocks, or fails and the
role reconnects), holding no more than that in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from newswire.bus.records import Record, fetch_state, urls, with_origin
from newswire.bus.records.fetch_state import Write
from newswire.bus.runner import Consumed, Partition, RoleSpec, Runner, Session, StopFlag
from newswire.bus.tail import iter_topic
from newswire.config import Settings
from newswire.daemons._url_decision import Reason
from newswire.daemons._url_work import Outcome, UrlWorker
from newswire.errors import BusError
from newswire.observe import Health
from newswire.observe import metrics as m
from newswire.state import PartitionState

log = logging.getLogger(__name__)


class _Partition:
    def __init__(self, capacity: int) -> None:
        self.state = PartitionState(capacity)
        self.pending: OrderedDict[int, Outcome | None] = OrderedDict()
        self.tasks: set[asyncio.Task[None]] = set()
        # Fetch-state records per consumed offset: they commit with that offset, never before it.
        self.state_writes: dict[int, list[Write]] = {}
        # Parking (module docstring): when each offset's URL started, and its url and record.
        self.started: dict[int, tuple[float, str, bytes]] = {}
        self.parked_offsets: dict[int, str] = {}  # released offset -> its URL, still in flight
        self.floating: dict[str, tuple[Outcome, list[Write]] | None] = {}  # parked URL -> result once done


class FetchRole:
    """Consumes candidate URLs; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        worker: UrlWorker,
        *,
        stopper: StopFlag,
        health: Health,
        transactional_id: str,
        max_events: int | None = None,
        idle_timeout_s: float | None = None,
    ) -> None:
        self.settings = settings
        self.worker = worker
        self.stopper = stopper
        self.health = health
        self.max_events = max_events
        self.idle_timeout_s = idle_timeout_s
        self.spec = RoleSpec(
            name="ingest fetch role",
            stage="ingest",
            topic=settings.topic("urls"),
            group_id=f"{settings.ingest.group_id}-fetch",
            source_id=worker.source_id,
            transactional_id=transactional_id,
            max_poll_records=settings.ingest.max_in_flight,
        )
        self.done = 0
        self.published = 0
        self._parts: dict[Partition, _Partition] = {}
        self._wakeup = asyncio.Event()
        self._committing: asyncio.Task[None] | None = None
        self._committing_urls = 0
        self._last_commit = time.monotonic()
        self._session: Session | None = None

    @property
    def group_id(self) -> str:
        return self.spec.group_id

    @property
    def in_flight(self) -> int:
        """URLs consumed and not yet committed: pending, or in the transaction being committed."""
        parts = self._parts.values()
        return sum(len(p.pending) + len(p.floating) for p in parts) + self._committing_urls

    async def run(self) -> None:
        """Consume until stopped, max_events or idle; on a Kafka outage reconnect, redo uncommitted work."""
        await Runner(self.settings, self, stopper=self.stopper, health=self.health).run()

    async def step(self, session: Session) -> bool:
        s = self.settings
        if session is not self._session:  # a new connection: its first commit waits an interval too
            self._session = session
            self._last_commit = time.monotonic()
        committing = self._committing
        if committing is not None and committing.done():
            self._committing = None
            committing.result()  # a failed transaction raises BusError here: reconnect, redo
        if self.max_events is not None and self.done >= self.max_events and self.in_flight == 0:
            return False
        room = s.ingest.max_in_flight - self.in_flight
        if room > 0:
            batch = await session.poll(timeout_ms=50, max_records=room)
            for tp, records in batch.items():
                if tp not in self._parts:
                    # Its state is still being rebuilt (or it was just revoked): fetch these again later.
                    session.seek(tp, records[0].offset)
                    continue
                for record in records:
                    self._start(tp, record)
        else:
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), s.ingest.commit_interval_ms / 1000)
        m.IN_FLIGHT.labels("ingest").set(self.in_flight)
        due = time.monotonic() - self._last_commit >= s.ingest.commit_interval_ms / 1000
        if due and self._committing is None and self._committable():
            # In the background: consuming and starting work go on while the transaction
            # is in flight (its round trips are most of a commit's time under load).
            self._last_commit = time.monotonic()
            self._committing = asyncio.create_task(self._locked_commit(session))
        return not (self.in_flight == 0 and await session.idle(self.idle_timeout_s))

    async def finish(self, session: Session) -> None:
        if self._committing is not None:
            await self._committing
        async with session.lock:
            await self._drain_and_commit(session, seconds=self.settings.shutdown_timeout_s)

    async def close(self) -> None:
        if self._committing is not None:
            self._committing.cancel()
            with contextlib.suppress(BaseException):
                await self._committing
            self._committing = None
        for tp in list(self._parts):
            self._drop(tp)

    def _start(self, tp: Partition, record: Consumed) -> None:
        part = self._parts[tp]
        part.pending[record.offset] = None
        task = asyncio.create_task(self._work(tp, part, record))
        part.tasks.add(task)
        task.add_done_callback(part.tasks.discard)

    async def _work(self, tp: Partition, part: _Partition, record: Consumed) -> None:
        outcome, writes = await self._handle(part, record.value or b"", record.offset)
        letters = self.settings.topic("dead-letters")
        outcome.records = [
            r._replace(
                value=with_origin(r.value, partition=record.partition, offset=record.offset, key=record.key)
            )
            if r.topic == letters and r.value is not None
            else r
            for r in outcome.records
        ]
        if self._parts.get(tp) is not part:
            return
        part.started.pop(record.offset, None)
        url = part.parked_offsets.pop(record.offset, None)
        if url is not None:  # its offset was released meanwhile: commit the result on its own
            part.floating[url] = (outcome, [*writes, fetch_state.unpark(url)])
        else:
            if writes:
                part.state_writes[record.offset] = writes
            part.pending[record.offset] = outcome
        self._wakeup.set()

    async def _resume(self, tp: Partition, part: _Partition, url: str, raw: bytes) -> None:
        """Handle a URL found parked when the partition's state was rebuilt (its offset is gone)."""
        outcome, writes = await self._handle(part, raw, None)
        if self._parts.get(tp) is part:
            part.floating[url] = (outcome, [*writes, fetch_state.unpark(url)])
            self._wakeup.set()

    async def _handle(self, part: _Partition, raw: bytes, offset: int | None) -> tuple[Outcome, list[Write]]:
        try:
            work = urls.decode(raw)
            candidate = work.candidate
        except Exception as exc:  # whatever the bytes: left pending, a record would block its partition
            error = f"not a candidate record: {exc}"
            outcome = self.worker.dead_letter(raw, error, Reason.INVALID_CANDIDATE, "?")
        else:
            if candidate.url in part.state.in_flight and work.imported is not None:
                # Its fetch decides against the state as it was when the fetch began: an
                # imported copy decided meanwhile could be given the same version. Decide it after.
                record = urls.record(self.settings, candidate, imported=work.imported)
                outcome = Outcome(Reason.REQUEUED, records=[record])
            elif candidate.url in part.state.in_flight:
                outcome = Outcome(Reason.IN_FLIGHT_DUPLICATE)
            else:
                part.state.in_flight.add(candidate.url)
                if offset is not None:
                    part.started[offset] = (time.monotonic(), candidate.url, raw)
                try:
                    outcome = await self.worker.handle(work, part.state, raw)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the one place that decides: dead-letter and go on
                    log.exception("handling %s failed", candidate.url)
                    outcome = self.worker.dead_letter(
                        raw, f"internal error: {exc!r}", Reason.INTERNAL_ERROR, candidate.url
                    )
                finally:
                    part.state.in_flight.discard(candidate.url)
        writes: list[Write] = []
        if outcome.state is not None:
            writes.append(fetch_state.state(outcome.state))
            writes += [fetch_state.forget(evicted) for evicted in part.state.put(outcome.state)]
        if not outcome.records:
            m.URLS_SKIPPED.labels(outcome.reason).inc()
        return outcome, writes

    def _parkable(self, part: _Partition) -> list[int]:
        """Offsets of URLs in flight for ``park_after_s`` that hold back done ones."""
        done = [offset for offset, outcome in part.pending.items() if outcome is not None]
        if not done:
            return []
        since = time.monotonic() - self.settings.ingest.park_after_s
        return [
            offset
            for offset, outcome in part.pending.items()
            if outcome is None
            and offset < done[-1]
            and offset in part.started
            and part.started[offset][0] <= since
        ]

    def _park(self, part: _Partition) -> None:
        """Release the offsets of :meth:`_parkable` URLs; their fetches go on (module docstring)."""
        now = time.monotonic()
        for offset in self._parkable(part):
            started, url, raw = part.started[offset]
            part.pending[offset] = Outcome(Reason.PARKED)
            part.state_writes[offset] = [fetch_state.park(url, raw)]
            part.parked_offsets[offset] = url
            part.floating[url] = None
            m.URLS_PARKED.inc()
            # Routine (a URL waiting for the host's delay is parked too): counted, not shouted.
            log.debug(
                "%s still in flight after %.1fs: later URLs of its partition commit without it",
                url,
                now - started,
            )

    def _committable(self) -> bool:
        """Whether some partition's oldest pending URL is done: a commit would publish something.

        The interval runs from the last commit that did, so the first article after a
        quiet spell is committed at once instead of at the next tick of a fixed clock.
        """
        parts = self._parts.values()
        heads = (next(iter(part.pending.values())) for part in parts if part.pending)
        floating = (result for part in parts for result in part.floating.values())
        return (
            any(head is not None for head in heads)
            or any(r is not None for r in floating)
            or any(self._parkable(part) for part in parts)
        )

    async def _locked_commit(self, session: Session) -> None:
        async with session.lock:
            await self._commit(session)

    async def _commit(self, session: Session) -> None:
        s = self.settings
        records: list[Record] = []
        state_writes: dict[int, list[Write]] = {}
        offsets: dict[Partition, int] = {}
        starts: dict[Partition, int] = {}
        parked: list[tuple[Partition, str]] = []
        on_commit: list[Callable[[], None]] = []
        count = 0
        for tp, part in self._parts.items():
            self._park(part)
            while part.pending:
                offset, outcome = next(iter(part.pending.items()))
                if outcome is None:
                    break
                part.pending.popitem(last=False)
                starts.setdefault(tp, offset)
                records += outcome.records
                on_commit += outcome.on_commit
                if writes := part.state_writes.pop(offset, None):
                    state_writes.setdefault(tp.partition, []).extend(writes)
                offsets[tp] = offset + 1
                count += outcome.reason != Reason.PARKED  # counted when its own result commits
            for url, result in list(part.floating.items()):
                if result is not None:
                    del part.floating[url]
                    parked.append((tp, url))
                    records += result[0].records
                    on_commit += result[0].on_commit
                    state_writes.setdefault(tp.partition, []).extend(result[1])
                    count += 1
        if not offsets and not state_writes and not records:
            return
        partitioned: dict[int, list[Record]] = {
            partition: [fetch_state.record(s, write) for write in writes]
            for partition, writes in state_writes.items()
        }
        self._committing_urls = count
        try:
            await session.commit(records, offsets, starts=starts, partitioned=partitioned, parked=parked)
        finally:
            self._committing_urls = 0
        for observe in on_commit:
            observe()
        if records:
            session.active()
        self.done += count
        self.published += sum(1 for r in records if r.topic == s.topic("articles"))

    async def _drain_and_commit(self, session: Session, seconds: float) -> None:
        """On shutdown: let in-flight work finish (bounded), commit it, hand back the rest."""
        tasks = [t for p in self._parts.values() for t in p.tasks]
        if tasks:
            log.info("finishing %d in-flight URLs (up to %.0fs)", len(tasks), seconds)
            await asyncio.wait(tasks, timeout=seconds)
        await self._commit(session)

    async def assigned(self, session: Session, assigned: set[Partition]) -> None:
        mine = {tp for tp in assigned if tp.topic == self.settings.topic("urls")}
        capacity = max(1000, self.settings.ingest.seen_capacity // self.settings.kafka.partitions)
        # Work on a partition starts only once its state is complete: install it after the rebuild.
        # Until then the partition must be absent, so that records polled meanwhile are sought
        # back (step); a part left from an earlier connection would take them, and the rebuilt
        # part replacing it would orphan that work after the consumer had moved past it.
        for tp in mine:
            self._drop(tp)
        rebuilt = await self._rebuild({tp: _Partition(capacity) for tp in mine})
        self._parts.update(rebuilt)
        for tp, part in rebuilt.items():
            for url, raw in part.state.parked.items():  # parked by an owner that did not finish them
                part.floating[url] = None
                task = asyncio.create_task(self._resume(tp, part, url, raw))
                part.tasks.add(task)
                task.add_done_callback(part.tasks.discard)
            part.state.parked.clear()
        log.info("fetch role owns urls partitions %s", sorted(tp.partition for tp in self._parts))

    async def revoked(self, session: Session, revoked: set[Partition]) -> None:
        with contextlib.suppress(BusError):
            await self._commit(session)
        for tp in revoked:
            self._drop(tp)

    def _drop(self, tp: Partition) -> None:
        """Forget a partition's state and stop its work (what was not committed is redone)."""
        part = self._parts.pop(tp, None)
        if part is not None:
            for task in part.tasks:
                task.cancel()

    async def _rebuild(self, parts: dict[Partition, _Partition]) -> dict[Partition, _Partition]:
        """Fill ``parts`` from the matching fetch-state partitions, read from the beginning to their end."""
        if not parts:
            return parts
        started = time.monotonic()
        by_partition = {tp.partition: part for tp, part in parts.items()}
        loaded = 0
        # Settled: a transaction committed just before this rebalance must be in the state.
        records = iter_topic(
            self.settings, self.settings.topic("fetch-state"), partitions=sorted(by_partition), settled=True
        )
        async for record in records:
            if record.key is not None:
                by_partition[record.partition].state.load(record.key, record.value)
                loaded += 1
        log.info(
            "rebuilt fetch state of partitions %s: %d records in %.2fs",
            sorted(by_partition),
            loaded,
            time.monotonic() - started,
        )
        return parts
