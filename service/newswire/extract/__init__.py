"""The extract stage: pure functions from page bytes (or a text dump) and a URL to an ArticleEvent.

Never touches sockets, clocks (``fetched`` is passed in, or taken from
:func:`newswire.events.utc_now`) or Kafka. Every failure is an
:class:`~newswire.errors.ExtractError`.
"""

from __future__ import annotations

from newswire.extract._charset import decode_html
from newswire.extract._hints import Hints
from newswire.extract._html import extract_html

__all__ = ["Hints", "decode_html", "extract_html"]
