"""Fault injection: the broker is SIGKILLed and restarted while ingest and enrich run.

Afterwards every article of the site is in the articles topic and exactly once
in the read-committed enriched topic: uncommitted work was redone, committed
work was not repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections import Counter
from typing import Any

import orjson
import pytest
from aiokafka import TopicPartition

from newswire.broker import EmbeddedBroker
from newswire.bus import ensure_topics, make_consumer, make_producer, send_all, start_client
from newswire.bus.tail import tail
from newswire.config import Settings
from newswire.daemons import Stopper
from newswire.daemons.enrich import EnrichDaemon
from newswire.daemons.ingest import IngestDaemon
from newswire.enrich import Enricher
from tests.conftest import make_settings
from tests.fakesite import FakeSite

pytestmark = pytest.mark.kafka

ARTICLES = 60
KILLS = 4


async def ids(settings: Settings, topic: str, field: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    async for value in tail(settings, settings.topic(topic), from_beginning=True, idle_ms=2000):
        doc = orjson.loads(value)
        counts[doc["article"][field] if topic == "enriched" else doc[field]] += 1
    return counts


async def stable_and_high(settings: Settings, topic: str) -> dict[int, tuple[int, int]]:
    """Per partition: (last stable offset, high watermark). LSO < HW long after the run means a
    transaction nobody will end holds read_committed readers back (a hanging transaction)."""
    ends = []
    for read_committed in (True, False):
        consumer = make_consumer(settings, group_id=None, read_committed=read_committed)
        await start_client(consumer, settings.kafka.bootstrap_servers, "offsets reader")
        try:
            tps = [TopicPartition(topic, p) for p in range(settings.kafka.partitions)]
            ends.append({tp.partition: offset for tp, offset in (await consumer.end_offsets(tps)).items()})
        finally:
            await consumer.stop()
    return {p: (ends[0][p], ends[1][p]) for p in ends[0]}


# Two rare failures were once seen here, both explained and fixed. Lost commit markers were the
# broker's (see the test below). Ingest publishing nothing more for 150 s after the restart, with
# 10 of 60 URLs never fetched, was a fetch-state rebuild that failed during the restart: aiokafka
# logged it and kept the partition assigned but unloaded. Ingest now reconnects instead
# (test_ingest_site.py::test_a_fetch_state_rebuild_that_fails_is_redone_not_left_stalled).
async def test_broker_killed_and_restarted_mid_run_loses_and_duplicates_nothing(
    own_broker: EmbeddedBroker,
) -> None:
    with FakeSite(n_generated=ARTICLES) as site:
        settings = make_settings(
            own_broker.bootstrap_servers,
            sources=[{"kind": "sitemap", "url": site.url("/sitemaps/generated.xml.gz"), "interval_s": 3600}],
            fetch={
                "allowed_hosts": [site.host_port],
                "per_host_delay_s": 0.05,
                "per_host_concurrency": 2,
                "retries": 1,
                "backoff_base_s": 0.05,
                "backoff_max_s": 1,
            },
            kafka={"request_timeout_ms": 5000, "session_timeout_ms": 6000},
        )
        stopper = Stopper()
        ingest = IngestDaemon(settings, stopper=stopper, inline_extraction=True)
        enrich = EnrichDaemon(settings, stopper=stopper, enricher=await asyncio.to_thread(Enricher))
        tasks = [asyncio.create_task(ingest.run()), asyncio.create_task(enrich.run())]
        try:
            # Kill the broker once enrichment is under way, then bring it back on the same data dir.
            async with asyncio.timeout(120):
                while enrich.processed < 5:
                    await asyncio.sleep(0.2)
            own_broker.kill()
            await asyncio.sleep(3)
            await asyncio.to_thread(own_broker.start)
            # Wait until every article has been enriched (or give up after a bound).
            deadline = time.monotonic() + 150
            while time.monotonic() < deadline:
                if len(await ids(settings, "enriched", "url")) >= ARTICLES:
                    break
                await asyncio.sleep(2)
        finally:
            stopper.stop()
            await asyncio.wait(tasks, timeout=60)
        for task in tasks:
            assert task.done() and task.exception() is None

        generated = set(site.generated_urls())
        articles = await ids(settings, "articles", "url")
        enriched = await ids(settings, "enriched", "url")
        lso_hw = {t: await stable_and_high(settings, settings.topic(t)) for t in ("articles", "enriched")}
    assert set(articles) == generated, (
        f"lost from articles: {len(generated - set(articles))}, e.g. {sorted(generated - set(articles))[:5]};"
        f" (LSO, HW) per partition {lso_hw['articles']}; see broker.log in {own_broker.data_dir}"
    )
    assert max(articles.values()) == 1, "an article was published twice"
    assert set(enriched) == generated, (
        f"lost from enriched: {len(generated - set(enriched))}, e.g. {sorted(generated - set(enriched))[:5]};"
        f" (LSO, HW) per partition {lso_hw['enriched']}; see broker.log in {own_broker.data_dir}"
    )
    assert max(enriched.values()) == 1, "an article was enriched twice"


async def test_commits_acknowledged_just_before_a_crash_survive_it(own_broker: EmbeddedBroker) -> None:
    """Every transaction the broker acknowledged stays committed when the broker is killed.

    The broker acknowledges EndTxn once PREPARE_COMMIT is in its transaction log and
    writes the partitions' commit markers afterwards; a restart must finish them. A
    producer commits small transactions back to back while the broker is SIGKILLed
    mid-stream, a few times. Kafka 4.3.0-4.4.0 on a single node can skip those markers
    on restart for partitions whose leader it does not know yet ("likely deleted");
    the daemons' test above lost records that way about once in 18 kills, which is
    why the embedded broker is 4.2.2 (``newswire.broker._jars``). This narrower test
    did not hit that window in 4 runs on 4.4.0; it guards the guarantee itself.
    """
    settings = make_settings(own_broker.bootstrap_servers, kafka={"partitions": 6})
    await ensure_topics(settings)
    sink = settings.topic("articles")
    acknowledged: list[bytes] = []
    for n in range(KILLS):
        producer = make_producer(settings, transactional_id=f"crash-{settings.kafka.topic_prefix}")
        await start_client(producer, settings.kafka.bootstrap_servers, "transactional producer")

        stop = asyncio.Event()

        async def commit_until_stopped(
            producer: Any = producer, n: int = n, stop: asyncio.Event = stop
        ) -> None:
            for i in itertools.count():
                if stop.is_set():
                    return
                values = [f"{n}-{i}-{j}".encode() for j in range(6)]
                async with producer.transaction():
                    await send_all(producer, [(sink, v, v, []) for v in values])
                acknowledged.extend(values)  # the commit returned: the broker acknowledged it

        committer = asyncio.create_task(commit_until_stopped())
        await asyncio.sleep(1.5 + random.random())
        own_broker.kill()
        await asyncio.to_thread(own_broker.start)
        stop.set()  # the transaction in flight at the kill may still commit, or fail
        await asyncio.wait([committer], timeout=60)
        assert committer.done(), "the producer did not recover from the restart within 60 s"
        with contextlib.suppress(Exception):
            await asyncio.wait_for(producer.stop(), 30)
    consumer = make_consumer(settings, sink, group_id=None, read_committed=True)
    await start_client(consumer, settings.kafka.bootstrap_servers, "read_committed consumer")
    seen: set[bytes] = set()
    try:
        deadline = time.monotonic() + 60
        while not seen >= set(acknowledged) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1000)
            seen.update(m.value for msgs in batch.values() for m in msgs)
    finally:
        await consumer.stop()
    lost = set(acknowledged) - seen
    lso_hw = await stable_and_high(settings, sink)
    assert len(acknowledged) > 100
    assert not lost, (
        f"{len(lost)} of {len(acknowledged)} acknowledged records unreadable, e.g. {sorted(lost)[:3]}; "
        f"(LSO, HW) per partition {lso_hw}; see broker.log in {own_broker.data_dir}"
    )
