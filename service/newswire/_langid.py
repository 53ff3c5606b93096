"""py3langid, loaded once per process, with its byte-by-byte feature count vectorised.

Results are exactly py3langid's (``LanguageIdentifier(norm_probs=True)``): its text
preparation (``_encode``), scoring (``_sparse_score``), normalisation and alias folding
(``_decide``), ``classify`` and ``rank`` are reused; only the feature count is replaced.

py3langid counts features by walking its DFA one byte at a time in Python
(``visit_counts``), about two thirds of its time. The DFA is an Aho-Corasick automaton
over byte n-grams: the state after a byte is the longest n-gram-trie prefix ending
there, so it depends on the last ``span`` bytes only, ``span`` being the deepest state's
depth (6 for py3langid 0.4.0's model; computed from the model at load). So the state
after byte ``i`` is the state reached by walking the ``span`` bytes ending at ``i`` from
the root, and numpy does that for all positions at once in ``span`` steps. The first
``span - 1`` bytes have shorter windows and are walked as py3langid walks them.
``tests/unit/test_langid.py`` checks the automaton really is such an automaton, and
the load does a spot check against py3langid's own walk.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import numpy.typing as npt
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

_LOG = logging.getLogger(__name__)

# Spot check at load: vectorised counts must equal py3langid's walk on this text.
_CHECK_TEXT = "Ünïcödé check: 東京 ПРИВЕТ мир, ça va? 😀 ab\ud800c 12,5 % – «quoted» text."


class FastIdentifier(LanguageIdentifier):  # type: ignore[misc]  # py3langid is untyped
    """py3langid's ``LanguageIdentifier`` with a vectorised feature count."""

    __slots__ = ("_nm", "_out", "_rows", "_two", "span")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Views of py3langid's own arrays where possible (the transition table is ~40 MB).
        self._nm: npt.NDArray[np.unsignedinteger] = np.frombuffer(
            self.tk_nextmove, dtype=f"u{self.tk_nextmove.itemsize}"
        )
        self._rows: npt.NDArray[np.intp] = np.asarray(self._rowbase, dtype=np.intp)
        self._out: npt.NDArray[np.intp] = np.asarray(self.tk_output, dtype=np.intp)
        self.span: int = max_depth(self._nm, np.asarray(self.tk_row, dtype=np.intp))
        # The state after two bytes (b0 << 8 | b1) walked from the root: the first two steps in one.
        root = self._nm[self._rows[0] + np.arange(256)].astype(np.intp)
        self._two: npt.NDArray[np.intp] = (
            self._nm[self._rows[root][:, None] + np.arange(256)].astype(np.intp).ravel()
        )

    def feature_counts(self, data: bytes) -> dict[int, int]:
        """{feature: count} in first-occurrence order, as py3langid's ``visit_counts``."""
        ids, counts = self._feature_arrays(data)
        return dict(zip(ids.tolist(), counts.tolist(), strict=True))

    def _feature_arrays(self, data: bytes) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """The features seen and their counts, in first-occurrence order (both empty for none)."""
        n = len(data)
        head = min(n, max(self.span, 2) - 1)
        # The first span-1 bytes have windows shorter than span: walk them from the root.
        nm, rowbase, out = self.tk_nextmove, self._rowbase, self.tk_output
        state = 0
        head_feats: list[int] = []
        for letter in data[:head]:
            state = nm[rowbase[state] + letter]
            head_feats.append(out[state])
        feats: npt.NDArray[np.intp] = np.asarray(head_feats, dtype=np.intp)
        m = n - head
        if m > 0:
            # Byte head + j ends the window buf[j : j + span]; walk all m windows at once.
            buf = np.frombuffer(data, dtype=np.uint8).astype(np.intp)
            states = self._two[(buf[:m] << 8) | buf[1 : m + 1]]
            for k in range(2, self.span):
                states = self._nm[self._rows[states] + buf[k : k + m]]
            feats = np.concatenate((feats, self._out[states]))
        pos = np.flatnonzero(feats >= 0)
        if not len(pos):
            empty: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)
            return empty, empty
        # Sort (feature, position) pairs: runs give counts, run starts first positions.
        total = len(feats)
        keys = np.sort(feats[pos] * total + pos)
        ids = keys // total
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        counts = np.diff(starts, append=len(keys))
        slot = np.full(total, -1, dtype=np.intp)
        slot[keys[starts] % total] = np.arange(len(starts))
        order = slot[slot >= 0]  # runs by first position
        return ids[starts][order], counts[order]

    def _raw_score(self, text: bytes) -> npt.NDArray[np.float32]:
        ids, counts = self._feature_arrays(text)
        if len(ids):
            # py3langid's _sparse_score on the same arrays its dict would give, in the same order.
            scores: npt.NDArray[np.float32] = (
                np.log1p(counts.astype(np.float32)) @ self.nb_ptc[ids] + self.nb_pc
            )
            return scores
        # No features: py3langid's own fill (its walk over no bytes finds none either).
        return super()._raw_score(b"")  # type: ignore[no-any-return]


def max_depth(nextmove: npt.NDArray[np.unsignedinteger], row: npt.NDArray[np.intp]) -> int:
    """Depth of the deepest DFA state: breadth-first from the root over all 256 bytes."""
    table = nextmove.reshape(-1, 256)
    seen = np.zeros(len(row), dtype=bool)
    seen[0] = True
    frontier = np.zeros(1, dtype=np.intp)
    depth = 0
    while True:
        reached = np.zeros(len(row), dtype=bool)
        reached[table[np.unique(row[frontier])]] = True
        reached &= ~seen
        frontier = np.flatnonzero(reached)
        if not len(frontier):
            return depth
        seen |= reached
        depth += 1


_lock = threading.Lock()
_identifier: FastIdentifier | None = None


def identifier() -> FastIdentifier:
    """The process's identifier: loaded on first use (~1 s, a few tens of MB), then shared."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                ident = FastIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                data = ident._encode(_CHECK_TEXT)
                expected = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data) or {}
                if list(ident.feature_counts(data).items()) != list(expected.items()):
                    raise RuntimeError("py3langid model is not a span-limited automaton: cannot count fast")
                _LOG.debug("py3langid loaded, n-gram span %d bytes", ident.span)
                _identifier = ident
    return _identifier


def classify(text: str) -> tuple[str, float]:
    """py3langid's ``classify``: best language and its normalised probability."""
    lang, prob = identifier().classify(text)
    return str(lang), float(prob)


def rank(text: str) -> list[tuple[str, float]]:
    """py3langid's ``rank``: every language with its normalised probability, best first."""
    return [(str(lang), float(prob)) for lang, prob in identifier().rank(text)]
