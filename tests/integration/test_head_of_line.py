"""A slow URL never holds back the URLs behind it on its urls partition (it is parked).

The fetch role commits each partition in offset order, so before, one page trickling a
byte at a time held every later article of its partition (other hosts' included) until
it finished. Now the slow URL's offset is released with a marker in fetch-state and its
fetch goes on: the articles behind it become visible within about ``park_after_s``, and
the slow one is committed when it finishes, each exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import orjson
import pytest

from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.bus.clients import Record
from newswire.bus.tail import iter_topic
from newswire.config import Settings
from newswire.daemons._url_work import encode_candidate, url_key
from newswire.daemons.ingest import IngestDaemon
from newswire.sources import Candidate
from tests.fakesite import FakeSite
from tests.integration.test_ingest_site import site_settings

pytestmark = pytest.mark.kafka

DRIP_S = 20.0


async def article_urls(settings: Settings) -> list[str]:
    return [orjson.loads(r.value)["url"] async for r in iter_topic(settings, settings.topic("articles"))]


async def test_a_trickling_page_does_not_delay_the_articles_behind_it(broker, fake_site: FakeSite) -> None:
    settings = site_settings(
        broker,
        fake_site,
        [],
        fetch={"read_timeout_s": 5, "total_timeout_s": DRIP_S * 3, "per_host_concurrency": 4},
    )
    await ensure_topics(settings)
    slow = fake_site.url(f"/drip?chunks={int(DRIP_S * 2)}&delay=0.5")  # no Content-Length, 20 s
    good = fake_site.article_urls()
    key = url_key(slow)
    records: list[Record] = [
        (settings.topic("urls"), key, encode_candidate(Candidate(url=url, source="test")), [])
        for url in [slow, *good]
    ]
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "test producer")
    try:
        await send_all(producer, records, partition=0)  # the slow one first, the rest behind it
    finally:
        await producer.stop()

    started = time.monotonic()
    daemon = asyncio.create_task(IngestDaemon(settings, inline_extraction=True, idle_timeout_s=3.0).run())
    try:
        async with asyncio.timeout(DRIP_S * 2):
            while not set(good) <= set(await article_urls(settings)):
                await asyncio.sleep(0.5)
        visible_after = time.monotonic() - started
        assert visible_after < DRIP_S / 2, f"the articles waited {visible_after:.1f}s behind the slow page"
        assert not daemon.done()  # the slow page is still being fetched
    finally:
        await asyncio.wait_for(daemon, DRIP_S * 3)

    urls = await article_urls(settings)
    letters = [orjson.loads(r.value) async for r in iter_topic(settings, settings.topic("dead-letters"))]
    handled = urls + [d["context"]["url"] for d in letters]
    assert Counter(handled) == Counter([slow, *good])  # the slow page too, once, after its fetch
    markers = [
        r async for r in iter_topic(settings, settings.topic("fetch-state")) if r.key.startswith(b"\x00")
    ]
    assert [m.value is None for m in markers] == [False, True]  # parked, then cleared with its result
