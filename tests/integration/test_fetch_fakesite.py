"""The fake site itself, read through the Fetcher: feeds and sitemaps are well formed and linked."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET

from newswire.config import FetchSettings
from newswire.fetch import Fetcher
from tests.fakesite import SEED_SLUG, FakeSite

pytest_plugins = ["tests.fakesite.fixtures"]

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def _settings(site: FakeSite) -> FetchSettings:
    return FetchSettings(allowed_hosts=(site.host_port,), per_host_delay_s=0, retries=0)


async def test_feeds_and_sitemaps_list_every_article(fake_site: FakeSite) -> None:
    expected = set(fake_site.article_urls())
    assert len(expected) == 11 and fake_site.article_url(SEED_SLUG) in expected
    async with Fetcher(_settings(fake_site)) as fetcher:
        rss = ET.fromstring((await fetcher.fetch(fake_site.url("/feeds/rss.xml"))).content)
        atom = ET.fromstring((await fetcher.fetch(fake_site.url("/feeds/atom.xml"))).content)
        feed = json.loads((await fetcher.fetch(fake_site.url("/feeds/feed.json"))).content)
        news = ET.fromstring((await fetcher.fetch(fake_site.url("/sitemaps/news.xml"))).content)
        index = ET.fromstring((await fetcher.fetch(fake_site.url("/sitemap.xml"))).content)
        children = [loc.text or "" for loc in index.iter(f"{SM}loc")]
        gz = next(c for c in children if c.endswith(".xml.gz"))
        urlset = ET.fromstring(gzip.decompress((await fetcher.fetch(gz)).content))
        robots = (await fetcher.fetch(fake_site.url("/robots.txt"))).content.decode()
    assert {i.findtext("link") for i in rss.iter("item")} == expected
    assert {e.find(f"{ATOM}link").get("href") for e in atom.iter(f"{ATOM}entry")} == expected  # type: ignore[union-attr]
    assert {i["url"] for i in feed["items"]} == expected
    assert {u.findtext(f"{SM}loc") for u in news.iter(f"{SM}url")} == expected
    assert all(u.find(f"{NEWS}news/{NEWS}publication_date") is not None for u in news.iter(f"{SM}url"))
    assert {u.findtext(f"{SM}loc") for u in urlset.iter(f"{SM}url")} == expected
    assert "Disallow: /private/" in robots and f"Sitemap: {fake_site.base_url}/sitemap.xml" in robots


async def test_generated_articles() -> None:
    with FakeSite(n_generated=300, crawl_delay=0.01) as site:
        assert len(site.generated_urls()) == 300
        async with Fetcher(_settings(site)) as fetcher:
            index = ET.fromstring((await fetcher.fetch(site.url("/sitemap.xml"))).content)
            gz = next(loc.text for loc in index.iter(f"{SM}loc") if "generated" in (loc.text or ""))
            assert gz is not None
            urlset = ET.fromstring(gzip.decompress((await fetcher.fetch(gz)).content))
            page = await fetcher.fetch(site.generated_urls()[299])
    assert len(list(urlset.iter(f"{SM}url"))) == 300
    assert b"Report 299:" in page.content and b'"@type": "NewsArticle"' in page.content
