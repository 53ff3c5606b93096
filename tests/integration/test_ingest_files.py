"""Ingest from a local folder into the real broker: the seed article becomes one clean article event."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from newswire.bus.tail import tail
from newswire.config import Settings
from newswire.daemons.ingest import IngestDaemon
from newswire.events import decode_article
from tests.conftest import SEED_ARTICLE, make_settings

pytestmark = pytest.mark.kafka


async def read_topic(settings: Settings, name: str, limit: int | None = None) -> list[bytes]:
    return [line async for line in tail(settings, settings.topic(name), from_beginning=True, limit=limit,
                                        idle_ms=1500)]


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
    assert article.lead == ("Estonia, Latvia and Lithuania want to increase deterrence against possible "
                            "Russian military action")
    assert article.body.startswith("The Baltic states have begun discussions")
    assert "icon" not in article.body.split("\n\n")[0]
    assert "bookmark-bicon" not in article.body
    assert article.language == "en"
    assert article.change == "created" and article.version == 1
    latest = await read_topic(settings, "latest")
    assert [orjson.loads(v)["article_id"] for v in latest] == [article.article_id]
