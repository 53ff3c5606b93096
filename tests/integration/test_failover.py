"""Leader failover on a three-broker cluster: the broker leading the most partitions is SIGKILLed
while ingest and enrich run, left down, and started again later.

Topics have three replicas and ``min.insync.replicas=2``, so the two survivors take over every
partition it led (and any coordinator it hosted): nothing is lost, nothing is published twice,
and the pipeline commits again within seconds. ``bench/failover.py`` repeats this over several
kills and reports the seconds without progress; this test does one.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from newswire.broker import EmbeddedCluster
from newswire.bus import describe_topics, ensure_topics
from newswire.bus.tail import tail
from tests.conftest import make_settings
from tests.fakesite import FakeSite
from tests.support.daemon_procs import wait_for
from tests.support.failover import CommitWatch, kill_busiest_leader, leader_counts, start_pipeline

pytestmark = pytest.mark.kafka

ARTICLES = 60


async def test_killing_the_busiest_leader_loses_and_duplicates_nothing(
    cluster: EmbeddedCluster, tmp_path: Path
) -> None:
    with FakeSite(n_generated=ARTICLES) as site:
        settings = make_settings(
            cluster.bootstrap_servers,
            sources=[{"kind": "sitemap", "url": site.url("/sitemaps/generated.xml.gz"), "interval_s": 3600}],
            fetch={"allowed_hosts": [site.host_port], "per_host_delay_s": 0.15, "retries": 1},
            kafka={"replication_factor": 3, "request_timeout_ms": 5000, "session_timeout_ms": 6000},
        )
        await ensure_topics(settings)
        [articles_topic] = await describe_topics(settings, [settings.topic("articles")])
        assert articles_topic["configs"]["min.insync.replicas"] == "2"  # one replica may be lost, not two
        daemon = start_pipeline(settings, tmp_path)
        try:
            async with CommitWatch(settings) as watch:

                async def enriching() -> bool:
                    assert daemon.popen.poll() is None, daemon.log_tail()
                    return len(watch.seen) >= 8

                await wait_for(enriching, 120, "the first enriched events")
                kill = await kill_busiest_leader(cluster, settings, watch)
                assert kill.seconds_without_progress is not None, "nothing committed within 120 s of the kill"
                assert kill.node not in await leader_counts(settings), "the killed broker still leads"
                await asyncio.sleep(3)  # keep it down a while longer, then bring it back
                await asyncio.to_thread(cluster.brokers[kill.node].start)
                deadline = time.monotonic() + 150
                while len(watch.urls()) < ARTICLES and time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
        finally:
            assert daemon.stop() == 0, daemon.log_tail()
        articles = Counter(
            [
                orjson.loads(doc)["url"]
                async for doc in tail(settings, settings.topic("articles"), from_beginning=True)
            ]
        )
    generated = set(site.generated_urls())
    enriched = watch.urls()
    assert set(enriched) == generated, f"lost from enriched: {sorted(generated - set(enriched))[:5]}"
    assert max(enriched.values()) == 1, "an article was enriched twice"
    assert set(articles) == generated, f"lost from articles: {sorted(generated - set(articles))[:5]}"
    assert max(articles.values()) == 1, "an article was published twice"
