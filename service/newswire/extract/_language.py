"""Language: the page's declaration, checked against py3langid on the text."""

from __future__ import annotations

import re

_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_SAMPLE_CHARS = 1000
# A declaration is checked on a shorter sample first: when that already agrees, the
# full sample could only overturn it in mixed-language text, and costs three times more.
_CHECK_CHARS = 300
_MIN_TEXT = 40
# py3langid is trusted over a declaration only when it is this sure (normalised probability).
_OVERRIDE = 0.95
_SYNONYMS = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi"}


def normalise(code: str | None) -> str | None:
    """ISO 639-1 from a tag such as "de-DE", "en_GB", "nb"; None if it does not look like one."""
    if not code:
        return None
    match = _CODE.match(code.strip())
    if not match:
        return None
    lang = match.group(1).lower()
    lang = _SYNONYMS.get(lang, lang)
    return lang if len(lang) == 2 else None


def detect(text: str, sample_chars: int = _SAMPLE_CHARS) -> tuple[str, float] | None:
    """py3langid's language and probability for the start of a text, or None when too short."""
    sample = text[:sample_chars]
    if len(sample.strip()) < _MIN_TEXT:
        return None
    # Imported here: numpy and the model load on first use (once per process), not with extract.
    from newswire import _langid

    lang, prob = _langid.classify(sample)
    return _SYNONYMS.get(lang, lang), prob


def choose(declared: list[str | None], text: str) -> str | None:
    """The declared language when the text agrees (or is inconclusive), else the detected one."""
    codes = [c for c in (normalise(d) for d in declared) if c]
    if codes and len(text) > _CHECK_CHARS:
        check = detect(text, _CHECK_CHARS)
        if check is not None and check[0] in codes:
            return check[0]
    guess = detect(text)
    if guess is None:
        return codes[0] if codes else None
    lang, prob = guess
    if lang in codes:
        return lang
    if not codes or prob >= _OVERRIDE:
        return lang
    return codes[0]
