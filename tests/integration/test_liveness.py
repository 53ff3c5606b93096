"""Liveness is not readiness: a daemon waiting on Kafka is alive, a daemon whose event loop is blocked is not.

A ``newswire`` daemon process works through a broker of its own; the broker is
SIGKILLed mid-work and kept down for several times ``observe.stall_after_s``.
``/readyz`` says not-ready, and ``/healthz`` keeps answering 200 the whole
time, even when the daemon's work loop stops coming round (enrich's
transaction commit waits on Kafka): restarting the pod would not bring Kafka
back. The other side (``/healthz`` 503 while the event loop is blocked by
synchronous work) is in ``test_health_endpoint.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
from pathlib import Path

import httpx
import pytest

from newswire.broker import EmbeddedBroker, free_port
from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.config import Settings
from newswire.events import article_id_for, encode_event
from newswire.extract import parse_path
from tests.conftest import SEED_ARTICLE, make_settings
from tests.fakesite import FakeSite
from tests.support.daemon_procs import Daemon, crawl_config, kafka_table, metric_sum, wait_for, write_config

pytestmark = pytest.mark.kafka

STALL_AFTER_S = 2.0
OUTAGE_S = 4 * STALL_AFTER_S  # watched after the daemon has noticed the outage


async def _publish_articles(settings: Settings, n: int) -> None:
    base = parse_path(SEED_ARTICLE, url="https://example.test/news/seed")
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "test producer")
    try:
        records = []
        for i in range(n):
            url = f"https://example.test/news/{i}"
            article = dataclasses.replace(base, url=url, canonical_url=url, article_id=article_id_for(url))
            records.append(
                (settings.topic("articles"), article.article_id.encode(), encode_event(article), [])
            )
        await send_all(producer, records)
    finally:
        await producer.stop()


async def _watch_outage(daemon: Daemon, broker: EmbeddedBroker) -> tuple[list[int], list[float]]:
    """Kill the broker; for OUTAGE_S after /readyz noticed, the /healthz codes and work-loop progress ages."""
    statuses: list[int] = []
    progress_ages: list[float] = []
    async with httpx.AsyncClient(base_url=daemon.base_url, timeout=5) as client:
        broker.kill()
        await wait_for(lambda: _status(client, "/readyz", 503), 60, "/readyz to report Kafka down")
        deadline = time.monotonic() + OUTAGE_S
        while time.monotonic() < deadline:  # the outage itself: the fault lasts this long
            response = await client.get("/healthz")
            statuses.append(response.status_code)
            progress_ages += [float(a) for a in re.findall(r"round ([\d.]+)s ago", response.text)]
            assert (await client.get("/readyz")).status_code == 503, "ready while the broker is down"
            await asyncio.sleep(0.2)  # probe interval
    assert daemon.popen.poll() is None, daemon.log_tail()
    return statuses, progress_ages


async def test_enrich_stays_alive_with_its_commit_blocked_on_a_dead_broker(
    own_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(own_broker.bootstrap_servers, kafka={"request_timeout_ms": 5000})
    await ensure_topics(settings)
    await _publish_articles(settings, 3000)
    config = write_config(
        tmp_path / "enrich.toml",
        {
            "kafka": kafka_table(settings),
            "enrich": {
                "group_id": settings.enrich.group_id,
                "batch_size": 4,
                "entities": False,
                "workers": 1,
            },
            "observe": {"log_format": "json", "stall_after_s": STALL_AFTER_S},
        },
        [],
    )
    enrich = Daemon.start("enrich", config, free_port(), tmp_path / "enrich.log")
    try:
        async with httpx.AsyncClient() as client:

            async def enriching() -> bool:
                return metric_sum(await enrich.metrics(client), "newswire_enrich_events_out_total") >= 20

            await wait_for(enriching, 90, "enriched events to flow")
        statuses, progress_ages = await _watch_outage(enrich, own_broker)
    finally:
        enrich.stop(timeout=10)  # Kafka is down: no clean drain to wait for
    assert statuses and set(statuses) == {200}, f"/healthz answered {statuses} during the outage"
    # The work loop really was stuck on Kafka for longer than the stall bound: a liveness check
    # that needed work progress (as /healthz did) would have failed here and had the pod restarted.
    assert max(progress_ages) > STALL_AFTER_S, f"the work loop kept coming round: {progress_ages}"


async def test_ingest_stays_alive_while_kafka_is_down(own_broker: EmbeddedBroker, tmp_path: Path) -> None:
    with FakeSite(n_generated=200) as site:
        settings = make_settings(own_broker.bootstrap_servers, kafka={"request_timeout_ms": 5000})
        config = crawl_config(
            tmp_path / "ingest.toml",
            settings,
            site,
            "liveness",
            ingest={"max_in_flight": 8},
            observe={"stall_after_s": STALL_AFTER_S},
        )

        def pages() -> int:
            with site.state.lock:
                return sum(r.path.startswith("/news/gen-") for r in site.state.requests)

        ingest = Daemon.start("ingest", config, free_port(), tmp_path / "ingest.log")
        try:
            await wait_for(lambda: pages() >= 10, 60, "the first page fetches")
            statuses, _ = await _watch_outage(ingest, own_broker)
        finally:
            ingest.stop(timeout=10)  # Kafka is down: no clean drain to wait for
    assert statuses and set(statuses) == {200}, f"/healthz answered {statuses} during the outage"


async def _status(client: httpx.AsyncClient, path: str, code: int) -> bool:
    try:
        return (await client.get(path)).status_code == code
    except httpx.TransportError:
        return False
