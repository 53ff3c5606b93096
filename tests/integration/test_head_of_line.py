"""A slow URL never holds back the URLs behind it on its urls partition (it is parked).

The fetch role commits each partition in offset order, so before, one page trickling a
byte at a time held every later article of its partition (other hosts' included) until
it finished. Now the slow URL's offset is released with a marker in fetch-state and its
fetch goes on: the articles behind it become visible within about ``park_after_s``, and
the slow one is committed when it finishes, each exactly once.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.bus.records import Record
from newswire.bus.records.urls import encode as encode_candidate
from newswire.bus.records.urls import key as url_key
from newswire.bus.tail import iter_topic
from newswire.config import Settings
from newswire.daemons.ingest import IngestDaemon
from newswire.sources import Candidate
from tests.fakesite import FakeSite
from tests.integration.test_cli import CLI
from tests.support.daemon_procs import kafka_table, wait_for, write_config
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

DRIP_S = 20.0


async def slow_then_good(settings: Settings, site: FakeSite, drip_s: float) -> tuple[str, list[str]]:
    """Write a trickling page's URL and then the site's articles to one urls partition."""
    await ensure_topics(settings)
    slow = site.url(f"/drip?chunks={int(drip_s * 2)}&delay=0.5")  # no Content-Length
    good = site.article_urls()
    records: list[Record] = [
        (settings.topic("urls"), url_key(slow), encode_candidate(Candidate(url=url, source="test")), [])
        for url in [slow, *good]
    ]
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "test producer")
    try:
        await send_all(producer, records, partition=0)  # the slow one first, the rest behind it
    finally:
        await producer.stop()
    return slow, good


async def markers(settings: Settings) -> dict[str, list[bool]]:
    """Per parked URL, its marker records in fetch-state in order: True set, False cleared."""
    out: dict[str, list[bool]] = {}
    async for r in iter_topic(settings, settings.topic("fetch-state")):
        if r.key and r.key.startswith(b"\x00parked\x00"):
            out.setdefault(r.key.split(b"\x00", 2)[2].decode(), []).append(r.value is not None)
    return out


async def handled(settings: Settings) -> Counter[str]:
    """Every URL with an article event or a dead letter, and how often."""
    urls = await article_urls(settings)
    letters = [orjson.loads(r.value) async for r in iter_topic(settings, settings.topic("dead-letters"))]
    return Counter(urls + [d["context"]["url"] for d in letters])


async def article_urls(settings: Settings) -> list[str]:
    return [orjson.loads(r.value)["url"] async for r in iter_topic(settings, settings.topic("articles"))]


async def test_a_trickling_page_does_not_delay_the_articles_behind_it(broker, fake_site: FakeSite) -> None:
    settings = site_settings(
        broker,
        fake_site,
        [],
        fetch={"read_timeout_s": 5, "total_timeout_s": DRIP_S * 3, "per_host_concurrency": 4},
    )
    slow, good = await slow_then_good(settings, fake_site, DRIP_S)

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

    assert await handled(settings) == Counter([slow, *good])  # the slow page too, once, after its fetch
    assert (await markers(settings))[slow] == [True, False]  # parked, then cleared with its result
    assert all(history[-1] is False for history in (await markers(settings)).values())


async def test_a_process_killed_while_a_url_is_parked_leaves_it_to_the_next_owner_exactly_once(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    settings = site_settings(
        broker, fake_site, [], fetch={"read_timeout_s": 5, "total_timeout_s": 60, "per_host_concurrency": 4}
    )
    slow, good = await slow_then_good(settings, fake_site, drip_s=15)
    config = write_config(
        tmp_path / "newswire.toml",
        {
            "kafka": kafka_table(settings),
            "ingest": {"group_id": settings.ingest.group_id, "instance_id": "victim"},
            "fetch": {
                "allowed_hosts": list(settings.fetch.allowed_hosts),
                "per_host_delay_s": 0,
                "per_host_concurrency": 4,
                "read_timeout_s": 5,
                "total_timeout_s": 60,
            },
            "observe": {"ingest_port": 0},
        },
        [],
    )
    victim = subprocess.Popen(
        [*CLI, "--config", str(config), "ingest"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        await wait_for(
            lambda: parked_and_published(settings, good), 60, "the slow URL parked, the rest published"
        )
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)

    # The next owner finds the marker, fetches the slow page itself and clears the marker.
    await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=3.0).run()

    assert await handled(settings) == Counter([slow, *good])  # each once: none lost, none twice
    parked = await markers(settings)
    assert parked[slow] == [True, False]  # parked by the victim, cleared by the next owner
    assert all(history[-1] is False for history in parked.values())  # nothing left parked


async def parked_and_published(settings: Settings, good: list[str]) -> bool:
    return bool(await markers(settings)) and set(good) <= set(await article_urls(settings))
