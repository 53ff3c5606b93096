"""Hostile event payloads: decoding raises EventError and nothing else, and valid events round-trip."""

from __future__ import annotations

import contextlib
import re

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.errors import EventError
from newswire.events import ArticleEvent, article_id_for, content_fingerprint, decode_article, decode_enriched

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_are_an_event_error(data: bytes) -> None:
    for decode in (decode_article, decode_enriched):
        with contextlib.suppress(EventError):
            decode(data)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_random_json_is_an_event_error(doc: object) -> None:
    data = orjson.dumps(doc)
    for decode in (decode_article, decode_enriched):
        with contextlib.suppress(EventError):
            decode(data)


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=200),
    body=st.text(max_size=2000),
    authors=st.lists(st.text(max_size=40), max_size=5),
    version=st.integers(min_value=1, max_value=10**6),
)
def test_valid_articles_round_trip(title: str, body: str, authors: list[str], version: int) -> None:
    url = "https://news.example/a"
    article = ArticleEvent(
        article_id=article_id_for(url),
        url=url,
        canonical_url=url,
        title=title,
        body=body,
        authors=authors,
        version=version,
        fetched="2024-01-01T00:00:00+00:00",
        fingerprint=content_fingerprint(title, body),
    )
    assert decode_article(orjson.dumps(article)) == article


_SPACES = st.sampled_from([" ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12) | _SPACES, max_size=30), st.lists(_SPACES, min_size=1, max_size=30))
def test_the_fingerprint_ignores_whitespace_and_case(pieces: list[str], spaces: list[str]) -> None:
    """Same words, any whitespace between them and any case: the same fingerprint (fetch-state keeps
    them across versions, so they must also match the ``\\s+`` definition they were made with)."""
    text = "".join(pieces)
    respaced = "".join(w + spaces[i % len(spaces)] for i, w in enumerate(text.split()))
    assert content_fingerprint("T", text) == content_fingerprint("t", respaced)
    defined = re.sub(r"\s+", " ", f"T\n{text}").strip().lower()
    assert content_fingerprint("T", text) == content_fingerprint(None, defined)
