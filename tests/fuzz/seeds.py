"""What the mutator starts from: real inputs per kind, and named hostile documents.

Real inputs are the shared news corpus (258 publisher pages), the fixture feeds,
sitemaps and pages, the fake site's renders, the seed text dump, and events
extracted from corpus pages. Hostile documents are kept whole (they run
unmutated first, then as mutation seeds too) so the report can say what
happened to each one by name.
"""

from __future__ import annotations

import functools
import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

import orjson

from newswire import events
from newswire.bus.records.urls import encode as encode_candidate
from newswire.events import ArticleEvent, EnrichedEvent, Metrics, Story, Tone
from newswire.sources import Candidate
from tests.fakesite import _render
from tests.fakesite._articles import Article, generated, handwritten, seed_article
from tests.fuzz import records

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
PAGES = ROOT / "tests" / "fixtures" / "pages"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "fundus"
BASE = "https://harbour-ledger.example"

KINDS = ("feed", "sitemap", "opml", "html", "text", "event", "candidate", "record")


# ----------------------------------------------------------------- hostile documents

_LAUGHS_DTD = (
    '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
)
_XXE_DTD = (
    '<!DOCTYPE x [\n <!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
    ' <!ENTITY remote SYSTEM "http://169.254.169.254/latest/meta-data/">\n'
    ' <!ENTITY % pe SYSTEM "http://127.0.0.1:9/evil.dtd"> %pe;\n]>\n'
)
_QUADRATIC_DTD = f'<!DOCTYPE q [<!ENTITY a "{"a" * 50_000}">]>\n'


def _rss(title: str, link: str) -> str:
    return (
        f'<rss version="2.0"><channel><title>{title}</title>'
        f"<item><title>{title}</title><link>{link}</link></item></channel></rss>"
    )


def _urlset(loc: str) -> str:
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{loc}</loc></url></urlset>'


def _encodings(name: str, text: str) -> dict[str, bytes]:
    """The same document in the encodings a byte-level screen could miss."""
    body = text.removeprefix('<?xml version="1.0"?>\n')
    return {
        f"{name}": f'<?xml version="1.0"?>\n{body}'.encode(),
        f"{name}.utf16": f'<?xml version="1.0" encoding="UTF-16"?>\n{body}'.encode("utf-16"),
        f"{name}.utf16be-nobom": f'<?xml version="1.0" encoding="UTF-16BE"?>\n{body}'.encode("utf-16-be"),
        f"{name}.utf32": f'<?xml version="1.0" encoding="UTF-32"?>\n{body}'.encode("utf-32"),
        f"{name}.ebcdic": f'<?xml version="1.0" encoding="IBM037"?>\n{body}'.encode("cp037"),
        f"{name}.latin1-decl": f'<?xml version="1.0" encoding="ISO-8859-1"?>\n{body}'.encode("latin-1"),
    }


def gzip_bomb(decoded_bytes: int) -> bytes:
    """A gzip member that inflates to ``decoded_bytes`` zeros (about 1/1000 of that on the wire)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = [deflate.compress(chunk) for _ in range(decoded_bytes >> 20)]
    return b"".join([*parts, deflate.flush()])


def _nested(open_tag: str, close_tag: str, depth: int, inner: str = "x") -> str:
    return open_tag * depth + inner + close_tag * depth


@functools.cache
def hostile(kind: str) -> dict[str, bytes]:
    """Named hostile inputs for ``kind``; each must end as a documented error or a harmless result."""
    feed_laughs = _LAUGHS_DTD + _rss("&lol9;", "https://example.com/&lol9;")
    feed_xxe = _XXE_DTD + _rss("&xxe;", "https://example.com/&remote;")
    map_laughs = _LAUGHS_DTD + _urlset("https://example.com/&lol9;")
    map_xxe = _XXE_DTD + _urlset("https://example.com/&xxe;")
    if kind == "feed":
        return {
            "billion_laughs.xml": (FEEDS / "billion_laughs.xml").read_bytes(),
            "external_entity.xml": (FEEDS / "external_entity.xml").read_bytes(),
            **_encodings("feed-laughs", feed_laughs),
            **_encodings("feed-xxe", feed_xxe),
            "feed-quadratic": (_QUADRATIC_DTD + _rss("&a;" * 2000, "https://example.com/")).encode(),
            "feed-deep": _nested("<channel>", "</channel>", 100_000).encode(),
            "feed-json-deep": ('{"version":"https://jsonfeed.org/version/1","items":' + "[" * 5000).encode(),
            "feed-huge-text": _rss("t" * 8_000_000, "https://example.com/").encode(),
        }
    if kind == "sitemap":
        return {
            "billion_laughs.xml": (FEEDS / "billion_laughs.xml").read_bytes(),
            "external_entity.xml": (FEEDS / "external_entity.xml").read_bytes(),
            **_encodings("sitemap-laughs", map_laughs),
            **_encodings("sitemap-xxe", map_xxe),
            "sitemap-laughs.gz": gzip.compress(map_laughs.encode()),
            "sitemap-xxe.utf16.gz": gzip.compress(map_xxe.encode("utf-16")),
            "gzip-bomb-1GiB": gzip_bomb(1 << 30),
            "gzip-in-gzip": gzip.compress(gzip_bomb(200 << 20)),
            "sitemap-deep": _nested("<url>", "</url>", 100_000).encode(),
            "sitemap-many-urls": _urlset("https://example.com/a</loc></url><url><loc>" * 200_000).encode(),
        }
    if kind == "opml":
        return {
            "billion_laughs.xml": (FEEDS / "billion_laughs.xml").read_bytes(),
            **_encodings("opml-xxe", _XXE_DTD + '<opml><body><outline xmlUrl="&xxe;"/></body></opml>'),
            **_encodings("opml-laughs", _LAUGHS_DTD + '<opml><body><outline text="&lol9;"/></body></opml>'),
        }
    if kind == "html":
        page = "<html><body><p>{}</p></body></html>"
        return {
            "html-laughs": (_LAUGHS_DTD.replace("lolz", "html") + page.format("&lol9;")).encode(),
            "html-xxe": (_XXE_DTD.replace("x [", "html [") + page.format("&xxe;")).encode(),
            "html-deep-divs": ("<html><body>" + _nested("<div>", "</div>", 200_000, "deep")).encode(),
            "html-one-huge-paragraph": ("<html><body><article><p>" + "word " * 2_000_000).encode(),
            "html-many-paragraphs": ("<html><body><article>" + "<p>A short line.</p>" * 200_000).encode(),
            "html-jsonld-deep": (
                '<html><head><script type="application/ld+json">' + "[" * 100_000 + "</script></head></html>"
            ).encode(),
            "html-jsonld-huge-numbers": (
                '<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":1e999999,'
                '"datePublished":' + "9" * 100_000 + "}</script></head><body><p>x</p></body></html>"
            ).encode(),
            "html-attribute-flood": ("<html><body><p " + 'a="b" ' * 300_000 + ">x</p>").encode(),
            "html-utf16-nul": page.format("\x00" * 100_000).encode("utf-16"),
        }
    if kind == "text":
        return {
            "text-one-line": ("word " * 2_000_000).encode(),
            "text-many-lines": ("line\n" * 1_000_000).encode(),
            "text-nul": b"\x00" * 1_000_000,
            "text-laughs": _LAUGHS_DTD.encode() * 10,
            "saved-page-gzip-bomb.html.gz": gzip_bomb(1536 << 20),
        }
    if kind in ("event", "candidate"):
        return {
            f"{kind}-deep": b"[" * 100_000 + b"]" * 100_000,
            f"{kind}-deep-object": b'{"a":' * 5000 + b"1" + b"}" * 5000,
            f"{kind}-huge-int": b'{"version": ' + b"9" * 100_000 + b"}",
            f"{kind}-nan": b'{"version": NaN, "url": Infinity}',
            f"{kind}-lone-surrogate": b'{"url": "\\ud800", "article_id": "\\udfff"}',
            f"{kind}-invalid-utf8": b'{"url": "\xff\xfe"}',
            f"{kind}-huge-string": b'{"body": "' + b"x" * 20_000_000 + b'"}',
        }
    if kind == "record":
        return records.boundary_inputs(_article_events()[0])
    raise ValueError(kind)


# ----------------------------------------------------------------- real inputs


def corpus_pages() -> list[Path]:
    """The shared corpus pages (gzipped HTML), read lazily by the html kind."""
    return sorted(CORPUS.glob("pages/*/*.html.gz"))


def _fake_site_articles() -> list[Article]:
    return [*handwritten(), seed_article(), *generated(8)]


def _article_events() -> list[ArticleEvent]:
    from newswire.extract import extract_html

    out = []
    for path in corpus_pages()[::40]:
        try:
            out.append(extract_html(gzip.decompress(path.read_bytes()), f"https://{path.stem}.example/a"))
        except Exception:  # a page we cannot extract is just not a seed
            continue
    return out


def _enriched(article: ArticleEvent) -> EnrichedEvent:
    now = datetime.now(UTC).isoformat()
    return EnrichedEvent(
        article=article,
        entities=[
            events.Entity(name="Port Alder", type="location", forms=["Port Alder"], count=2, first_offset=5),
        ],
        metrics=Metrics(
            words=len(article.body.split()),
            sentences=3,
            paragraphs=article.body.count("\n\n") + 1,
            characters=len(article.body),
            quotes=1,
            numbers=2,
            reading_time_s=12.5,
            flesch_reading_ease=55.0,
            tone=Tone(tone=-1.5, positive=2.0, negative=3.5, polarity=5.5),
            keywords=["harbour", "bridge"],
            language=article.language,
            language_confidence=0.98,
            latency_s=0.4,
        ),
        entity_tagged=True,
        enriched=now,
        story=Story(story_id=article.article_id, first_article_id=article.article_id, first_seen=now, size=1),
    )


@functools.cache
def seeds(kind: str) -> list[bytes]:
    """Real inputs of ``kind`` for the mutator (html also draws from :func:`corpus_pages`)."""
    site = _fake_site_articles()
    if kind == "feed":
        names = ["rss2.xml", "rss1.rdf", "atom.xml", "jsonfeed.json", "jsonfeed_v1.json", "not_jsonfeed.json"]
        return [
            *((FEEDS / n).read_bytes() for n in names),
            _render.rss(site, BASE).encode(),
            _render.atom(site, BASE).encode(),
            _render.json_feed(site, BASE).encode(),
            (FEEDS / "homepage.html").read_bytes(),
        ]
    if kind == "sitemap":
        urlset = (FEEDS / "urlset.xml.gz").read_bytes()
        return [
            (FEEDS / "news_sitemap.xml").read_bytes(),
            (FEEDS / "sitemap_index.xml").read_bytes(),
            urlset,
            gzip.decompress(urlset),
            _render.news_sitemap(site, BASE).encode(),
            _render.urlset(site, BASE).encode(),
            _render.sitemap_index([("/sitemaps/news.xml", site[0].updated)], BASE).encode(),
            "\n".join(f"{BASE}{a.path}" for a in site).encode(),
        ]
    if kind == "opml":
        return [(FEEDS / "subscriptions.opml").read_bytes()]
    if kind == "html":
        return [
            *(p.read_bytes() for p in sorted(PAGES.glob("*.html"))),
            *(_render.article_html(a, BASE, site[:4]).encode() for a in site[:6]),
            (FEEDS / "homepage.html").read_bytes(),
        ]
    if kind == "text":
        lines = [(SHARED / "fixtures" / "seed-article.txt").read_bytes()]
        for a in site[:6]:
            text = "\n\n".join([a.title, a.published.strftime("%d %b, %Y %H:%M"), a.lede, *a.body])
            lines.append(text.encode())
        for line in (CORPUS / "truth.jsonl").read_bytes().splitlines()[::25]:
            doc = orjson.loads(line)
            lines.append(f"{doc.get('title') or ''}\n\n{doc.get('body') or ''}".encode())
        return lines
    if kind == "event":
        articles = _article_events()
        return [
            *(events.encode_event(a) for a in articles),
            *(events.encode_event(_enriched(a)) for a in articles[:3]),
        ]
    if kind == "record":
        return [events.encode_event(a) for a in _article_events()]
    if kind == "candidate":
        candidates = [
            Candidate(url=f"{BASE}{a.path}", source=f"{BASE}/rss", title=a.title, authors=tuple(a.authors))
            for a in site[:5]
        ]
        return [encode_candidate(c, attempt=i % 3, not_before=None) for i, c in enumerate(candidates)]
    raise ValueError(kind)
