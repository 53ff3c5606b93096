"""GDELT-style tone from the VADER lexicon, read as data.

The lexicon is ``vader_lexicon.txt`` shipped inside the vaderSentiment wheel
(MIT licence); only the file is used, never VADER's rule engine. A word is
*positive* when its mean valence is at least :data:`MIN_VALENCE` and *negative*
when it is at most ``-MIN_VALENCE``; weaker entries ("serious" −0.3) are too
context-dependent to count. Emoticons and other non-word entries are skipped.

As GDELT reports it: ``positive``/``negative`` are percentages of all words,
``tone = positive − negative`` and ``polarity = positive + negative``.
English only: other languages get zeros (the lexicon is English).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from newswire.events import Tone

MIN_VALENCE = 1.0

_WORD_ENTRY = re.compile(r"^[a-z][a-z'\-]*$")
ZERO = Tone(tone=0.0, positive=0.0, negative=0.0, polarity=0.0)


@cache
def lexicon() -> dict[str, int]:
    """word → +1 or −1, from the shipped VADER lexicon."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8")
    table: dict[str, int] = {}
    for line in text.splitlines():
        word, _, rest = line.partition("\t")
        if not _WORD_ENTRY.match(word):
            continue
        try:
            valence = float(rest.split("\t", 1)[0])
        except ValueError:
            continue
        if valence >= MIN_VALENCE:
            table[word] = 1
        elif valence <= -MIN_VALENCE:
            table[word] = -1
    return table


def tone(words: list[str]) -> Tone:
    """Tone of lower-cased words (the word list of :mod:`._metrics`)."""
    if not words:
        return ZERO
    table = lexicon()
    pos = neg = 0
    for word in words:
        score = table.get(word)
        if score == 1:
            pos += 1
        elif score == -1:
            neg += 1
    positive = round(100.0 * pos / len(words), 3)
    negative = round(100.0 * neg / len(words), 3)
    return Tone(
        tone=round(positive - negative, 3),
        positive=positive,
        negative=negative,
        polarity=round(positive + negative, 3),
    )
