"""Ingest's fetch role exports its backlog on ``urls`` as ``newswire_consumer_lag`` on ``/metrics``.

An operator scales ingest on this series (as on enrich's lag over ``articles``):
it must show the backlog while a crawl runs and drop to zero once every URL is done.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from newswire.broker import free_port
from newswire.config import Settings
from newswire.daemons import serve
from tests.fakesite import FakeSite
from tests.integration.test_ingest_site import articles
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

ARTICLES = 40


def urls_lag(metrics_text: str, settings: Settings) -> dict[str, float]:
    """``newswire_consumer_lag`` of this test's fetch group on its urls topic, by partition."""
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name == "newswire_consumer_lag"
                and labels.get("group") == f"{settings.ingest.group_id}-fetch"
                and labels.get("topic") == settings.topic("urls")
            ):
                out[labels["partition"]] = sample.value
    return out


async def test_fetch_role_exports_urls_lag_that_drains_to_zero(broker) -> None:
    # Crawl-delay paces the single host, so the sitemap's URLs wait in the partition for a while.
    with FakeSite(n_generated=ARTICLES, crawl_delay=0.05) as site:
        sitemap = {"kind": "sitemap", "url": site.url("/sitemaps/generated.xml.gz"), "interval_s": 3600}
        settings = site_settings(broker, site, [sitemap], ingest={"max_in_flight": 8})
        port = free_port()
        daemon = asyncio.create_task(
            serve(settings, ["ingest"], port=port, idle_timeout_s=4.0, inline_extraction=True)
        )
        samples: list[dict[str, float]] = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            async with asyncio.timeout(120):
                while not daemon.done():
                    try:
                        response = await client.get("/metrics")
                    except httpx.TransportError:  # not listening yet, or already closed
                        await asyncio.wait({daemon}, timeout=0.1)
                        continue
                    lag = urls_lag(response.text, settings)
                    if lag:
                        samples.append(lag)
                    await asyncio.wait({daemon}, timeout=0.1)
        assert daemon.result() == 0
        published = {e.url for e in await articles(settings)}
        assert published == set(site.generated_urls())

    assert samples, "no newswire_consumer_lag series for the urls topic on /metrics"
    # One host, so one partition holds every URL: its lag showed the backlog, then drained.
    [partition] = {p for sample in samples for p in sample}
    peak = max(sample[partition] for sample in samples)
    assert peak >= ARTICLES // 2, f"the backlog never showed: peak lag {peak}"
    assert samples[-1][partition] == 0, f"lag did not drain: {samples[-5:]}"
