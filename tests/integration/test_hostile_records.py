"""Garbage on the urls topic costs its own record, never the partition it sits in.

The fetch role commits each partition's done prefix in offset order, so one
record whose handling never finishes would hold back every later record of its
partition, forever. The fuzz run found records that did that (JSON that is not
an object, a candidate whose url is not a string). Here they are written to the
topic ahead of a good candidate of the same host (so the same partition): the
good one must be published, the bad ones dead-lettered with their reason.
"""

from __future__ import annotations

import base64

import orjson
import pytest

from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.bus.records import Record
from newswire.bus.records.urls import encode as encode_candidate
from newswire.bus.records.urls import key as url_key
from newswire.bus.tail import iter_topic
from newswire.daemons.ingest import IngestDaemon
from newswire.sources import Candidate
from tests.fakesite import FakeSite
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka

GARBAGE = [
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    b"42",
    b'{"url": ["not", "a", "string"], "source": "x"}',
    b'{"url": {"a": 1}, "source": "x"}',
    b'{"url": "https://example.com/a", "source": 7}',
    b"\xff\xfe not json",
]


async def test_undecodable_candidates_are_dead_lettered_and_the_partition_keeps_going(
    broker, fake_site: FakeSite
) -> None:
    settings = site_settings(broker, fake_site, [])
    await ensure_topics(settings)
    good = fake_site.article_urls()[0]
    key = url_key(good)
    records: list[Record] = [(settings.topic("urls"), key, value, []) for value in GARBAGE]
    records.append((settings.topic("urls"), key, encode_candidate(Candidate(url=good, source="test")), []))
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "test producer")
    try:
        await send_all(producer, records)
    finally:
        await producer.stop()

    published = await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4.0).run()

    articles = [orjson.loads(r.value)["url"] async for r in iter_topic(settings, settings.topic("articles"))]
    letters = [orjson.loads(r.value) async for r in iter_topic(settings, settings.topic("dead-letters"))]
    assert published == 1 and articles == [good]
    assert len(letters) == len(GARBAGE)
    assert {d["context"]["reason"] for d in letters} == {"invalid_candidate"}
    assert sorted(payload(d) for d in letters) == sorted(GARBAGE)  # each one, as it was on the topic
    # ... and where it was: each letter names its record's partition, offset and key
    assert sorted(d["origin"]["offset"] for d in letters) == list(range(len(GARBAGE)))
    assert {(d["origin"]["topic"], d["origin"]["key"]) for d in letters} == {
        (settings.topic("urls"), key.decode())
    }
    assert all(isinstance(d["origin"]["partition"], int) for d in letters)


def payload(letter: dict[str, str]) -> bytes:
    if letter.get("payload_encoding") == "base64":
        return base64.b64decode(letter["payload"])
    return letter["payload"].encode()
