"""Input that is not an article page: bytes that are not text, and pages that show no article.

Both must be a clear :class:`ExtractError` (the daemons dead-letter it with the reason), never
an article event whose body is binary noise or a page's copyright line.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pytest

from newswire.errors import ExtractError
from newswire.extract import extract_html, parse_path
from tests.support.harbour_story import SENTENCES, URL

_NOISE = random.Random(16).randbytes(20_000)


def _page(body: str) -> str:
    return f"<html><head><title>Harbour plan approved</title></head><body>{body}</body></html>"


def _event(html: str | bytes):  # type: ignore[no-untyped-def]
    content = html.encode() if isinstance(html, str) else html
    return extract_html(content, URL, fetched="2026-12-04T12:00:00+00:00")


@pytest.mark.parametrize(
    "content",
    [
        _NOISE,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _NOISE,  # an image saved under a page's name
        zlib.compress(_page("<p>" + " ".join(SENTENCES) + "</p>").encode() * 20),  # deflated, not a page
        b"<html><body>" + _NOISE + b"</body></html>",  # markup around binary content
    ],
    ids=["random", "png", "deflate", "wrapped"],
)
def test_bytes_that_are_not_text_are_refused_as_not_a_page(content: bytes) -> None:
    with pytest.raises(ExtractError, match="not a text or HTML page"):
        _event(content)


def test_a_saved_file_of_random_bytes_is_refused_by_name(tmp_path: Path) -> None:
    page = tmp_path / "noise.html"
    page.write_bytes(_NOISE)
    with pytest.raises(ExtractError, match="not a text or HTML page"):
        parse_path(page)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_page_saved_without_a_byte_order_mark_is_still_read(encoding: str) -> None:
    # Its decoded text has a NUL after every character: NUL alone does not make bytes binary.
    html = _page(
        "<article><h1>Harbour plan approved</h1>" + "".join(f"<p>{s}</p>" for s in SENTENCES) + "</article>"
    )
    assert _event(html.encode(encoding)).body.split("\n\n") == SENTENCES


def test_a_page_with_a_few_stray_control_characters_keeps_its_text() -> None:
    text = [s.replace(" ", " \x0b", 1).replace("the", "th\x1ae", 1) for s in SENTENCES]
    html = _page("<article>" + "".join(f"<p>{s}</p>" for s in text) + "</article>")
    body = _event(html).body
    assert SENTENCES[0].split()[-1] in body
    assert len(body.split("\n\n")) == len(SENTENCES)


_NAV = "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
_FORM = (
    "<form action='/subscribe'><label>Email address</label><input name='email'>"
    "<button>Subscribe to the newsletter</button></form>"
)


@pytest.mark.parametrize(
    "furniture",
    [
        f"{_NAV}{_FORM}<footer><p>(c) 2026</p></footer>",
        f"{_FORM}<div class='legal'>© 2026 Harbour Media Group, all rights reserved</div>",
        "<div class='menu'><a href='/'>Home</a> <a href='/news'>News</a> <span>Weather Traffic Events "
        "Contact Advertise</span></div><div class='date'>Friday, 4 December 2026</div>",
        "<div id='app'><p>Loading…</p><p>Please enable JavaScript.</p></div>",
    ],
    ids=["nav-form-footer", "copyright-line", "menu-and-date", "app-shell"],
)
def test_a_page_of_furniture_and_no_article_has_no_article_text(furniture: str) -> None:
    with pytest.raises(ExtractError, match="no article text"):
        _event(_page(furniture))


def test_a_one_paragraph_brief_is_the_body_not_the_longer_footer() -> None:
    brief = "Police closed the coast road on Friday after a lorry lost its load."
    footer = (
        "<footer><p>© 2026 Harbour Media Group Limited, registered in England and Wales, "
        "company number 01234567, all rights reserved. Terms and conditions apply.</p></footer>"
    )
    event = _event(_page(f"{_NAV}<div class='related'><span>{brief}</span></div>{footer}"))
    assert event.body == brief
    assert event.extraction is not None
    assert (event.extraction.method, event.extraction.confidence) == ("blocks", 0.1)


def test_a_brief_about_copyright_is_a_brief_not_a_rights_line() -> None:
    """Only a rights notice or a copyright mark before a year is a footer's line; a one-line story
    that mentions copyright is the page's article."""
    brief = "Disney loses its copyright on the earliest Mickey Mouse cartoon as the year turns."
    event = _event(_page(f"{_NAV}<div class='related'><span>{brief}</span></div>"))
    assert event.body == brief
