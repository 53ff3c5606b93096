"""A source poll that fails after its fetch is redone in full, not answered by a 304 and skipped.

The fake site answers the feed's validators with 304. If discovery kept the
validators of a poll whose candidates never reached Kafka, the next poll would
get that 304, see no document, and the feed's articles would be lost until the
feed changed. Here the first hand-off to Kafka fails (as it does while the
broker restarts); the retry must fetch the feed in full and hand on every item.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from newswire.broker import EmbeddedBroker
from newswire.bus import ensure_topics
from newswire.bus.runner import Session
from newswire.config import SourceSettings
from newswire.daemons._discover_role import DiscoverRole
from newswire.daemons._runtime import Stopper
from newswire.daemons._sources_publish import publish_sources
from newswire.errors import BusError
from newswire.fetch import Fetcher
from newswire.observe import Health
from tests.conftest import make_settings
from tests.fakesite import FakeSite
from tests.support.daemon_procs import wait_for

pytestmark = pytest.mark.kafka


async def test_a_feed_whose_candidates_could_not_be_sent_is_fetched_in_full_again(
    broker: EmbeddedBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    sends = 0
    send = Session.send

    async def refused_once(session: Session, records: Any) -> Any:
        nonlocal sends
        records = list(records)
        if any(topic.endswith("urls") for topic, *_ in records):
            sends += 1
            if sends == 1:
                raise BusError("sending to urls: the broker is restarting (injected)")
        return await send(session, records)

    monkeypatch.setattr(Session, "send", refused_once)
    with FakeSite() as site:
        settings = make_settings(
            broker.bootstrap_servers,
            fetch={"allowed_hosts": [site.host_port], "per_host_delay_s": 0.0, "retries": 0},
        )
        await ensure_topics(settings)
        await publish_sources(
            settings, [SourceSettings(name="rss", kind="feed", url=site.url("/feeds/rss.xml"), interval_s=1)]
        )
        stopper = Stopper()
        async with Fetcher(settings.fetch) as fetcher:
            role = DiscoverRole(settings, fetcher, stopper=stopper, health=Health("ingest"))
            task = asyncio.create_task(role.run())
            try:
                await wait_for(
                    lambda: task.done() or role.candidates_published >= len(site.article_urls()),
                    60,
                    "every feed item handed on after the failed first poll",
                )
                status = role.schedule.status("rss")
            finally:
                stopper.stop()
                await task
        feed_requests = [r for r in site.state.requests if r.path == "/feeds/rss.xml"]
    assert status.error_count >= 1 and "broker is restarting" in (status.last_error or "")
    assert role.candidates_published == len(site.article_urls()) == 11
    # The retry asked without the failed poll's validators, so it got the whole feed.
    assert "if-none-match" not in feed_requests[1].headers, feed_requests[1].headers
