"""HTML, feeds and sitemaps of the fake site, rendered from ``Article`` objects.

Pages look like a real news site's: navigation, breadcrumbs, share bar, related
links, newsletter box and footer around the article, plus the metadata real
sites carry (JSON-LD ``NewsArticle``, Open Graph, Twitter cards, canonical link).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from tests.fakesite._articles import Article

SITE_NAME = "The Harbour Ledger"
SECTIONS = ("Local", "Politics", "Business", "Sport", "Culture", "World", "Weather")


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _nav() -> str:
    links = "".join(f'<li><a href="/section/{s.lower()}">{s}</a></li>' for s in SECTIONS)
    return f"""<header class="site-header">
  <div class="top-bar"><a href="/subscribe">Subscribe</a> · <a href="/login">Sign in</a> ·
    <form action="/search" class="search"><input name="q" placeholder="Search"></form></div>
  <a class="logo" href="/"><img src="/static/img/logo.svg" alt="{SITE_NAME}"></a>
  <nav class="main-nav" aria-label="Sections"><ul>{links}</ul></nav>
</header>"""


def _footer() -> str:
    return f"""<footer class="site-footer">
  <section class="newsletter"><h2>Get the Morning Ledger</h2>
    <p>Our best stories in your inbox at 7am, every weekday.</p>
    <form action="/newsletter"><input type="email" name="email"><button>Sign up</button></form></section>
  <ul class="footer-links"><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
    <li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li>
    <li><a href="/feeds/rss.xml">RSS</a></li></ul>
  <p class="copyright">© 2024 {SITE_NAME} Ltd. All rights reserved. Registered in Port Alder, no. 0042117.</p>
</footer>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button>
  <button>Manage preferences</button></div>"""


def _page(title: str, head: str, main: str, *, lang: str = "en", charset_meta: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset_meta}">\n' if charset_meta else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
{meta}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/static/site.css">
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="/feeds/rss.xml">
{head}
<script async src="/static/analytics.js"></script>
</head>
<body>
{_nav()}
<main id="content">
{main}
</main>
{_footer()}
</body>
</html>
"""


def article_html(article: Article, base_url: str, related: Sequence[Article]) -> str:
    url = f"{base_url}{article.path}"
    image = f"{base_url}{article.image}" if article.image else None
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": article.lede,
        "datePublished": _iso(article.published),
        "dateModified": _iso(article.updated),
        "articleSection": article.section,
        "keywords": article.tags,
        "inLanguage": article.language,
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": f"{base_url}/static/img/logo.png"},
        },
    }
    if article.authors:
        ld["author"] = [
            {"@type": "Person", "name": a, "url": f"{base_url}/authors/{_slug(a)}"} for a in article.authors
        ]
    if image:
        ld["image"] = [image]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{base_url}/"},
            {
                "@type": "ListItem",
                "position": 2,
                "name": article.section,
                "item": f"{base_url}/section/{article.section.lower()}",
            },
        ],
    }
    og = [
        ("og:type", "article"),
        ("og:site_name", SITE_NAME),
        ("og:title", article.title),
        ("og:description", article.lede),
        ("og:url", url),
        ("og:locale", "en_GB"),
        ("article:published_time", _iso(article.published)),
        ("article:modified_time", _iso(article.updated)),
        ("article:section", article.section),
        *(("article:author", a) for a in article.authors),
        *(("article:tag", t) for t in article.tags),
    ]
    if image:
        og.append(("og:image", image))
    head = "\n".join(
        [
            f'<meta name="description" content="{escape(article.lede)}">',
            *(f'<meta name="author" content="{escape(a)}">' for a in article.authors),
            f'<link rel="canonical" href="{url}">',
            *(f'<meta property="{k}" content="{escape(v)}">' for k, v in og),
            '<meta name="twitter:card" content="summary_large_image">',
            '<meta name="twitter:site" content="@harbourledger">',
            f'<meta name="twitter:title" content="{escape(article.title)}">',
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
            f'<script type="application/ld+json">{json.dumps(breadcrumbs)}</script>',
        ]
    )
    byline = ""
    if article.authors:
        names = " and ".join(
            f'<a rel="author" href="/authors/{a.lower().replace(" ", "-")}">{escape(a)}</a>'
            for a in article.authors
        )
        byline = f'<p class="byline">By <span class="author">{names}</span></p>'
    dates = (
        f'<time class="published" datetime="{_iso(article.published)}">'
        f"{article.published:%d %b, %Y %H:%M}</time>"
    )
    if article.modified:
        dates += (
            f' · Updated <time class="modified" datetime="{_iso(article.modified)}">'
            f"{article.modified:%d %b, %Y %H:%M}</time>"
        )
    figure = ""
    if image:
        figure = (
            f'<figure class="lead-image"><img src="{image}" alt="{escape(article.title)}">'
            f'<figcaption>{escape(article.title)} <span class="credit">Photo: Ledger staff</span>'
            f"</figcaption></figure>"
        )
    share = (
        '<div class="share-bar" aria-label="Share"><span class="icon icon-bookmark">bookmark</span>'
        '<span class="icon icon-fb">fb</span><span class="icon icon-tw">tw</span>'
        '<span class="icon icon-mail">mail</span><span class="icon icon-share">share</span></div>'
    )
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in article.body)
    tags = "".join(f'<li><a href="/tag/{escape(t.lower())}">{escape(t)}</a></li>' for t in article.tags)
    rel = "".join(f'<li><a href="{r.path}">{escape(r.title)}</a></li>' for r in related)
    section = f'<a href="/section/{article.section.lower()}">{article.section}</a>'
    main = f"""<nav class="breadcrumbs"><a href="/">Home</a> › {section}</nav>
<article class="story">
  <header class="story-header">
    <h1 class="headline">{escape(article.title)}</h1>
    <p class="standfirst">{escape(article.lede)}</p>
    {byline}
    <p class="dateline">{dates}</p>
    {share}
  </header>
  {figure}
  <div class="story-body" itemprop="articleBody">
{paragraphs}
  </div>
  <ul class="tags">{tags}</ul>
</article>
<aside class="related"><h2>More from {SITE_NAME}</h2><ul>{rel}</ul></aside>
<aside class="promo"><a href="/subscribe">Support local journalism: subscribe from 1 a week</a></aside>"""
    return _page(f"{article.title} | {SITE_NAME}", head, main, lang=article.language)


def home_html(articles: Sequence[Article]) -> str:
    items = "\n".join(
        f'<li class="teaser"><a href="{a.path}"><h2>{escape(a.title)}</h2></a><p>{escape(a.lede)}</p>'
        f'<time datetime="{_iso(a.published)}">{a.published:%d %b %Y}</time></li>'
        for a in articles
    )
    main = f'<h1 class="visually-hidden">{SITE_NAME}</h1>\n<ul class="front-page">\n{items}\n</ul>'
    head = '<meta name="description" content="News from Port Alder">'
    return _page(f"{SITE_NAME}: news from Port Alder", head, main)


def error_html(status: int, message: str) -> str:
    return _page(
        f"{status} {message} | {SITE_NAME}",
        "",
        f'<h1>{status}: {escape(message)}</h1><p>Try the <a href="/">front page</a>.</p>',
    )


def rss(articles: Sequence[Article], base_url: str) -> str:
    items = "\n".join(
        f"""  <item>
    <title>{xml_escape(a.title)}</title>
    <link>{base_url}{a.path}</link>
    <guid isPermaLink="true">{base_url}{a.path}</guid>
    <pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>
    <description>{xml_escape(a.lede)}</description>
    {"".join(f"<dc:creator>{xml_escape(n)}</dc:creator>" for n in a.authors)}
    <category>{xml_escape(a.section)}</category>
  </item>"""
        for a in articles
    )
    built = max((a.updated for a in articles), default=None)
    last = f"<lastBuildDate>{format_datetime(built, usegmt=True)}</lastBuildDate>" if built else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>{SITE_NAME}</title>
  <link>{base_url}/</link>
  <description>News from Port Alder</description>
  <language>en-gb</language>
  <atom:link href="{base_url}/feeds/rss.xml" rel="self" type="application/rss+xml"/>
  {last}
{items}
</channel>
</rss>
"""


@functools.lru_cache(maxsize=4)
def huge_rss(items: int, base_url: str) -> str:
    """An RSS feed of ``items`` made-up entries: well-formed, and slow to parse when long."""
    entries = "".join(
        f"<item><title>Dispatch {i}</title><link>{base_url}/news/huge-{i}</link>"
        f"<description>{'Port Alder harbour news. ' * 4}</description>"
        "<pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate></item>\n"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{SITE_NAME} wire</title>'
        f"<link>{base_url}/</link><description>Everything</description>\n{entries}</channel></rss>\n"
    )


def atom(articles: Sequence[Article], base_url: str) -> str:
    updated = max((a.updated for a in articles), default=None)
    entries = "\n".join(
        f"""  <entry>
    <id>{base_url}{a.path}</id>
    <title>{xml_escape(a.title)}</title>
    <link rel="alternate" type="text/html" href="{base_url}{a.path}"/>
    <published>{_iso(a.published)}</published>
    <updated>{_iso(a.updated)}</updated>
    {"".join(f"<author><name>{xml_escape(n)}</name></author>" for n in a.authors)}
    <category term="{xml_escape(a.section)}"/>
    <summary>{xml_escape(a.lede)}</summary>
  </entry>"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>{base_url}/</id>
  <title>{SITE_NAME}</title>
  <link rel="self" href="{base_url}/feeds/atom.xml"/>
  <link rel="alternate" href="{base_url}/"/>
  <updated>{_iso(updated) if updated else "1970-01-01T00:00:00Z"}</updated>
{entries}
</feed>
"""


def json_feed(articles: Sequence[Article], base_url: str) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": SITE_NAME,
            "home_page_url": f"{base_url}/",
            "feed_url": f"{base_url}/feeds/feed.json",
            "language": "en-GB",
            "items": [
                {
                    "id": f"{base_url}{a.path}",
                    "url": f"{base_url}{a.path}",
                    "title": a.title,
                    "summary": a.lede,
                    "date_published": _iso(a.published),
                    "date_modified": _iso(a.updated),
                    "authors": [{"name": n} for n in a.authors],
                    "tags": a.tags,
                }
                for a in articles
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def news_sitemap(articles: Sequence[Article], base_url: str) -> str:
    urls = "\n".join(
        f"""  <url>
    <loc>{base_url}{a.path}</loc>
    <news:news>
      <news:publication><news:name>{SITE_NAME}</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>{_iso(a.published)}</news:publication_date>
      <news:title>{xml_escape(a.title)}</news:title>
    </news:news>
  </url>"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>
"""


def urlset(articles: Sequence[Article], base_url: str) -> str:
    urls = "\n".join(
        f"  <url><loc>{base_url}{a.path}</loc><lastmod>{_iso(a.updated)}</lastmod></url>" for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""


def sitemap_index(children: Sequence[tuple[str, datetime | None]], base_url: str) -> str:
    entries = "\n".join(
        f"  <sitemap><loc>{base_url}{path}</loc>"
        + (f"<lastmod>{_iso(when)}</lastmod>" if when else "")
        + "</sitemap>"
        for path, when in children
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{entries}
</sitemapindex>
"""


# -- pages in legacy charsets --------------------------------------------------------------

CP1251_TITLE = "Новый мост через залив откроют весной"
CP1251_TEXT = (
    "Строительство нового моста через залив Порт-Олдера завершится весной, сообщил мэр города. "
    "Длина моста составит почти два километра, а движение по нему будет четырёхполосным."
)
LATIN1_TITLE = "Fête du port : la ville célèbre ses pêcheurs"
LATIN1_TEXT = (
    "Des milliers de visiteurs sont attendus samedi sur les quais pour la fête annuelle du port. "
    "Au programme : dégustation de crêpes, régates et bal populaire jusqu'à minuit. "
    "« C'est notre façon de dire merci à ceux qui partent en mer », explique la maire."
)


def cp1251_page() -> bytes:
    """A Russian article in windows-1251; the *meta* tag is right, the HTTP header will lie."""
    html = _page(
        CP1251_TITLE,
        "",
        f"<article><h1>{CP1251_TITLE}</h1><p>{CP1251_TEXT}</p></article>",
        lang="ru",
        charset_meta="windows-1251",
    )
    return html.encode("cp1251", errors="xmlcharrefreplace")


def latin1_page() -> bytes:
    """A French article in latin-1 with no charset anywhere (no header parameter, no meta)."""
    html = _page(
        LATIN1_TITLE,
        "",
        f"<article><h1>{LATIN1_TITLE}</h1><p>{LATIN1_TEXT}</p></article>",
        lang="fr",
        charset_meta=None,
    )
    return html.encode("latin-1", errors="xmlcharrefreplace")
