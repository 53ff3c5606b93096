"""A source URL's credentials (user:password, ``?token=``) are used to fetch its feed and reach no
Kafka record, no ``newswire status`` output and no article event: everywhere but the local
configuration, the source goes by its URL with those credentials masked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka import TopicPartition

from newswire.bus import ensure_topics, make_consumer, make_producer, send_all, start_client, topic_specs
from newswire.bus.records import Record
from newswire.bus.records import sources as sources_topic
from newswire.bus.records.source_status import SourceStatus
from newswire.bus.records.source_status import record as status_record
from newswire.commands.backfill import backfill_key, backfill_sitemap
from newswire.commands.status import source_status
from newswire.config import Settings, SourceSettings
from newswire.daemons._discover_role import DiscoverRole
from newswire.daemons._runtime import Stopper
from newswire.daemons._sources_publish import publish_sources
from newswire.fetch import Fetcher
from newswire.observe import Health
from newswire.sources import parse_opml
from tests.fakesite import MEMBER_PASSWORD, MEMBER_TOKEN, MEMBER_USER, FakeSite
from tests.integration.test_cli import run
from tests.integration.test_ingest_site import articles, run_daemon
from tests.integration.test_sources_config import live_sources
from tests.support.daemon_procs import wait_for, write_config
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

WRONG_PASSWORD = "not-the-pass-4410"
SECRETS = (MEMBER_PASSWORD, MEMBER_TOKEN, WRONG_PASSWORD)


def member_sources(site: FakeSite) -> list[dict[str, str]]:
    """Unnamed feeds of the subscribers' feed: by basic auth, by token, and with a wrong password."""
    host = site.host_port
    return [
        {"kind": "feed", "url": f"http://{MEMBER_USER}:{MEMBER_PASSWORD}@{host}/members/rss.xml"},
        {"kind": "feed", "url": f"http://{host}/members/rss.xml?token={MEMBER_TOKEN}"},
        {"kind": "feed", "url": f"http://{MEMBER_USER}:{WRONG_PASSWORD}@{host}/members/rss.xml#wrong"},
    ]


async def raw_topic(settings: Settings, topic: str, partitions: int) -> bytes:
    """Keys, values and headers of every record of ``topic``, aborted transactions included."""
    consumer = make_consumer(settings, group_id=None, read_committed=False)
    await start_client(consumer, settings.kafka.bootstrap_servers, "test reader")
    out = bytearray()
    try:
        parts = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        remaining = {tp for tp in parts if ends[tp] > 0}
        while remaining:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for r in records:
                    out += (r.key or b"") + b"\n" + (r.value or b"") + b"\n"
                    out += b"".join(k.encode() + v for k, v in r.headers)
            remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return bytes(out)


async def every_topic(settings: Settings) -> dict[str, bytes]:
    return {s.name: await raw_topic(settings, s.name, s.partitions) for s in topic_specs(settings)}


def status_cli(settings: Settings, tmp_path: Path, *flags: str) -> str:
    k = settings.kafka
    config = write_config(
        tmp_path / "newswire.toml",
        {"kafka": {"bootstrap_servers": k.bootstrap_servers, "topic_prefix": k.topic_prefix}},
        [],
    )
    result = run("--config", str(config), "status", *flags, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode() + result.stderr.decode()


async def test_credentials_in_a_source_url_fetch_its_feed_and_reach_no_record_status_or_event(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    settings = site_settings(broker, fake_site, member_sources(fake_site))
    await run_daemon(settings)

    host = fake_site.host_port
    by_password = f"feed:http://***@{host}/members/rss.xml"
    by_token = f"feed:http://{host}/members/rss.xml?token=***"
    wrong = f"feed:http://***@{host}/members/rss.xml#wrong"
    # The real credentials were sent: the feed answered both, and its articles were published.
    rows = {r["source"]: r for r in await source_status(settings)}
    assert set(rows) == {by_password, by_token, wrong}
    assert rows[by_password]["last_success"] and rows[by_password]["last_error"] is None
    assert rows[by_token]["last_success"] and rows[by_token]["last_error"] is None
    assert rows[wrong]["last_success"] is None and "401" in rows[wrong]["last_error"]
    events = await articles(settings)
    assert {a.url for a in events} == set(fake_site.article_urls())
    assert {a.source for a in events} <= {by_password, by_token}
    for event in events:
        assert not any(s in repr(event) for s in SECRETS)

    topics = await every_topic(settings)
    assert by_password.encode() in topics[settings.topic("sources")]
    for topic, data in topics.items():
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} in {topic}"

    for flags in ((), ("--json",)):
        shown = status_cli(settings, tmp_path, *flags)
        assert by_password in shown or by_password[:50] in shown
        assert not any(s in shown for s in SECRETS), shown


async def test_an_instance_without_the_source_in_its_configuration_says_so_instead_of_fetching(
    broker, fake_site: FakeSite
) -> None:
    settings = site_settings(broker, fake_site, [])
    elsewhere = SourceSettings(kind="feed", url=member_sources(fake_site)[0]["url"], interval_s=30)
    # Another instance's configuration put the source on the topic; this one's has no copy of it.
    await ensure_topics(settings)
    await publish_sources(settings, [], configured=True)
    await publish_sources(settings, [elsewhere])
    await run_daemon(settings)

    [row] = await source_status(settings)
    assert row["source"] == sources_topic.key(elsewhere)
    assert "neither this instance's configuration nor an OPML it read has the source" in row["last_error"]
    assert fake_site.hits("/members/rss.xml") == 0


async def test_an_upgrade_drops_the_source_kept_under_its_old_unmasked_key(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    settings = site_settings(broker, fake_site, member_sources(fake_site)[:1])
    [source] = settings.sources
    old_key = f"feed:{source.url}"  # how a source was keyed before its credentials were masked
    # What the previous version left: the source, its status row, the list of configured keys.
    await ensure_topics(settings)
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "old version")
    try:
        old: list[Record] = [
            Record(settings.topic("sources"), old_key.encode(), b'{"kind": "feed"}', []),
            sources_topic.configured_record(settings, [old_key]),
            status_record(settings, SourceStatus(source=old_key, kind="feed", last_poll=1.0)),
        ]
        await send_all(producer, old)
    finally:
        await producer.stop()

    await run_daemon(settings)

    new_key = sources_topic.key(source)
    assert await live_sources(settings) == {old_key: False, new_key: True}
    assert [r["source"] for r in await source_status(settings)] == [new_key]
    assert MEMBER_PASSWORD not in status_cli(settings, tmp_path)


def members_opml(site: FakeSite, folder: Path, *, basic_auth: bool = False) -> Path:
    """An OPML file listing the subscribers' feed by its token URL (or with a user and password
    in it), as the outline "Members"."""
    opml = folder / "subscriptions.opml"
    feed = f"http://{site.host_port}/members/rss.xml?token={MEMBER_TOKEN}"
    if basic_auth:
        feed = f"http://{MEMBER_USER}:{MEMBER_PASSWORD}@{site.host_port}/members/rss.xml"
    opml.write_text(
        f'<?xml version="1.0"?>\n<opml version="2.0"><head/><body>'
        f'<outline type="rss" text="Members" xmlUrl="{feed}"/></body></opml>\n'
    )
    return opml


@pytest.mark.parametrize("basic_auth", [False, True], ids=["token", "user-and-password"])
async def test_a_private_feed_found_in_an_opml_is_fetched_with_its_credentials_kept_off_kafka(
    broker, fake_site: FakeSite, tmp_path: Path, basic_auth: bool
) -> None:
    opml = members_opml(fake_site, tmp_path, basic_auth=basic_auth)
    settings = site_settings(broker, fake_site, [{"kind": "opml", "path": str(opml)}])
    await run_daemon(settings)

    rows = {r["source"]: r for r in await source_status(settings)}
    assert rows["Members"]["last_success"] and rows["Members"]["last_error"] is None
    assert {a.url for a in await articles(settings)} == set(fake_site.article_urls())
    for topic, data in (await every_topic(settings)).items():
        assert MEMBER_TOKEN.encode() not in data, topic
        assert MEMBER_PASSWORD.encode() not in data, topic


def polled_once(role: DiscoverRole) -> bool:
    return "Members" in role.schedule and role.schedule.status("Members").last_poll is not None


async def test_an_instance_owning_a_private_feed_but_not_its_opml_reads_the_opml_for_the_real_url(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    """Another instance (or this one before a restart) read the OPML and put its feed on the topic,
    masked; this one owns the feed, not the OPML source, and still fetches the feed by its token."""
    opml = members_opml(fake_site, tmp_path)
    settings = site_settings(broker, fake_site, [{"kind": "opml", "path": str(opml)}])
    [feed] = parse_opml(opml.read_bytes())
    await ensure_topics(settings)
    await publish_sources(settings, [feed])  # the feed only: the OPML source is polled elsewhere
    stopper = Stopper()
    async with Fetcher(settings.fetch) as fetcher:
        role = DiscoverRole(settings, fetcher, stopper=stopper, health=Health("ingest"), parser=None)
        task = asyncio.create_task(role.run())
        try:
            await wait_for(lambda: task.done() or polled_once(role), 60, "the feed's first poll")
            polled = role.schedule.status("Members")
        finally:
            stopper.stop()
            await task
    assert (polled.success_count, polled.error_count, polled.last_error) == (1, 0, None)
    assert fake_site.hits("/members/rss.xml") == 1
    for topic, data in (await every_topic(settings)).items():
        assert MEMBER_TOKEN.encode() not in data, topic


async def test_a_backfill_of_a_url_with_a_token_resumes_and_keeps_the_token_off_kafka(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    settings = site_settings(broker, fake_site, [])
    sitemap = fake_site.url(f"/sitemaps/news.xml?token={MEMBER_TOKEN}")
    first = await backfill_sitemap(settings, sitemap)
    again = await backfill_sitemap(settings, sitemap)  # finds its checkpoint under the masked URL

    assert first.complete and first.urls_queued == len(fake_site.article_urls())
    assert again.complete and again.resumed == 1 and fake_site.hits("/sitemaps/news.xml") == 1
    assert backfill_key(sitemap) == f"backfill:{fake_site.url('/sitemaps/news.xml?token=***')}"
    for topic, data in (await every_topic(settings)).items():
        assert MEMBER_TOKEN.encode() not in data, topic
    assert MEMBER_TOKEN not in status_cli(settings, tmp_path, "--json")
