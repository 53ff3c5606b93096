"""Language: the page's declaration, checked against py3langid on the text."""

from __future__ import annotations

import re

_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_SAMPLE_CHARS = 1000
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


def detect(text: str) -> tuple[str, float] | None:
    """py3langid's language and probability for a text, or None when too short."""
    sample = text[:_SAMPLE_CHARS]
    if len(sample.strip()) < _MIN_TEXT:
        return None
    # Imported here: numpy and the model load on first use (once per process), not with extract.
    from newswire import _langid

    lang, prob = _langid.classify(sample)
    return _SYNONYMS.get(lang, lang), prob


def choose(declared: list[str | None], text: str) -> str | None:
    """The declared language when the text agrees (or is inconclusive), else the detected one."""
    codes = [c for c in (normalise(d) for d in declared) if c]
    guess = detect(text)
    if guess is None:
        return codes[0] if codes else None
    lang, prob = guess
    if lang in codes:
        return lang
    if not codes or prob >= _OVERRIDE:
        return lang
    return codes[0]
