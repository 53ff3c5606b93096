"""Text metrics by regular expressions: fast, deterministic, checkable by hand.

Definitions (all on the article body):

* **word**: a run of letters or digits, joined across one inner apostrophe,
  hyphen, full stop or comma between two such runs: "100,000", "legally-binding",
  "Russia’s" and "U.S" are one word each;
* **number**: a word that starts with a digit ("2014", "100,000", "3.5");
* **paragraph**: a block between blank lines; a text without blank lines has
  one paragraph per non-empty line;
* **sentence**: within a paragraph, text up to ``.``, ``!``, ``?`` or ``…``
  (closing quotes may follow) that is followed by the end of the paragraph or
  by whitespace and a capital letter, digit or opening quote; a full stop after
  a single letter ("J. Smith", "U.S. Deputy") or a common title abbreviation
  ("Mr.", "Dr.") ends no sentence; a paragraph's unterminated tail counts as one;
* **characters**: ``len(body)``;
* **quote**: a passage between a pair of double quotation marks (“…”, "…",
  «…», „…“) within one paragraph;
* **reading time**: words / 230 words per minute, in seconds;
* **Flesch reading ease** (English only): 206.835 − 1.015·words/sentences −
  84.6·syllables/words, syllables being vowel groups less a silent final "e".
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from newswire import _langid

WORDS_PER_MINUTE = 230
LANGID_CHARS = 1500

_WORD = re.compile(r"[^\W_]+(?:['’.,\-][^\W_]+)*")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENT_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s|$)")
_NEXT_START = re.compile(r"\s+[\"“‘'(\[«„]?[A-Z0-9À-ÖØ-Þ]")
_LAST_TOKEN = re.compile(r"(\S+)$")
_LONGEST_TOKEN = 64
_QUOTE = re.compile(r"“[^“”\n]+”|\"[^\"\n]+\"|«[^«»\n]+»|„[^„“”\n]+[“”]")
_VOWELS = re.compile(r"[aeiouy]+")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "sgt",
        "capt",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "inc",
        "corp",
        "ltd",
        "co",
        "jan",
        "feb",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
        "fig",
        "approx",
        "est",
        "mt",
        "ft",
    }
)


@dataclasses.dataclass(slots=True)
class Counts:
    """Everything counted in one pass over the body."""

    words: list[str]
    sentences: int
    paragraphs: int
    characters: int
    quotes: int
    numbers: int
    syllables: int


def words_of(text: str) -> list[str]:
    """Lower-cased words, apostrophes normalised to ASCII."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def paragraphs_of(text: str) -> list[str]:
    """Non-empty paragraphs (see module docstring)."""
    stripped = text.strip()
    if not stripped:
        return []
    blocks = _BLANK_LINE.split(stripped) if _BLANK_LINE.search(stripped) else stripped.split("\n")
    return [b.strip() for b in blocks if b.strip()]


def sentence_count(paragraph: str) -> int:
    """Sentences in one paragraph."""
    count = 0
    tail_start = 0
    for match in _SENT_END.finditer(paragraph):
        end = match.end()
        if end < len(paragraph) and not _NEXT_START.match(paragraph, end):
            continue
        if match.group()[0] == "." and _is_abbreviation(paragraph, match.start()):
            continue
        if _WORD.search(paragraph, tail_start, match.start()):
            count += 1
        tail_start = end
    if _WORD.search(paragraph, tail_start):
        count += 1
    return count


def _is_abbreviation(paragraph: str, end: int) -> bool:
    """Whether the token ending at ``end`` is an abbreviation whose full stop ends no sentence."""
    # Only the token's last few characters decide, so look at a bounded tail: slicing
    # and searching the whole prefix made long paragraphs quadratic.
    token = _LAST_TOKEN.search(paragraph, max(0, end - _LONGEST_TOKEN), end)
    if token is None:
        return False
    last = token.group(1).lower().lstrip("(\"“'‘")
    return (
        (len(last) == 1 and last.isalpha())
        or last in _ABBREVIATIONS
        or (len(last) >= 3 and last[-2] == "." and last[-1].isalpha())
    )  # "u.s" of "U.S."


@lru_cache(maxsize=1 << 16)  # news reuses its words: most lookups hit (6 % of enrich's CPU before)
def syllables(word: str) -> int:
    """Vowel-group syllable estimate, at least one."""
    n = len(_VOWELS.findall(word))
    if n > 1 and word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        n -= 1
    return max(1, n)


def count(body: str) -> Counts:
    """Count the body in one pass per measure."""
    words = words_of(body)
    paragraphs = paragraphs_of(body)
    return Counts(
        words=words,
        sentences=sum(sentence_count(p) for p in paragraphs),
        paragraphs=len(paragraphs),
        characters=len(body),
        quotes=len(_QUOTE.findall(body)),
        numbers=sum(1 for w in words if w[0].isdigit()),
        syllables=sum(syllables(w) for w in words),
    )


def reading_time_s(words: int) -> float:
    """Seconds to read ``words`` at 230 words per minute."""
    return round(words * 60.0 / WORDS_PER_MINUTE, 1)


def flesch_reading_ease(counts: Counts) -> float | None:
    """Flesch reading ease, None for an empty text."""
    if not counts.words or not counts.sentences:
        return None
    n = len(counts.words)
    return round(206.835 - 1.015 * n / counts.sentences - 84.6 * counts.syllables / n, 2)


def detect_language(text: str) -> tuple[str | None, dict[str, float]]:
    """py3langid's best language and normalised probabilities of the top five."""
    sample = text[:LANGID_CHARS]
    if not _WORD.search(sample):
        return None, {}
    ranked = _langid.rank(sample)  # the model loads on first use (~1 s), once per process
    probs = dict(ranked[:5])
    return ranked[0][0], probs


def primary_language(tag: str | None) -> str | None:
    """ "en-US" → "en"; None stays None."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-", 1)[0].lower() or None
