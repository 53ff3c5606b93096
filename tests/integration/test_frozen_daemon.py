"""A frozen ingest daemon (SIGSTOP, a stand-in for a long GC or VM pause) loses and duplicates nothing.

The pause outlasts the consumer session and the transaction timeout, so when the daemon runs
again its group membership is gone and the broker has aborted (and fenced) the transaction it
had open. It must redo that work from the right offset, not stop early on ``--idle-timeout``
(the pause is no idleness), and not end with a traceback. Two pauses a run, each at a random
moment of the crawl: a transaction is open at about half of them.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
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

ARTICLES = 150
PAUSES_AT = (25, 90)  # page fetches before each pause
PAUSE_S = 20.0  # past session_timeout_ms (6 s) and transaction_timeout_ms (10 s) of make_settings


async def test_a_daemon_frozen_past_the_transaction_timeout_loses_and_duplicates_nothing(
    own_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    with FakeSite(n_generated=ARTICLES) as site:
        settings = make_settings(own_broker.bootstrap_servers, kafka={"request_timeout_ms": 5000})
        config = crawl_config(
            tmp_path / "ingest.toml",
            settings,
            site,
            "frozen",
            # a transaction is open much of the time
            ingest={"max_in_flight": 16, "commit_interval_ms": 20},
            fetch={"per_host_delay_s": 0.03},
        )

        def fetched() -> int:
            with site.state.lock:
                return sum(1 for r in site.state.requests if r.path.startswith("/news/gen-"))

        ingest = Daemon.start("ingest", config, free_port(), tmp_path / "ingest.log", "--idle-timeout", "10")
        try:
            async with httpx.AsyncClient() as client:
                await wait_for(lambda: ingest.ready(client), 60, "ingest to be ready")
                for at in PAUSES_AT:
                    await wait_for(lambda: fetched() >= at, 120, f"{at} page fetches")  # noqa: B023
                    await asyncio.sleep(random.random() * 0.3)
                    os.killpg(ingest.pid, signal.SIGSTOP)
                    try:
                        await asyncio.sleep(PAUSE_S)
                    finally:
                        os.killpg(ingest.pid, signal.SIGCONT)
            code = await asyncio.to_thread(ingest.popen.wait, 300)
            assert code == 0, ingest.log_tail()
        finally:
            ingest.stop()
        records = iter_topic(settings, settings.topic("articles"), settled=True)
        counts = Counter([orjson.loads(r.value)["url"] async for r in records])
        generated = set(site.generated_urls())
    lost = sorted(generated - set(counts), key=lambda url: int(url.rsplit("-", 1)[1]))
    assert not lost, f"lost {len(lost)}: {lost[:5]}…; ingest's warnings:\n{ingest.notable_lines()}"
    assert max(counts.values()) == 1, f"published twice: {[u for u, n in counts.items() if n > 1][:5]}"
