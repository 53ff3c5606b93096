"""Synthetic-but-realistic article pages for the pipeline benchmark.

Article texts come from the fundus corpus (``/work/shared/corpus/fundus/truth.jsonl``:
real news bodies, titles and bylines). Every published article gets a sequence
number ``seq`` that makes its URL, title, dateline and paragraph order unique
(newswire drops pages whose text fingerprint it has seen, so copies would not
count), and is rendered into one of five publisher templates that differ the
way real sites do: WordPress/Yoast, an Arc-style page with a large inline
state blob, a Next.js page with ``__NEXT_DATA__``, an old-school page full of
ad slots, and a lean microdata page. All carry JSON-LD ``NewsArticle``, Open
Graph and Twitter metadata, navigation, related links, inline CSS and JS, so
page sizes (median ~130 KB of HTML, ~25 KB gzipped) and DOM shapes are in the
range of the corpus's real pages.
"""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "fundus" / "truth.jsonl"

SECTIONS = (
    "World",
    "Politics",
    "Business",
    "Technology",
    "Science",
    "Health",
    "Sport",
    "Culture",
    "Opinion",
    "Climate",
    "Local",
    "Education",
    "Travel",
    "Money",
    "Lifestyle",
)
CITIES = (
    "London",
    "Washington",
    "Sydney",
    "Johannesburg",
    "Toronto",
    "Mumbai",
    "Dublin",
    "Auckland",
    "Nairobi",
    "Singapore",
    "Chicago",
    "Manchester",
    "Cape Town",
    "Vancouver",
    "Brisbane",
)
KICKERS = ("Live", "Analysis", "Explainer", "Update", "Report", "Exclusive", "In depth", "Briefing")
REPORTERS = (
    "Alex Morgan",
    "Priya Raman",
    "Tom Becker",
    "Grace Okafor",
    "Liam O'Neill",
    "Chen Wei",
    "Sofia Marquez",
    "David Levin",
    "Amara Nwosu",
    "Hannah Schmidt",
    "Jonas Berg",
    "Maya Patel",
)
TEMPLATES = ("wordpress", "arc", "nextjs", "classic", "microdata")
SITE_NAMES = {
    "wordpress": "The Daily Ledger",
    "arc": "Metro Herald",
    "nextjs": "Signal News",
    "classic": "The Evening Courier",
    "microdata": "Coastline Today",
}


@dataclass(frozen=True, slots=True)
class Source:
    """One corpus article: the text we re-render."""

    title: str
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]
    language: str


@dataclass(slots=True)
class Page:
    """One published article of the benchmark site."""

    seq: int
    path: str
    title: str
    authors: tuple[str, ...]
    section: str
    published: float  # epoch seconds: the moment it appears in the feed
    lede: str
    gz: bytes = b""
    raw_size: int = 0
    etag: str = ""


def load_corpus(languages: str = "en", path: Path = CORPUS) -> list[Source]:
    """Corpus articles with a real body; ``languages`` is ``all`` or a comma list (``en``, ``en,de``)."""
    wanted = None if languages == "all" else {code.strip() for code in languages.split(",")}
    out = []
    for line in path.read_text("utf-8").splitlines():
        doc = json.loads(line)
        paragraphs = tuple(p.strip() for p in (doc.get("body") or "").split("\n\n") if p.strip())
        if not doc.get("title") or len(paragraphs) < 3:
            continue
        if wanted is not None and doc.get("language") not in wanted:
            continue
        out.append(
            Source(doc["title"], tuple(doc.get("authors") or ()), paragraphs, doc.get("language") or "en")
        )
    if not out:
        raise SystemExit(f"no corpus articles for languages={languages!r} in {path}")
    return out


def _filler_js(rng: random.Random, kb: int) -> str:
    """Minified-looking inline JavaScript of about ``kb`` KB (analytics, ad loaders, consent)."""
    names = (
        "gtag",
        "dataLayer",
        "pbjs",
        "googletag",
        "__tcfapi",
        "OneTrust",
        "comscore",
        "chartbeat",
        "permutive",
        "apstag",
        "_sf_async_config",
        "optimizely",
    )
    parts, size = [], 0
    while size < kb * 1024:
        n = rng.choice(names)
        k = rng.randrange(1 << 30)
        chunk = (
            f"!function(e,t){{var n=e.{n}=e.{n}||[];n.push({{id:{k},ts:Date.now(),"
            f"cfg:{{slot:'div-gpt-ad-{k % 9973}',sizes:[[300,250],[728,90]],lazy:!0}}}});"
            f"t.addEventListener('load',function(){{n.q=n.q||[];n.q.push(['{n}',{k % 997}])}})}}"
            f"(window,document);"
        )
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


def _filler_css(rng: random.Random, kb: int) -> str:
    parts, size = [], 0
    while size < kb * 1024:
        k = rng.randrange(1 << 20)
        chunk = (
            f".c-{k:x}{{display:flex;margin:{k % 24}px 0;padding:0 {k % 16}px;color:#{k % 0xFFFFFF:06x};"
            f"font:{12 + k % 8}px/1.{k % 9} var(--font-{k % 3})}}@media (min-width:{600 + k % 600}px)"
            f"{{.c-{k:x}{{flex-direction:column}}}}"
        )
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


class Renderer:
    """Turns (corpus text, seq, publish time) into a page; static chunks are built once per template."""

    def __init__(self, corpus: Sequence[Source], base_url: str) -> None:
        self.corpus = list(corpus)
        self.base_url = base_url
        rng = random.Random(7)
        self._js = {t: _filler_js(rng, kb) for t, kb in zip(TEMPLATES, (90, 140, 110, 70, 20), strict=True)}
        self._css = {t: _filler_css(rng, kb) for t, kb in zip(TEMPLATES, (25, 30, 20, 15, 6), strict=True)}
        self._nav = {t: self._make_nav(t, rng) for t in TEMPLATES}
        self._footer = {t: self._make_footer(t) for t in TEMPLATES}

    # -- static chunks ----------------------------------------------------------------------

    @staticmethod
    def _make_nav(template: str, rng: random.Random) -> str:
        items = []
        for section in SECTIONS:
            subs = "".join(
                f'<li><a href="/{section.lower()}/{w}">{w.title()}</a></li>'
                for w in rng.sample(
                    (
                        "uk",
                        "us",
                        "europe",
                        "asia",
                        "africa",
                        "markets",
                        "tech",
                        "football",
                        "tennis",
                        "film",
                        "books",
                        "music",
                        "travel",
                        "food",
                        "health",
                        "science",
                        "space",
                        "energy",
                    ),
                    8,
                )
            )
            items.append(
                f'<li class="nav-item"><a href="/{section.lower()}">{section}</a>'
                f'<ul class="nav-sub">{subs}</ul></li>'
            )
        name = SITE_NAMES[template]
        return (
            f'<header class="site-header {template}-header"><div class="top-strip"><a href="/subscribe">'
            f'Subscribe</a><a href="/login">Sign in</a><a href="/newsletters">Newsletters</a>'
            f'<form class="search" action="/search"><input name="q" aria-label="Search"></form></div>'
            f'<a class="brand" href="/"><img src="/static/{template}/logo.svg" alt="{name}"></a>'
            f'<nav class="primary-nav" aria-label="Main"><ul>{"".join(items)}</ul></nav></header>'
        )

    @staticmethod
    def _make_footer(template: str) -> str:
        name = SITE_NAMES[template]
        cols = "".join(
            f'<div class="footer-col"><h4>{s}</h4><ul>'
            + "".join(f'<li><a href="/{s.lower()}/{i}">{s} {i}</a></li>' for i in range(1, 7))
            + "</ul></div>"
            for s in SECTIONS[:8]
        )
        return (
            f'<footer class="site-footer"><div class="newsletter-box"><h3>Sign up to the {name} '
            f'briefing</h3><p>The stories that matter, every morning.</p><form action="/newsletter">'
            f'<input type="email" name="email"><button>Sign up</button></form></div>{cols}'
            f'<p class="legal">© 2024 {name}. All rights reserved. <a href="/privacy">Privacy</a> · '
            f'<a href="/terms">Terms</a> · <a href="/cookies">Cookie settings</a></p></footer>'
            f'<div id="consent-banner" class="consent">We and our 847 partners use cookies. '
            f"<button>Accept all</button><button>Reject all</button><button>Manage</button></div>"
        )

    # -- one article ------------------------------------------------------------------------

    def page(self, seq: int, published: float, run: str) -> tuple[Page, str]:
        """The page for article ``seq`` of ``run`` and its HTML."""
        rng = random.Random(seq * 7919 + 17)
        src = self.corpus[seq % len(self.corpus)]
        template = TEMPLATES[seq % len(TEMPLATES)]
        section = SECTIONS[seq % len(SECTIONS)]
        city = rng.choice(CITIES)
        when = datetime.fromtimestamp(published, UTC)
        title = f"{src.title} ({rng.choice(KICKERS)} {seq})"
        authors = src.authors or (rng.choice(REPORTERS),)
        if not authors[0] or len(authors[0]) > 60:
            authors = (rng.choice(REPORTERS),)
        body = list(src.paragraphs)
        middle = body[1:-1]
        rng.shuffle(middle)
        body = [
            f"{city.upper()}, {when:%B} {when.day} — {body[0]}",
            *middle,
            body[-1],
            f"Reporting by {authors[0]} in {city}; additional reporting for this story (ref. {run}-{seq}) "
            f"came from our {section.lower()} desk.",
        ]
        lede = body[0][:240].rsplit(" ", 1)[0] + "…" if len(body[0]) > 240 else body[0]
        ascii_title = unicodedata.normalize("NFKD", src.title).encode("ascii", "ignore").decode()
        slug = "-".join(
            w for w in ("".join(ch for ch in w.lower() if ch.isalnum()) for w in ascii_title.split()[:8]) if w
        )
        page = Page(
            seq=seq,
            path=f"/{run}/news/{section.lower()}/{seq}-{slug.strip('-') or 'story'}",
            title=title,
            authors=tuple(authors),
            section=section,
            published=published,
            lede=lede,
        )
        related = [self.corpus[(seq + k * 31) % len(self.corpus)].title for k in range(1, 13)]
        html = self._render(template, page, body, related, src.language, rng)
        page.raw_size = len(html.encode())
        page.etag = '"' + hashlib.blake2b(html.encode(), digest_size=8).hexdigest() + '"'
        return page, html

    def _head(self, template: str, page: Page, lang: str) -> str:
        url = self.base_url + page.path
        iso = datetime.fromtimestamp(page.published, UTC).isoformat(timespec="seconds")
        name = SITE_NAMES[template]
        image = f"{self.base_url}/static/img/{page.seq % 50}.jpg"
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": page.title,
            "description": page.lede,
            "datePublished": iso,
            "dateModified": iso,
            "inLanguage": lang,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "articleSection": page.section,
            "image": [image],
            "author": [{"@type": "Person", "name": a} for a in page.authors],
            "publisher": {
                "@type": "Organization",
                "name": name,
                "logo": {"@type": "ImageObject", "url": f"{self.base_url}/static/logo.png"},
            },
        }
        if template == "wordpress":  # Yoast wraps everything in a @graph
            ld = {
                "@context": "https://schema.org",
                "@graph": [
                    {**{k: v for k, v in ld.items() if k != "@context"}, "@id": url + "#article"},
                    {"@type": "WebSite", "@id": self.base_url + "/#website", "name": name},
                    {
                        "@type": "BreadcrumbList",
                        "itemListElement": [
                            {"@type": "ListItem", "position": 1, "name": "Home", "item": self.base_url + "/"},
                            {"@type": "ListItem", "position": 2, "name": page.section},
                        ],
                    },
                ],
            }
        og = [
            ("og:type", "article"),
            ("og:site_name", name),
            ("og:title", page.title),
            ("og:description", page.lede),
            ("og:url", url),
            ("og:image", image),
            ("article:published_time", iso),
            ("article:section", page.section),
            *(("article:author", a) for a in page.authors),
        ]
        metas = "\n".join(f'<meta property="{k}" content="{escape(v)}">' for k, v in og)
        return (
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(page.title)} | {name}</title>\n"
            f'<meta name="description" content="{escape(page.lede)}">'
            f'<meta name="author" content="{escape(", ".join(page.authors))}">'
            f'<link rel="canonical" href="{url}">\n{metas}\n'
            f'<meta name="twitter:card" content="summary_large_image">'
            f'<meta name="twitter:title" content="{escape(page.title)}">\n'
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>\n'
            f"<style>{self._css[template]}</style>\n"
        )

    def _render(
        self, template: str, page: Page, body: list[str], related: list[str], lang: str, rng: random.Random
    ) -> str:
        when = datetime.fromtimestamp(page.published, UTC)
        iso = when.isoformat(timespec="seconds")
        byline = ", ".join(
            f'<a rel="author" href="/by/{escape(a.lower().replace(" ", "-"))}">{escape(a)}</a>'
            for a in page.authors
        )
        rel = "".join(
            f'<li class="teaser"><a href="/story/{rng.randrange(10**7)}">{escape(t)}</a></li>'
            for t in related
        )
        paras = [escape(p) for p in body]
        if template == "wordpress":
            ps = "\n".join(f"<p>{p}</p>" for p in paras)
            main = (
                f'<div id="primary" class="content-area"><main id="main" class="site-main">'
                f'<article id="post-{page.seq}" class="post-{page.seq} post type-post status-publish">'
                f'<header class="entry-header"><span class="cat-links"><a href="/{page.section.lower()}">'
                f'{page.section}</a></span><h1 class="entry-title">{escape(page.title)}</h1>'
                f'<div class="entry-meta"><span class="byline">By {byline}</span> '
                f'<time class="entry-date published" datetime="{iso}">{when:%B %d, %Y}</time></div>'
                f'</header><div class="entry-content">{ps}'
                f'<div class="sharedaddy sd-sharing-enabled"><h3>Share this:</h3><ul><li>Facebook</li>'
                f"<li>X</li><li>Email</li></ul></div></div></article>"
                f'<div id="comments" class="comments-area"><h2>Leave a Reply</h2><form id="commentform">'
                f'<textarea name="comment"></textarea></form></div></main></div>'
                f'<aside id="secondary" class="widget-area"><section class="widget"><h2>Recent Posts</h2>'
                f"<ul>{rel}</ul></section></aside>"
            )
        elif template == "arc":
            ps = "\n".join(f'<p class="c-paragraph" data-el="text">{p}</p>' for p in paras)
            state = {
                "globalContent": {
                    "_id": hashlib.md5(page.path.encode()).hexdigest(),
                    "headlines": {"basic": page.title},
                    "content_elements": [{"type": "text", "content": p} for p in body],
                    "credits": {"by": [{"name": a} for a in page.authors]},
                    "taxonomy": {"sections": [{"name": page.section}]},
                }
            }
            main = (
                f'<div class="b-article-body"><div class="c-breadcrumb">{page.section}</div>'
                f'<h1 class="c-heading b-headline">{escape(page.title)}</h1>'
                f'<div class="c-attribution">By {byline}</div><div class="c-date">'
                f'<time datetime="{iso}">{when:%b %d, %Y at %H:%M UTC}</time></div>'
                f'<article class="article-body">{ps}</article>'
                f'<div class="ad-slot" id="arcad-{page.seq}"></div></div>'
                f'<section class="b-more-stories"><h2>Most read</h2><ul>{rel}</ul></section>'
                f'<script id="fusion-metadata" type="application/javascript">'
                f"window.Fusion=window.Fusion||{{}};Fusion.globalContent="
                f"{_script_json(state)};</script>"
            )
        elif template == "nextjs":
            ps = "\n".join(
                f'<div data-component="text-block" class="sc-18fde0d6-0"><p class="sc-eb7bd5f6-0">'
                f"{p}</p></div>"
                for p in paras
            )
            data = {
                "props": {
                    "pageProps": {
                        "article": {
                            "title": page.title,
                            "body": body,
                            "authors": list(page.authors),
                            "published": iso,
                            "related": related,
                        }
                    }
                },
                "page": "/[section]/[slug]",
                "buildId": "bench",
            }
            main = (
                f'<div id="__next"><main id="main-content"><article>'
                f'<div data-component="headline-block"><h1 id="main-heading">{escape(page.title)}</h1></div>'
                f'<div data-component="byline-block"><span>{byline}</span><time datetime="{iso}">'
                f"{when:%d %B %Y}</time></div>{ps}"
                f'<div data-component="links-block"><h2>Related</h2><ul>{rel}</ul></div>'
                f"</article></main></div>"
                f'<script id="__NEXT_DATA__" type="application/json">'
                f"{_script_json(data)}</script>"
            )
        elif template == "classic":
            chunks = []
            for i, p in enumerate(paras):
                chunks.append(f"<p>{p}</p>")
                if i % 3 == 2:
                    chunks.append(f'<div class="ad ad-inline" id="ad-{page.seq}-{i}">Advertisement</div>')
            main = (
                f'<table class="layout"><tr><td class="main-col"><div id="story">'
                f'<div class="kicker">{page.section}</div><h1 class="story-title">{escape(page.title)}</h1>'
                f'<div class="story-byline">By {byline} | <span class="date">{when:%d.%m.%Y %H:%M}</span>'
                f'</div><div class="story-text">{"".join(chunks)}</div></div></td>'
                f'<td class="side-col"><div class="ad ad-sky">Advertisement</div>'
                f'<div class="box"><h3>Top stories</h3><ol>{rel}</ol></div></td></tr></table>'
            )
        else:  # microdata
            ps = "\n".join(f"<p>{p}</p>" for p in paras)
            main = (
                f'<article itemscope itemtype="https://schema.org/NewsArticle">'
                f'<h1 itemprop="headline">{escape(page.title)}</h1>'
                f'<p class="meta">By <span itemprop="author">{escape(", ".join(page.authors))}</span>, '
                f'<time itemprop="datePublished" datetime="{iso}">{when:%Y-%m-%d}</time></p>'
                f'<div itemprop="articleBody">{ps}</div></article>'
                f'<nav class="more"><ul>{rel}</ul></nav>'
            )
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head>{self._head(template, page, lang)}'
            f'<script async src="/static/{template}/app.js"></script></head>\n'
            f'<body class="{template} article-page">{self._nav[template]}\n{main}\n{self._footer[template]}\n'
            f"<script>{self._js[template]}</script></body></html>\n"
        )


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


# -- feeds and sitemaps ---------------------------------------------------------------------


def rss(pages: Sequence[Page], base_url: str, run: str) -> bytes:
    """RSS 2.0 of ``pages`` (newest first)."""
    items = "".join(
        f"<item><title>{xml_escape(p.title)}</title><link>{base_url}{p.path}</link>"
        f'<guid isPermaLink="true">{base_url}{p.path}</guid>'
        f"<pubDate>{format_datetime(datetime.fromtimestamp(p.published, UTC), usegmt=True)}</pubDate>"
        f"<description>{xml_escape(p.lede)}</description>"
        + "".join(f"<dc:creator>{xml_escape(a)}</dc:creator>" for a in p.authors)
        + f"<category>{p.section}</category></item>\n"
        for p in pages
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench wire {run}</title>'
        f"<link>{base_url}/</link><description>Benchmark news feed</description>\n{items}</channel></rss>\n"
    ).encode()


def sitemap_index(n_children: int, base_url: str, run: str) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{base_url}/{run}/sitemap-{k}.xml</loc></sitemap>" for k in range(n_children)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>\n'
    ).encode()


def sitemap(pages: Sequence[Page], base_url: str) -> bytes:
    entries = "".join(
        f"<url><loc>{base_url}{p.path}</loc><lastmod>"
        f"{datetime.fromtimestamp(p.published, UTC).isoformat(timespec='seconds')}</lastmod></url>"
        for p in pages
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n'
    ).encode()
