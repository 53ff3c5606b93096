"""The Kafka smoke test of ../shared/KAFKA.md, against the real broker, plus topic provisioning."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka import TopicPartition

from newswire.broker import EmbeddedBroker, free_port
from newswire.bus import (
    describe_topics,
    ensure_topics,
    make_consumer,
    make_producer,
    send_all,
    start_client,
    topic_specs,
)
from newswire.config import Settings
from newswire.errors import BusError
from tests.conftest import make_settings

pytestmark = pytest.mark.kafka


async def _drain(
    settings: Settings,
    topic: str,
    expected: int,
    *,
    group: str | None = None,
    read_committed: bool = True,
    timeout: float = 30.0,
) -> list[bytes]:
    consumer = make_consumer(settings, topic, group_id=group, read_committed=read_committed)
    await start_client(consumer, settings.kafka.bootstrap_servers, "test consumer")
    values: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            while len(values) < expected:
                batch = await consumer.getmany(timeout_ms=500)
                values += [m.value for msgs in batch.values() for m in msgs]
        # Anything beyond `expected` that is already there would be a duplicate.
        extra = await consumer.getmany(timeout_ms=1000)
        values += [m.value for msgs in extra.values() for m in msgs]
        if group:
            await consumer.commit()
    finally:
        await consumer.stop()
    return values


async def test_ensure_topics_creates_every_topic_with_its_policy(settings: Settings) -> None:
    created = await ensure_topics(settings)
    assert sorted(created) == sorted(s.name for s in topic_specs(settings))
    assert await ensure_topics(settings) == []  # idempotent
    described = {d["topic"]: d for d in await describe_topics(settings)}
    articles = described[settings.topic("articles")]
    assert articles["partitions"] == 2
    assert articles["configs"]["compression.type"] == "zstd"
    assert articles["configs"]["cleanup.policy"] == "delete"
    assert described[settings.topic("fetch-state")]["configs"]["cleanup.policy"] == "compact"
    assert (
        described[settings.topic("urls")]["partitions"]
        == described[settings.topic("fetch-state")]["partitions"]
    )


async def test_idempotent_produce_group_consume_and_commit(topics: Settings) -> None:
    topic = topics.topic("articles")
    producer = make_producer(topics)
    await start_client(producer, topics.kafka.bootstrap_servers, "producer")
    try:
        metas = await send_all(producer, [(topic, f"k{i}".encode(), f"v{i}".encode(), []) for i in range(20)])
    finally:
        await producer.stop()
    assert len(metas) == 20
    group = f"{topics.ingest.group_id}-smoke"
    first = await _drain(topics, topic, 20, group=group)
    assert sorted(first) == sorted(f"v{i}".encode() for i in range(20))
    # A reconnect of the same group resumes after the commit: nothing is read again.
    consumer = make_consumer(topics, topic, group_id=group)
    await start_client(consumer, topics.kafka.bootstrap_servers, "consumer")
    try:
        await asyncio.sleep(0)  # let the group join
        again = await consumer.getmany(timeout_ms=3000)
        assert sum(len(m) for m in again.values()) == 0
        committed = {tp.partition: await consumer.committed(tp) for tp in consumer.assignment()}
        assert sum(c or 0 for c in committed.values()) == 20
    finally:
        await consumer.stop()


async def test_transaction_is_read_committed_and_moves_offsets(topics: Settings) -> None:
    source, sink = topics.topic("urls"), topics.topic("articles")
    plain = make_producer(topics)
    await start_client(plain, topics.kafka.bootstrap_servers, "producer")
    await send_all(plain, [(source, b"k", b"in", [])], partition=0)
    await plain.stop()

    group = f"{topics.enrich.group_id}-txn"
    txn = make_producer(topics, transactional_id=f"{group}-p1")
    await start_client(txn, topics.kafka.bootstrap_servers, "transactional producer")
    try:
        # An aborted transaction is invisible to read_committed readers...
        async with txn.transaction():
            await send_all(txn, [(sink, b"k", b"aborted", [])])
            await txn.send_offsets_to_transaction({TopicPartition(source, 0): 1}, group)
            await txn.abort_transaction()
    except Exception:  # aiokafka raises after an explicit abort inside the context; the abort happened
        pass
    try:
        async with txn.transaction():
            await send_all(txn, [(sink, b"k", b"committed", [])])
            await txn.send_offsets_to_transaction({TopicPartition(source, 0): 1}, group)
    finally:
        await txn.stop()

    assert await _drain(topics, sink, 1) == [b"committed"]
    uncommitted = await _drain(topics, sink, 2, read_committed=False)
    assert sorted(uncommitted) == [b"aborted", b"committed"]
    # ...and the consumed offset was committed with the output.
    consumer = make_consumer(topics, source, group_id=group)
    await start_client(consumer, topics.kafka.bootstrap_servers, "consumer")
    try:
        assert await consumer.committed(TopicPartition(source, 0)) == 1
    finally:
        await consumer.stop()


async def test_broker_restart_on_same_data_dir_loses_nothing(tmp_path: Path) -> None:
    broker = EmbeddedBroker(tmp_path / "kafka", heap="512m").start()
    try:
        settings = make_settings(broker.bootstrap_servers)
        await ensure_topics(settings)
        topic = settings.topic("articles")
        producer = make_producer(settings)
        await start_client(producer, settings.kafka.bootstrap_servers, "producer")
        await send_all(producer, [(topic, str(i).encode(), str(i).encode(), []) for i in range(100)])
        await producer.stop()
        broker.stop()
        assert not broker.running()
        broker.start()
        values = await _drain(settings, topic, 100)
        assert sorted(values, key=int) == [str(i).encode() for i in range(100)]
    finally:
        broker.stop()


async def test_unreachable_broker_is_a_clear_bus_error() -> None:
    settings = make_settings(f"127.0.0.1:{free_port()}")
    with pytest.raises(BusError, match="Is the broker running"):
        await ensure_topics(settings)
