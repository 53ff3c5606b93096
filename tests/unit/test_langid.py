"""newswire._langid gives exactly py3langid's answers, only faster."""

from __future__ import annotations

import json
from collections import deque
from functools import cache

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from newswire import _langid
from tests.conftest import SHARED

TRUTH = SHARED / "corpus" / "fundus" / "truth.jsonl"


@cache
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def py3langid_counts(data: bytes) -> list[tuple[int, int]]:
    ident = _langid.identifier()
    return list((visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data) or {}).items())


def assert_same(text: str) -> None:
    ident = _langid.identifier()
    data = ident._encode(text)
    assert list(ident.feature_counts(data).items()) == py3langid_counts(data)
    assert _langid.classify(text) == reference().classify(text)
    assert _langid.rank(text) == reference().rank(text)


def corpus() -> list[dict[str, str]]:
    """The truth records that have a body."""
    if not TRUTH.exists():
        pytest.skip(f"no corpus at {TRUTH}")
    records = [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r.get("body")]


def test_corpus_covers_every_language() -> None:
    assert len({r["language"] for r in corpus()}) == 25


@pytest.mark.parametrize("chars", [1000, 1500, None])
def test_identical_on_every_corpus_body(chars: int | None) -> None:
    for record in corpus():
        try:
            assert_same(record["body"][:chars])
        except AssertionError as exc:
            raise AssertionError(f"{record['id']} ({chars} chars)") from exc


def test_corpus_languages_found() -> None:
    """The corpus README: py3langid on the truth bodies agrees with the language on all 258."""
    records = [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines()]
    synonyms = {"nb": "no", "nn": "no"}
    found = {r["id"]: _langid.classify(r["body"])[0] for r in records if r.get("body")}
    assert all(
        synonyms.get(found[r["id"]], found[r["id"]]) == r["language"] for r in records if r.get("body")
    )


EDGE_CASES = [
    "",
    " ",
    "\n\t  \r\n",
    "a",
    "é",  # 2 bytes
    "ab",
    "東",  # 3 bytes
    "abc",
    "😀",  # 4 bytes
    "\ud800",  # lone surrogate: 3 bytes under surrogatepass
    "\udfff x",
    "abcde",  # span - 1 bytes
    "abcdef",  # span bytes
    "abcdefg",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",  # all caps: py3langid lower-cases it
    "ÜBER DIE BRÜCKE GEHEN WIR MORGEN FRÜH",
    "Die Katze The cat Le chat 猫 Кошка القطة 고양이 bilan",
    "e\u0301cole et cafe\u0301",  # NFC composes the accents
    "😀😀😀 🇩🇪 👍🏽 emoji only",
    "1234567890 12.5 % €€€ ---",
    "a" * 5000,
    "<p>html &amp; tags</p>",
    "ſ ß ẞ ǅ ﬁ",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_identical_on_edge_cases(text: str) -> None:
    assert_same(text)


def test_identical_on_every_prefix() -> None:
    """Each length from 0 up, across the short-window head: an off-by-one there shows."""
    text = "Größte Überraschung: 東京 ПРИВЕТ 😀 déjà vu, naïve café."
    for end in range(len(text) + 1):
        assert_same(text[:end])


def test_span_is_the_automaton_depth() -> None:
    """The DFA is the Aho-Corasick automaton of its states' labels, deepest label ``span`` bytes.

    Then the state after any byte is the state of the longest label that ends there, which
    lies within the last ``span`` bytes: what the vectorised count relies on. Labels are the
    breadth-first shortest paths; each transition must go to the state of the longest
    suffix of (label + byte) that is a label.
    """
    ident = _langid.identifier()
    nm = np.frombuffer(ident.tk_nextmove, dtype=f"u{ident.tk_nextmove.itemsize}")
    rows = np.asarray(ident._rowbase, dtype=np.intp)
    n = len(rows)
    labels: list[bytes | None] = [None] * n
    labels[0] = b""
    queue = deque([0])
    while queue:
        state = queue.popleft()
        targets = nm[rows[state] : rows[state] + 256].tolist()
        for byte, target in enumerate(targets):
            if labels[target] is None:
                labels[target] = labels[state] + bytes([byte])  # type: ignore[operator]
                queue.append(target)
    assert all(label is not None for label in labels)
    lengths = np.array([len(label) for label in labels])  # type: ignore[arg-type]
    assert int(lengths.max()) == ident.span == 6
    # Key of a label: its length in the top byte, its bytes (big-endian) below.
    keys = np.array([(len(b) << 56) | int.from_bytes(b, "big") for b in labels], dtype=np.int64)  # type: ignore[arg-type]
    order = np.argsort(keys)
    sorted_keys = keys[order]
    values = keys & ((1 << 56) - 1)
    for lo in range(0, n, 8192):
        states = np.arange(lo, min(n, lo + 8192))
        # every (state, byte): label + byte as an integer, and its length
        ext = ((values[states] << 8)[:, None] | np.arange(256)).ravel()
        ext_len = np.repeat(lengths[states] + 1, 256)
        expected = np.zeros(len(ext), dtype=np.int64)
        found = np.zeros(len(ext), dtype=bool)
        for k in range(ident.span + 1, 0, -1):  # longest suffix first
            todo = ~found & (ext_len >= k)
            query = (k << 56) | (ext[todo] & ((1 << (8 * k)) - 1))
            at = np.minimum(np.searchsorted(sorted_keys, query), n - 1)
            hit = sorted_keys[at] == query
            where = np.flatnonzero(todo)[hit]
            expected[where] = order[at[hit]]
            found[where] = True
        actual = nm[(rows[states][:, None] + np.arange(256)).ravel()]
        assert np.array_equal(actual, expected), f"states {lo}..{lo + 8192}"


def test_loaded_once() -> None:
    assert _langid.identifier() is _langid.identifier()
