"""Backpressure: while Kafka is unreachable, ingest stops fetching after a bounded buffer.

A ``newswire ingest`` process crawls a paced fake site through a dedicated
broker; the broker is SIGKILLed mid-crawl and kept down for a while. Pages the
daemon had accepted (at most ``ingest.max_in_flight``) may still be fetched,
but no new ones: the site's request log shows it. ``/readyz`` says not-ready
during the outage, and once the broker is back the daemon becomes ready again
and publishes every article exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx
import orjson
import pytest

from newswire.broker import EmbeddedBroker, free_port
from newswire.bus.tail import iter_topic
from tests.conftest import make_settings
from tests.fakesite import FakeSite
from tests.support.daemon_procs import Daemon, crawl_config, wait_for

pytestmark = pytest.mark.kafka

ARTICLES = 240
MAX_IN_FLIGHT = 16
SLACK = 2  # a retry of a page that was already being fetched when the broker died
OUTAGE_S = 12.0  # how long the broker stays down once ingest has noticed
OUTAGE_RSS_MIB = 16  # ingest's memory (workers included) may not grow more than this during the outage
PAGE_DELAY_S = 0.05  # per-host delay: ~20 pages/s, so an unbounded crawl would fetch ~240 pages meanwhile


async def test_ingest_stops_fetching_while_kafka_is_down_and_resumes_exactly_once(
    own_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    with FakeSite(n_generated=ARTICLES) as site:
        settings = make_settings(own_broker.bootstrap_servers, kafka={"request_timeout_ms": 5000})
        config = crawl_config(
            tmp_path / "ingest.toml",
            settings,
            site,
            "backpressure",
            ingest={"max_in_flight": MAX_IN_FLIGHT},
            fetch={"per_host_delay_s": PAGE_DELAY_S},
        )

        def pages() -> list[float]:
            with site.state.lock:
                return [r.at for r in site.state.requests if r.path.startswith("/news/gen-")]

        ingest = Daemon.start("ingest", config, free_port(), tmp_path / "ingest.log", "--idle-timeout", "8")
        try:
            async with httpx.AsyncClient() as client:
                await wait_for(lambda: ingest.ready(client), 60, "ingest to be ready")
                await wait_for(lambda: len(pages()) >= 30, 60, "the first 30 page fetches")

                killed_at = time.monotonic()
                own_broker.kill()
                await wait_for(
                    lambda: _not_ready(ingest, client), 60, "/readyz to report not-ready with the broker down"
                )
                memory_at_outage = ingest.memory()
                noticed_after = time.monotonic() - killed_at
                await asyncio.sleep(OUTAGE_S)  # the outage itself: the fault lasts this long
                assert await ingest.ready(client) is False, "ready while the broker is down"
                fetched_during_outage = [t for t in pages() if t >= killed_at]
                memory_late_outage = ingest.memory()

                await asyncio.to_thread(own_broker.start)
                await wait_for(lambda: ingest.ready(client), 90, "ingest to be ready again")
            code = await asyncio.to_thread(ingest.popen.wait, 240)
            assert code == 0, ingest.log_tail()
        finally:
            ingest.stop()

        # Settled: read once the broker has written the markers of every transaction it committed.
        records = iter_topic(settings, settings.topic("articles"), settled=True)
        counts = Counter([orjson.loads(r.value)["url"] async for r in records])
        generated = set(site.generated_urls())
        letters = [
            orjson.loads(r.value)
            async for r in iter_topic(settings, settings.topic("dead-letters"), settled=True)
        ]
        print(
            f"\nbackpressure: broker down {noticed_after + OUTAGE_S:.1f}s, "
            f"{len(fetched_during_outage)} pages fetched meanwhile (bound {MAX_IN_FLIGHT} + {SLACK}); "
            "ingest tree RSS "
            f"{memory_at_outage.tree_kb / 1024:.1f} -> {memory_late_outage.tree_kb / 1024:.1f} MiB; "
            f"{len(counts)}/{len(generated)} articles, max copies {max(counts.values(), default=0)}"
        )
    assert len(fetched_during_outage) <= MAX_IN_FLIGHT + SLACK, (
        f"{len(fetched_during_outage)} pages fetched while Kafka was down (bound {MAX_IN_FLIGHT})"
    )
    grown_mib = (memory_late_outage.tree_kb - memory_at_outage.tree_kb) / 1024
    assert grown_mib < OUTAGE_RSS_MIB, f"ingest grew {grown_mib:.1f} MiB while Kafka was down"
    lost = sorted(generated - set(counts), key=lambda url: int(url.rsplit("-", 1)[1]))
    lettered = [
        f"{d['context'].get('url')}: {d['error']}" for d in letters if d["context"].get("url") in lost
    ]
    assert not lost, (
        f"lost {len(lost)}: {lost[:5]}…; dead letters of these: {lettered[:5]}; "
        f"ingest's warnings:\n{ingest.notable_lines()}"
    )
    assert max(counts.values()) == 1, f"published twice: {[u for u, n in counts.items() if n > 1][:5]}"


async def _not_ready(daemon: Daemon, client: httpx.AsyncClient) -> bool:
    return await daemon.ready(client) is False
