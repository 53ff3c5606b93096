"""Sitemaps (sitemaps.org 0.9): indexes, urlsets, Google News sitemaps, gzip, text.

Elements are matched by local name, so sitemaps with a wrong or missing
namespace (common in the wild) still work. ``<news:news>`` gives the title,
publication date and language; ``<lastmod>`` gives ``lastmod`` and stands in
for the publication date when there is no news block.

Compressed sitemaps (``.xml.gz``, recognised by the gzip magic bytes, not by
the name) are inflated up to :data:`MAX_DECOMPRESSED_BYTES`; a bigger one is a
:class:`~newswire.errors.SourceError` (the protocol caps a sitemap at 50 MB
uncompressed, and a gzip bomb should cost us nothing).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from lxml import etree

from newswire.errors import SourceError
from newswire.sources._models import Candidate, SitemapResult
from newswire.sources._values import from_w3c, language_tag, plain_text
from newswire.sources._xml import child_text, local_name, looks_like_html, parse_xml
from newswire.urls import canonicalize

MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024


def parse_sitemap(content: bytes, url: str) -> SitemapResult:
    """Parse a sitemap or sitemap index fetched from ``url``.

    For an index, ``sitemaps`` lists the child sitemaps (canonical URLs) and
    ``candidates`` is empty. For a urlset, ``candidates`` are its pages. A
    plain-text sitemap (one URL per line) is accepted too.

    Raises :class:`SourceError` for anything else: not XML, a feed or an HTML
    page instead of a sitemap, XML entity declarations, corrupt or oversized gzip.
    """
    what = f"sitemap {url}"
    if content[:2] == _GZIP_MAGIC:
        content = gunzip(content, what)
    stripped = content.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if not stripped:
        raise SourceError(f"{what} is empty")
    if not stripped.startswith(b"<") and stripped[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        return SitemapResult(candidates=_text_sitemap(stripped, url))
    if looks_like_html(stripped[:512]):
        raise SourceError(f"{what} is an HTML page, not a sitemap")
    root = parse_xml(content, what)
    kind = local_name(root)
    if kind == "sitemapindex":
        children: dict[str, str | None] = {}
        for node in root:
            if local_name(node) == "sitemap":
                for child in _urls([child_text(node, "loc")], url):
                    children.setdefault(child, from_w3c(child_text(node, "lastmod")))
        lastmods = {child: when for child, when in children.items() if when}
        return SitemapResult(candidates=(), sitemaps=tuple(children), sitemap_lastmod=lastmods)
    if kind == "urlset":
        found: dict[str, Candidate] = {}
        for node in root:
            if local_name(node) == "url" and (candidate := _candidate(node, url)):
                found.setdefault(candidate.url, candidate)
        return SitemapResult(candidates=tuple(found.values()))
    if kind in ("rss", "feed", "RDF"):
        raise SourceError(f'{what} is a feed, not a sitemap (configure it with kind = "feed")')
    if kind == "html":
        raise SourceError(f"{what} is an HTML page, not a sitemap")
    raise SourceError(f"{what} is XML but not a sitemap (root element <{kind}>)")


def gunzip(content: bytes, what: str, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Inflate gzip ``content`` (all members), refusing more than ``limit`` bytes of output."""
    out = bytearray()
    data = content
    while data[:2] == _GZIP_MAGIC:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, _CHUNK)
            while inflater.unconsumed_tail and len(out) <= limit:
                out += inflater.decompress(inflater.unconsumed_tail, _CHUNK)
        except zlib.error as exc:
            raise SourceError(f"{what} is corrupt gzip: {exc}") from None
        if len(out) > limit:
            raise SourceError(f"{what} inflates to more than {limit // (1024 * 1024)} MB; refused")
        if not inflater.eof:
            raise SourceError(f"{what} is truncated gzip")
        data = inflater.unused_data.lstrip(b"\0")
    return bytes(out)


def _urls(values: Iterable[str | None], base: str) -> list[str]:
    out: list[str] = []
    for value in values:
        if value:
            try:
                out.append(canonicalize(value, base))
            except ValueError:
                continue
    return out


def _find(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


def _candidate(node: etree._Element, source: str) -> Candidate | None:
    loc = child_text(node, "loc")
    if not loc:
        return None
    try:
        link = canonicalize(loc, source)
    except ValueError:
        return None
    lastmod = from_w3c(child_text(node, "lastmod"))
    title = published = language = None
    news = _find(node, "news")
    if news is not None:
        title = plain_text(child_text(news, "title"), limit=500)
        published = from_w3c(child_text(news, "publication_date"))
        publication = _find(news, "publication")
        if publication is not None:
            language = language_tag(child_text(publication, "language"))
    return Candidate(
        url=link,
        source=source,
        title=title,
        published=published or lastmod,
        lastmod=lastmod,
        language=language,
    )


def _text_sitemap(content: bytes, source: str) -> tuple[Candidate, ...]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"sitemap {source} is neither XML nor UTF-8 text") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    urls = _urls(lines, source)
    if len(urls) != len(lines) or not all(line.lower().startswith(("http://", "https://")) for line in lines):
        raise SourceError(f"sitemap {source} is neither XML nor a text sitemap (one absolute URL a line)")
    return tuple(Candidate(url=u, source=source) for u in dict.fromkeys(urls))
