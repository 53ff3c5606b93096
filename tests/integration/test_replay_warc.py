"""``newswire replay --warc``: the pages of WARC files re-extracted by the ingest daemon and published
through the same per-URL decision as fetched pages (created, then unchanged or updated), nothing fetched."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from newswire.bus.tail import read_topic
from newswire.commands.replay import replay_warc
from newswire.daemons.ingest import IngestDaemon
from tests.fakesite import FakeSite
from tests.fakesite._articles import generated
from tests.fakesite._render import article_html
from tests.integration.test_cli import run
from tests.integration.test_ingest_site import article_requests, site_settings
from tests.support.warc_bytes import gzip_members, page_record

pytestmark = pytest.mark.kafka


async def ingest_once(settings: object) -> int:
    return await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4).run()  # type: ignore[arg-type]


async def test_replay_from_warc_files_publishes_the_newest_capture_of_each_url_once_without_fetching(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    settings = site_settings(broker, fake_site, [])
    base = fake_site.base_url
    articles = generated(6)
    captures = [page_record(f"{base}{a.path}", article_html(a, base, []).encode()) for a in articles]
    # An older capture of the first article, later in the file: the newer one (by WARC-Date) wins.
    older = replace(articles[0], title="A headline that was changed before the next crawl")
    stale = page_record(
        f"{base}{older.path}", article_html(older, base, []).encode(), date="2026-11-01T00:00:00Z"
    )
    path = tmp_path / "archive.warc.gz"
    path.write_bytes(gzip_members([*captures, stale]))

    assert await replay_warc(settings, [str(path)]) == len(articles)
    assert await ingest_once(settings) == len(articles)
    events = [orjson.loads(r.value) for r in await read_topic(settings, settings.topic("articles"))]
    assert sorted(e["url"] for e in events) == sorted(f"{base}{a.path}" for a in articles)
    assert {(e["change"], e["version"]) for e in events} == {("created", 1)}
    [first] = [e for e in events if e["url"] == f"{base}{articles[0].path}"]
    assert first["title"] == articles[0].title
    assert article_requests(fake_site) == [], "replay must not fetch pages"

    # The same archive again: every page is already published unchanged, so nothing is.
    assert await replay_warc(settings, [str(tmp_path)]) == len(articles)
    assert await ingest_once(settings) == 0

    # The command, forced: every page re-published as an update with a higher version.
    config = tmp_path / "newswire.toml"
    config.write_text(
        f'[kafka]\nbootstrap_servers = "{settings.kafka.bootstrap_servers}"\n'
        f'topic_prefix = "{settings.kafka.topic_prefix}"\n'
    )
    result = run("--config", str(config), "replay", "--warc", str(path), "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert (
        result.stdout.decode()
        == f"queued {len(articles)} archived pages for re-extraction by the ingest daemon\n"
    )
    assert await ingest_once(settings) == len(articles)
    events = [orjson.loads(r.value) for r in await read_topic(settings, settings.topic("articles"))]
    assert sorted((e["version"], e["change"]) for e in events if e["version"] == 2) == [(2, "updated")] * len(
        articles
    )
    assert article_requests(fake_site) == []
