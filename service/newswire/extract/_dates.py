"""Date strings in the wild → timezone-aware ISO 8601.

Handles ISO 8601 and its common sloppy variants, RFC 2822 (feeds, HTTP), numeric
day-first dates ("13.01.2022 19:23"), and dates with month names in a few
languages ("13 Jan, 2022 19:23", "January 13, 2022", "13. Januar 2022"), and Chinese,
Japanese and Korean dates written with year, month and day characters ("2012年12月10日",
"2024년 5월 3일 오후 3시").
Naive values take the ``tz`` given (UTC unless the page states an offset
elsewhere); date-only values are midnight.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januar janvier enero gennaio januari janeiro stycznia ledna января",
        "feb february februar février fevrier febrero febbraio februari fevereiro lutego února февраля",
        "mar march märz maerz mars marzo março marca března марта",
        "apr april avril abril aprile kwietnia dubna апреля",
        "may mai mayo maggio maj mei maio maja května мая",
        "jun june juni juin junio giugno junho czerwca června июня",
        "jul july juli juillet julio luglio julho lipca července июля",
        "aug august août aout agosto augusti sierpnia srpna августа",
        "sep sept september septembre septiembre settembre setembro września září сентября",
        "oct october oktober octobre octubre ottobre outubro października října октября okt",
        "nov november novembre noviembre novembro listopada listopadu ноября",
        "dec december dezember décembre decembre diciembre dicembre desember dezembro grudnia prosince "
        "декабря dez",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_TIME = (
    r"(?:[T\s,]+(?:at\s+|um\s+|à\s+)?(?P<h>\d{1,2})[:.h](?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*Uhr)?)?"
)
# Zone abbreviations that are unambiguous enough to trust (IST, CST are not).
_ABBREVIATIONS = {
    "CET": 1,
    "MEZ": 1,
    "CEST": 2,
    "MESZ": 2,
    "BST": 1,
    "WET": 0,
    "WEST": 1,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "EST": -5,
    "EDT": -4,
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
}
_ZONE_NAMES = "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True))
_ZONE = r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2}\b|(?:" + _ZONE_NAMES + r")\b)?"

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T\s]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2}\b)?",
    re.IGNORECASE,
)
_YMD_NUM = re.compile(
    r"(?<!\d)(?P<y>\d{4})[./](?P<m>\d{1,2})[./](?P<d>\d{1,2})\b" + _TIME + _ZONE, re.IGNORECASE
)
_DMY_NUM = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})\b" + _TIME + _ZONE, re.IGNORECASE
)
_DMY_NAME = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?(?P<mon>"
    + _MONTH_RE
    + r")\.?,?\s+(?:de\s+)?(?P<y>\d{4})\b"
    + _TIME
    + _ZONE,
    re.IGNORECASE,
)
_MDY_NAME = re.compile(
    r"\b(?P<mon>" + _MONTH_RE + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b" + _TIME + _ZONE,
    re.IGNORECASE,
)
# Chinese, Japanese and Korean dates: year, month and day each followed by its character
# ("2012年12月10日", "2024년 5월 3일"), maybe a weekday in brackets and a time ("20:37", "20時37分",
# "20시 37분").
_YMD_CJK = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]"
    r"(?:\s*[(（][^)）]{1,4}[)）])?"
    r"(?:\s*(?P<half>午前|午後|오전|오후)?\s*(?P<h>\d{1,2})\s*[:時时시]\s*(?P<mi>\d{1,2})\s*[分분]?)?"
)
_YEAR_DIGITS = re.compile(r"\d{4}")
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?=[/._-]|$)"
    r"|[/_-](?P<y2>(?:19|20)\d{2})(?P<m2>[01]\d)(?P<d2>[0-3]\d)(?=[/._-]|$)"
)
_MIN_YEAR, _MAX_YEAR = 1990, 2100


def _zone(value: str | None) -> tzinfo | None:
    if not value:
        return None
    value = value.upper()
    if value in {"Z", "UTC", "GMT"}:
        return UTC
    if value in _ABBREVIATIONS:
        return timezone(timedelta(hours=_ABBREVIATIONS[value]))
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(groups: dict[str, str | None], month: int, tz: tzinfo) -> datetime | None:
    try:
        year, day = int(groups["y"] or 0), int(groups["d"] or 0)
        hour, minute = int(groups.get("h") or 0), int(groups.get("mi") or 0)
        second = int(groups.get("s") or 0)
        ampm = (groups.get("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        micro = int((groups.get("f") or "0")[:6].ljust(6, "0"))
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        if hour == 24 and minute == 0:
            hour = 23  # "24:00" happens; keep the day
            minute, second = 59, 59
        result = datetime(year, month, day, hour, minute, second, micro)
    except (ValueError, TypeError, OverflowError):
        return None
    return result.replace(tzinfo=_zone(groups.get("tz")) or tz)


def parse_datetime(value: str | None, tz: tzinfo = UTC) -> datetime | None:
    """Parse one date string; naive results get ``tz``. None when it is not a date."""
    if not value:
        return None
    text = value.strip()[:200]
    if not text:
        return None
    if text.isdigit() and len(text) in (10, 13):  # Unix epoch seconds or milliseconds
        try:
            stamp = int(text) / (1000 if len(text) == 13 else 1)
            epoch = datetime.fromtimestamp(stamp, UTC)
        except (ValueError, OverflowError, OSError):
            return None
        return epoch if _MIN_YEAR <= epoch.year <= _MAX_YEAR else None
    match = _ISO.search(text)
    if match:
        groups = match.groupdict()
        return _build(groups, int(groups["m"]), tz)
    if _RFC2822.match(text):
        parsed: datetime | None
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and _MIN_YEAR <= parsed.year <= _MAX_YEAR:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    return find_datetime(text, tz)


def find_datetime(text: str, tz: tzinfo = UTC) -> datetime | None:
    """The first date (with its time, if any) written out in free text, in any of the forms."""
    if not _YEAR_DIGITS.search(text):
        return None  # every pattern below needs a four-digit year; this search is much cheaper
    found: list[tuple[int, datetime]] = []
    patterns: tuple[re.Pattern[str], ...] = (_DMY_NAME, _MDY_NAME, _DMY_NUM, _YMD_NUM)
    if "年" in text or "년" in text:
        patterns = (*patterns, _YMD_CJK)
    for pattern in patterns:
        for match in pattern.finditer(text):
            result = _date_of(match, tz)
            if result is not None:
                found.append((match.start(), result))
                break
    return min(found, key=lambda item: item[0])[1] if found else None


def _date_of(match: re.Match[str], tz: tzinfo) -> datetime | None:
    groups = match.groupdict()
    if "mon" in groups:
        month = _MONTHS.get(groups["mon"].lower().rstrip("."))
        if month is None:
            return None
    else:
        month = int(groups["m"])
    half = groups.get("half")
    if half:
        groups["ampm"] = "pm" if half in {"午後", "오후"} else "am"
    return _build(groups, month, tz)


_DATE_LINE_REST = re.compile(r"[\d:.,/\-+|·]|\b(?:[ap]\.?m\.?|utc|gmt|[^\W\d]{2,12})\b", re.IGNORECASE)
_MAX_DATE_LINE = 80
_MAX_DATE_LINE_EXTRA = 24


def is_date_line(line: str) -> bool:
    """A line that is a date (maybe with a time, a label such as "Updated", a separator), nothing more."""
    if len(line) > _MAX_DATE_LINE or not any(map(str.isdigit, line)):
        return False
    found = find_datetime(line) or (parse_datetime(line) if _ISO.search(line) else None)
    if found is None:
        return False
    return len(_DATE_LINE_REST.sub("", line).strip()) <= _MAX_DATE_LINE_EXTRA


def url_date(url: str) -> datetime | None:
    """A publication date encoded in the URL path (/2024/05/03/, /2024-05-03-, _20240503)."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    year = match.group("y") or match.group("y2")
    month = match.group("m") or match.group("m2")
    day = match.group("d") or match.group("d2")
    try:
        return datetime(int(year), int(month), int(day), tzinfo=UTC)
    except ValueError:
        return None


def isoformat(value: datetime) -> str:
    """ISO 8601 with offset; microseconds only when present."""
    return value.isoformat()


def has_offset(value: str | None) -> bool:
    """Whether a date string states its own offset."""
    if not value:
        return False
    match = _ISO.search(value)
    if match:
        return bool(match.group("tz"))
    return bool(re.search(r"(?:Z|GMT|UTC|[+-]\d{2}:?\d{2})\s*$", value.strip()))
