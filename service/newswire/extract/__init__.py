"""The extract stage: pure functions from page bytes (or a text dump) and a URL to an ArticleEvent.

Never touches sockets, clocks (``fetched`` is passed in, or taken from
:func:`newswire.events.utc_now`) or Kafka. Every failure is an
:class:`~newswire.errors.ExtractError`; nothing else escapes.

    extract_html(content, url, *, content_type=None, hints=None, fetched=None, source=None)
    extract_text(text, url, *, fetched=None, source=None)
    parse_path(path, url=None)
    decode_html(raw, content_type)
"""

from __future__ import annotations

from newswire.extract._charset import decode_html
from newswire.extract._hints import Hints
from newswire.extract._html import extract_html
from newswire.extract._paths import parse_path
from newswire.extract._text_dump import extract_text

__all__ = ["Hints", "decode_html", "extract_html", "extract_text", "parse_path"]
