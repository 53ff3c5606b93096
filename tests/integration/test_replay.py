"""Replay: after an extractor fix, stored raw pages are re-extracted and re-published, nothing fetched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from newswire.bus.tail import read_topic
from newswire.commands.replay import replay
from newswire.daemons._extract_jobs import extract_page
from newswire.daemons.ingest import IngestDaemon
from newswire.events import ArticleEvent, content_fingerprint
from tests.fakesite import FakeSite
from tests.integration.test_cli import run
from tests.integration.test_ingest_site import article_requests, articles
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka


def buggy_extract(  # noqa: PLR0917 - same signature as extract_page
    content: bytes,
    url: str,
    content_type: str | None,
    hints: dict[str, Any],
    fetched: str,
    source: str | None,
) -> tuple[ArticleEvent, float]:
    """An extractor with a bug: it keeps only the first paragraph of the body."""
    article, cpu = extract_page(content, url, content_type, hints, fetched, source)
    article.body = article.body.split("\n\n")[0]
    article.fingerprint = content_fingerprint(article.title, article.body)
    return article, cpu


async def test_replay_after_an_extractor_fix_republishes_with_a_higher_version(
    broker, fake_site: FakeSite
) -> None:
    settings = site_settings(
        broker,
        fake_site,
        [{"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}],
        ingest={"keep_raw": True},
    )
    started = datetime.now(UTC) - timedelta(seconds=5)
    first = await IngestDaemon(
        settings, inline_extraction=True, idle_timeout_s=4, extract=buggy_extract
    ).run()
    assert first == len(fake_site.article_urls())
    fetched_pages = len(article_requests(fake_site))
    raw = await read_topic(settings, settings.topic("raw-pages"))
    assert len(raw) == first and all(r.value and r.value.lstrip().startswith(b"<") for r in raw)

    progress: list[tuple[int, int]] = []
    queued = await replay(
        settings, since=started, progress=lambda done, total: progress.append((done, total))
    )
    assert queued == first and progress[-1] == (first, first)
    republished = await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4).run()

    assert republished == first
    assert len(article_requests(fake_site)) == fetched_pages, "replay must not fetch pages again"
    events = [orjson.loads(r.value) for r in await read_topic(settings, settings.topic("articles"))]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_id.setdefault(event["article_id"], []).append(event)
    assert len(by_id) == first
    for versions in by_id.values():
        old, new = sorted(versions, key=lambda e: e["version"])
        assert (old["version"], old["change"]) == (1, "created")
        assert (new["version"], new["change"]) == (2, "updated")
        assert "body" in new["changed_fields"] and "title" not in new["changed_fields"]
        assert len(new["body"]) > len(old["body"])

    # Replaying again with the fixed extractor changes nothing, unless forced.
    assert await replay(settings, since=started) == first
    assert await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4).run() == 0


async def test_newswire_replay_command_queues_stored_pages_and_ingest_republishes_them_without_fetching(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    settings = site_settings(
        broker,
        fake_site,
        [{"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}],
        ingest={"keep_raw": True},
    )
    config = tmp_path / "newswire.toml"
    config.write_text(
        f'[kafka]\nbootstrap_servers = "{settings.kafka.bootstrap_servers}"\n'
        f'topic_prefix = "{settings.kafka.topic_prefix}"\n'
    )
    started = datetime.now(UTC) - timedelta(seconds=5)
    first = await IngestDaemon(
        settings, inline_extraction=True, idle_timeout_s=4, extract=buggy_extract
    ).run()
    fetched_pages = len(article_requests(fake_site))

    # After the extractor fix, the operator replays what was stored since the bad deploy.
    result = run("--config", str(config), "replay", "--from", started.isoformat(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.decode() == f"queued {first} stored pages for re-extraction by the ingest daemon\n"
    assert f"] {first}/{first} articles" in result.stderr.decode()  # the progress bar's last state
    assert await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4).run() == first
    fixed = {e.article_id: e for e in await articles(settings) if e.version == 2}
    assert len(fixed) == first
    assert all(e.change == "updated" and "body" in e.changed_fields for e in fixed.values())

    # One article, forced: re-published although the extraction did not change.
    chosen = sorted(fixed)[0]
    result = run("--config", str(config), "replay", "--article", chosen, "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.startswith(b"queued 1 stored page for")
    assert await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4).run() == 1
    [forced] = [e for e in await articles(settings) if e.version == 3]
    assert (forced.article_id, forced.change, forced.changed_fields) == (chosen, "updated", [])
    assert len(article_requests(fake_site)) == fetched_pages, "replay must not fetch pages again"
