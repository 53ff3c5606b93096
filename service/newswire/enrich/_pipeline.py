"""spaCy's tokenizer and NER model, made fast for news text on one CPU core.

How (the measurements behind each step are in ``docs/entities.md``):

1. **Only the ``ner`` model is loaded.** In the small English pipeline the ``ner``
   component embeds its *own* tok2vec; it listens to nothing (the shared
   ``tok2vec`` only feeds tagger and parser). So tok2vec, tagger, parser,
   attribute_ruler and lemmatizer are not even loaded (``exclude=``).
2. **Skip text with nothing to find.** Every entity type we keep (PERSON, ORG,
   GPE, LOC, FAC, NORP, EVENT) contains a capitalised word in English news. NER
   runs only on token windows around *candidate* tokens: a token with an upper-case
   letter, unless it opens a sentence and is a stop word ("The", "But", "In").
   Windows reach :data:`DEFAULT_CONTEXT` tokens either side. The model's tok2vec
   sees 4 tokens either side (4 window-1 CNN layers), so a candidate's vector is
   exactly what it would be in the full document, and a window always starts
   outside any entity, so the transition system is in the same state. Runs of
   windows closer than :data:`MERGE_GAP` tokens are joined. A document whose
   windows cover more than :data:`MAX_SHARE` of it is tagged whole.
3. **Decode across windows, not per window.** :class:`~newswire.enrich._greedy_ner.GreedyNer`
   runs the model's own weights over all windows of a batch at once, with
   numpy's BLAS, and a vectorised greedy decoder; its spans equal spaCy's
   ``EntityRecognizer`` on the same windows. Windows are slices of the one
   tokenised document (its feature columns, including the norms tokenizer
   exceptions set, such as "’m" → "am"); no window ``Doc`` is built.
4. **Fewer moves.** The value labels nobody here reads (TIME, MONEY, PERCENT,
   CARDINAL, ORDINAL, QUANTITY) are dropped from the decoder's moves (74 → 50).
   DATE and the name-like labels we do not keep (WORK_OF_ART, PRODUCT, LAW,
   LANGUAGE) stay, because without them the argmax falls on the next name label
   ("May" became a PERSON, "Nature" a GPE); with them, entities of our types on
   the eval set, the seed article and English corpus pages are identical to the
   full model's (``tests/unit/test_greedy_ner.py``).

5. **Tokenise sentence by sentence.** spaCy's tokenizer caches each
   whitespace-delimited chunk, but stops saving chunks for the rest of a ``Doc``
   once any special case ("don't", "U.S.", "Mr.") has matched in it, and saves
   nothing past ``max_cache_size`` chunks (10,000), which left most chunks of a
   news article re-split by regex. The text is cut after sentence ends and line
   breaks (only where the tokenizer itself splits, so the tokens are identical:
   ``tests/unit/test_greedy_ner.py`` and ``tests/property/test_token_pieces_property.py``),
   each piece is tokenised on its own, and the cache holds :data:`TOKEN_CACHE_CHUNKS`.
6. **Bounded vocabulary.** spaCy 3.8 outside a memory zone keeps every new lexeme
   and string for good, so a daemon reading years of news grows without bound.
   When the vocabulary passes :data:`MAX_LEXEMES` the tokenizer (vocab, strings
   and cache) is loaded afresh; the decoder's weights do not depend on it.

Offsets returned are character offsets into the text given, whatever the windows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDS, IDX, IS_SPACE, LENGTH, LOWER, ORTH
from spacy.language import Language

from newswire.enrich._entities import LABEL_TYPES, Mention
from newswire.enrich._greedy_ner import GreedyNer
from newswire.errors import EnrichError

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 5
MERGE_GAP = 6
MAX_SHARE = 0.9
_SENTENCE_OPENERS = (".", "!", "?", "…", "“", '"', "‘", ":", "—", "–", "-", "(", "[", "•")
#: Labels whose moves the decoder leaves out. DATE stays: without it "May" and
#: "April" come out as PERSON (7 of 633 names on English corpus pages).
VALUE_LABELS = frozenset({"TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"})

#: Chunks the tokenizer may cache (spaCy's default is 10,000). ~100 bytes each.
TOKEN_CACHE_CHUNKS = 200_000
#: Lexemes in the vocabulary before the tokenizer is reloaded (~0.5 KB each with
#: their strings and cache entries).
MAX_LEXEMES = 300_000
#: Where a text is cut before tokenising: after a sentence's end (with closing
#: quotes or brackets) or a line break, always at whitespace, which the tokenizer
#: splits at too; the whitespace stays with the piece before it.
_SEGMENT_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n\s*")

_NOT_NER = (
    "tok2vec",
    "tagger",
    "parser",
    "attribute_ruler",
    "lemmatizer",
    "senter",
    "morphologizer",
    "trainable_lemmatizer",
    "textcat",
    "entity_ruler",
    "span_finder",
)


def load_ner(model: str) -> Language:
    """Load ``model`` with nothing but its tokenizer and ``ner`` component."""
    try:
        nlp = spacy.load(model, exclude=list(_NOT_NER))
    except OSError as exc:
        raise EnrichError(f"cannot load spaCy model {model!r} (is its package installed?): {exc}") from None
    if "ner" not in nlp.pipe_names:
        raise EnrichError(f"spaCy model {model!r} has no ner component")
    return nlp


def _cached_tokenizer(nlp: Language) -> Any:
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a plain callable
    tokenizer.max_cache_size = TOKEN_CACHE_CHUNKS
    return tokenizer


class NerRunner:
    """Tokenise once, cut candidate windows, decode them in batches, return mentions."""

    def __init__(
        self,
        model: str,
        *,
        context: int | None = DEFAULT_CONTEXT,
        max_lexemes: int = MAX_LEXEMES,
    ) -> None:
        self.model = model
        self.nlp = nlp = load_ner(model)
        self.decoder = GreedyNer(nlp.get_pipe("ner"), drop_labels=VALUE_LABELS)
        self.context = context
        self.max_lexemes = max_lexemes
        strings = nlp.vocab.strings
        self._stop_lower = np.array(
            sorted(strings.add(w.lower()) for w in nlp.Defaults.stop_words), dtype=np.uint64
        )
        self._openers = np.array(sorted(strings.add(s) for s in _SENTENCE_OPENERS), dtype=np.uint64)
        self._kept = [label in LABEL_TYPES for label in self.decoder.labels]
        self._columns = [IDS[c] for c in self.decoder.columns]
        self._all_columns = [*self._columns, ORTH, LOWER, IS_SPACE, IDX, LENGTH]
        self._n_features = len(self._columns)
        self._tokenizer = _cached_tokenizer(nlp)
        self.tokens_seen = 0
        self.tokens_tagged = 0
        self.tokenizer_reloads = 0

    # ------------------------------------------------------------ tokens

    def token_columns(self, text: str) -> Any:
        """The text's token columns (model features, ORTH, LOWER, IS_SPACE, IDX, LENGTH).

        Equal to ``nlp.make_doc(text).to_array(...)``; see the module docstring (5.)
        for why the text is tokenised piece by piece.
        """
        tokenizer, columns = self._tokenizer, self._all_columns
        idx = len(columns) - 2
        ends = [match.end() for match in _SEGMENT_END.finditer(text)]
        if not ends or ends[-1] < len(text):
            ends.append(len(text))
        pieces: list[Any] = []
        start = 0
        for end in ends:
            arr = tokenizer(text[start:end]).to_array(columns)
            arr[:, idx] += start
            pieces.append(arr)
            start = end
        if len(self.nlp.vocab) > self.max_lexemes:
            self._reload_tokenizer()
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def _reload_tokenizer(self) -> None:
        """A fresh vocabulary, string store and cache (see the module docstring, 6.)."""
        log.info(
            "the tokenizer's vocabulary reached %d lexemes (bound %d): loading it afresh",
            len(self.nlp.vocab),
            self.max_lexemes,
        )
        self.nlp = load_ner(self.model)
        self._tokenizer = _cached_tokenizer(self.nlp)
        self.tokenizer_reloads += 1

    # ------------------------------------------------------------ windows

    def windows(self, orth: Any, lower: Any, spaces: Any) -> list[tuple[int, int]]:
        """Token ranges that may hold an entity, with context (see module docstring).

        ``orth``/``lower``/``spaces`` are a document's ORTH, LOWER and IS_SPACE columns.
        """
        n = len(orth)
        if self.context is None or n == 0:
            return [(0, n)] if n else []
        has_upper = orth != lower
        if not has_upper.any():
            return []
        prev = np.empty(n, dtype=np.uint64)
        prev[0] = 0
        prev[1:] = orth[:-1]
        opens = np.isin(prev, self._openers)
        opens[0] = True
        opens[1:] |= spaces[:-1]
        candidate = has_upper & ~(opens & np.isin(lower, self._stop_lower))
        idx = np.flatnonzero(candidate)
        if idx.size == 0:
            return []
        k = self.context
        ranges: list[tuple[int, int]] = []
        start, end = max(0, int(idx[0]) - k), min(n, int(idx[0]) + k + 1)
        for i in idx[1:].tolist():
            lo, hi = max(0, i - k), min(n, i + k + 1)
            if lo - end <= MERGE_GAP:
                end = hi
            else:
                ranges.append((start, end))
                start, end = lo, hi
        ranges.append((start, end))
        if sum(b - a for a, b in ranges) > MAX_SHARE * n:
            return [(0, n)]  # nearly everything: one window costs less than many
        return ranges

    # ------------------------------------------------------------ running

    def mentions(self, texts: Sequence[str]) -> list[list[Mention] | BaseException]:
        """Mentions per text, in order; a text that breaks the pipeline yields its exception."""
        results: list[list[Mention] | BaseException] = [[] for _ in texts]
        features: list[Any] = []
        spaces: list[Any] = []
        owners: list[tuple[int, int, Any]] = []  # (text index, first token, the text's IDX/LENGTH columns)
        nf = self._n_features
        for i, text in enumerate(texts):
            try:
                arr = self.token_columns(text)
                if len(arr) == 0:
                    continue
                space = arr[:, nf + 2].astype(bool)
                ranges = self.windows(arr[:, nf], arr[:, nf + 1], space)
                self.tokens_seen += len(arr)
                offsets = arr[:, nf + 3 :]
                for a, b in ranges:
                    self.tokens_tagged += b - a
                    features.append(arr[a:b, :nf])
                    spaces.append(space[a:b])
                    owners.append((i, a, offsets))
            except Exception as exc:  # isolation boundary: one text, not the batch
                results[i] = exc
        try:
            spans = self.decoder.spans(features, spaces)
        except Exception:  # find the text that breaks the batch, spare the others
            log.warning("ner failed on a batch of %d windows; retrying text by text", len(features))
            spans = self._one_by_one(features, spaces, owners, results)
        labels, kept = self.decoder.labels, self._kept
        for (i, first, offsets), found in zip(owners, spans, strict=True):
            bucket = results[i]
            if isinstance(bucket, BaseException) or found is None:
                continue
            text = texts[i]
            for s, e, label in found:
                if not kept[label]:
                    continue
                begin = int(offsets[first + s, 0])
                end = int(offsets[first + e - 1, 0] + offsets[first + e - 1, 1])
                bucket.append(Mention(text=text[begin:end], label=labels[label], start=begin))
        return results

    def _one_by_one(
        self,
        features: list[Any],
        spaces: list[Any],
        owners: list[tuple[int, int, Any]],
        results: list[list[Mention] | BaseException],
    ) -> list[Any]:
        out: list[Any] = []
        for feats, space, (i, _, _) in zip(features, spaces, owners, strict=True):
            if isinstance(results[i], BaseException):
                out.append(None)
                continue
            try:
                out.append(self.decoder.spans([feats], [space])[0])
            except Exception as exc:  # same boundary as above
                results[i] = exc
                out.append(None)
        return out
