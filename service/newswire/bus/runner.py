"""The consume-process-transact runner: one loop for every role that consumes a topic.

Ingest's discover and fetch roles and the enrich daemon are :class:`Role`\\ s:
each supplies only what is its own (how to rebuild its state when partitions
are assigned, what to drop when they are revoked, one step of its work, what
to finish on a clean stop). The :class:`Runner` owns the rest, once:

* **connecting**: the producer (transactional when the role commits offsets
  with its output) is started before the consumer, so a transaction the last
  incarnation left open is completed or aborted before the consumer reads the
  committed offsets (see :func:`~newswire.bus.clients.start_client`);
* **assignment**: the role's rebuild runs in the rebalance callback, and a
  rebuild that failed makes the next :meth:`Session.poll` raise, so the
  runner reconnects instead of leaving a partition assigned but never loaded;
  revocation waits for the transaction in flight (:attr:`Session.lock`);
* **the transaction** (:meth:`Session.commit`): records and consumed offsets in
  one Kafka transaction, records that cannot be written dead-lettered in the
  same one, redo streaks watched (:mod:`newswire.bus.redo`), committed and
  aborted transactions counted, consumer lag exported;
* **reconnecting** after a broker outage with backoff, redoing from the last
  committed offsets whatever was not committed (so nothing is lost or doubled);
* **shutdown**: the role finishes and commits what it can, then the clients close;
  after a lost connection the consumer is stopped before the role drops its state, so
  no rebuild of that connection's assignment survives into the next one.

It is modelled on quix-streams' ``Application.run`` and ``Checkpoint`` (one
owner of the clients; produce and commit together) and on aiokafka's small
front classes over their machinery: a role sees a :class:`Session`, not a client.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any, Protocol, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from newswire.bus._errors import translate
from newswire.bus.clients import (
    PartitionTracker,
    make_consumer,
    make_producer,
    send_all,
    start_client,
    stop_quietly,
    transact,
)
from newswire.bus.limits import RecordGuard
from newswire.bus.records import Record
from newswire.bus.redo import RedoWatch
from newswire.config import Settings
from newswire.errors import BusError
from newswire.observe import Health
from newswire.observe import metrics as m

__all__ = [
    "Consumed",
    "Partition",
    "Role",
    "RoleSpec",
    "Runner",
    "Session",
    "StopFlag",
    "keep_running",
]

log = logging.getLogger(__name__)

#: A topic partition, as roles see it.
Partition: TypeAlias = TopicPartition
#: A consumed record (``topic``, ``partition``, ``offset``, ``key``, ``value``, ``headers``).
Consumed: TypeAlias = ConsumerRecord[Any, Any]


class StopFlag(Protocol):
    """What the runner needs of the daemon's stop flag."""

    @property
    def stopping(self) -> bool: ...

    async def wait(self, seconds: float) -> bool: ...


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RoleSpec:
    """How a role consumes: its topic and group, and whether its output is transactional."""

    name: str  # in logs: "ingest fetch role"
    stage: str  # metrics label and dead-letter stage: "ingest", "enrich"
    topic: str
    group_id: str
    source_id: str  # CloudEvents source of the dead letters the runner writes
    transactional_id: str | None = None  # None: output is sent, not committed with offsets
    max_poll_records: int = 500
    linger_ms: int = 5


class Role(Protocol):
    """What a role supplies; the :class:`Runner` calls it, always from the event loop."""

    spec: RoleSpec

    async def assigned(self, session: Session, partitions: set[Partition]) -> None:
        """Partitions were assigned: rebuild their state before working on them."""

    async def revoked(self, session: Session, partitions: set[Partition]) -> None:
        """Partitions are being revoked (``session.lock`` is held): commit or drop their work."""

    async def step(self, session: Session) -> bool:
        """Do one round of work (poll, start, commit); False when the role is finished."""

    async def finish(self, session: Session) -> None:
        """A clean stop: commit what is done, within the shutdown bound."""

    async def close(self) -> None:
        """The connection is over (stopped or lost): drop work that was not committed.

        Called after the consumer stopped, so no :meth:`assigned` of this connection is still
        running: what it installed is dropped here too."""


class Connection:
    """Handed to each connection attempt: it calls :meth:`established` once its clients are up."""

    def __init__(self) -> None:
        self.ever_established = False
        self._progressed = False

    def established(self) -> None:
        self.ever_established = True

    def progressed(self) -> None:
        """A transaction committed on this connection: the broker was taking work."""
        self._progressed = True

    def take_progress(self) -> bool:
        """Whether a transaction committed since the last call."""
        progressed, self._progressed = self._progressed, False
        return progressed


async def keep_running(
    name: str,
    run_once: Callable[[Connection], Awaitable[bool]],
    stopper: StopFlag,
    health: Health,
    max_backoff_s: float = 30.0,
) -> None:
    """Run ``run_once`` until it returns True (finished) or the daemon stops.

    A :class:`BusError` before the first connection is established propagates (a
    clear error at start beats a silent wait); after that, a lost broker only
    makes the daemon not-ready while it reconnects with backoff. Work that was
    not committed is redone from the last committed offsets, so a reconnect
    loses and duplicates nothing.
    """
    connection = Connection()
    backoff = 1.0
    while not stopper.stopping:
        try:
            if await run_once(connection):
                return
            backoff = 1.0
        except BusError as exc:
            if not connection.ever_established:
                raise
            if connection.take_progress():  # the backoff is for a broker that takes nothing
                backoff = 1.0
            health.set_ready(False, f"reconnecting to kafka: {exc}")
            log.warning("%s lost kafka (%s); reconnecting in %.0fs", name, exc, backoff)
            await stopper.wait(backoff)
            backoff = min(backoff * 2, max_backoff_s)


class Session:
    """One connection's clients, as a role uses them: poll, seek, send, commit."""

    def __init__(
        self,
        runner: Runner,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        tracker: PartitionTracker,
        connection: Connection,
    ) -> None:
        self._runner = runner
        self._connection = connection
        self._consumer = consumer
        self._producer = producer
        self._tracker = tracker
        self.spec = runner.role.spec
        #: Held while a transaction commits and while partitions are revoked, so two owners
        #: never commit the same offsets.
        self.lock = asyncio.Lock()
        self._active_at = time.monotonic()
        # An assignment (maybe empty) has completed since connecting or since the last revocation.
        self._assigned = False
        # A role takes a batch's work out of its pending state when the transaction begins;
        # once one fails, a later commit on this connection (one made while partitions are
        # revoked, say) would move the offsets past that work. So the first failure ends
        # the session: every later commit and poll raises it, and the runner reconnects.
        self._failed: BusError | None = None

    async def poll(self, timeout_ms: int, max_records: int | None = None) -> dict[Partition, list[Consumed]]:
        """The next records of the assigned partitions (maybe none within ``timeout_ms``)."""
        s = self._runner.settings
        if self._failed is not None:
            raise self._failed
        with translate(f"consuming {self.spec.topic}", s.kafka.bootstrap_servers):
            batch: dict[Partition, list[Consumed]] = await self._consumer.getmany(
                timeout_ms=timeout_ms, max_records=max_records
            )
        self._tracker.check()  # a partition whose state failed to load would never be worked on
        self.update_lag()
        return batch

    def seek(self, partition: Partition, offset: int) -> None:
        """Consume ``partition`` again from ``offset`` (ignored if it was revoked meanwhile)."""
        with contextlib.suppress(Exception):
            self._consumer.seek(partition, offset)

    async def seek_to_beginning(self, partitions: Iterable[Partition]) -> None:
        with translate(f"rewinding {self.spec.topic}", self._runner.settings.kafka.bootstrap_servers):
            await self._consumer.seek_to_beginning(*partitions)

    async def end_offsets(self, partitions: Iterable[Partition]) -> dict[Partition, int]:
        """Each partition's end now: the offset its next committed record will get."""
        servers = self._runner.settings.kafka.bootstrap_servers
        with translate(f"reading the end of {self.spec.topic}", servers):
            return dict(await self._consumer.end_offsets(list(partitions)))

    async def reached(self, ends: dict[Partition, int]) -> bool:
        """Whether every partition of ``ends`` still assigned has been read up to its offset there."""
        owned = self._consumer.assignment()
        with translate(f"consuming {self.spec.topic}", self._runner.settings.kafka.bootstrap_servers):
            for tp, end in ends.items():
                if tp in owned and await self._consumer.position(tp) < end:
                    return False
        return True

    async def send(self, records: Iterable[Record]) -> None:
        """Publish records outside any transaction and wait for the broker's acknowledgements."""
        await send_all(self._producer, records)

    async def commit(
        self,
        records: list[Record],
        offsets: dict[Partition, int],
        *,
        starts: dict[Partition, int],
        partitioned: dict[int, list[Record]] | None = None,
        parked: Collection[tuple[Partition, str]] = (),
    ) -> None:
        """Publish ``records`` (and ``partitioned`` ones to fixed partitions) and commit ``offsets``
        (next offset to consume per partition) in one transaction. Hold :attr:`lock` around it.

        ``starts`` are the batch's first offsets and ``parked`` the parked URLs whose results
        it carries (partition, URL): they tell work that fails again and again from progress
        (:mod:`newswire.bus.redo`). Raises :class:`BusError` when it did not commit: the runner reconnects and
        the work is redone from the last committed offsets.
        """
        runner = self._runner
        stage = self.spec.stage
        if self._failed is not None:
            raise self._failed
        try:
            await transact(
                self._producer,
                records,
                offsets,
                self.spec.group_id,
                partitioned=partitioned,
                guard=runner.guard,
            )
        except BusError as exc:
            self._failed = exc
            m.TRANSACTIONS.labels(stage, "aborted").inc()
            log.warning("%s transaction failed (%s); reconnecting to redo uncommitted work", stage, exc)
            runner.redo.failed(starts, exc, parked)
            raise
        runner.redo.committed(offsets, parked)
        self._connection.progressed()
        m.TRANSACTIONS.labels(stage, "committed").inc()
        runner.positions.update(offsets)

    def update_lag(self) -> None:
        """Export how far each owned partition is behind its end: the backlog an operator scales on."""
        positions = self._runner.positions
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            if high is not None and tp in positions:
                lag = max(0, high - positions[tp])
                m.CONSUMER_LAG.labels(self.spec.group_id, tp.topic, str(tp.partition)).set(lag)

    def active(self) -> None:
        """The role made progress: the idle clock starts again."""
        self._active_at = time.monotonic()

    async def idle(self, timeout_s: float | None) -> bool:
        """Whether a role that holds no work may stop as idle (``--idle-timeout``): no progress
        for ``timeout_s`` and every record of its partitions read.

        The clock runs only once partitions are assigned. After a reconnect the group takes
        a while to assign them again (the old member must time out first), and between a
        revocation and the next assignment a role holds no work while its state is rebuilt;
        neither wait is idleness. Nor is a pause: a process frozen or cut off from Kafka for
        longer than the timeout made no progress either, but its backlog is still there. So
        the role stops only once its positions have reached the partitions' ends; if they
        have not, the clock starts again (one look at the ends per timeout).
        """
        if timeout_s is None or not self._assigned or time.monotonic() - self._active_at <= timeout_s:
            return False
        if await self.reached(await self.end_offsets(self._consumer.assignment())):
            return True
        self.active()
        return False

    async def _on_assign(self, partitions: set[Partition]) -> None:
        self._runner.redo.owned(partitions)
        await self._runner.role.assigned(self, partitions)
        self._assigned = True
        self.active()

    async def _on_revoke(self, partitions: set[Partition]) -> None:
        self._assigned = False  # a rebalance is no idleness (see idle)
        async with self.lock:
            await self._runner.role.revoked(self, partitions)
        for tp in partitions:
            self._runner.positions.pop(tp, None)  # its next owner commits from now on


class Runner:
    """Runs a :class:`Role` until it finishes or the daemon stops; see the module docstring."""

    def __init__(self, settings: Settings, role: Role, *, stopper: StopFlag, health: Health) -> None:
        self.settings = settings
        self.role = role
        self.stopper = stopper
        self.health = health
        spec = role.spec
        self.guard = RecordGuard(settings, spec.stage, spec.source_id)
        #: Next offset to consume per partition as of the last commit (for the lag gauge).
        self.positions: dict[Partition, int] = {}
        self.redo = RedoWatch(spec.stage, health, self.positions)

    async def run(self) -> None:
        """Consume until the role finishes or the daemon stops; reconnect after a Kafka outage."""
        await keep_running(self.role.spec.name, self._run_once, self.stopper, self.health)

    async def _run_once(self, connection: Connection) -> bool:
        s, spec = self.settings, self.role.spec
        producer = make_producer(s, transactional_id=spec.transactional_id, linger_ms=spec.linger_ms)
        consumer = make_consumer(s, group_id=spec.group_id, max_poll_records=spec.max_poll_records)
        tracker = PartitionTracker()
        session = Session(self, consumer, producer, tracker, connection)
        tracker.on_assign.append(session._on_assign)
        tracker.on_revoke.append(session._on_revoke)
        consumer.subscribe([spec.topic], listener=tracker)
        try:
            await start_client(producer, s.kafka.bootstrap_servers, f"{spec.name} producer")
            await start_client(consumer, s.kafka.bootstrap_servers, f"{spec.name} consumer")
            connection.established()
            while not self.stopper.stopping:
                self.health.tick()
                if not await self.role.step(session):
                    break
            await self.role.finish(session)
            return True
        finally:
            try:
                # The consumer first: its stop waits for a rebalance callback under way, so a
                # rebuild that outlives this connection has finished before the role drops its
                # state, and cannot install state the next connection would work on. It commits
                # nothing: offsets go with transactions.
                await stop_quietly(consumer)
            finally:  # also when the consumer's stop is cancelled (seen over TLS at shutdown)
                try:
                    await self.role.close()
                finally:
                    await stop_quietly(producer)
