"""Archive out and back in: ingest with ``ingest.archive_warc`` writes what it fetched as WARC files,
and importing those files gives the same articles (same URLs, titles and text) as the fetch did."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.broker import EmbeddedBroker
from newswire.bus.tail import read_topic
from newswire.commands.import_warc import run as queue_files
from newswire.config import Settings
from newswire.daemons.import_worker import ImportDaemon
from newswire.daemons.ingest import IngestDaemon
from newswire.events import decode_article
from tests.conftest import make_settings
from tests.fakesite import FakeSite

pytestmark = pytest.mark.kafka


async def articles_by_url(settings: Settings) -> dict[str, tuple[str | None, str]]:
    records = await read_topic(settings, settings.topic("articles"))
    events = [decode_article(r.value) for r in records]
    return {e.url: (e.title, e.body) for e in events}


async def test_pages_archived_by_ingest_import_to_the_same_articles(
    broker: EmbeddedBroker, fake_site: FakeSite, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    fetching = make_settings(
        broker.bootstrap_servers,
        sources=[{"kind": "feed", "url": fake_site.url("/feeds/rss.xml"), "interval_s": 30}],
        fetch={"allowed_hosts": [fake_site.host_port], "per_host_delay_s": 0, "retries": 1},
        ingest={"archive_warc": str(archive)},
    )
    await IngestDaemon(fetching, inline_extraction=True, idle_timeout_s=3).run()
    fetched = await articles_by_url(fetching)
    assert set(fetched) == set(fake_site.article_urls())
    files = sorted(archive.glob("*.warc.gz"))
    assert files and not list(archive.glob("*.open")), "the archive is closed when ingest stops"

    importing = make_settings(broker.bootstrap_servers, ingest={"extract_workers": 1})
    await queue_files(importing, lambda _: None, [str(archive)])
    daemon = ImportDaemon(importing, idle_timeout_s=3)
    await daemon.run()
    assert daemon.role is not None and daemon.role.files_done == len(files)
    assert await articles_by_url(importing) == fetched
