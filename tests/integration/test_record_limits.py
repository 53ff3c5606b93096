"""Records that cannot be written are not Kafka outages: they are cut to fit or dead-lettered,
and the partition they sit in goes on, exactly once (see ``newswire/bus/limits.py``).

Before, an article event over the producer's request limit failed its ingest
transaction; the fetch role reconnected, fetched the page again and failed
again, forever, holding back every URL behind it. In enrich, a 5 MB record on
``articles`` was dead-lettered with its payload whole, the dead letter failed
the same way and the batch was redone forever.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter

import orjson
import pytest

from newswire.bus import ensure_topics, limit_mismatches, make_producer, send_all, start_client, topic_specs
from newswire.bus.records import Record
from newswire.bus.tail import iter_topic
from newswire.config import Settings
from newswire.daemons.enrich import EnrichDaemon
from newswire.daemons.ingest import IngestDaemon
from newswire.enrich import Enricher
from newswire.events import decode_article, decode_enriched, encode_event
from tests.conftest import make_settings
from tests.fakesite import Article, FakeSite
from tests.integration.test_cli import run
from tests.integration.test_enrich_daemon import article_copies
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

BIG_PARAGRAPH = "A paragraph of a very long report, repeated until the page is six megabytes of text. " * 12


async def values(settings: Settings, name: str) -> list[bytes]:
    return [r.value async for r in iter_topic(settings, settings.topic(name))]


async def test_a_six_megabyte_article_is_truncated_and_the_feed_behind_it_is_published(
    broker, fake_site: FakeSite
) -> None:
    normal = fake_site.article_urls()
    newest = fake_site.state.newest_first()[0]
    paragraphs = [f"{i}. {BIG_PARAGRAPH}".strip() for i in range(6 * 1024 * 1024 // len(BIG_PARAGRAPH))]
    big_url = fake_site.add_article(
        Article(
            slug="the-very-long-report",
            title="The very long report",
            lede="It goes on.",
            body=paragraphs,
            published=newest.published.replace(minute=newest.published.minute - 1),  # second in the feed
        )
    )
    assert fake_site.state.newest_first()[1].slug == "the-very-long-report"
    settings = site_settings(broker, fake_site, [{"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}])

    started = time.monotonic()
    published = await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4.0).run()
    elapsed = time.monotonic() - started

    raw = await values(settings, "articles")
    events = [decode_article(v) for v in raw]
    assert published == len(normal) + 1 and elapsed < 60
    assert Counter(e.url for e in events) == Counter([*normal, big_url])  # each once
    big = next(e for e in events if e.url == big_url)
    original = "\n\n".join(paragraphs)
    assert big.truncated and big.original_body_chars == len(original)
    assert original.startswith(big.body) and big.body.endswith(paragraphs[len(big.body.split("\n\n")) - 1])
    assert max(len(v) for v in raw) <= settings.kafka.max_message_bytes
    assert not any(e.truncated for e in events if e.url != big_url)
    assert await values(settings, "dead-letters") == []


async def test_a_huge_and_a_garbage_record_in_articles_are_dead_lettered_and_enrich_goes_on(
    broker, enricher: Enricher
) -> None:
    # Another producer, allowed bigger records, wrote to the topics newswire reads.
    writer = make_settings(broker.bootstrap_servers, kafka={"max_message_bytes": 64 * 1024 * 1024})
    await ensure_topics(writer)
    settings = make_settings(
        broker.bootstrap_servers,
        kafka={"topic_prefix": writer.kafka.topic_prefix},
        enrich={"group_id": writer.enrich.group_id},
    )
    mismatches = await limit_mismatches(settings)
    assert len(mismatches) == len(topic_specs(settings))
    assert all("dead-lettered as too_large" in m for m in mismatches)
    huge = encode_event(article_copies(1)[0]).replace(b'"body":"', b'"body":"' + b"x" * (5 * 1024 * 1024), 1)
    # Not an article: bytes whose header declares a 50 MB payload that is not there.
    garbage = b"NWZ\x00" + (50 * 1024 * 1024).to_bytes(8, "big") + os.urandom(4_500_000)
    good = article_copies(4)
    records: list[Record] = [
        (settings.topic("articles"), a.article_id.encode(), encode_event(a), []) for a in good
    ]
    records[1:1] = [
        (settings.topic("articles"), b"huge", huge, []),
        (settings.topic("articles"), b"junk", garbage, []),
    ]
    producer = make_producer(writer)
    await start_client(producer, writer.kafka.bootstrap_servers, "test producer")
    try:
        await send_all(producer, records, partition=0)  # one partition: the good ones sit behind
    finally:
        await producer.stop()

    done = await EnrichDaemon(settings, enricher=enricher, idle_timeout_s=3).run()

    enriched = [decode_enriched(v).article.article_id for v in await values(settings, "enriched")]
    letters = [orjson.loads(v) for v in await values(settings, "dead-letters")]
    assert done == len(records)
    assert Counter(enriched) == Counter(a.article_id for a in good)  # each once, none lost
    assert sorted(d["origin"]["key"] for d in letters) == ["huge", "junk"]
    for letter in letters:
        payload = huge if letter["origin"]["key"] == "huge" else garbage
        assert letter["payload_truncated"] is True
        assert letter["payload_bytes"] == len(payload)
        assert letter["payload_sha256"] == hashlib.sha256(payload).hexdigest()
        assert letter["origin"]["offset"] in (1, 2) and letter["context"]["reason"] == "too_large"
    raw_letters = await values(settings, "dead-letters")
    assert max(len(v) for v in raw_letters) <= settings.kafka.max_message_bytes


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


async def test_topics_describe_flags_a_topic_whose_size_limit_disagrees(broker, tmp_path) -> None:
    small = make_settings(broker.bootstrap_servers, kafka={"max_message_bytes": 512 * 1024})
    await ensure_topics(small)  # created by someone with a smaller limit than ours
    config = tmp_path / "newswire.toml"
    config.write_text(
        f'[kafka]\nbootstrap_servers = "{broker.bootstrap_servers}"\n'
        f'topic_prefix = "{small.kafka.topic_prefix}"\n'
    )

    described = run("--config", str(config), "topics", "describe", cwd=tmp_path)

    assert described.returncode == 0
    warnings = [line for line in described.stderr.decode().splitlines() if "mismatch" in line]
    assert len(warnings) == len(topic_specs(small))
    assert all("max.message.bytes is 524288 but kafka.max_message_bytes is 4194304" in w for w in warnings)
    assert all("refuses records" in w for w in warnings)
