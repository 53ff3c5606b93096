"""``newswire status`` after a crawl, and a graceful SIGTERM: in-flight work committed or handed back."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

from newswire.bus.tail import tail
from newswire.commands.status import source_status
from newswire.config import Settings
from tests.fakesite import FakeSite
from tests.integration.test_ingest_site import run_daemon
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka


async def test_status_reports_each_source_with_articles_and_errors(broker, fake_site: FakeSite) -> None:
    feed, broken = fake_site.url("/feeds/rss.xml"), fake_site.url("/feeds/missing.xml")
    settings = site_settings(
        broker,
        fake_site,
        [
            {"kind": "feed", "url": feed, "name": "ledger-rss"},
            {"kind": "feed", "url": broken, "name": "broken-feed"},
        ],
    )
    await run_daemon(settings)
    rows = {r["source"]: r for r in await source_status(settings)}
    assert set(rows) == {"ledger-rss", "broken-feed"}
    good, bad = rows["ledger-rss"], rows["broken-feed"]
    assert good["articles_last_hour"] == len(fake_site.article_urls())
    assert good["last_success"] is not None and good["error_rate"] == 0
    assert good["next_poll"] > good["last_poll"]
    assert bad["last_success"] is None and bad["error_rate"] == 1 and "404" in bad["last_error"]
    assert bad["articles_last_hour"] == 0


def _config(path: Path, settings: Settings, feed: str) -> None:
    k, f = settings.kafka, settings.fetch
    path.write_text(
        f'[kafka]\nbootstrap_servers = "{k.bootstrap_servers}"\ntopic_prefix = "{k.topic_prefix}"\n'
        f"partitions = {k.partitions}\ntransaction_timeout_ms = {k.transaction_timeout_ms}\n"
        f"session_timeout_ms = {k.session_timeout_ms}\n"
        f'[ingest]\ngroup_id = "{settings.ingest.group_id}"\nextract_workers = 1\nrecheck_after_s = 3600\n'
        f"[fetch]\nallowed_hosts = {list(f.allowed_hosts)!r}\nper_host_delay_s = 0.2\nretries = 1\n"
        'backoff_base_s = 0.05\n[observe]\ningest_port = 0\nlog_format = "json"\n'
        f'[[sources]]\nkind = "sitemap"\nurl = "{feed}"\ninterval_s = 3600\n'.replace("'", '"')
    )


async def test_sigterm_commits_what_is_done_and_a_restart_finishes_without_duplicates(
    broker, tmp_path: Path
) -> None:
    with FakeSite(n_generated=40) as site:
        sitemap = site.url("/sitemaps/generated.xml.gz")
        settings = site_settings(broker, site, [])
        config = tmp_path / "newswire.toml"
        _config(config, settings, sitemap)
        cli = [sys.executable, "-m", "newswire.cli", "--config", str(config), "ingest"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        log = (tmp_path / "first.log").open("wb")
        first = subprocess.Popen(cli, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            async with asyncio.timeout(90):  # stop it mid-crawl, once some articles are out
                while (
                    len(
                        [
                            v
                            async for v in tail(
                                settings, settings.topic("articles"), from_beginning=True, idle_ms=500
                            )
                        ]
                    )
                    < 5
                ):
                    await asyncio.sleep(0.3)
            first.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(first.wait, 60) == 0
        finally:
            if first.poll() is None:
                first.kill()
            log.close()
        lines = [
            orjson.loads(x) for x in (tmp_path / "first.log").read_bytes().splitlines() if x.startswith(b"{")
        ]
        assert any("stopping" in line["message"] for line in lines)  # JSON log lines, the shutdown said so
        second = subprocess.run(
            [*cli, "--idle-timeout", "6"], env=env, capture_output=True, timeout=180, check=False
        )
        assert second.returncode == 0, second.stderr[-2000:]
        urls = Counter(
            [
                orjson.loads(v)["url"]
                async for v in tail(settings, settings.topic("articles"), from_beginning=True, idle_ms=1500)
            ]
        )
        assert set(urls) == set(site.generated_urls())
        assert max(urls.values()) == 1
