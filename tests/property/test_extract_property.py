"""Whatever bytes arrive, the extract stage answers with an ArticleEvent or an ExtractError."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.errors import ExtractError
from newswire.events import ArticleEvent, validate
from newswire.extract import decode_html, extract_html, extract_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TAGS = [
    "p",
    "div",
    "article",
    "main",
    "h1",
    "h2",
    "li",
    "ul",
    "span",
    "a",
    "time",
    "script",
    "title",
    "meta",
    "br",
    "section",
    "aside",
    "nav",
    "blockquote",
    "table",
    "td",
    "html",
    "head",
    "body",
    "figure",
]
_ATTRS = [
    'class="article-body"',
    'class="share"',
    'id="main"',
    'itemprop="articleBody"',
    "hidden",
    'datetime="2024-13-45T99:99"',
    'datetime="2024-05-03T10:00:00+02:00"',
    'href="//x"',
    'charset="utf-16"',
    'property="og:title" content="A | B"',
    'name="author" content="By , and &"',
    'lang="zz-ZZ"',
]
_LD = st.sampled_from(
    [
        '<script type="application/ld+json">'
        '{"@type":"NewsArticle","headline":7,"author":[null,{"name":["x"]}],'
        '"datePublished":"yesterday","isAccessibleForFree":"maybe","articleBody":{"a":1}}</script>',
        '<script type="application/ld+json">[[[{"@graph":{"@type":["Article"],"keywords":[1,2]}}]]]</script>',
        '<script type="application/ld+json">{not json</script>',
    ]
)


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 4))
        tag = draw(st.sampled_from(_TAGS))
        if kind == 0:
            attr = draw(st.sampled_from(["", *_ATTRS]))
            parts.append(f"<{tag} {attr}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(_LD))
        else:
            parts.append(draw(st.text(max_size=120)))
    return "".join(parts)


def _check(event: ArticleEvent) -> None:
    validate("article", dataclasses.asdict(event))


@SETTINGS
@given(st.binary(max_size=4000), st.one_of(st.none(), st.text(max_size=40)))
def test_arbitrary_bytes(raw: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(raw, content_type), str)
    try:
        event = extract_html(raw, "https://example.test/a", content_type=content_type)
    except ExtractError:
        return
    _check(event)


@SETTINGS
@given(
    html_soup(), st.sampled_from(["https://example.test/2024/05/03/a", "file:///tmp/x.html", "not a url", ""])
)
def test_arbitrary_html(html: str, url: str) -> None:
    try:
        event = extract_html(html, url or "https://example.test/")
    except ExtractError:
        return
    assert event.body.strip()
    _check(event)


@SETTINGS
@given(st.text(max_size=3000))
def test_arbitrary_text_dump(text: str) -> None:
    try:
        event = extract_text(text, "https://example.test/t")
    except ExtractError:
        return
    assert event.body.strip()
    _check(event)
