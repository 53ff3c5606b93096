"""Body extraction leaves out wordy furniture inside the article's box: each test is one mechanism."""

from __future__ import annotations

from newswire.extract import extract_html
from tests.support.harbour_story import SENTENCES, URL

_BIO = [
    "Jane Harbour has covered the port and its fishing fleet for twelve years, first for a weekly"
    " paper and then for this newsroom, where she also edits the weekend pages on shipping.",
    "She lives by the waterfront with two cats and a rowing boat, and she answers every letter"
    " readers send her about the harbour, the boats and the people who work on them.",
]


def _body(article: str) -> list[str]:
    head = "<head><title>Harbour plan approved</title></head>"
    html = f"<html>{head}<body><article>{article}</article></body></html>"
    return extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00").body.split("\n\n")


def test_a_footer_goes_even_when_it_holds_long_paragraphs() -> None:
    # An author box in the article's <footer>: two long unlinked paragraphs, as an article has.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    footer = "<footer><h3>About the author</h3>" + "".join(f"<p>{s}</p>" for s in _BIO) + "</footer>"
    assert _body(f"<div>{story}{footer}</div>") == SENTENCES


def test_a_box_the_site_marks_as_no_content_goes_even_when_wordy() -> None:
    # Google's "nocontent" class: the site says the box (here, about the blog) is not the article.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    about = (
        "<div class='module nocontent'><h4>About this blog</h4>"
        + "".join(f"<p>{s}</p>" for s in _BIO)
        + "</div>"
    )
    assert _body(f"<div>{story}{about}</div>") == SENTENCES
