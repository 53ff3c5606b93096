"""Pages that are not articles, through the real ingest daemon and broker: a dead letter each, no article.

A local site imitates each vendor's challenge, consent and login walls, soft 404s
and a paywall teaser (``tests/support/walls.py``); the daemon reads their URLs
from a list, and the topics are read back as a user of them would.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY

from newswire import cli
from newswire.commands.status import host_status
from newswire.config import Settings
from newswire.observe import metrics as m
from tests.integration.test_ingest_site import articles, read_records, run_daemon
from tests.support.site_settings import site_settings
from tests.support.wall_site import ARTICLE_PATH, WallSite, serve_walls
from tests.support.walls import ARTICLE_ABOUT_WALLS_TEXT, CLOUDFLARE, DATADOME, WALLS

pytestmark = pytest.mark.kafka


def wall_settings(
    broker: Any, site: WallSite, listing: Any, *, one_at_a_time: bool = False, **fetch: Any
) -> Settings:
    return site_settings(
        broker,
        site,
        [{"kind": "urls", "path": str(listing)}],
        fetch=fetch,
        **({"ingest": {"max_in_flight": 1}} if one_at_a_time else {}),
    )


def not_article_count(kind: str) -> float:
    labels = {"host": m.host_label("127.0.0.1"), "kind": kind}
    return REGISTRY.get_sample_value("newswire_not_article_total", labels) or 0.0


async def test_each_wall_is_a_dead_letter_with_its_reason_and_never_an_article(
    broker, tmp_path, capsys
) -> None:
    with serve_walls() as site:
        urls = {site.wall_url(w): w for w in WALLS}
        listing = tmp_path / "urls.txt"
        listing.write_text("\n".join([*urls, site.url(ARTICLE_PATH)]) + "\n")
        settings = wall_settings(broker, site, listing, blocked_backoff_s=0.1, blocked_backoff_max_s=0.3)
        before = {kind: not_article_count(kind) for kind in {w.kind for w in WALLS}}
        await run_daemon(settings)

    published = await articles(settings)
    assert [a.url for a in published] == [site.url(ARTICLE_PATH)]
    assert published[0].body.split("\n\n") == ARTICLE_ABOUT_WALLS_TEXT
    for wall in WALLS:
        assert not wall.marker or all(wall.marker not in a.body for a in published), wall.name

    letters = [r.json() for r in await read_records(settings, "dead-letters")]
    by_url = {d["context"]["url"]: d for d in letters}
    assert set(by_url) == set(urls) and len(letters) == len(urls), letters
    for url, wall in urls.items():
        letter = by_url[url]
        assert letter["stage"] == "ingest" and letter["context"]["reason"] == wall.kind, (wall.name, letter)
        assert orjson.loads(letter["payload"])["url"] == url  # the candidate, to redo later

    expected: dict[str, int] = {}
    for wall in WALLS:
        expected[wall.kind] = expected.get(wall.kind, 0) + 1
    assert {k: not_article_count(k) - before[k] for k in expected} == expected
    # `newswire status --hosts` tells the same story for the host.
    [row] = await host_status(settings, window_s=600)
    assert (row["host"], row["articles"], row["updates"]) == ("127.0.0.1", 1, 0)
    assert row["dead_letters"] == expected and row["last_success"] == published[0].fetched
    assert row["blocked_share"] == pytest.approx(expected["blocked"] / (len(WALLS) + 1))
    await cli.cmd_status(argparse.Namespace(hosts=True, json=False, hours=0.2), settings)
    [header, line] = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["host", "articles", "updates", "blocked"]
    assert line.split()[:4] == ["127.0.0.1", "1", "0", f"{expected['blocked'] / (len(WALLS) + 1):.0%}"]
    assert f"blocked {expected['blocked']}" in line and "consent_wall 2" in line and "paywalled 1" in line
    # Its last success in the sources table's format (UTC, to the second), not the raw ISO string.
    fetched = datetime.fromisoformat(published[0].fetched).astimezone(UTC)
    assert fetched.strftime("%Y-%m-%d %H:%M:%S") in line and published[0].fetched not in line
    # A challenge is not retried on the spot: each blocked URL was asked for exactly once.
    blocked_paths = [f"/news/{w.name}" for w in WALLS if w.kind == "blocked"]
    assert sorted(p for p, _ in site.hits() if p in blocked_paths) == sorted(blocked_paths)


async def test_a_host_that_answers_with_challenges_is_left_alone_longer_each_time(broker, tmp_path) -> None:
    with serve_walls() as site:
        listing = tmp_path / "urls.txt"
        listing.write_text(
            f"{site.wall_url(CLOUDFLARE)}\n{site.wall_url(DATADOME)}\n{site.url(ARTICLE_PATH)}\n"
        )
        settings = wall_settings(
            broker, site, listing, blocked_backoff_s=1.0, blocked_backoff_max_s=60, one_at_a_time=True
        )
        await run_daemon(settings)
        hits = site.hits()

    assert [p for p, _ in hits] == [f"/news/{CLOUDFLARE.name}", f"/news/{DATADOME.name}", ARTICLE_PATH]
    first_pause = hits[1][1] - hits[0][1]
    second_pause = hits[2][1] - hits[1][1]
    assert first_pause >= 1.0, first_pause  # fetch.blocked_backoff_s after the first challenge
    assert second_pause >= 2.0, second_pause  # doubled after the second one in a row
    assert [a.url for a in await articles(settings)] == [site.url(ARTICLE_PATH)]
