"""Field clean-up shared by the parsers: dates to UTC ISO, markup to plain text."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, date, datetime

_TAG = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")


def utc_iso(moment: datetime) -> str:
    """``moment`` in UTC as ISO 8601; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def from_struct_time(value: object) -> str | None:
    """A feedparser ``*_parsed`` value (UTC ``struct_time``) as ISO 8601, or None."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (ValueError, OverflowError):
        return None


def from_w3c(value: object) -> str | None:
    """A W3C / RFC 3339 date or datetime (sitemaps, JSON Feed) as UTC ISO, or None.

    Accepts ``2024``, ``2024-06``, ``2024-06-01``, ``2024-06-01T12:00+02:00``,
    ``2024-06-01T12:00:00.5Z`` and the like. Unreadable dates give None: a date
    is a hint, not a reason to drop the URL.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        if _DATE_ONLY.fullmatch(text):
            return utc_iso(datetime.combine(date.fromisoformat(text), datetime.min.time()))
        if match := _YEAR_MONTH.fullmatch(text):
            return utc_iso(datetime(int(match[1]), int(match[2] or 1), 1))
        return utc_iso(datetime.fromisoformat(text.replace("z", "Z")))
    except (ValueError, OverflowError):
        return None


def plain_text(value: object, limit: int = 2000) -> str | None:
    """Markup-free, whitespace-collapsed text, cut to ``limit`` characters; None if empty."""
    if not isinstance(value, str):
        return None
    text = value
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = _WS.sub(" ", html.unescape(text)).strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def language_tag(value: object) -> str | None:
    """A language tag as the source wrote it, lower-case, ``_`` made ``-``; None if empty."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    return tag if tag and len(tag) <= 35 else None
