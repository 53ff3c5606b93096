"""Bytes → text for HTML pages, without mojibake.

Order of evidence: byte-order mark, the HTTP ``Content-Type`` charset, a
``<meta charset>`` / ``http-equiv`` declaration in the first bytes, then
detection. A declaration is only trusted when the bytes decode under it
without error; when the header and the page disagree and both decode, the
detector arbitrates between just those two (servers often send a default
charset that the page itself contradicts). One override: bytes that are
valid, non-ASCII UTF-8 are decoded as UTF-8 even under a legacy label. Bytes
that are UTF-8 but for a stray invalid byte count as UTF-8 (the bad byte
becomes U+FFFD, as in a browser), rather than sending the page to detection.
"""

from __future__ import annotations

import codecs
import functools
import re

import charset_normalizer

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_PRESCAN_BYTES = 8192
# Invalid bytes a UTF-8 page may hold and still be read as UTF-8 (a few, or a sliver of its
# non-ASCII characters): legacy-encoded text makes one per accented letter.
_STRAY_BYTES = 3
_STRAY_SHARE = 0.01
# WHATWG: these labels mean windows-1252 in browsers; pages rely on it for curly quotes.
_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


def _codec(label: str | None) -> str | None:
    """Python's canonical codec name for a charset label, or None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(raw: bytes, *, stray: int = _STRAY_BYTES) -> str | None:
    """UTF-8 text of bytes that are UTF-8 but for a stray invalid byte or two, else None.

    A truncated multi-byte character or one byte of another charset pasted in breaks a strict
    decode; browsers keep the declared UTF-8 and show U+FFFD there, while handing the whole page
    to a detector garbles every other non-ASCII letter. ``stray`` invalid bytes pass whatever the
    page holds; more pass only beside a hundred times as many valid multi-byte characters.
    """
    text = raw.decode("utf-8", "replace")
    marks = text.count("\ufffd")
    errors = marks - raw.count(b"\xef\xbf\xbd")
    valid = sum(1 for char in text if ord(char) > 0x7F) - marks
    return text if errors <= max(stray, valid * _STRAY_SHARE) else None


def _is_utf8(codec: str) -> bool:
    return codec in {"utf-8", "utf_8"}


def header_charset(content_type: str | None) -> str | None:
    """The codec named by a Content-Type header value, if known."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def meta_charset(raw: bytes) -> str | None:
    """The codec declared by the page itself in its first few KB, if known."""
    match = _META_CHARSET.search(raw[:_PRESCAN_BYTES])
    if not match:
        return None
    codec = _codec(match.group(1).decode("ascii", "ignore"))
    # A page cannot declare a UTF-16/32 charset in ASCII-compatible bytes (WHATWG rule).
    if codec and codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        return "utf-8"
    return codec


def _detect(raw: bytes, among: list[str] | None = None) -> tuple[str, str] | None:
    kwargs = {"cp_isolation": among} if among else {}
    best = charset_normalizer.from_bytes(raw, **kwargs).best()  # type: ignore[arg-type]
    if best is None:
        return None
    codec = _codec(best.encoding) or "utf-8"
    text = _strict(raw, codec)
    return (codec, text) if text is not None else None


def decode_html(raw: bytes, content_type: str | None = None) -> str:
    """Decode an HTML document to text.

    Never raises: undecodable bytes end up as U+FFFD only when no charset
    decodes the whole document.
    """
    return decode_html_as(raw, content_type)[0]


def decode_html_as(raw: bytes, content_type: str | None = None) -> tuple[str, str]:
    """:func:`decode_html`'s text and the codec that decoded it."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, "replace"), codec

    declared: list[str] = []
    for label in (header_charset(content_type), meta_charset(raw)):
        if label and label not in declared:
            declared.append(label)

    # Bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever a label says:
    # legacy-encoded text almost never forms valid multi-byte sequences by chance, while
    # pages re-encoded to UTF-8 by a proxy, CMS or archive often keep their old label.
    if declared and not raw.isascii() and not any(_is_utf8(codec) for codec in declared):
        utf8 = _strict(raw, "utf-8")
        if utf8 is None:
            utf8 = _mostly_utf8(raw, stray=0)
        if utf8 is not None:
            return utf8, "utf-8"

    decoded: list[tuple[str, str]] = []
    for codec in declared:
        text = _strict(raw, codec)
        if text is None and _is_utf8(codec):
            text = _mostly_utf8(raw)
        if text is not None:
            decoded.append((codec, text))
    if len(decoded) == 1:
        return decoded[0][1], decoded[0][0]
    if len(decoded) == 2:
        # Header and page disagree and both decode: valid UTF-8 with non-ASCII bytes
        # is almost never an accident, otherwise let the detector choose between them.
        for codec, text in decoded:
            if _is_utf8(codec):
                return text, codec
        choice = _detect(raw, [codec for codec, _ in decoded])
        return (choice[1], choice[0]) if choice else (decoded[0][1], decoded[0][0])

    # Nothing declared, or nothing declared decodes: UTF-8 first, then detection.
    text = _strict(raw, "utf-8")
    if text is not None:
        return text, "utf-8"
    if not declared and (text := _mostly_utf8(raw, stray=0)) is not None:
        return text, "utf-8"
    choice = _detect(raw)
    if choice is not None:
        return choice[1], choice[0]
    return raw.decode("utf-8", "replace"), "utf-8"


@functools.cache
def keeps_ascii(codec: str) -> bool:
    """Whether ``codec`` decodes every ASCII byte to its own character, so that a character below
    U+0080 in its text is that byte in the page (false for UTF-7, EBCDIC, UTF-16 and the
    ISO-2022 family, whose escapes change what the bytes that follow mean)."""
    ascii_bytes = bytes(range(128))
    try:
        return ascii_bytes.decode(codec) == ascii_bytes.decode("ascii")
    except (UnicodeError, LookupError):
        return False
