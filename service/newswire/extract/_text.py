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


# Han and kana write words without spaces between them: a white-space "word" of Chinese or Japanese
# is a clause or a whole sentence. Each such character counts as this part of a word (a word of
# either language is one to three characters). Hangul is written with spaces and is not counted so.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHARS_PER_WORD = 2
# Thai, Lao, Myanmar and Khmer write words without spaces too (a space parts phrases or
# sentences); a word is about five code points of them, vowel and tone marks included, about as
# many as a Latin word's letters, so their text is measured in letters as it is.
_UNSPACED_ALPHABETS = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
ALPHABET_CHARS_PER_WORD = 5


def words_in(text: str) -> int:
    """Words in a text: white-space-separated words, plus a word for every ``CHARS_PER_WORD``
    characters of Han or kana and every ``ALPHABET_CHARS_PER_WORD`` of Thai, Lao, Myanmar or
    Khmer, so that a body in those scripts and the page around it are weighed in the same unit as
    a Latin page's (the page's menus are spaced words, its sentences are not)."""
    words = len(text.split())
    if text.isascii():
        return words
    words += len(_UNSPACED.findall(text)) // CHARS_PER_WORD
    return words + len(_UNSPACED_ALPHABETS.findall(text)) // ALPHABET_CHARS_PER_WORD


def has_unspaced(text: str) -> bool:
    """Whether a text holds Han, kana, or a Southeast Asian script written without spaces
    between words (see :func:`words_in`)."""
    return not text.isascii() and (
        _UNSPACED.search(text) is not None or _UNSPACED_ALPHABETS.search(text) is not None
    )


def word_count(paragraphs: list[str]) -> int:
    """Words in a body (:func:`words_in`): the unit the strategies compare bodies' sizes in."""
    return sum(map(_words, paragraphs))


# The strategies and the second opinion count the same bodies' words many times per page (each
# candidate, each criterion): a paragraph is split once. Bounded: a page holds fewer paragraphs.
@functools.lru_cache(maxsize=512)
def _words(paragraph: str) -> int:
    return words_in(paragraph)
