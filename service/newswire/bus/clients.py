"""Producer and consumer factories: every Kafka client setting newswire uses lives here.

Producers are idempotent (``acks=all``) and wait for delivery; transactional
producers add a stable ``transactional_id`` so a restarted instance fences its
own zombie and aborts what it left open. Consumers never auto-commit: offsets
are committed after processing, or inside the producing transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.structs import RecordMetadata

from newswire.bus._errors import translate
from newswire.bus.limits import RecordGuard, record_size
from newswire.bus.records import Record
from newswire.bus.security import client_security
from newswire.config import Settings
from newswire.errors import BusError

__all__ = [
    "PartitionTracker",
    "Producer",
    "Record",
    "client_kwargs",
    "make_consumer",
    "make_producer",
    "send_all",
    "start_client",
    "transact",
]

log = logging.getLogger(__name__)

#: A producer, as code outside ``bus/`` names its type.
Producer: TypeAlias = AIOKafkaProducer


def client_kwargs(settings: Settings, *, role: str = "") -> dict[str, Any]:
    """How every Kafka client newswire creates (producer, consumer, admin) reaches the cluster.

    The one place connection settings go, so a setting added here (TLS, SASL) applies to all.
    ``role`` is appended to the client id (``newswire-admin``).
    """
    k = settings.kafka
    return {
        "bootstrap_servers": k.bootstrap_servers,
        "client_id": f"{k.client_id}-{role}" if role else k.client_id,
        **client_security(k),
    }


def _compression(settings: Settings) -> str | None:
    return None if settings.kafka.compression == "none" else settings.kafka.compression


def make_producer(
    settings: Settings, *, transactional_id: str | None = None, linger_ms: int = 5
) -> AIOKafkaProducer:
    """An idempotent producer (transactional when ``transactional_id`` is given)."""
    k = settings.kafka
    kwargs: dict[str, Any] = {}
    if transactional_id:
        kwargs["transactional_id"] = transactional_id
        kwargs["transaction_timeout_ms"] = k.transaction_timeout_ms
    return AIOKafkaProducer(
        **client_kwargs(settings),
        acks="all",
        enable_idempotence=True,
        compression_type=_compression(settings),
        max_request_size=k.max_message_bytes,
        max_batch_size=k.batch_bytes,
        request_timeout_ms=k.request_timeout_ms,
        linger_ms=linger_ms,
        **kwargs,
    )


def make_consumer(
    settings: Settings,
    *topics: str,
    group_id: str | None,
    read_committed: bool = True,
    max_poll_records: int = 500,
    **extra: Any,
) -> AIOKafkaConsumer:
    """A consumer with manual commits that starts at the earliest offset of a new group."""
    k = settings.kafka
    return AIOKafkaConsumer(
        *topics,
        **client_kwargs(settings),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset=extra.pop("auto_offset_reset", "earliest"),
        isolation_level="read_committed" if read_committed else "read_uncommitted",
        max_poll_records=max_poll_records,
        session_timeout_ms=k.session_timeout_ms,
        heartbeat_interval_ms=max(k.session_timeout_ms // 4, 250),
        request_timeout_ms=max(k.request_timeout_ms, k.session_timeout_ms + 5000),
        fetch_max_bytes=max(52_428_800, k.max_message_bytes),
        max_partition_fetch_bytes=max(1_048_576, k.max_message_bytes),
        **extra,
    )


async def send_all(
    producer: AIOKafkaProducer, records: Iterable[Record], *, partition: int | None = None
) -> list[RecordMetadata]:
    """Send records and wait until the broker has acknowledged every one of them."""
    with translate("publishing"):
        return list(await asyncio.gather(*await _enqueue(producer, ((r, partition) for r in records))))


async def _enqueue(
    producer: AIOKafkaProducer,
    placed: Iterable[tuple[Record, int | None]],
    guard: RecordGuard | None = None,
) -> list[asyncio.Future[RecordMetadata]]:
    """Hand (record, partition or None) pairs to the producer; their acknowledgements, to wait for.

    Waiting once for all of them, not group by group, lets the producer put every
    partition in one request (and, in a transaction, register them in one ``AddPartitionsToTxn``).
    A record the producer refuses before sending goes to ``guard`` when there is one.
    """
    acks = []
    for record, partition in placed:
        topic, key, value, headers = record
        try:
            acks.append(
                await producer.send(topic, value=value, key=key, headers=headers, partition=partition)
            )
        except (MessageSizeTooLargeError, TypeError, ValueError) as exc:
            if guard is None:
                raise
            reason = "too_large" if isinstance(exc, MessageSizeTooLargeError) else "invalid"
            if (replacement := guard.reject(record, reason, str(exc))) is not None:
                t, k, v, h = replacement
                acks.append(await producer.send(t, value=v, key=k, headers=h))
    return acks


async def transact(
    producer: AIOKafkaProducer,
    records: Iterable[Record],
    offsets: dict[TopicPartition, int],
    group_id: str,
    *,
    partitioned: dict[int, list[Record]] | None = None,
    guard: RecordGuard | None = None,
) -> None:
    """Publish ``records`` (and ``partitioned`` ones to fixed partitions) and commit the consumed
    ``offsets`` of ``group_id`` in one Kafka transaction.

    With a ``guard``, a record that cannot be written (larger than the limit, or refused
    by the producer as too large or invalid) is replaced by the guard's dead letter in this
    same transaction, so it never holds back the offsets behind it (see
    :mod:`newswire.bus.limits`).

    Raises :class:`BusError` when the transaction did not commit; the producer may then be
    unusable (aiokafka moves it to a fatal state on some broker errors), so callers reconnect.
    """
    placed: list[tuple[Record, int | None]] = [(record, None) for record in records]
    for partition, fixed in (partitioned or {}).items():
        placed += [(record, partition) for record in fixed]
    if guard is not None:
        placed = _within_limits(placed, guard)
    try:
        with translate("committing a transaction"):
            async with producer.transaction():
                acks = await _enqueue(producer, placed, guard)
                # The offsets go to the coordinator while the records are in flight; the
                # commit (leaving this block) waits for both.
                if offsets:  # a transaction may carry only records (ingest's parked URLs)
                    await producer.send_offsets_to_transaction(offsets, group_id)
                await asyncio.gather(*acks)
    except AssertionError as exc:  # aiokafka asserts on its transaction state machine
        raise BusError(f"committing a transaction: the producer is in a fatal state ({exc})") from exc


def _within_limits(
    placed: list[tuple[Record, int | None]], guard: RecordGuard
) -> list[tuple[Record, int | None]]:
    """``placed`` with each record over the guard's budget replaced by what the guard says."""
    out: list[tuple[Record, int | None]] = []
    for record, partition in placed:
        if guard.fits(record):
            out.append((record, partition))
            continue
        _, key, value, headers = record
        size = record_size(key, value, headers)
        replacement = guard.reject(record, "too_large", f"{size} bytes, over the limit of {guard.budget}")
        if replacement is not None:
            out.append((replacement, None))
    return out


async def start_client(
    client: AIOKafkaProducer | AIOKafkaConsumer, bootstrap: str, what: str, timeout_s: float = 30.0
) -> None:
    """Start a client, translating failures and bounding the wait for an absent broker.

    A transactional producer is started only once it has its producer id. The
    coordinator gives it only after finishing any transaction this
    ``transactional_id`` left open: a commit under way when the broker died is
    completed when it comes back. Roles start their producer before their
    consumer (:class:`~newswire.bus.runner.Runner`), so the consumer then reads
    committed offsets that include that commit. aiokafka's OffsetFetch predates
    KIP-447's "require stable", so an offset still pending would otherwise read
    as the older one, and the batch would be done twice.
    """
    with translate(f"starting {what}", bootstrap):
        try:
            await asyncio.wait_for(client.start(), timeout_s)
            txn = getattr(client, "_txn_manager", None)
            if isinstance(client, AIOKafkaProducer) and txn is not None and txn.transactional_id:
                await asyncio.wait_for(txn.wait_for_pid(), timeout_s)
        except TimeoutError:
            await stop_quietly(client)
            raise BusError(
                f"starting {what}: no answer from Kafka at {bootstrap} within {timeout_s:.0f}s. "
                "Is the broker running? Set KAFKA_BOOTSTRAP_SERVERS."
            ) from None
        except BaseException:
            await stop_quietly(client)  # else aiokafka warns "Unclosed AIOKafkaConsumer"
            raise


async def stop_quietly(client: AIOKafkaProducer | AIOKafkaConsumer) -> None:
    """Stop a client whose connection may be broken, without letting its failures escape.

    aiokafka's consumer cancels its fetch tasks on stop and then awaits them, so a stop
    after a broker outage or a long pause can raise the ``CancelledError`` of those tasks
    into the caller, which would end the daemon instead of letting it reconnect. That one
    is swallowed; a cancellation of the caller itself (the daemon shutting down) is not.
    """
    try:
        await client.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.debug("stopping a Kafka client raised its own tasks' cancellation; ignored")
    except Exception as exc:  # a broken connection: the client is being dropped anyway
        log.debug("stopping a Kafka client failed: %r", exc)


class PartitionTracker(ConsumerRebalanceListener):  # type: ignore[misc]
    """Remembers the assignment and lets daemons react to it (flush before revoke, rebuild after assign).

    aiokafka only logs an exception raised by a rebalance callback and keeps the
    assignment, so a rebuild that failed (the broker restarting under it) would
    leave a partition assigned but never loaded, and its work stalled for good.
    Here a failed callback is remembered instead, and :meth:`check`, called by
    the consumer's loop, raises it as a ``BusError``: the daemon reconnects, and
    the new assignment runs the callbacks again.
    """

    def __init__(self) -> None:
        self.assigned: set[TopicPartition] = set()
        self.on_revoke: list[Any] = []
        self.on_assign: list[Any] = []
        self.failure: BaseException | None = None

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        for callback in self.on_revoke:
            await self._call(callback, set(revoked), "revoked")
        self.assigned -= set(revoked)

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self.assigned |= set(assigned)
        for callback in self.on_assign:
            await self._call(callback, set(assigned), "assigned")

    async def _call(self, callback: Any, partitions: set[TopicPartition], what: str) -> None:
        try:
            await callback(partitions)
        except Exception as exc:  # any failure must reach the loop, not only aiokafka's log
            numbers = sorted(tp.partition for tp in partitions)
            log.warning("handling partitions %s %s failed: %r", numbers, what, exc)
            if self.failure is None:
                self.failure = exc

    def check(self) -> None:
        """Raise ``BusError`` if handling an assignment or revocation failed since the consumer started."""
        if self.failure is not None:
            exc = self.failure
            raise BusError(
                f"handling a partition rebalance failed ({type(exc).__name__}: {exc}); "
                "reconnecting so the partitions are assigned and loaded again"
            ) from exc
