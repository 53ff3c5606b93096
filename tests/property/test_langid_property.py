"""On any text, newswire._langid answers as py3langid does."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from newswire import _langid

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any code point, surrogates included (py3langid encodes them with surrogatepass).
_ANY = st.characters(codec=None, categories=None)
_WORDY = st.sampled_from(list("aeiouäöüßéèçñ東京ПРИВЕТمرحبا고양이 .,\n😀\ud800ABC"))
TEXTS = st.one_of(st.text(_ANY, max_size=60), st.text(_WORDY, max_size=400), st.text(max_size=1600))


@cache
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@SETTINGS
@given(TEXTS)
def test_same_as_py3langid(text: str) -> None:
    ident = _langid.identifier()
    data = ident._encode(text)
    expected = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data) or {}
    assert list(ident.feature_counts(data).items()) == list(expected.items())

    lang, prob = _langid.classify(text)
    ref_lang, ref_prob = reference().classify(text)
    assert lang == ref_lang
    assert prob == pytest.approx(ref_prob, abs=1e-6)

    ranked, ref_ranked = _langid.rank(text), reference().rank(text)
    assert [lang for lang, _ in ranked] == [lang for lang, _ in ref_ranked]
    assert [p for _, p in ranked] == pytest.approx([p for _, p in ref_ranked], abs=1e-6)
