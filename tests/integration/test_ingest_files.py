"""Ingest from a local folder into the real broker: the seed article becomes one clean article event."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from prometheus_client import REGISTRY

from newswire.broker import EmbeddedBroker
from newswire.bus.tail import tail
from newswire.config import Settings
from newswire.daemons.ingest import IngestDaemon
from newswire.events import decode_article
from tests.conftest import SEED_ARTICLE, make_settings

pytestmark = pytest.mark.kafka


async def read_topic(settings: Settings, name: str, limit: int | None = None) -> list[bytes]:
    return [
        line
        async for line in tail(settings, settings.topic(name), from_beginning=True, limit=limit, idle_ms=1500)
    ]


def files_settings(bootstrap: str, folder: Path) -> Settings:
    return make_settings(bootstrap, sources=[{"kind": "files", "path": str(folder), "interval_s": 30}])


async def test_seed_article_file_is_published_once_as_a_clean_article(broker, tmp_path: Path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "seed-article.txt")
    settings = files_settings(broker.bootstrap_servers, folder)
    daemon = IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4)
    await daemon.run()
    # A second run (a restart) finds the same file unchanged and publishes nothing new.
    await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4).run()

    values = await read_topic(settings, "articles")
    assert len(values) == 1
    article = decode_article(values[0])
    assert article.title == "Baltics in new NATO demand"
    assert article.published is not None and article.published.startswith("2022-01-13T19:23")
    assert article.lead == (
        "Estonia, Latvia and Lithuania want to increase deterrence against possible Russian military action"
    )
    assert article.body.startswith("The Baltic states have begun discussions")
    assert "icon" not in article.body.split("\n\n")[0]
    assert "bookmark-bicon" not in article.body
    assert article.language == "en"
    assert article.change == "created" and article.version == 1
    latest = await read_topic(settings, "latest")
    assert [orjson.loads(v)["article_id"] for v in latest] == [article.article_id]


def _fallback_count() -> float:
    """``newswire_extract_fallback_total`` summed over hosts, as a scrape would add it up."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "newswire_extract_fallback"
        for sample in metric.samples
        if sample.name == "newswire_extract_fallback_total"
    )


_STORY = [
    "The harbour board approved the new quay on Thursday after a vote that ran late into the evening.",
    "Fishermen had argued for two years that the old quay was unsafe in winter storms and too short.",
    "The plan costs forty million and will be paid for by the port, the region and a national loan.",
    "Work starts in the spring and the first berths should open before the following summer season.",
]


def _html(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


async def test_a_page_the_main_strategy_cannot_read_counts_as_a_fallback(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    # Operators watch newswire_extract_fallback_total{host} to see which sites the extractor is unsure
    # of: a page in ordinary article markup does not count, one whose text only a reader without
    # scripts sees (<noscript>) does, and its event says how the body was found.
    folder = tmp_path / "dumps"
    folder.mkdir()
    paragraphs = "".join(f"<p>{s}</p>" for s in _STORY)
    (folder / "plain.html").write_text(_html("Harbour plan approved", f"<article>{paragraphs}</article>"))
    hidden = f"<div id='app'></div><noscript><div>{paragraphs}</div></noscript>"
    (folder / "scripted.html").write_text(_html("Quay opens next summer", hidden))
    settings = files_settings(broker.bootstrap_servers, folder)
    before = _fallback_count()
    await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=4).run()

    events = {e.title: e for e in map(decode_article, await read_topic(settings, "articles"))}
    assert set(events) == {"Harbour plan approved", "Quay opens next summer"}
    for event in events.values():
        assert event.body.split("\n\n") == _STORY
    plain, scripted = events["Harbour plan approved"], events["Quay opens next summer"]
    assert plain.extraction is not None and plain.extraction.method == "container"
    assert scripted.extraction is not None and scripted.extraction.method == "blocks"
    assert _fallback_count() - before == 1
