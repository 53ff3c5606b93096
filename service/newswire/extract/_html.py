"""HTML page → :class:`ArticleEvent`: metadata first, then the main text."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.errors import ExtractError
from newswire.events import ArticleEvent, Extraction, article_id_for, content_fingerprint, utc_now
from newswire.extract import _density, _depth, _language, _standfirst, _strategy, _tidy, _title
from newswire.extract._byline import authors_of
from newswire.extract._charset import decode_html_as, keeps_ascii
from newswire.extract._hints import Hints
from newswire.extract._metadata import Metadata, ld_list, ld_text, parse_metadata, types_of
from newswire.extract._nodes import text_of
from newswire.extract._page_dates import dates_of, states_published
from newswire.extract._text import has_unspaced, repair, word_count, words_in

_WS = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[\W_]+")
_MAX_CHARS = 8_000_000
_MIN_BODY = 1
_MIN_LEAD = 40
_LEAD_PROBE_WORDS = 6
_MAX_LEAD_NODES = 50
_MAX_LEAD_CHARS = 1500
_INLINE_LEAD = frozenset({"span", "strong", "b", "em", "i", "a", "font", "-text"})
# Characters no text document holds: C0/C1 controls other than whitespace, and U+FFFD, which
# decoding leaves for bytes that no charset explains. NUL is dropped before counting (UTF-16
# text saved without a byte-order mark decodes with one after every character).
_NOT_TEXT = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# Above this share of them in the first characters, the bytes are not a page (an image, an
# archive, random bytes): real pages, even with a few mis-encoded bytes, stay under 0.5%.
_MAX_NOT_TEXT = 0.05
_SNIFF_CHARS = 65_536
# A body of fewer words with no sentence in it (:func:`_density.reads_as_text`) is a few labels
# ("Loading…", "Sign in"), not an article; more words of short lines are a page of briefs.
_MIN_LABEL_WORDS = 20


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    out = " ".join(text.split())
    return out or None


def _resolve(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    try:
        joined = urljoin(base, href.strip())
    except ValueError:
        return None
    return joined if urlsplit(joined).scheme in {"http", "https", "file"} else None


def _site_name(md: Metadata) -> str | None:
    name = md.first("og:site_name", "application-name", "al:android:app_name", "twitter:site")
    if name:
        return name.lstrip("@")
    publisher = md.article.get("publisher")
    return ld_text(publisher) if publisher else None


def _tags_of(md: Metadata) -> list[str]:
    raw: list[str] = list(md.all("article:tag", "og:article:tag"))
    keywords = md.article.get("keywords")
    if isinstance(keywords, str):
        raw.extend(keywords.split(","))
    else:
        raw.extend(ld_list(keywords))
    if not raw:
        for value in md.all("keywords", "news_keywords"):
            raw.extend(value.split(","))
    seen: set[str] = set()
    tags: list[str] = []
    for tag in raw:
        clean = _clean(tag)
        if clean and clean.casefold() not in seen and len(clean) <= 80:
            seen.add(clean.casefold())
            tags.append(clean)
    return tags


def _image_of(md: Metadata, url: str) -> str | None:
    image = md.first("og:image", "og:image:url", "twitter:image", "twitter:image:src")
    if not image:
        image = ld_text(md.article.get("image"))
    return _resolve(url, image)


def _free_access(md: Metadata) -> bool | None:
    value: Any = md.article.get("isAccessibleForFree")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def _article_body(md: Metadata) -> list[str]:
    body = md.article.get("articleBody")
    if not isinstance(body, str):
        return []
    return [p for p in (_clean(x) for x in re.split(r"\n\s*\n|\r\n|\n", body)) if p]


def _page_words(page_text: str, title: str | None) -> int:
    """The words the page shows, counted as a body's are (:func:`._text.words_in`) on a page whose
    headline is in a script written without spaces between words; elsewhere its white-space
    words (the same count, bar a stray character, without reading every character of the page
    for one)."""
    if title and has_unspaced(title):
        return words_in(page_text)
    return page_text.count(" ") + 1


def _visible_lead(tree: LexborHTMLParser, lead: str | None, page_text: str) -> str | None:
    """The block that shows the standfirst on the page, in its visible wording.

    Descriptions are often a truncated or retouched copy of the visible lead; the
    visible block is what readers (and the body) should get.
    """
    if not lead or len(lead) < _MIN_LEAD or tree.body is None:
        return None
    words = lead.split()[:_LEAD_PROBE_WORDS]
    probe = " ".join(words)
    if len(probe) < _MIN_LEAD // 2 or probe not in page_text or any(ch in probe for ch in '"\\'):
        return None
    for node in tree.body.css(f'*:lexbor-contains("{" ".join(words[:3])}")')[:_MAX_LEAD_NODES]:
        block = node
        while block.tag in _INLINE_LEAD and block.parent is not None:
            block = block.parent
        text = " ".join((block.text(deep=True) or "").split())
        if text.startswith(probe) and len(text) <= _MAX_LEAD_CHARS:
            return text
    return lead if lead in page_text and not lead.endswith(("…", "...")) else None


def _refuse_binary(html: str, url: str) -> None:
    """Raise :class:`ExtractError` when decoded "page" text is mostly not text at all."""
    head = html[:_SNIFF_CHARS]
    share = len(_NOT_TEXT.findall(head)) / len(head) if head else 1.0
    if share > _MAX_NOT_TEXT:
        raise ExtractError(
            f"not a text or HTML page ({share:.0%} of its characters are control or undecodable): {url}"
        )


def extract_html(
    content: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    hints: Hints | None = None,
    fetched: str | None = None,
    source: str | None = None,
) -> ArticleEvent:
    """Extract one article from an HTML page. Raises :class:`ExtractError` when there is none."""
    try:
        return _extract(content, url, content_type=content_type, hints=hints, fetched=fetched, source=source)
    except ExtractError:
        raise
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RecursionError,
        OverflowError,
        UnicodeError,
        LookupError,
        MemoryError,
    ) as exc:
        # Pages are hostile input; a parser bug must cost one page, not the worker.
        raise ExtractError(f"extraction failed on {url}: {type(exc).__name__}: {exc}") from exc


def site_context(md: Metadata, url: str) -> tuple[str | None, str | None, set[str]]:
    """The site's name, the article's section and the keys that name the site in titles."""
    site = _clean(_site_name(md))
    section = _clean(
        md.first("article:section", "og:article:section", "section", "parsely-section")
        or ld_text(md.article.get("articleSection"))
    )
    return site, section, _title.site_keys(url, [site, ld_text(md.article.get("publisher"))])


def headline_of(
    tree: LexborHTMLParser,
    md: Metadata,
    url: str,
    keys: set[str],
    section: str | None,
    *,
    h1: LexborNode | None,
    hints: Hints | None = None,
) -> str | None:
    """The event's ``title``: the headline the page displays (see :func:`_title.choose`); ``h1``
    is the page's first ``<h1>``.

    Apart from the body so that ``bench/titles.py`` can score titles without extracting bodies.
    """
    title_node = tree.css_first("title")
    article = md.article
    return _title.choose(
        [
            ld_text(article.get("headline")),
            md.first("twitter:title"),
            md.first("og:title"),
            h1.text(deep=True) if h1 is not None else None,
            title_node.text(deep=True) if title_node is not None else None,
            hints.title if hints else None,
        ],
        keys,
        section,
        frozenset(_title.section_keys(url)),
        declared=[md.first("og:title"), ld_text(article.get("headline"))],
        page_headings=_title.headings(tree),
        h1=_title.first_h1(tree),
        story=states_published(md) and not _declares_no_news(md),
    )


def _declares_no_news(md: Metadata) -> bool:
    """Whether the page's JSON-LD calls it a post, guide or page, and not a news story.

    A ``BlogPosting``, ``Article`` or ``WebPage`` titles its metadata for search engines as an
    undated guide does, while a news story's declared headline is the one it publishes; a page
    with no JSON-LD article says nothing either way.
    """
    kinds = types_of(md.article) if md.article else set()
    return bool(kinds) and not any("news" in kind or "liveblog" in kind for kind in kinds)


def _extract(
    content: bytes | str,
    url: str,
    *,
    content_type: str | None,
    hints: Hints | None,
    fetched: str | None,
    source: str | None,
) -> ArticleEvent:
    if not url:
        raise ExtractError("no URL given for the page")
    tags = None
    if isinstance(content, bytes):
        html, codec = decode_html_as(content, content_type)
        if keeps_ascii(codec):
            tags = _depth.tags_in(content)
    else:
        html = content
    if not html or html.isspace():  # as ``not html.strip()``, without copying the page
        raise ExtractError(f"empty document: {url}")
    html = html[:_MAX_CHARS].replace("\x00", "")
    _refuse_binary(html, url)
    html = _depth.bounded(html, tags)
    tree = LexborHTMLParser(html)
    md = parse_metadata(tree)
    article = md.article
    # Scripts and styles are never shown, and JSON-LD has been read: without them the visible
    # text is what readers see, and every later search of the tree is 30% cheaper.
    for node in tree.css("script, style"):
        node.decompose()

    canonical = _resolve(url, md.canonical) or _resolve(url, md.first("og:url")) or url
    site, section, keys = site_context(md, url)
    h1 = tree.css_first("h1")
    title = headline_of(tree, md, url, keys, section, h1=h1, hints=hints)
    lead = _clean(
        md.first("og:description", "description", "twitter:description")
        or ld_text(article.get("description"))
        or (hints.summary if hints else None)
    )
    page_text = " ".join((tree.body.text(deep=True) if tree.body is not None else "").split())
    h1_text = _clean(h1.text(deep=True)) if h1 is not None else None
    published, modified = dates_of(tree, md, url, hints=hints, page_text=page_text, headline=h1_text or title)
    authors = authors_of(tree, md, hints, site, keys)

    visible_lead = _visible_lead(tree, lead, page_text)
    paragraphs, extraction = _strategy.choose_body(
        tree, html, _article_body(md), url, page_words=_page_words(page_text, title), headline=title
    )
    # Pages saved through a wrong charset once carry their mojibake in the bytes themselves.
    paragraphs = _tidy.tidy([repair(p) for p in paragraphs], title=title, authors=authors)
    if word_count(paragraphs) < _MIN_LABEL_WORDS and not any(_density.reads_as_text(p) for p in paragraphs):
        paragraphs = []  # a few labels ("Loading…", "Sign in"): no strategy found text
    if not paragraphs and visible_lead:
        paragraphs = [visible_lead]  # a page that is all standfirst keeps it as its body
        extraction = Extraction(method="lead", confidence=0.1)
    if not paragraphs:
        # A reader sees text, yet no strategy found an article: the longest block is the body.
        paragraphs = _density.largest_block(html)
        extraction = Extraction(method="blocks", confidence=0.1)
    body = "\n\n".join(paragraphs)
    if len(body) < _MIN_BODY:
        raise ExtractError(f"no article text found: {url}")

    # The standfirst the header shows is the lead readers expect, not an unshown SEO summary;
    # a page whose body is its standfirst keeps that as its lead. Read on the cleaned tree (the
    # headline looked up again): captions, asides and mastheads are gone from it.
    shown = None
    if extraction.method != "lead":
        site_names = [site, urlsplit(url).hostname]
        shown_h1 = _standfirst.story_h1(tree.css("h1"), title, site_names)
        found = _standfirst.candidates(shown_h1)
        headline_text = text_of(shown_h1) if shown_h1 is not None else ""
        shown = _standfirst.shown_standfirst(found, body, page_text, headline_text)
    language = _language.choose(
        [
            md.html_lang,
            md.first("og:locale", "content-language", "language", "dc.language"),
            ld_text(article.get("inLanguage")),
            hints.language if hints else None,
        ],
        body,
    )
    return ArticleEvent(
        article_id=article_id_for(canonical),
        url=url,
        canonical_url=canonical,
        title=title,
        authors=authors,
        published=published,
        modified=modified,
        lead=shown or visible_lead or lead,
        body=body,
        language=language,
        site=site,
        section=section,
        tags=_tags_of(md),
        image=_image_of(md, url),
        free_access=_free_access(md),
        fetched=fetched or utc_now(),
        source=source,
        extraction=extraction,
        fingerprint=content_fingerprint(title, body),
    )
