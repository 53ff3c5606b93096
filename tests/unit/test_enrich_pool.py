"""EnricherPool: the same events as one Enricher, on several processes, surviving a dead worker."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from newswire.enrich import Enricher
from newswire.errors import EnrichError
from newswire.events import ArticleEvent
from newswire.pool.enricher import EnricherPool, split
from tests.unit.test_enrich import NOW, SEED_BODY, _article

GOLD_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "entities_gold.jsonl"
GOLD = [orjson.loads(line)["text"] for line in GOLD_FILE.read_text("utf-8").splitlines() if line.strip()]


def _batch() -> list[ArticleEvent]:
    articles = [_article(text, title=f"Report {i}", n=i) for i, text in enumerate(GOLD)]
    articles.insert(5, _article(SEED_BODY, title="Seed", n=999))
    articles.insert(9, _article("Ein kurzer Text auf Deutsch über Berlin und die Bundesregierung.", n=998))
    broken = _article("x", n=997)
    object.__setattr__(broken, "body", None)  # a poison article: its error must come back in its place
    articles.insert(12, broken)
    return articles


Driven = tuple[asyncio.AbstractEventLoop, EnricherPool]


@pytest.fixture(scope="module")
def pool() -> Iterator[Driven]:
    """A started pool, and the one event loop that drives it (as the enrich daemon's does)."""
    loop = asyncio.new_event_loop()
    p = loop.run_until_complete(EnricherPool(2).start())
    yield loop, p
    loop.run_until_complete(p.close())
    loop.close()


def _plain(results: list[Any]) -> list[Any]:
    return [orjson.loads(orjson.dumps(r)) if not isinstance(r, EnrichError) else str(r) for r in results]


def test_pool_gives_the_events_one_enricher_gives(pool: Driven) -> None:
    loop, enricher_pool = pool
    articles = _batch()
    expected = Enricher().enrich_batch(articles, now=NOW)
    got = loop.run_until_complete(enricher_pool.enrich_async(articles, now=NOW))
    assert len(got) == len(articles)
    assert isinstance(got[12], EnrichError) and "body" in str(got[12])
    assert _plain(got) == _plain(expected)
    assert sum(len(r.entities) for r in got if not isinstance(r, EnrichError)) > 150


def test_a_killed_worker_is_replaced_and_the_batch_still_enriched(pool: Driven) -> None:
    loop, enricher_pool = pool
    victim = next(iter(enricher_pool._pool.pids()))
    os.kill(victim, signal.SIGKILL)
    articles = _batch()[:10]
    got = loop.run_until_complete(enricher_pool.enrich_async(articles, now=NOW))
    assert [r.article.article_id for r in got] == [a.article_id for a in articles]  # type: ignore[union-attr]
    assert victim not in enricher_pool._pool.pids()


def test_split_balances_text_and_keeps_every_article() -> None:
    articles = [_article("word " * n, n=n) for n in (900, 10, 10, 500, 400, 20, 30)]
    groups = split(articles, 2)
    assert sorted(i for g in groups for i in g) == list(range(7))
    loads = [sum(len(articles[i].body) for i in g) for g in groups]
    assert max(loads) <= 1.2 * min(loads)
    assert split(articles[:1], 4) == [[0]]
