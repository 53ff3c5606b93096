"""Archive out and back in: ingest with ``ingest.archive_warc`` writes what it fetched as WARC files,
and importing those files gives the same articles (same URLs, titles and text) as the fetch did;
imported into the topics that fetched them, only a later capture that changed is published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswire.archive import WarcFileWriter, WarcPage, read_warc
from newswire.broker import EmbeddedBroker
from newswire.bus.tail import read_topic
from newswire.commands.import_warc import run as queue_files
from newswire.config import Settings
from newswire.daemons.import_worker import ImportDaemon
from newswire.daemons.ingest import IngestDaemon
from newswire.events import decode_article
from tests.conftest import make_settings
from tests.fakesite import FakeSite
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka


async def articles_by_url(settings: Settings) -> dict[str, tuple[str | None, str]]:
    records = await read_topic(settings, settings.topic("articles"))
    events = [decode_article(r.value) for r in records]
    return {e.url: (e.title, e.body) for e in events}


async def fetch_and_archive(broker: EmbeddedBroker, site: FakeSite, archive: Path) -> Settings:
    """Ingest the site's feed once with ``ingest.archive_warc = archive``; the settings it ran with."""
    feed = [{"kind": "feed", "url": site.url("/feeds/rss.xml")}]
    fetching = site_settings(broker, site, feed, ingest={"archive_warc": str(archive)})
    await IngestDaemon(fetching, inline_extraction=True, idle_timeout_s=3).run()
    return fetching


async def test_pages_archived_by_ingest_import_to_the_same_articles(
    broker: EmbeddedBroker, fake_site: FakeSite, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    fetching = await fetch_and_archive(broker, fake_site, archive)
    fetched = await articles_by_url(fetching)
    assert set(fetched) == set(fake_site.article_urls())
    files = sorted(archive.glob("*.warc.gz"))
    assert files and not list(archive.glob("*.open")), "the archive is closed when ingest stops"

    importing = make_settings(broker.bootstrap_servers, ingest={"extract_workers": 1})
    await queue_files(importing, lambda _: None, [str(archive)])
    daemon = ImportDaemon(importing, idle_timeout_s=3)
    await daemon.run()
    assert daemon.role is not None and daemon.role.files_done == len(files)
    await IngestDaemon(importing, inline_extraction=True, idle_timeout_s=3).run()  # decides and publishes
    assert await articles_by_url(importing) == fetched


async def test_importing_what_ingest_fetched_publishes_only_a_later_capture_that_changed(
    broker: EmbeddedBroker, fake_site: FakeSite, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    fetching = await fetch_and_archive(broker, fake_site, archive)
    live = [decode_article(r.value) for r in await read_topic(fetching, fetching.topic("articles"))]
    files = sorted(archive.glob("*.warc.gz"))
    # A capture an hour later of one page whose title was corrected meanwhile.
    pages = read_warc(files[0], max_payload_bytes=fetching.fetch.max_body_bytes)
    page = next(p for p in pages if isinstance(p, WarcPage))
    title = next(e.title for e in live if e.url == page.url)
    assert title and title.encode() in page.payload
    later = tmp_path / "later"
    with WarcFileWriter(later, prefix="later") as writer:
        writer.write_exchange(
            url=page.url,
            fetched=datetime.now(UTC) + timedelta(hours=1),
            status=200,
            response_headers=[("Content-Type", page.content_type or "text/html")],
            payload=page.payload.replace(title.encode(), f"Corrected: {title}".encode()),
        )
    # The same topics and groups, without the feed: only the imports reach the fetch role.
    same_topics = make_settings(
        broker.bootstrap_servers,
        kafka={"topic_prefix": fetching.kafka.topic_prefix},
        ingest={"group_id": fetching.ingest.group_id, "extract_workers": 1},
    )
    await queue_files(same_topics, lambda _: None, [str(archive), str(later)])
    await ImportDaemon(same_topics, idle_timeout_s=3).run()
    await IngestDaemon(same_topics, inline_extraction=True, idle_timeout_s=3).run()

    after = [decode_article(r.value) for r in await read_topic(fetching, fetching.topic("articles"))]
    seen = {(e.url, e.version) for e in live}
    new = [e for e in after if (e.url, e.version) not in seen]
    assert [(e.url, e.change, e.version) for e in new] == [(page.url, "updated", 2)]
    assert new[0].title == f"Corrected: {title}"
    assert new[0].changed_fields == ["title"]
