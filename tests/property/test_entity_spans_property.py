"""Span repair only ever narrows, cuts or adds names inside the text, never overlapping.

Whatever spans the model gives (``newswire.enrich._spans.repair``), a mention must
slice back to its field, so every repaired span lies in the text, holds a letter,
has no whitespace at its edges and overlaps no other.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.enrich._spans import Span, repair

_WORDS = [
    "The", "the", "U.S.", "Russia's", "Blacks'", "2-1", "66", "-", "—", "\n", "BERLIN", "(Reuters)",
    "Dr.", "Winger", "Kallas", "Kaja", "KALLAS", "l'Elysée", "ministre", "de", "Kyiv", ",", "SOUTH",
    "AFRICA", "Apple", "500", "million", "“", "”", "Jr.", "St.",
]  # fmt: skip
_LABELS = ["PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PER", "DATE"]


@st.composite
def texts_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30))
    seps = draw(st.lists(st.sampled_from([" ", " ", "\n", "  "]), min_size=len(words), max_size=len(words)))
    text = "".join(w + s for w, s in zip(words, seps, strict=True))
    starts = [0]
    for w, s in zip(words, seps, strict=True):
        starts.append(starts[-1] + len(w) + len(s))
    spans: list[Span] = []
    i = 0
    while i < len(words):  # token-aligned, non-overlapping spans, as the model gives
        size = draw(st.integers(0, 4))
        if size and i + size <= len(words):
            end = starts[i + size - 1] + len(words[i + size - 1])
            spans.append(Span(starts[i], end, draw(st.sampled_from(_LABELS))))
            i += size
        else:
            i += 1
    return text, spans


@settings(max_examples=300, deadline=None)
@given(texts_and_spans())
def test_repaired_spans_are_names_inside_the_text_and_never_overlap(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    out = repair(text, spans)
    last_end = 0
    for span in out:
        assert 0 <= span.start < span.end <= len(text)
        piece = text[span.start : span.end]
        assert piece == piece.strip() and "\n" not in piece
        assert any(ch.isalpha() for ch in piece)
        assert span.start >= last_end, out
        last_end = span.end
