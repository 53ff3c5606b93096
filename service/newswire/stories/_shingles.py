"""Text → shingle hashes: normalisation, language-agnostic tokens, word k-shingles.

Tokens are runs of word characters, except in scripts written without spaces
(Han, kana, Thai, Lao, Khmer, Myanmar), where every character is a token; Hangul
is counted per character too, because Korean particles glue onto words and a
rewrite changes word endings more often than syllables. Shingles are k
consecutive tokens, hashed to 64 bits with a keyed blake2b per token and a
numpy fold, so the same text gives the same hashes in every process (Python's
``hash`` is salted per process and would not).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]

# Invisible characters parsers leave in text: soft hyphen, zero-width space/joiners, BOM, word joiner.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")

_CHAR_SCRIPTS = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
)
# One character of a spaceless script, or a run of other word characters (letters, digits, marks):
# ``[^\W...]`` is "a word character outside those scripts" as one class, twice as fast as a
# lookahead per character.
_TOKEN = re.compile(rf"[{_CHAR_SCRIPTS}]|[^\W{_CHAR_SCRIPTS}]+")

_KEY = b"newswire-stories-v1"
_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplication by it is a bijection mod 2**64
_SHIFT = np.uint64(31)


def normalise(text: str) -> str:
    """NFKC, case-folded, invisible characters removed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def tokens(text: str) -> list[str]:
    """The tokens of ``text`` after :func:`normalise`."""
    return _TOKEN.findall(normalise(text))


def _token_hash(token: str) -> int:
    digest = hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8, key=_KEY).digest()
    return int.from_bytes(digest, "little")


# Token hashes already computed: news articles share most of their words, so most tokens of
# the next article are here (a keyed blake2b per token was a third of clustering's time).
# Emptied when full rather than evicted one by one: the common words come straight back.
_KNOWN: dict[str, int] = {}
_KNOWN_MAX = 50_000  # about 6 MB


def _token_hashes(distinct: set[str]) -> dict[str, int]:
    known = _KNOWN
    if len(known) > _KNOWN_MAX:
        known.clear()
    out = {}
    for token in distinct:
        value = known.get(token)
        if value is None:
            value = known[token] = _token_hash(token)
        out[token] = value
    return out


def shingle_hashes(text: str, k: int = 3) -> U64:
    """64-bit hashes of the word k-shingles of ``text``, in text order (duplicates kept).

    A text shorter than ``k`` tokens gives one shingle of all its tokens, and an
    empty text gives none.
    """
    toks = tokens(text)
    if not toks:
        return np.empty(0, dtype=np.uint64)
    # News text repeats its words: hash each distinct token once.
    known = _token_hashes(set(toks))
    hashes = np.fromiter(map(known.__getitem__, toks), dtype=np.uint64, count=len(toks))
    k = min(k, len(toks))
    width = len(toks) - k + 1
    acc = np.zeros(width, dtype=np.uint64)
    for j in range(k):
        # Order-sensitive fold: "a b c" and "c b a" get different hashes.
        acc = (acc ^ hashes[j : j + width]) * _MUL
        acc ^= acc >> _SHIFT
    return acc
