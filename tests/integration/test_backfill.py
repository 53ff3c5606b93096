"""``newswire backfill sitemap``: an archive crawled once, its URLs queued once, resumable after a kill.

The fake site serves ``/sitemaps/archive.xml``, an index of gzip'd child
sitemaps over its generated articles. Tests read back what a user would see:
the ``urls`` topic the ingest daemon consumes (read committed), the articles
ingest publishes from it, ``newswire status``, and which sitemaps the site served.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from newswire.bus.records.urls import decode as decode_candidate
from newswire.bus.tail import read_topic
from newswire.commands.backfill import BackfillProgress, backfill_key, backfill_sitemap
from newswire.commands.status import source_status
from newswire.config import Settings
from tests.fakesite import FakeSite
from tests.integration.test_ingest_site import articles, run_daemon
from tests.support.daemon_procs import wait_for, write_config
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

CLI = [sys.executable, "-m", "newswire.cli"]


async def queued_urls(settings: Settings) -> list[tuple[bytes | None, Any]]:
    """Every committed record of the urls topic: (key, decoded candidate)."""
    records = await read_topic(settings, settings.topic("urls"))
    return [(r.key, decode_candidate(r.value).candidate) for r in records]


def sitemap_hits(site: FakeSite) -> Counter[str]:
    return Counter({path: site.hits(path) for path in site.archive_sitemaps()})


async def test_backfill_queues_every_archive_url_once_and_ingest_publishes_each_once(broker) -> None:
    with FakeSite(n_generated=45, archive_chunk=10) as site:
        settings = site_settings(broker, site, [])
        archive = site.url("/sitemaps/archive.xml")
        progress: list[BackfillProgress] = []
        result = await backfill_sitemap(settings, archive, progress=progress.append)

        assert result.complete and result.urls_queued == 45
        assert (result.sitemaps_done, result.sitemaps_total) == (6, 6)  # the index and its 5 children
        queued = await queued_urls(settings)
        assert sorted(c.url for _, c in queued) == sorted(site.generated_urls())  # each exactly once
        assert {key for key, _ in queued} == {b"127.0.0.1"}  # keyed by host, like discovered URLs
        assert {c.source for _, c in queued} == {backfill_key(archive)}
        assert all(c.lastmod for _, c in queued)  # the archive's hints travel with the URL
        done = [(p.sitemaps_done, p.sitemaps_total, p.urls_queued) for p in progress if p.finished]
        assert done[-1] == (6, 6, 45) and progress[-1].final
        assert [p[2] for p in done] == sorted(p[2] for p in done)
        assert sitemap_hits(site) == Counter(dict.fromkeys(site.archive_sitemaps(), 1))

        assert await run_daemon(settings) == 45
        events = await articles(settings)
        assert Counter(e.url for e in events) == Counter(site.generated_urls())
        assert {(e.change, e.version) for e in events} == {("created", 1)}

        # A second run finds every child done: nothing fetched but the index, nothing queued.
        again = await backfill_sitemap(settings, archive)
        assert again.complete and again.urls_queued == 0 and again.resumed == 5
        assert sitemap_hits(site) == Counter(dict.fromkeys(site.archive_sitemaps(), 1))
        assert len(await queued_urls(settings)) == 45

        [row] = [r for r in await source_status(settings) if r["source"] == backfill_key(archive)]
        assert row["kind"] == "backfill" and row["articles_last_hour"] == 45 and row["last_success"]


async def test_since_skips_old_sitemaps_unfetched_and_rate_paces_the_queue(broker) -> None:
    with FakeSite(n_generated=30, archive_chunk=10) as site:
        settings = site_settings(broker, site, [])
        since = site.state.generated[13].published  # inside the second child sitemap
        started = time.monotonic()
        result = await backfill_sitemap(settings, site.url("/sitemaps/archive.xml"), since=since, rate=5)
        elapsed = time.monotonic() - started

        assert result.complete and result.skipped_old == 1 and result.urls_old == 3
        assert sorted(c.url for _, c in await queued_urls(settings)) == sorted(site.generated_urls()[13:])
        assert site.hits("/sitemaps/archive-0.xml.gz") == 0  # its index lastmod is older than --since
        # 17 URLs at 5 per second, in chunks of 5: the last chunk cannot start before 12 / 5 s.
        assert result.urls_queued == 17 and elapsed >= 12 / 5


def _cli_config(tmp_path: Path, settings: Settings, site: FakeSite) -> Path:
    k = settings.kafka
    config = tmp_path / "newswire.toml"
    write_config(
        config,
        {
            "kafka": {
                "bootstrap_servers": k.bootstrap_servers,
                "topic_prefix": k.topic_prefix,
                "partitions": k.partitions,
                "transaction_timeout_ms": k.transaction_timeout_ms,
            },
            "ingest": {"group_id": settings.ingest.group_id},
            "fetch": {"allowed_hosts": [site.host_port], "per_host_delay_s": 0, "retries": 1},
        },
        [],
    )
    return config


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NEWSWIRE_", "KAFKA_"))}


async def test_killed_backfill_resumes_without_requeuing_finished_sitemaps(broker, tmp_path) -> None:
    # Crawl-delay paces the sitemap fetches so the kill lands mid-run.
    with FakeSite(n_generated=60, archive_chunk=5, crawl_delay=0.3) as site:
        settings = site_settings(broker, site, [])
        config = _cli_config(tmp_path, settings, site)
        archive = site.url("/sitemaps/archive.xml")
        command = [*CLI, "--config", str(config), "backfill", "sitemap", archive]
        log = (tmp_path / "first.log").open("wb")
        first = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=_env())
        try:
            await wait_for(lambda: sum(sitemap_hits(site).values()) >= 4, 60, "four child sitemaps served")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)

        records = await read_topic(settings, settings.topic("source-status"))
        checkpoints = [orjson.loads(r.value) for r in records if r.key and b" " in r.key]
        finished = {doc["sitemap"] for doc in checkpoints if doc["done"]}
        served_before = sitemap_hits(site)
        assert 3 <= len(finished) < 12, (finished, served_before)

        second = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, timeout=120, env=_env(), check=False
        )
        assert second.returncode == 0, second.stderr.decode()[-2000:]
        out, err = second.stdout.decode(), second.stderr.decode()
        assert "13/13 sitemaps done" in out and f"{len(finished)} of them by earlier runs" in out
        assert "13/13 sitemaps" in err and "URLs queued" in err  # progress lines on stderr

        hits = sitemap_hits(site)
        for path in site.archive_sitemaps():
            if site.url(path) in finished:
                assert hits[path] == 1, f"{path} was finished before the kill but fetched again"
            else:
                assert hits[path] >= 1
        # The kill aborted at most an open transaction: every URL is in the topic exactly once.
        queued = Counter(c.url for _, c in await queued_urls(settings))
        assert queued == Counter(site.generated_urls())
