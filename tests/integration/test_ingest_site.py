"""The real ingest daemon against the fake news site and the real broker; topics are read back.

Each test runs ``IngestDaemon`` until it has been idle for a few seconds (or
to ``max_events``), then reads the topics it wrote with a read-committed
consumer up to their end offsets: what a user of the topics would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import TopicPartition

from newswire.bus import make_consumer, make_producer, send_all, start_client, topic_specs
from newswire.bus.tail import read_topic
from newswire.config import Settings
from newswire.daemons._fetch_role import FetchRole
from newswire.daemons.ingest import IngestDaemon
from newswire.errors import BusError
from newswire.events import ArticleEvent, decode_article
from tests.conftest import make_settings
from tests.fakesite import SEED_SLUG, FakeSite
from tests.support.daemon_procs import wait_for, write_config
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

IDLE_S = 4.0
CE_HEADERS = {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"}


@dataclasses.dataclass
class Rec:
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return orjson.loads(self.value)


async def read_records(settings: Settings, name: str) -> list[Rec]:
    """Every committed record of a topic, read up to its end offsets (no idle waiting)."""
    topic = settings.topic(name)
    consumer = make_consumer(settings, group_id=None)
    await start_client(consumer, settings.kafka.bootstrap_servers, "test reader")
    out: list[Rec] = []
    try:
        [spec] = [t for t in topic_specs(settings) if t.name == topic]
        parts = [TopicPartition(topic, p) for p in range(spec.partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        # Under read_committed, end_offsets is the last stable offset: all committed data lies before it.
        ends = await consumer.end_offsets(parts)
        remaining = {tp for tp in parts if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for r in records:
                    out.append(Rec(r.key, r.value or b"", {k: v.decode() for k, v in r.headers}))
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return out


async def articles(settings: Settings) -> list[ArticleEvent]:
    return [decode_article(r.value) for r in await read_records(settings, "articles")]


async def run_daemon(settings: Settings, idle_s: float = IDLE_S) -> int:
    return await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=idle_s).run()


def article_requests(site: FakeSite) -> list[Any]:
    with site.state.lock:
        return [r for r in site.state.requests if r.path.startswith("/news/")]


# ----------------------------------------------------------------- 1. feeds → articles


def check_seed(article: ArticleEvent) -> None:
    assert article.title == "Baltics in new NATO demand"
    assert article.published is not None and article.published.startswith("2022-01-13T19:23")
    assert article.lead == (
        "Estonia, Latvia and Lithuania want to increase deterrence against possible Russian military action"
    )
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("The Baltic states have begun discussions")
    assert "icon" not in paragraphs[0]
    assert "Baltics in new NATO demand" not in article.body
    assert "bookmark-bicon" not in article.body


async def test_rss_feed_gives_one_clean_article_event_per_article(broker, fake_site: FakeSite) -> None:
    settings = site_settings(broker, fake_site, [{"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}])
    published = await run_daemon(settings)

    records = await read_records(settings, "articles")
    events = [decode_article(r.value) for r in records]
    expected = set(fake_site.article_urls())
    assert published == len(expected) == 11
    assert sorted(e.url for e in events) == sorted(expected)  # exactly one event per article
    assert len({e.article_id for e in events}) == len(events)
    for rec, event in zip(records, events, strict=True):
        assert rec.key == event.article_id.encode()
        assert set(rec.headers) >= CE_HEADERS, rec.headers
        assert rec.headers["ce_specversion"] == "1.0"
        assert rec.headers["ce_type"].endswith("created")
        assert rec.headers["content-type"] == "application/json"
        assert event.change == "created" and event.version == 1
        assert event.title and event.published and event.body
    by_url = {e.url: e for e in events}
    for slug in ("harbour-bridge-reopens-after-repairs", "council-approves-budget-for-new-library"):
        page = fake_site.article(slug)
        event = by_url[fake_site.article_url(slug)]
        assert event.title == page.title
        assert event.authors == page.authors
        assert page.body[0][:40] in event.body and page.body[-1][-40:] in event.body
        assert event.lead == page.lede
    check_seed(by_url[fake_site.article_url(SEED_SLUG)])
    latest = await read_records(settings, "latest")
    assert sorted(r.key for r in latest if r.key) == sorted(e.article_id.encode() for e in events)


async def test_rss_and_atom_listing_the_same_articles_publish_each_once(broker, fake_site: FakeSite) -> None:
    settings = site_settings(
        broker,
        fake_site,
        [
            {"kind": "feed", "url": fake_site.url("/feeds/rss.xml")},
            {"kind": "feed", "url": fake_site.url("/feeds/atom.xml")},
        ],
    )
    await run_daemon(settings)
    events = await articles(settings)
    counts = Counter(e.url for e in events)
    assert set(counts) == set(fake_site.article_urls())
    assert max(counts.values()) == 1, counts.most_common(3)
    # Each page was fetched at most once, even though two feeds listed it.
    page_hits = Counter(r.path for r in article_requests(fake_site))
    assert max(page_hits.values()) == 1, page_hits.most_common(3)


@pytest.mark.parametrize("path", ["/sitemaps/news.xml", "/sitemap.xml"])
async def test_sitemap_source_gives_one_article_event_per_article(
    broker, fake_site: FakeSite, path: str
) -> None:
    settings = site_settings(broker, fake_site, [{"kind": "sitemap", "url": fake_site.url(path)}])
    await run_daemon(settings)
    events = await articles(settings)
    assert sorted(e.url for e in events) == sorted(fake_site.article_urls())
    for event in events:
        assert event.title and event.published and event.body
    check_seed(next(e for e in events if e.url == fake_site.article_url(SEED_SLUG)))


async def test_seed_page_body_starts_after_the_lede(broker, fake_site: FakeSite, tmp_path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(fake_site.article_url(SEED_SLUG) + "\n")
    settings = site_settings(broker, fake_site, [{"kind": "urls", "path": str(listing)}])
    await run_daemon(settings)
    [event] = await articles(settings)
    assert event.body.startswith("The Baltic states have begun discussions")


# ----------------------------------------------------------------- 2. restart


def requests_since(site: FakeSite, start: int) -> list[Any]:
    with site.state.lock:
        return list(site.state.requests[start:])


async def test_restart_republishes_nothing_and_refetches_conditionally(broker, fake_site: FakeSite) -> None:
    # recheck_after_s=0: the second run re-checks every URL, so it must ask with its validators.
    settings = site_settings(
        broker,
        fake_site,
        [{"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}],
        ingest={"recheck_after_s": 0},
    )
    first = await run_daemon(settings)
    mark = len(fake_site.state.requests)
    second = await run_daemon(settings)

    assert first == 11 and second == 0
    events = await articles(settings)
    assert len(events) == 11 and len({e.article_id for e in events}) == 11
    refetched = [r for r in requests_since(fake_site, mark) if r.path.startswith("/news/")]
    assert sorted(r.path for r in refetched) == sorted(a.path for a in fake_site.state.newest_first())
    assert all("if-none-match" in r.headers for r in refetched), [r.headers for r in refetched]


async def test_a_fetch_state_rebuild_that_fails_is_redone_not_left_stalled(
    broker, fake_site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker restarting while a newly assigned partition's fetch state is read: aiokafka would
    log the error and keep the partition assigned but never loaded, so its URLs were never fetched
    (the 150 s stall once seen in the broker-kill test). Ingest must reconnect and load it again."""
    calls = 0
    rebuild = FetchRole._rebuild

    async def fails_once(self: FetchRole, parts: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise BusError("reading fetch-state: the broker went away (injected)")
        return await rebuild(self, parts)

    monkeypatch.setattr(FetchRole, "_rebuild", fails_once)
    settings = site_settings(broker, fake_site, [{"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}])
    published = await run_daemon(settings)
    assert calls >= 2
    assert published == 11
    assert sorted(e.url for e in await articles(settings)) == sorted(fake_site.article_urls())


async def test_restart_skips_sitemap_urls_whose_lastmod_has_not_moved(broker, fake_site: FakeSite) -> None:
    # The gzipped urlset carries <lastmod> (the news sitemap does not).
    sitemap = {"kind": "sitemap", "url": fake_site.url("/sitemaps/articles.xml.gz")}
    settings = site_settings(broker, fake_site, [sitemap], ingest={"recheck_after_s": 0})
    assert await run_daemon(settings) == 11
    mark = len(fake_site.state.requests)
    assert await run_daemon(settings) == 0
    assert [r.path for r in requests_since(fake_site, mark) if r.path.startswith("/news/")] == []
    assert len(await articles(settings)) == 11


# ----------------------------------------------------------------- 3. updates and removals


async def test_edit_publishes_an_update_and_removal_a_removed_event(
    broker, fake_site: FakeSite, tmp_path
) -> None:
    # A URL list keeps listing a removed article (a feed would just drop it), so its 410 is seen.
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(fake_site.article_urls()) + "\n")
    settings = site_settings(
        broker, fake_site, [{"kind": "urls", "path": str(listing)}], ingest={"recheck_after_s": 0}
    )
    assert await run_daemon(settings) == 11
    retitled, corrected = "harbour-bridge-reopens-after-repairs", "council-approves-budget-for-new-library"
    removed = "fishing-fleet-record-catch"
    old_title = fake_site.article(retitled).title
    fake_site.edit_article(retitled, title="Harbour Bridge reopens to traffic after nine months of repairs")
    paragraphs = list(fake_site.article(corrected).body)
    paragraphs[1] = paragraphs[1].replace("180,000 books", "210,000 books")
    fake_site.edit_article(corrected, body=paragraphs)
    fake_site.remove_article(removed)
    assert await run_daemon(settings) == 3

    events = await articles(settings)
    assert len(events) == 14
    later = {e.url: e for e in events if e.change != "created"}
    assert set(later) == {fake_site.article_url(u) for u in (retitled, corrected, removed)}
    update = later[fake_site.article_url(retitled)]
    assert update.change == "updated" and update.version == 2
    assert "title" in update.changed_fields and "body" not in update.changed_fields
    assert update.title == "Harbour Bridge reopens to traffic after nine months of repairs"
    # The diff says what the headline was and what it is now, and that the body did not change.
    assert update.diff is not None
    assert update.diff.title is not None
    assert (update.diff.title.old, update.diff.title.new) == (old_title, update.title)
    assert update.diff.body is None and update.diff.lead is None and update.diff.authors is None

    fixed = later[fake_site.article_url(corrected)]
    assert fixed.change == "updated" and fixed.version == 2 and "body" in fixed.changed_fields
    assert fixed.diff is not None and fixed.diff.title is None
    # One paragraph replaced, by its corrected text, at the place it has in the body.
    assert fixed.body.split("\n\n") == paragraphs
    [edit] = fixed.diff.body or []
    assert (edit.op, edit.old_start, edit.old_count, edit.new_start) == ("replace", 1, 1, 1)
    assert edit.text == [paragraphs[1]] and "210,000 books" in edit.text[0]

    gone = later[fake_site.article_url(removed)]
    assert gone.change == "removed" and gone.version == 2 and gone.diff is None
    first = {e.url: e for e in events if e.change == "created"}
    assert all(e.diff is None for e in first.values())
    assert update.article_id == first[update.url].article_id
    assert gone.article_id == first[gone.url].article_id


async def test_byline_or_standfirst_edit_alone_publishes_one_update_with_its_diff(
    broker, fake_site: FakeSite, tmp_path
) -> None:
    # Quiet corrections: title, body (so the content fingerprint) and the page's dates stay as they were.
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(fake_site.article_urls()) + "\n")
    settings = site_settings(
        broker, fake_site, [{"kind": "urls", "path": str(listing)}], ingest={"recheck_after_s": 0}
    )
    assert await run_daemon(settings) == 11
    bylined, restood, copied = (
        "council-approves-budget-for-new-library",
        "harbour-bridge-reopens-after-repairs",
        "storm-warning-coast",
    )
    old_authors, old_lede = fake_site.article(bylined).authors, fake_site.article(restood).lede
    new_authors = [*old_authors, "Aileen Brody"]
    new_lede = "Commuters in Port Alder regain their fastest route across the estuary, two weeks early."
    fake_site.edit_article(bylined, authors=new_authors, silent=True)
    fake_site.edit_article(restood, lede=new_lede, silent=True)
    # The same story at a second URL, under another byline, is still the story already published.
    copy = dataclasses.replace(fake_site.article(copied), slug=f"{copied}-syndicated", authors=["Wire desk"])
    listing.write_text(listing.read_text() + fake_site.add_article(copy) + "\n")
    assert await run_daemon(settings) == 2

    updates = {e.url: e for e in await articles(settings) if e.change == "updated"}
    assert set(updates) == {fake_site.article_url(bylined), fake_site.article_url(restood)}
    byline = updates[fake_site.article_url(bylined)]
    assert (byline.version, byline.changed_fields, byline.authors) == (2, ["authors"], new_authors)
    assert byline.diff is not None and byline.diff.authors is not None
    assert (byline.diff.authors.old, byline.diff.authors.new) == (old_authors, new_authors)
    assert byline.diff.title is None and byline.diff.lead is None and byline.diff.body is None
    standfirst = updates[fake_site.article_url(restood)]
    assert (standfirst.version, standfirst.changed_fields, standfirst.lead) == (2, ["lead"], new_lede)
    assert standfirst.diff is not None and standfirst.diff.lead is not None
    assert (standfirst.diff.lead.old, standfirst.diff.lead.new) == (old_lede, new_lede)
    assert standfirst.diff.title is None and standfirst.diff.authors is None and standfirst.diff.body is None

    # Refetching the same pages again publishes nothing: the edits were told once.
    mark = len(fake_site.state.requests)
    assert await run_daemon(settings) == 0
    assert {r.path for r in requests_since(fake_site, mark)} >= {f"/news/{bylined}", f"/news/{restood}"}
    events = await articles(settings)
    assert len(events) == 13 and fake_site.article_url(copy.slug) not in {e.url for e in events}


async def test_state_from_before_diffs_gives_an_update_without_diff_then_diffs_again(
    broker, fake_site: FakeSite, tmp_path
) -> None:
    slug = "storm-warning-coast"
    url = fake_site.article_url(slug)
    listing = tmp_path / "urls.txt"
    listing.write_text(url + "\n")
    settings = site_settings(
        broker, fake_site, [{"kind": "urls", "path": str(listing)}], ingest={"recheck_after_s": 0}
    )
    assert await run_daemon(settings) == 1
    # Rewrite the URL's fetch-state record as an older newswire wrote it: no remembered text.
    [record] = [r for r in await read_topic(settings, settings.topic("fetch-state")) if r.key == url.encode()]
    doc = orjson.loads(record.value)
    assert doc["text"]["title"] == fake_site.article(slug).title and doc["paragraphs"]
    old_doc = {k: v for k, v in doc.items() if k not in ("text", "paragraphs")}
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "test producer")
    try:
        await send_all(
            producer,
            [(settings.topic("fetch-state"), record.key, orjson.dumps(old_doc), [])],
            partition=record.partition,
        )
    finally:
        await producer.stop()

    fake_site.edit_article(slug, title="Red storm warning issued for the coast")
    assert await run_daemon(settings) == 1
    fake_site.edit_article(slug, title="Storm warning lifted for the coast")
    assert await run_daemon(settings) == 1

    _, first_update, second_update = sorted(await articles(settings), key=lambda e: e.version)
    assert "title" in first_update.changed_fields and first_update.diff is None
    assert second_update.diff is not None and second_update.diff.title is not None
    assert second_update.diff.title.old == "Red storm warning issued for the coast"
    assert second_update.diff.title.new == "Storm warning lifted for the coast"


# ----------------------------------------------------------------- 4. hostile URLs


async def test_hostile_urls_are_dead_lettered_and_good_ones_still_published(
    broker, fake_site: FakeSite, tmp_path
) -> None:
    bad = {
        fake_site.url("/redirect/metadata"): "blocked",
        fake_site.url("/redirect/loopback"): "blocked",
        fake_site.url("/bomb"): "blocked",  # stopped at fetch.max_body_bytes while inflating
        fake_site.url("/news/no-such-article"): "fetch_failed",
    }
    good = fake_site.article_urls()[:2]
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join([*bad, *good]) + "\n")
    settings = site_settings(broker, fake_site, [{"kind": "urls", "path": str(listing)}])
    await run_daemon(settings)

    assert sorted(e.url for e in await articles(settings)) == sorted(good)
    letters = [r.json() for r in await read_records(settings, "dead-letters")]
    by_url = {d["context"]["url"]: d for d in letters}
    assert set(by_url) == set(bad) and len(letters) == len(bad), letters
    for url, reason in bad.items():
        letter = by_url[url]
        assert letter["stage"] == "ingest" and letter["error"], letter
        assert letter["context"]["reason"] == reason, (url, letter)
        assert orjson.loads(letter["payload"])["url"] == url  # the failed candidate, untouched
    assert fake_site.internal_hits == 0


# ----------------------------------------------------------------- 5. robots.txt


async def test_robots_disallowed_urls_are_neither_fetched_nor_published(
    broker, fake_site: FakeSite, tmp_path
) -> None:
    private = [fake_site.url("/private/payroll"), fake_site.url("/private/staff-list")]
    good = fake_site.article_urls()[:1]
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join([*private, *good]) + "\n")
    settings = site_settings(broker, fake_site, [{"kind": "urls", "path": str(listing)}])
    await run_daemon(settings)

    assert [e.url for e in await articles(settings)] == good
    assert fake_site.hits("/robots.txt") >= 1
    assert fake_site.hits("/private/payroll") == 0 and fake_site.hits("/private/staff-list") == 0


# ----------------------------------------------------------------- 6. two processes, one killed


async def test_two_processes_one_killed_every_article_published_exactly_once(broker, tmp_path) -> None:
    newswire_bin = Path(sys.executable).with_name("newswire")
    # Crawl-delay paces the single host so the kill lands mid-run.
    with FakeSite(n_generated=120, crawl_delay=0.05) as site:
        settings = make_settings(broker.bootstrap_servers)
        k = settings.kafka
        sources = [{"kind": "sitemap", "url": site.url("/sitemaps/generated.xml.gz"), "interval_s": 300}]
        procs: dict[str, subprocess.Popen[bytes]] = {}
        for name in ("a", "b"):
            config = tmp_path / f"{name}.toml"
            write_config(
                config,
                {
                    "kafka": {
                        "bootstrap_servers": k.bootstrap_servers,
                        "topic_prefix": k.topic_prefix,
                        "partitions": k.partitions,
                        "transaction_timeout_ms": k.transaction_timeout_ms,
                        "session_timeout_ms": k.session_timeout_ms,
                    },
                    "ingest": {
                        "group_id": settings.ingest.group_id,
                        "instance_id": f"proc-{name}",
                        "extract_workers": 1,
                    },
                    "observe": {"ingest_port": 0, "enrich_port": 0},
                    "fetch": {
                        "allowed_hosts": [site.host_port],
                        "per_host_delay_s": 0,
                        "retries": 1,
                        "backoff_base_s": 0.05,
                        "user_agent": f"newswire-test/{name}",
                    },
                },
                sources,
            )
            log = (tmp_path / f"{name}.log").open("wb")
            procs[name] = subprocess.Popen(
                [str(newswire_bin), "--config", str(config), "ingest", "--idle-timeout", "15"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:

            def fetched_by() -> Counter[str]:
                with site.state.lock:
                    return Counter(
                        r.headers.get("user-agent", "")
                        for r in site.state.requests
                        if r.path.startswith("/news/gen-")
                    )

            await wait_for(lambda: sum(fetched_by().values()) >= 30, 60, "the first 30 article fetches")
            [(owner_ua, _)] = fetched_by().most_common(1)
            victim = owner_ua.rsplit("/", 1)[-1]
            survivor = "b" if victim == "a" else "a"
            procs[victim].send_signal(signal.SIGKILL)
            procs[victim].wait(10)
            code = await asyncio.to_thread(procs[survivor].wait, 90)
            assert code == 0, (tmp_path / f"{survivor}.log").read_text()[-3000:]
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(10)
        assert fetched_by()[f"newswire-test/{survivor}"] > 0  # the survivor took the host over

    events = await articles(settings)
    counts = Counter(e.article_id for e in events)
    assert len(counts) == 120
    assert max(counts.values()) == 1, counts.most_common(3)
    assert {e.url for e in events} == set(site.generated_urls())


# ----------------------------------------------------------------- 7. a crash between commits


async def test_a_crash_loses_no_page_that_finished_behind_an_unfinished_one(
    broker, fake_site: FakeSite, tmp_path
) -> None:
    """Pages finish out of order, and a transaction commits only the done prefix of a partition.
    The fetch state of a page done *behind* a page still in flight must wait for its own offset:
    committed early, it survives a crash that loses the page's article, and the next owner, redoing
    the page, finds it "recently checked" and never publishes it."""
    first, behind = fake_site.article_urls()[:2]
    slow = fake_site.url("/slow?delay=4")  # same host, so the same urls partition, in list order
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{first}\n{slow}\n{behind}\n")
    settings = site_settings(
        broker,
        fake_site,
        [{"kind": "urls", "path": str(listing)}],
        fetch={"per_host_concurrency": 4},
        ingest={"commit_interval_ms": 50},
    )
    daemon = asyncio.create_task(IngestDaemon(settings, inline_extraction=True).run())
    try:
        for _ in range(100):  # until the first page's transaction is readable
            if any(e.url == first for e in await articles(settings)):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the first article was never committed")
        assert any(r.path.startswith("/news/") and r.path in behind for r in article_requests(fake_site))
    finally:
        daemon.cancel()  # a crash: nothing drained, nothing more committed
        with contextlib.suppress(asyncio.CancelledError):
            await daemon
    assert not any(e.url == behind for e in await articles(settings))  # it was lost with the crash

    await run_daemon(settings, idle_s=6.0)
    published = Counter(e.url for e in await articles(settings))
    assert published[first] == 1
    assert published[behind] == 1, published
