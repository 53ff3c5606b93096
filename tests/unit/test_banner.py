"""The start-up banner of ``newswire run`` and the demo site it announces."""

from __future__ import annotations

from pathlib import Path

import httpx

from newswire.broker import free_port
from newswire.config import load_settings
from newswire.demo import DemoSite
from newswire.observe.banner import banner_lines

SHIPPED = Path(__file__).resolve().parents[2] / "newswire.toml"


def test_the_banner_says_what_runs_where_to_look_and_how_to_go_further() -> None:
    settings = load_settings(SHIPPED, environ={})
    with DemoSite(f"127.0.0.1:{free_port()}") as demo:
        text = "\n".join(banner_lines(settings, 9464, broker=None, demo=demo))
    assert "kafka        127.0.0.1:9092" in text
    assert f"demo site    {demo.url}/" in text
    assert "http://127.0.0.1:9464/metrics" in text
    assert "newswire tail enriched --from-beginning" in text
    assert "newswire doctor" in text
    assert "[[sources]] in newswire.toml" in text and "KAFKA_BOOTSTRAP_SERVERS" in text


def test_the_banner_warns_when_the_config_reads_a_demo_site_nobody_serves() -> None:
    settings = load_settings(SHIPPED, environ={})
    text = "\n".join(banner_lines(settings, 9464, broker=None, demo=None))
    assert "NOT served" in text and "--demo-site" in text


def test_the_demo_site_serves_its_feed_with_links_to_itself_and_robots_txt() -> None:
    with DemoSite(f"127.0.0.1:{free_port()}") as demo:
        feed = httpx.get(f"{demo.url}/feed.xml")
        links = [line.strip()[6:-7] for line in feed.text.splitlines() if line.strip().startswith("<link>")]
        pages = [httpx.get(link) for link in links[1:]]  # the first is the channel's
        robots = httpx.get(f"{demo.url}/robots.txt")
        missing = httpx.get(f"{demo.url}/../pyproject.toml")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/rss+xml")
    assert len(pages) == 6 and all(p.status_code == 200 and "<article>" in p.text for p in pages)
    assert all(link.startswith(demo.url) for link in links)
    assert robots.text.startswith("User-agent: *")
    assert missing.status_code == 404


def test_the_banner_names_a_source_without_a_name_by_its_url_less_the_password() -> None:
    settings = load_settings(
        environ={},
        overrides={"sources": [{"kind": "feed", "url": "https://reader:hunter2@feeds.example/rss"}]},
        default_file=False,
    )
    text = "\n".join(banner_lines(settings, 9464, broker=None, demo=None))
    assert "sources      https://***@feeds.example/rss" in text and "hunter2" not in text
