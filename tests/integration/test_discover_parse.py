"""Feeds and sitemaps are parsed off the event loop, each within ``ingest.parse_timeout_s``.

The discovery role polls a fake site on loopback through the session broker.
A 2 MB feed keeps feedparser busy for seconds: parsed in the role's parser
process, it leaves the event loop free (``/healthz``, answered against the
loop's heartbeat, never fails while it parses), and its candidates come back
across the process boundary. A feed that overruns the bound fails its source's
poll with a reason that names the setting, its parser process is replaced, and
the other sources keep being polled and parsed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from prometheus_client import REGISTRY

from newswire.broker import EmbeddedBroker
from newswire.bus import ensure_topics
from newswire.config import Settings, SourceSettings
from newswire.daemons._discover_role import DiscoverRole
from newswire.daemons._runtime import Stopper
from newswire.daemons._sources_publish import publish_sources
from newswire.fetch import Fetcher
from newswire.observe import Health, HealthServer
from newswire.pool import WorkerPool, parse_pool
from newswire.sources import SourceStatus
from tests.conftest import make_settings
from tests.fakesite import FakeSite
from tests.support.daemon_procs import wait_for

pytestmark = pytest.mark.kafka


def _settings(broker: EmbeddedBroker, site: FakeSite, parse_timeout_s: float) -> Settings:
    return make_settings(
        broker.bootstrap_servers,
        ingest={"parse_timeout_s": parse_timeout_s},
        fetch={"allowed_hosts": [site.host_port], "per_host_delay_s": 0.0, "retries": 0},
    )


async def _discover_until(
    settings: Settings,
    sources: list[SourceSettings],
    *,
    parser: WorkerPool,
    health: Health,
    done: Callable[[DiscoverRole], bool],
    what: str,
) -> tuple[DiscoverRole, dict[str, SourceStatus]]:
    """Run a discovery role over ``sources`` until ``done(role)``; return it and its sources' statuses."""
    await ensure_topics(settings)
    await publish_sources(settings, sources)
    stopper = Stopper()
    async with Fetcher(settings.fetch) as fetcher:
        role = DiscoverRole(settings, fetcher, stopper=stopper, health=health, parser=parser)
        task = asyncio.create_task(role.run())
        try:
            await wait_for(lambda: task.done() or done(role), 120, what)
            statuses = {status.key: status for status in role.schedule.statuses()}
        finally:
            stopper.stop()
            await task
    return role, statuses


def _parsed_once(role: DiscoverRole) -> bool:
    return "big" in role.schedule and role.schedule.status("big").success_count > 0


def _polls_failed(kind: str) -> float:
    labels = {"kind": kind, "outcome": "failed"}
    return REGISTRY.get_sample_value("newswire_source_polls_total", labels) or 0.0


async def test_a_feed_that_overruns_the_parse_bound_fails_its_poll_and_the_rest_carry_on(
    broker: EmbeddedBroker,
) -> None:
    with FakeSite() as site:
        # 20,000 items (5 MB) take about 1.8 s to parse here even on the lxml path; the worker's
        # start-up does not count against the bound, so 0.5 s is safe for the sitemap.
        settings = _settings(broker, site, parse_timeout_s=0.5)
        sources = [
            SourceSettings(
                name="huge", kind="feed", url=site.url("/feeds/huge.xml?items=20000"), interval_s=1
            ),
            SourceSettings(name="site", kind="sitemap", url=site.url("/sitemap.xml"), interval_s=1),
        ]
        failed_before = _polls_failed("feed")
        parser = parse_pool()
        try:

            def huge_failed_then_site_parsed(role: DiscoverRole) -> bool:
                huge = role.schedule.status("huge") if "huge" in role.schedule else None
                site_ = role.schedule.status("site") if "site" in role.schedule else None
                return bool(
                    huge
                    and site_
                    and huge.last_failure
                    and site_.last_success
                    and site_.last_success > huge.last_failure  # a poll that began after the kill
                )

            role, statuses = await _discover_until(
                settings,
                sources,
                parser=parser,
                health=Health("ingest"),
                done=huge_failed_then_site_parsed,
                what="the huge feed to time out and the sitemap to be parsed afterwards",
            )
        finally:
            parser.shutdown(wait=False)
    huge = statuses["huge"]
    assert huge.success_count == 0 and huge.error_count >= 1
    assert huge.last_error is not None and "ingest.parse_timeout_s=0.5 s" in huge.last_error, huge.last_error
    assert _polls_failed("feed") >= failed_before + 1
    assert parser.renewals >= 1  # the overrunning worker was killed and replaced
    assert statuses["site"].success_count >= 1 and role.candidates_published > 0


async def test_the_event_loop_keeps_running_while_a_big_feed_is_parsed(broker: EmbeddedBroker) -> None:
    with FakeSite() as site:
        settings = _settings(broker, site, parse_timeout_s=120)
        sources = [SourceSettings(name="big", kind="feed", url=site.url("/feeds/huge.xml?items=8000"))]
        health = Health("ingest", stall_after_s=1.0)
        parser = parse_pool()
        probing = threading.Event()
        codes: list[int] = []

        def probe(port: int) -> None:
            """Probe /healthz from another thread, as the kubelet does, until the feed is parsed."""
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
                while probing.is_set():
                    codes.append(client.get("/healthz").status_code)
                    time.sleep(0.1)  # probe interval

        try:
            async with HealthServer([health]) as server:
                probing.set()
                prober = threading.Thread(target=probe, args=(server.port,))
                prober.start()
                try:
                    started = time.monotonic()
                    role, _ = await _discover_until(
                        settings,
                        sources,
                        parser=parser,
                        health=health,
                        done=lambda role: (
                            "big" in role.schedule and role.schedule.status("big").success_count > 0
                        ),
                        what="the big feed to be parsed",
                    )
                    took = time.monotonic() - started
                finally:
                    probing.clear()
                    await asyncio.to_thread(prober.join)
        finally:
            parser.shutdown(wait=False)
    assert role.candidates_published == 8000  # parsed in the worker, pickled back whole
    assert len(codes) >= 5 and set(codes) == {200}, f"/healthz during a {took:.1f}s parse: {codes}"
