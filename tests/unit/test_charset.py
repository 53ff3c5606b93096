"""Charset decoding: declared charsets are used only when they fit the bytes; never mojibake."""

from __future__ import annotations

import codecs

import pytest

from newswire.extract import decode_html

RUSSIAN = (
    "Правительство объявило о новой программе поддержки малого бизнеса. "
    "Предприниматели смогут получить льготные кредиты и налоговые каникулы на два года. "
) * 6
FRENCH = (
    "Le conseil municipal a approuvé à l'unanimité la rénovation de la bibliothèque. "
    "Les travaux débuteront en été et coûteront près de deux millions d'euros à la ville. "
) * 6


def _page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


def test_utf8_bom_wins_over_everything() -> None:
    raw = codecs.BOM_UTF8 + _page("Grüße aus Köln").encode("utf-8")
    assert "Grüße aus Köln" in decode_html(raw, "text/html; charset=iso-8859-1")


def test_utf16_bom() -> None:
    raw = codecs.BOM_UTF16_LE + _page("Grüße").encode("utf-16-le")
    assert "Grüße" in decode_html(raw, None)


def test_header_charset_is_used() -> None:
    raw = _page(RUSSIAN).encode("cp1251")
    assert RUSSIAN in decode_html(raw, "text/html; charset=windows-1251")


def test_meta_charset_is_used_without_header() -> None:
    raw = _page(RUSSIAN, "<meta charset='windows-1251'>").encode("cp1251")
    assert RUSSIAN in decode_html(raw, None)


def test_http_equiv_meta_is_used() -> None:
    raw = _page(FRENCH, '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">').encode(
        "latin-1"
    )
    assert FRENCH in decode_html(raw, "text/html")


def test_windows_1251_with_wrong_utf8_header_and_no_meta() -> None:
    raw = _page(RUSSIAN).encode("cp1251")
    assert RUSSIAN in decode_html(raw, "text/html; charset=utf-8")


def test_windows_1251_with_missing_header_and_no_meta() -> None:
    raw = _page(RUSSIAN).encode("cp1251")
    assert RUSSIAN in decode_html(raw, None)


def test_latin1_with_wrong_utf8_header() -> None:
    raw = _page(FRENCH).encode("latin-1")
    text = decode_html(raw, "text/html; charset=UTF-8")
    assert FRENCH in text
    assert "\ufffd" not in text


def test_latin1_page_whose_header_names_another_single_byte_charset() -> None:
    # Header and page disagree and both decode: the page's own declaration must win on the evidence.
    raw = _page(FRENCH, "<meta charset='iso-8859-1'>").encode("latin-1")
    assert FRENCH in decode_html(raw, "text/html; charset=windows-1251")


def test_utf8_page_behind_a_latin1_header() -> None:
    raw = _page(FRENCH, "<meta charset='utf-8'>").encode("utf-8")
    assert FRENCH in decode_html(raw, "text/html; charset=iso-8859-1")


def test_latin1_label_means_windows_1252() -> None:
    raw = _page("\u201cquoted\u201d").encode("cp1252")
    assert "\u201cquoted\u201d" in decode_html(raw, "text/html; charset=iso-8859-1")


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=bogus-charset", "charset="])
def test_unknown_or_missing_labels_fall_back_to_detection(content_type: str | None) -> None:
    raw = _page("Zürich und Genève", "<meta charset='no-such-thing'>").encode("utf-8")
    assert "Zürich und Genève" in decode_html(raw, content_type)


def test_undecodable_garbage_does_not_raise() -> None:
    assert isinstance(decode_html(bytes(range(256)) * 4, "text/html; charset=utf-8"), str)


def test_valid_utf8_wins_over_a_stale_legacy_label() -> None:
    # Re-encoded pages (proxies, archives) keep their old <meta charset>; decoding them as
    # latin-1 would turn every "ü" into "Ã¼".
    stale = "<meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
    raw = _page(FRENCH, stale).encode("utf-8")
    text = decode_html(raw, None)
    assert FRENCH in text
    assert "Ã" not in text


@pytest.mark.parametrize(
    ("meta", "content_type"),
    [("<meta charset='utf-8'>", None), ("", "text/html; charset=utf-8"), ("", None)],
)
def test_one_stray_byte_does_not_garble_a_utf8_page(meta: str, content_type: str | None) -> None:
    # A teaser cut inside a character ("papieros\xc3...") in an otherwise UTF-8 page: the page stays
    # UTF-8 with U+FFFD at the bad byte, as a browser shows it; a detector read it as ISO-8859-10.
    article = FRENCH * 4
    teaser = b"<a href='/a'>Ceny papieros\xc3...</a>"
    raw = _page(article, meta).encode("utf-8").replace(b"<body>", b"<body>" + teaser)
    text = decode_html(raw, content_type)
    assert article in text
    assert text.count("\ufffd") == 1


def test_a_stray_byte_does_not_make_a_legacy_page_utf8() -> None:
    # The same few invalid bytes in a windows-1252 page with little non-ASCII text are its letters.
    raw = _page("Caf\u00e9 cr\u00e8me at the caf\u00e9", "<meta charset='windows-1252'>").encode("cp1252")
    assert "Caf\u00e9 cr\u00e8me at the caf\u00e9" in decode_html(raw, None)
