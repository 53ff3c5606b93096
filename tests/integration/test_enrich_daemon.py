"""The enrich daemon against the real broker: seed article enriched, poison events dead-lettered,
metrics scraped over HTTP, and exactly-once delivery when a process is killed mid-stream."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.bus.tail import tail
from newswire.config import Settings
from newswire.daemons.enrich import EnrichDaemon
from newswire.enrich import Enricher
from newswire.events import ArticleEvent, article_id_for, decode_enriched, encode_event
from newswire.extract import parse_path
from newswire.observe import HealthServer
from tests.conftest import SEED_ARTICLE, make_settings

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


def seed_article() -> ArticleEvent:
    return parse_path(SEED_ARTICLE, url="https://example.test/news/baltics-nato")


def article_copies(n: int) -> list[ArticleEvent]:
    base = seed_article()
    out = []
    for i in range(n):
        url = f"https://example.test/news/{i}"
        out.append(dataclasses.replace(base, url=url, canonical_url=url, article_id=article_id_for(url)))
    return out


async def publish(settings: Settings, values: list[tuple[bytes, bytes]]) -> None:
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "test producer")
    try:
        await send_all(producer, [(settings.topic("articles"), k, v, []) for k, v in values])
    finally:
        await producer.stop()


async def read(settings: Settings, name: str) -> list[bytes]:
    return [v async for v in tail(settings, settings.topic(name), from_beginning=True, idle_ms=1500)]


async def test_seed_article_is_enriched_and_poison_events_are_dead_lettered(
    topics: Settings, enricher: Enricher
) -> None:
    article = seed_article()
    await publish(
        topics,
        [
            (b"bad-json", b"{this is not json"),
            (b"bad-schema", orjson.dumps({"article_id": "nope", "title": 3})),
            (article.article_id.encode(), encode_event(article)),
        ],
    )
    daemon = EnrichDaemon(topics, enricher=enricher, idle_timeout_s=3)
    server = await HealthServer([daemon.health], port=0).start()
    try:
        await daemon.run()
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"http://127.0.0.1:{server.port}/metrics")).text
            missing = await client.get(f"http://127.0.0.1:{server.port}/nothing-here")
    finally:
        await server.stop()
    assert daemon.processed == 3

    enriched = [decode_enriched(v) for v in await read(topics, "enriched")]
    assert len(enriched) == 1
    event = enriched[0]
    assert event.article.article_id == article.article_id and event.entity_tagged
    by_name = {e.name: e for e in event.entities}
    for name, code in [
        ("Estonia", "EE"),
        ("Latvia", "LV"),
        ("Lithuania", "LT"),
        ("Russia", "RU"),
        ("Ukraine", "UA"),
        ("Georgia", "GE"),
        ("Poland", "PL"),
        ("Brussels", "BE"),
        ("Moscow", "RU"),
    ]:
        assert by_name[name].type == "location" and by_name[name].country == code, name
    for name in ("NATO", "Reuters"):
        assert by_name[name].type == "organization", name
    for name in ("Kaja Kallas", "Jens Stoltenberg", "Sergey Ryabkov", "Wendy Sherman"):
        assert by_name[name].type == "person", name
    assert event.metrics.words > 300 and event.metrics.reading_time_s > 60
    assert event.metrics.tone.negative > 0

    dead = [orjson.loads(v) for v in await read(topics, "dead-letters")]
    assert sorted(d["origin"]["key"] for d in dead) == ["bad-json", "bad-schema"]
    assert all(d["stage"] == "enrich" and d["error"] for d in dead)
    assert any("not valid JSON" in d["error"] for d in dead)
    assert any("breaks schema" in d["error"] for d in dead)
    assert {d["payload"] for d in dead} == {"{this is not json", '{"article_id":"nope","title":3}'}

    # The counters this run incremented are visible over HTTP (process-global, so at least ours).
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in metrics.splitlines()
        if line and not line.startswith("#")
    }
    assert values["newswire_enrich_events_in_total"] >= 3
    assert values["newswire_enrich_events_out_total"] >= 1
    assert values['newswire_enrich_events_failed_total{reason="invalid_event"}'] >= 2
    assert missing.status_code == 404


async def test_readiness_reports_kafka_and_topics(topics: Settings, enricher: Enricher) -> None:
    daemon = EnrichDaemon(topics, enricher=enricher)
    server = await HealthServer([daemon.health], port=0).start()
    task = asyncio.create_task(daemon.run())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            async with asyncio.timeout(30):
                while (await client.get("/readyz")).status_code != 200:
                    await asyncio.sleep(0.2)
            assert (await client.get("/healthz")).status_code == 200
    finally:
        daemon.stopper.stop()
        await task
        await server.stop()


def _write_config(path: Path, settings: Settings, *, workers: int = 1) -> None:
    k = settings.kafka
    path.write_text(
        f'[kafka]\nbootstrap_servers = "{k.bootstrap_servers}"\ntopic_prefix = "{k.topic_prefix}"\n'
        f"partitions = {k.partitions}\ntransaction_timeout_ms = {k.transaction_timeout_ms}\n"
        f"session_timeout_ms = {k.session_timeout_ms}\n"
        f'[enrich]\ngroup_id = "{settings.enrich.group_id}"\nbatch_size = 8\nworkers = {workers}\n'
        '[observe]\nenrich_port = 0\nlog_format = "json"\n'
    )


async def test_killed_enrich_process_loses_and_duplicates_nothing(broker, tmp_path: Path) -> None:
    settings = make_settings(broker.bootstrap_servers, kafka={"partitions": 4})
    await ensure_topics(settings)
    articles = article_copies(120)
    await publish(settings, [(a.article_id.encode(), encode_event(a)) for a in articles])
    # The survivor runs NER on a pool of 2 worker processes (enrich.workers); the victim in-process.
    clis = []
    for i, workers in enumerate((1, 2)):
        config = tmp_path / f"newswire-{i}.toml"
        _write_config(config, settings, workers=workers)
        clis.append(
            [sys.executable, "-m", "newswire.cli", "--config", str(config), "enrich", "--idle-timeout", "12"]
        )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    logs = [(tmp_path / f"p{i}.log").open("wb") for i in range(2)]
    procs = [subprocess.Popen(clis[i], stdout=logs[i], stderr=subprocess.STDOUT, env=env) for i in range(2)]
    try:
        # Kill one process once enriched events are flowing.
        async with asyncio.timeout(90):
            while len(await read(settings, "enriched")) < 10:
                await asyncio.sleep(0.5)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()
        assert await asyncio.to_thread(procs[1].wait, 150) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for f in logs:
            f.close()
    ids = Counter(orjson.loads(v)["article"]["article_id"] for v in await read(settings, "enriched"))
    assert set(ids) == {a.article_id for a in articles}, "an article was lost"
    assert max(ids.values()) == 1, f"duplicated: {[k for k, c in ids.items() if c > 1]}"


async def test_two_publishers_carrying_one_wire_story_share_a_story_id(
    topics: Settings, enricher: Enricher
) -> None:
    base = seed_article()
    wire = dataclasses.replace(
        base,
        url="https://wire.example/baltics",
        canonical_url="https://wire.example/baltics",
        article_id=article_id_for("https://wire.example/baltics"),
    )
    paragraphs = base.body.split("\n\n")
    rewrite_body = "\n\n".join([*paragraphs[1:], "This story was provided by Reuters."])  # edited copy
    rewrite = dataclasses.replace(
        base,
        url="https://paper.example/nato",
        canonical_url="https://paper.example/nato",
        article_id=article_id_for("https://paper.example/nato"),
        title="Baltic states ask NATO for more troops",
        body=rewrite_body,
    )
    other_body = (
        "The city council approved a new budget for public libraries on Monday, adding opening hours "
        "on Sundays and funding for children's reading programmes across all districts. "
    ) * 5
    other = dataclasses.replace(
        base,
        url="https://paper.example/libraries",
        canonical_url="https://paper.example/libraries",
        article_id=article_id_for("https://paper.example/libraries"),
        title="Libraries open on Sundays",
        body=other_body,
    )
    await publish(topics, [(a.article_id.encode(), encode_event(a)) for a in (wire, rewrite, other)])
    await EnrichDaemon(topics, enricher=enricher, idle_timeout_s=3).run()
    stories = {e.article.article_id: e.story for e in map(decode_enriched, await read(topics, "enriched"))}
    assert all(story is not None for story in stories.values())
    assert stories[wire.article_id].story_id == stories[rewrite.article_id].story_id == wire.article_id
    assert stories[rewrite.article_id].size == 2 and stories[rewrite.article_id].similarity
    assert stories[other.article_id].story_id == other.article_id


class _Slow:
    """An enricher that takes a while per batch, so batches are in flight when the group rebalances."""

    def __init__(self, inner: Enricher, lock: threading.Lock) -> None:
        self.inner, self.lock = inner, lock

    def enrich_batch(self, articles: Sequence[ArticleEvent], *, now: datetime | None = None) -> list[Any]:
        time.sleep(0.3)
        with self.lock:  # one model shared by two daemons in this process
            return self.inner.enrich_batch(articles, now=now)


async def test_a_member_joining_mid_stream_loses_and_duplicates_nothing(broker, enricher: Enricher) -> None:
    """Batches are enriched ahead of publishing; a rebalance must void the unpublished one, not commit it."""
    settings = make_settings(broker.bootstrap_servers, kafka={"partitions": 4}, enrich={"batch_size": 8})
    await ensure_topics(settings)
    articles = article_copies(80)
    await publish(settings, [(a.article_id.encode(), encode_event(a)) for a in articles])
    lock = threading.Lock()
    first = EnrichDaemon(settings, enricher=_Slow(enricher, lock), idle_timeout_s=8)
    other = settings.model_copy(
        update={"enrich": settings.enrich.model_copy(update={"instance_id": "second"})}
    )
    second = EnrichDaemon(other, enricher=_Slow(enricher, lock), idle_timeout_s=8)
    running = asyncio.create_task(first.run())
    async with asyncio.timeout(60):
        while first.processed < 16:
            await asyncio.sleep(0.1)
    await asyncio.gather(running, second.run())
    ids = Counter(orjson.loads(v)["article"]["article_id"] for v in await read(settings, "enriched"))
    assert set(ids) == {a.article_id for a in articles}, "an article was lost"
    assert max(ids.values()) == 1, f"duplicated: {[k for k, c in ids.items() if c > 1]}"
    assert second.processed > 0, "the newcomer was given no partitions"
