"""Files on disk → :class:`ArticleEvent` (for ``newswire parse`` and folder sources)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from newswire.errors import ExtractError
from newswire.events import ArticleEvent
from newswire.extract._charset import decode_html
from newswire.extract._html import extract_html
from newswire.extract._text_dump import extract_text

_MAX_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_SNIFF_BYTES = 4096
_HTML_TAGS = (b"<html", b"<head", b"<body", b"<!doctype html")


def read_page(path: Path) -> str:
    """The text of a saved HTML page, gzipped or not, decoded as a fetched page would be."""
    path = Path(path)
    try:
        raw = _inflated(path.read_bytes())
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as exc:
        raise ExtractError(f"cannot read {path}: {exc}") from exc
    return decode_html(raw, None)


def parse_path(
    path: Path, url: str | None = None, *, fetched: str | None = None, source: str | None = None
) -> ArticleEvent:
    """Extract the article in a saved page or text dump (.txt), gzipped or not.

    A saved page is a file named .html, .htm, .xhtml or .shtml, or any file but a .txt whose
    bytes start with HTML markup (pages saved as ``.php``, ``.aspx`` or with no suffix): the
    content decides, so a page with article text is never refused for its name. ``url``
    defaults to the file's ``file://`` URI. Unreadable files raise :class:`ExtractError`.
    """
    path = Path(path)
    name = path.name.lower().removesuffix(".gz")
    try:
        page_url = url or path.resolve().as_uri()
        raw = _inflated(path.read_bytes())
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as exc:
        raise ExtractError(f"cannot read {path}: {exc}") from exc
    if name.endswith(_HTML_SUFFIXES) or (not name.endswith(".txt") and _looks_like_html(raw)):
        return extract_html(raw, page_url, fetched=fetched, source=source)
    if name.endswith(".txt"):
        return extract_text(decode_html(raw, None), page_url, fetched=fetched, source=source)
    raise ExtractError(f"not an HTML page or a .txt text dump: {path}")


def _inflated(raw: bytes) -> bytes:
    """The bytes of a file, gunzipped when they are gzip (whatever the file is called)."""
    if raw.startswith(_GZIP_MAGIC):
        return zlib.decompressobj(wbits=31).decompress(raw, _MAX_BYTES)  # inflate no more than we keep
    return raw


def _looks_like_html(raw: bytes) -> bool:
    """Whether a file with another name (``.shtml``, ``.php``, no suffix) holds a saved page."""
    head = raw[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf\xff\xfe\r\n\t ").replace(b"\x00", b"").lower()
    return head.startswith(b"<") and any(tag in head for tag in _HTML_TAGS)
