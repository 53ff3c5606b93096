"""Plain-text article dumps → :class:`ArticleEvent`.

Scraped text usually looks like: UI residue (icon names, menu words), a date
line, the headline, the standfirst, sometimes the headline again (an image
caption), then the paragraphs, then more residue. The top of the dump is
classified line by line; everything else is body.
"""

from __future__ import annotations

import re
from collections import Counter

from newswire.errors import ExtractError
from newswire.events import ArticleEvent, article_id_for, content_fingerprint, utc_now
from newswire.extract import _dates, _language
from newswire.extract._vocab import UI_WORDS

_WS = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"\w+")
_UI_WORDS = frozenset(UI_WORDS.split())
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)]\s*$")
_HEAD_WINDOW = 15
_MAX_TITLE_WORDS = 30
_MAX_LEDE_CHARS = 600


def _is_ui(line: str) -> bool:
    """Icon names, menu words, share bars: many words, few real ones, or one word repeated a lot."""
    words = [w.lower() for w in _WORD.findall(line)]
    if not words:
        return not any(ch.isalnum() for ch in line)
    ui = sum(1 for w in words if w in _UI_WORDS or w.endswith("icon"))
    if len(words) >= 6 and ui / len(words) >= 0.4:
        return True
    if len(words) >= 10 and not _SENTENCE_END.search(line):
        top = Counter(words).most_common(1)[0][1]
        if top / len(words) >= 0.15 and top >= 4:
            return True
    return len(words) <= 8 and all(w in _UI_WORDS for w in words)


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated blocks; hard-wrapped blocks are joined, one-paragraph-per-line blocks are kept."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    out: list[str] = []
    for block in blocks:
        if not block:
            continue
        wrapped = (
            len(block) > 1
            and all(40 <= len(b) <= 100 for b in block[:-1])
            and sum(1 for b in block[:-1] if _SENTENCE_END.search(b)) < len(block[:-1]) / 2
        )
        if wrapped:
            out.append(" ".join(block))
        else:
            out.extend(block)
    return out


def extract_text(
    text: str, url: str, *, fetched: str | None = None, source: str | None = None
) -> ArticleEvent:
    """Extract an article from a plain-text dump. Raises :class:`ExtractError` when there is none."""
    try:
        return _extract(text, url, fetched, source)
    except ExtractError:
        raise
    except (ValueError, TypeError, IndexError, RecursionError, OverflowError, UnicodeError) as exc:
        raise ExtractError(f"text extraction failed on {url}: {type(exc).__name__}: {exc}") from exc


def _extract(text: str, url: str, fetched: str | None, source: str | None) -> ArticleEvent:
    if not url:
        raise ExtractError("no URL given for the text dump")
    lines = [
        _WS.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    published = None
    title: str | None = None
    lede: str | None = None
    body_start = 0
    seen = 0
    for index, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > _HEAD_WINDOW or (title is not None and lede is not None):
            body_start = index
            break
        if _is_ui(line):
            body_start = index + 1
            continue
        if published is None and _dates.is_date_line(line):
            parsed = _dates.find_datetime(line) or _dates.parse_datetime(line)
            published = _dates.isoformat(parsed) if parsed else None
            body_start = index + 1
            continue
        if title is None:
            if len(line.split()) <= _MAX_TITLE_WORDS and not line.endswith("."):
                title = line
                body_start = index + 1
                continue
            break  # the dump starts with prose: no headline to find
        if line == title:
            body_start = index + 1
            continue
        if len(line) <= _MAX_LEDE_CHARS:
            lede = line
            body_start = index + 1
            continue
        break
    else:
        body_start = len(lines)

    skip = {title, lede}
    start, end = body_start, len(lines)  # trim by index: slicing per line was quadratic on long dumps
    while start < end and (not lines[start] or lines[start] in skip or _is_ui(lines[start])):
        start += 1
    while end > start and (not lines[end - 1] or _is_ui(lines[end - 1])):
        end -= 1
    rest = lines[start:end]
    paragraphs = [p for p in _paragraphs(rest) if not _is_ui(p)]
    if not paragraphs and lede:
        paragraphs = [lede]
    body = "\n\n".join(paragraphs)
    if not body.strip():
        raise ExtractError(f"no article text in dump: {url}")
    return ArticleEvent(
        article_id=article_id_for(url),
        url=url,
        canonical_url=url,
        title=title,
        published=published,
        lead=lede,
        body=body,
        language=_language.choose([], f"{title or ''}\n{lede or ''}\n{body}"),
        fetched=fetched or utc_now(),
        source=source,
        fingerprint=content_fingerprint(title, body),
    )
