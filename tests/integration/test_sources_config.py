"""Sources and fetch exemptions are checked at start, and the configuration is the truth about
which sources exist: one removed from it, or a feed taken out of an OPML source it has, is
tombstoned in the sources topic and no longer polled."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from newswire.broker import free_port
from newswire.bus.records.sources import CONFIGURED_KEY, is_source_key
from newswire.bus.tail import iter_topic
from newswire.commands.status import source_status
from newswire.config import Settings, load_settings
from newswire.daemons.ingest import IngestDaemon
from tests.fakesite import FakeSite
from tests.integration.test_cli import CLI, run
from tests.support.site_settings import site_settings

pytestmark = pytest.mark.kafka


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ('kind = "feed"\nname = "no-url"', "no-url"),
        ('kind = "feed"\nurl = "ftp://example.com/feed.xml"', "ftp://example.com/feed.xml"),
        ('kind = "sitemap"\nurl = "ht!tp://exa mple"', "ht!tp://exa mple"),
        ('kind = "files"\nname = "inbox"', "inbox"),
        ('kind = "feed"\nurl = "https://example.com:99999/feed"', "https://example.com:99999/feed"),
    ],
)
def test_a_source_that_cannot_be_polled_stops_the_start_with_exit_2_naming_it(
    broker, tmp_path: Path, source: str, named: str
) -> None:
    config = tmp_path / "newswire.toml"
    config.write_text(
        f'[kafka]\nbootstrap_servers = "{broker.bootstrap_servers}"\n'
        f'[[sources]]\nkind = "feed"\nurl = "https://example.com/ok.xml"\n[[sources]]\n{source}\n'
    )
    result = run("--config", str(config), "ingest", "--idle-timeout", "1", cwd=tmp_path, timeout=60)
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "sources.1" in err and named in err


def test_a_bare_host_in_allowed_hosts_is_refused_with_the_form_to_use(tmp_path: Path) -> None:
    config = tmp_path / "newswire.toml"
    config.write_text('[fetch]\nallowed_hosts = ["127.0.0.1"]\n')
    result = run("--config", str(config), "ingest", cwd=tmp_path, timeout=60)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "fetch.allowed_hosts" in err and "'127.0.0.1' has no port" in err and "host:port" in err


def test_group_ids_follow_the_topic_prefix_unless_set() -> None:
    staging = load_settings(environ={"NEWSWIRE_KAFKA__TOPIC_PREFIX": "staging."}, default_file=False)
    default = load_settings(environ={}, default_file=False)
    assert (staging.ingest.group_id, staging.enrich.group_id) == ("staging-ingest", "staging-enrich")
    assert (default.ingest.group_id, default.enrich.group_id) == ("newswire-ingest", "newswire-enrich")


async def live_sources(settings: Settings) -> dict[str, bool]:
    out: dict[str, bool] = {}
    async for record in iter_topic(settings, settings.topic("sources")):
        if is_source_key(record.key):
            out[record.key.decode()] = record.value is not None
    return out


async def ingest_once(settings: Settings) -> None:
    """Start ingest, poll every source once, stop when idle."""
    await IngestDaemon(settings, inline_extraction=True, idle_timeout_s=3.0).run()


def restart(first: Settings, broker: Any, site: FakeSite, sources: list[dict[str, str]]) -> Settings:
    """The settings of a later start of ``first``'s deployment (same topics, same group) with ``sources``."""
    same_deployment = {
        "kafka": {"topic_prefix": first.kafka.topic_prefix},
        "ingest": {"group_id": first.ingest.group_id},
    }
    return site_settings(broker, site, sources, **same_deployment)


def write_opml(path: Path, site: FakeSite, feeds: dict[str, str]) -> dict[str, str]:
    """An OPML file subscribing to ``feeds`` (outline title: path on the site)."""
    outlines = "".join(
        f'<outline type="rss" text="{title}" xmlUrl="{site.url(feed)}"/>' for title, feed in feeds.items()
    )
    path.write_text(f'<?xml version="1.0"?>\n<opml version="2.0"><head/><body>{outlines}</body></opml>\n')
    return {"kind": "opml", "name": "subscriptions", "path": str(path)}


async def test_a_feed_taken_out_of_an_opml_is_tombstoned_and_no_longer_polled(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    both = {"RSS": "/feeds/rss.xml", "Atom": "/feeds/atom.xml"}
    opml = write_opml(tmp_path / "subscriptions.opml", fake_site, both)
    settings = site_settings(broker, fake_site, [opml])
    await ingest_once(settings)
    assert await live_sources(settings) == {"subscriptions": True, "RSS": True, "Atom": True}
    assert {row["source"] for row in await source_status(settings)} == {"subscriptions", "RSS", "Atom"}

    write_opml(tmp_path / "subscriptions.opml", fake_site, {"RSS": both["RSS"]})
    await ingest_once(settings)
    assert await live_sources(settings) == {"subscriptions": True, "RSS": True, "Atom": False}
    assert {row["source"] for row in await source_status(settings)} == {"subscriptions", "RSS"}

    atom_polls = fake_site.hits("/feeds/atom.xml")
    await ingest_once(settings)
    assert fake_site.hits("/feeds/atom.xml") == atom_polls


async def test_removing_an_opml_source_removes_its_feeds_but_not_one_the_configuration_has(
    broker, fake_site: FakeSite, tmp_path: Path
) -> None:
    both = {"RSS": "/feeds/rss.xml", "Atom": "/feeds/atom.xml"}
    opml = write_opml(tmp_path / "subscriptions.opml", fake_site, both)
    atom = {"kind": "feed", "name": "Atom", "url": fake_site.url(both["Atom"])}
    first = site_settings(broker, fake_site, [opml, atom])
    await ingest_once(first)
    assert await live_sources(first) == {"subscriptions": True, "RSS": True, "Atom": True}

    second = restart(first, broker, fake_site, [atom])
    rss_polls = fake_site.hits("/feeds/rss.xml")
    await ingest_once(second)
    assert await live_sources(second) == {"subscriptions": False, "RSS": False, "Atom": True}
    assert fake_site.hits("/feeds/rss.xml") == rss_polls


async def test_a_source_removed_from_the_config_is_tombstoned_and_no_longer_polled(
    broker, fake_site: FakeSite
) -> None:
    rss = {"kind": "feed", "name": "rss", "url": fake_site.url("/feeds/rss.xml")}
    atom = {"kind": "feed", "name": "atom", "url": fake_site.url("/feeds/atom.xml")}
    first = site_settings(broker, fake_site, [rss, atom])
    await ingest_once(first)
    assert await live_sources(first) == {"rss": True, "atom": True}

    second = restart(first, broker, fake_site, [rss])
    atom_polls = fake_site.hits("/feeds/atom.xml")
    await ingest_once(second)
    assert await live_sources(second) == {"rss": True, "atom": False}
    assert fake_site.hits("/feeds/atom.xml") == atom_polls

    third = restart(first, broker, fake_site, [])
    rss_polls = fake_site.hits("/feeds/rss.xml")
    await ingest_once(third)
    assert await live_sources(third) == {"rss": False, "atom": False}
    assert fake_site.hits("/feeds/rss.xml") == rss_polls
    configured = [r async for r in iter_topic(third, third.topic("sources")) if r.key == CONFIGURED_KEY]
    assert orjson.loads(configured[-1].value) == []


def test_tail_of_a_missing_topic_says_so_at_once(broker, tmp_path: Path) -> None:
    result = run("--bootstrap", broker.bootstrap_servers, "tail", "nosuchtopic", cwd=tmp_path, timeout=60)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert "topic newswire.nosuchtopic does not exist" in err
    assert len(err.splitlines()) <= 3 and "Unclosed" not in err


def test_tail_and_status_without_a_broker_leave_no_unclosed_client(tmp_path: Path) -> None:
    nowhere = ("--bootstrap", f"127.0.0.1:{free_port()}")
    for command in (["tail", "articles"], ["status"]):
        result = run(*nowhere, *command, cwd=tmp_path, timeout=90)
        err = result.stderr.decode()
        assert result.returncode != 0, err
        assert "cannot reach Kafka" in err or "no answer from Kafka" in err, err
        assert "Unclosed" not in err, err


def test_infinite_and_nan_numbers_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "newswire.toml"
    config.write_text("[fetch]\ntotal_timeout_s = 1e400\n")
    result = run("--config", str(config), "ingest", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "fetch.total_timeout_s" in result.stderr.decode() and "finite" in result.stderr.decode()


@pytest.mark.timeout(240)
def test_a_sigkilled_broker_command_takes_its_jvm_with_it(tmp_path: Path) -> None:
    port, controller = free_port(), free_port()
    command = [
        "broker",
        "--port",
        str(port),
        "--controller-port",
        str(controller),
        "--data-dir",
        str(tmp_path),
    ]
    proc = subprocess.Popen([*CLI, *command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=tmp_path)
    assert proc.stdout is not None
    assert "ready" in proc.stdout.readline().decode()
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _accepts(port):
        time.sleep(0.5)
    assert not _accepts(port), "the broker's JVM outlived the SIGKILLed newswire broker"


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_two_deployments_with_their_own_prefixes_do_not_share_consumer_groups(
    broker, fake_site: FakeSite
) -> None:
    feed = {"kind": "feed", "url": fake_site.url("/feeds/rss.xml")}
    deployments = []
    for _ in range(2):
        made = site_settings(broker, fake_site, [feed])
        # As a user would configure them: only the topic prefix differs, group ids left unset.
        deployments.append(made.override(ingest={"group_id": ""}, enrich={"group_id": ""}))
    deployments = [
        load_settings(default_file=False, environ={}, overrides=d.model_dump()) for d in deployments
    ]
    assert len({d.ingest.group_id for d in deployments}) == 2

    published = await asyncio.gather(
        *(IngestDaemon(d, inline_extraction=True, idle_timeout_s=4.0).run() for d in deployments)
    )

    expected = sorted(fake_site.article_urls())
    assert published == [len(expected), len(expected)]
    for settings in deployments:
        urls = [orjson.loads(r.value)["url"] async for r in iter_topic(settings, settings.topic("articles"))]
        assert sorted(urls) == expected  # each deployment published each article once
    assert fake_site.hits("/feeds/rss.xml") <= 4  # one poll each (two with a rebalance), no storm
