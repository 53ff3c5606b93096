"""Small text clean-ups shared by the extractors."""

from __future__ import annotations

import functools
import html
import re

_WS = re.compile(r"\s+")
# UTF-8 read as latin-1/cp1252: "Ã¼", "Ã³", "â€™" …
_MOJIBAKE = re.compile(r"[ÂÃÅâ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ¡-¿]")


def repair(text: str) -> str:
    """Undo UTF-8-as-cp1252 mojibake when the whole string round-trips cleanly."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def clean(text: str | None, *, unescape: bool = False) -> str | None:
    """Whitespace collapsed (and entities decoded, for JSON-LD strings); None when empty."""
    if text is None:
        return None
    if unescape and "&" in text:
        text = html.unescape(text)
    out = _WS.sub(" ", repair(text)).strip()
    return out or None


def word_count(paragraphs: list[str]) -> int:
    """Whitespace-separated words in a body: the unit the strategies compare bodies' sizes in."""
    return sum(map(_words, paragraphs))


# The strategies and the second opinion count the same bodies' words many times per page (each
# candidate, each criterion): a paragraph is split once. Bounded: a page holds fewer paragraphs.
@functools.lru_cache(maxsize=512)
def _words(paragraph: str) -> int:
    return len(paragraph.split())
