"""A daemon that redoes the same batch over and over says so: one ERROR line, ``/readyz`` not
ready with the reason, and the stuck partition's offset as ``newswire_stuck_offset``; the first
commit that moves clears all three.

The failure here is one the redo reproduces: the ``enriched`` and ``dead-letters`` topics were
created (by someone else) with a 2 KB ``max.message.bytes``, so the broker refuses every enriched
event and every dead letter. Before, the only sign was a WARNING line repeating.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from prometheus_client import REGISTRY

from newswire.bus import ensure_topics, topic_specs
from newswire.bus.tail import iter_topic
from newswire.config import Settings
from newswire.daemons.enrich import EnrichDaemon
from newswire.daemons.ingest import IngestDaemon
from newswire.enrich import Enricher
from newswire.events import encode_event
from newswire.observe import HealthServer
from tests.fakesite import FakeSite
from tests.integration.test_enrich_daemon import publish, read, seed_article
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

SMALL = {"enriched", "dead-letters"}


def stuck_offset(settings: Settings, partition: int) -> float | None:
    labels = {"daemon": "enrich", "topic": settings.topic("articles"), "partition": str(partition)}
    return REGISTRY.get_sample_value("newswire_stuck_offset", labels)


async def set_max_message_bytes(settings: Settings, names: list[str], value: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    await admin.start()
    try:
        await admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, n, configs={"max.message.bytes": str(value)})
                for n in names
            ]
        )
    finally:
        await admin.close()


async def test_a_batch_that_keeps_failing_is_reported_once_and_clears_when_it_commits(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    small = {settings.topic(n) for n in SMALL}  # type: ignore[arg-type]
    specs = [
        dataclasses.replace(s, configs={**s.configs, "max.message.bytes": "2048"}) if s.name in small else s
        for s in topic_specs(settings)
    ]
    await ensure_topics(settings, specs)
    article = seed_article()
    await publish(settings, [(article.article_id.encode(), encode_event(article))])
    daemon = EnrichDaemon(settings, enricher=Enricher())
    server = await HealthServer([daemon.health], port=0).start()
    task = asyncio.create_task(daemon.run())
    caplog.set_level(logging.WARNING)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            async with asyncio.timeout(90):
                while "stuck" not in (ready := await client.get("/readyz")).text:
                    await asyncio.sleep(0.2)
            assert ready.status_code == 503
            assert f"{settings.topic('articles')}[" in ready.text and "failed commits in a row" in ready.text
            partition = int(ready.text.split(settings.topic("articles") + "[")[1].split("]")[0])
            assert stuck_offset(settings, partition) == 0.0
            errors = [
                r for r in caplog.records if r.levelno == logging.ERROR and "is stuck" in r.getMessage()
            ]
            assert len(errors) == 1

            await set_max_message_bytes(settings, sorted(small), settings.kafka.max_message_bytes)
            async with asyncio.timeout(90):
                while (await client.get("/readyz")).status_code != 200:
                    await asyncio.sleep(0.2)
            assert stuck_offset(settings, partition) is None
            assert REGISTRY.get_sample_value("newswire_redo_streak", {"daemon": "enrich"}) == 0.0
    finally:
        daemon.stopper.stop()
        await task
        await server.stop()
    assert len(await read(settings, "enriched")) == 1  # committed once, after all the redos
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "is stuck" in r.getMessage()]
    assert len(errors) == 1


def published_total() -> float:
    return sum(
        s.value
        for metric in REGISTRY.collect()
        if metric.name == "newswire_articles_published"
        for s in metric.samples
        if s.name == "newswire_articles_published_total"
    )


async def test_ingest_stuck_on_a_refused_article_reports_it_and_counts_only_what_is_published(
    broker, fake_site: FakeSite
) -> None:
    settings = site_settings(broker, fake_site, [{"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}])
    small = {settings.topic("articles"), settings.topic("latest")}
    # The fake site's article events are 0.7-1.0 KB compressed, its longest about 1.5 KB: the broker
    # refuses that one alone, and the others whenever several share a record batch. Work ahead of
    # the refused article may commit between the failures; the article's own work never does.
    specs = [
        dataclasses.replace(s, configs={**s.configs, "max.message.bytes": "1200"}) if s.name in small else s
        for s in topic_specs(settings)
    ]
    await ensure_topics(settings, specs)
    before = published_total()
    daemon = IngestDaemon(settings, inline_extraction=True)
    task = asyncio.create_task(daemon.run())
    try:
        async with asyncio.timeout(90):
            while "stuck" not in daemon.health.not_ready_reason:
                await asyncio.sleep(0.2)
        assert not daemon.health.ready and settings.topic("urls") in daemon.health.not_ready_reason
        visible = [r async for r in iter_topic(settings, settings.topic("articles"))]
        assert len(visible) < len(fake_site.article_urls())  # the refused ones are not
        assert published_total() - before == len(visible)  # counted only once committed
    finally:
        daemon.stopper.stop()
        await task
