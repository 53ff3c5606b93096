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


def read_page(path: Path) -> str:
    """The text of a saved HTML page (.html, .htm, .html.gz), decoded as a fetched page would be."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            raw = zlib.decompressobj(wbits=31).decompress(raw, _MAX_BYTES)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as exc:
        raise ExtractError(f"cannot read {path}: {exc}") from exc
    return decode_html(raw, None)


def parse_path(
    path: Path, url: str | None = None, *, fetched: str | None = None, source: str | None = None
) -> ArticleEvent:
    """Extract the article in a saved page (.html, .htm, .html.gz) or text dump (.txt).

    ``url`` defaults to the file's ``file://`` URI. Unreadable files raise :class:`ExtractError`.
    """
    path = Path(path)
    name = path.name.lower()
    try:
        page_url = url or path.resolve().as_uri()
        raw = path.read_bytes()
        if name.endswith(".gz"):
            raw = zlib.decompressobj(wbits=31).decompress(raw, _MAX_BYTES)  # inflate no more than we keep
            name = name[:-3]
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as exc:
        raise ExtractError(f"cannot read {path}: {exc}") from exc
    if name.endswith((".html", ".htm", ".xhtml")):
        return extract_html(raw, page_url, fetched=fetched, source=source)
    if name.endswith(".txt"):
        return extract_text(decode_html(raw, None), page_url, fetched=fetched, source=source)
    raise ExtractError(f"unsupported file type (want .html, .htm, .html.gz or .txt): {path}")
