"""spaCy loading and batched NER, made fast for one CPU core.

What was measured on the 2-core build box (en_core_web_sm, ~740-token articles):

1. **Only ``ner`` runs.** In the small English pipeline the ``ner`` component
   embeds its *own* tok2vec; it listens to nothing (the shared ``tok2vec`` only
   feeds tagger and parser). So tok2vec, tagger, parser, attribute_ruler and
   lemmatizer are not even loaded (``exclude=``), not merely disabled.
2. **BLAS.** thinc multiplies matrices through blis, and the blis bundled with
   the ``blis`` wheel does not recognise this CPU generation: it falls back to its
   generic reference kernel (``libblis: selecting sub-configuration 'generic'``,
   16 GFLOP/s on a 30000×288·288×288 product against 82 for numpy's OpenBLAS).
   :class:`MatmulOps` routes thinc's ``gemm`` to ``numpy.matmul``. Results are the
   same up to float rounding (see the check below).
3. **Skip text with nothing to find.** Every entity type we keep (PERSON, ORG,
   GPE, LOC, FAC, NORP, EVENT) contains a capitalised word in English news. NER
   runs only on token windows around *candidate* tokens: a token with an upper-case
   letter, unless it opens a sentence and is a stop word ("The", "But", "In").
   Windows reach :data:`DEFAULT_CONTEXT` tokens either side. The model's tok2vec
   sees 4 tokens either side (4 window-1 CNN layers), so a candidate's vector is
   exactly what it would be in the full document, and a window always starts
   outside any entity, so the transition system is in the same state. Runs of
   windows closer than :data:`MERGE_GAP` tokens are joined. Windows are cut from
   the one tokenised document (token texts and spaces, no re-tokenising). Cutting
   costs a little, so a document whose windows cover more than :data:`MAX_SHARE`
   of it is tagged whole. Name-dense text (the eval paragraphs)
   is mostly tagged whole; long reports with few names gain most.
4. **Fewer moves.** The transition parser checks every move's validity for every
   token and state, so its loop costs in proportion to the number of moves (4 per
   label, plus 2). :func:`trim_value_labels` drops the value labels nobody here
   reads (DATE, TIME, MONEY, PERCENT, CARDINAL, ORDINAL, QUANTITY): a new
   ``EntityRecognizer`` over a copy of the model whose output layer keeps only the
   rows of the remaining moves, 74 → 46. Name-like labels we do not keep
   (WORK_OF_ART, PRODUCT, LAW, LANGUAGE) stay, because without them the argmax
   falls on the next name label ("Nature" became a GPE); with them, entities of our
   types on the eval set and the seed article are identical to the full model's.
5. **Batches.** Windows of a whole article batch go through ``ner.pipe`` together:
   the transition parser scores all open states of a batch in one matrix product per
   step, so many short windows per call amortise its per-step cost.

Check (``bench/enrich_bench.py`` data): raw mentions of our labels from this
runner equal the plain pipeline's (stock blis ops, all 74 moves, whole documents)
on the 40 eval paragraphs, the seed article and four 600-word articles. The one
difference seen anywhere is on the raw seed *page*, whose all-lower-case icon
labels ("chevron", "filtericon") the plain model tags as ORG/GPE and the windows
never show it.

What remains (perf, per 600-word article): about 40 % in the parser's Cython
loop, a third of which is the GIL being taken and dropped inside it (compiled
into spaCy, out of our reach), and about 30 % in the tok2vec CNN.

Offsets returned are character offsets into the text given, whatever the windows.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import spacy
from spacy.attrs import ENT_IOB, ENT_TYPE, IDX, IS_SPACE, LENGTH, LOWER, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import NumpyOps

from newswire.enrich._entities import LABEL_TYPES, Mention

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 5
MERGE_GAP = 6
MAX_SHARE = 0.9
_SENTENCE_OPENERS = (".", "!", "?", "…", "“", '"', "‘", ":", "—", "–", "-", "(", "[", "•")


class MatmulOps(NumpyOps):  # type: ignore[misc]
    """thinc's NumpyOps with ``gemm`` on numpy's BLAS (OpenBLAS) instead of blis."""

    name = "numpy-matmul"

    def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return np.matmul(a, b)
        np.matmul(a, b, out=out)
        return out


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


def load_ner(model: str, *, fast_blas: bool = True) -> Language:
    """Load ``model`` with nothing but its ``ner`` component (see module docstring)."""
    nlp = spacy.load(model, exclude=list(_NOT_NER))
    if "ner" not in nlp.pipe_names:
        raise ValueError(f"model {model!r} has no ner component")
    if _ner_listens(nlp):
        # A pipeline whose ner listens to a shared tok2vec needs that tok2vec too.
        nlp = spacy.load(model, exclude=[n for n in _NOT_NER if n != "tok2vec"])
    if fast_blas:
        ops = MatmulOps()
        for _, component in nlp.pipeline:
            model_ = getattr(component, "model", None)
            if model_ is not None:
                _use_ops(model_, ops)
    return nlp


def _use_ops(model: Any, ops: Any) -> None:
    for node in model.walk():
        node.ops = ops


VALUE_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"})


def trim_value_labels(ner: Any, drop: frozenset[str] = VALUE_LABELS) -> Any:
    """An EntityRecognizer without the moves of ``drop`` labels (see module docstring).

    Returns ``ner`` itself when nothing can be trimmed (no such labels, or a model
    without a separate output layer). The original component is left untouched.
    """
    from spacy.pipeline._parser_internals.ner import BiluoPushDown
    from spacy.pipeline.ner import EntityRecognizer
    from thinc.api import Linear, zero_init

    old = ner.moves
    labels = {
        action: {label: freq for label, freq in by_label.items() if label not in drop}
        for action, by_label in old.labels.items()
    }
    if labels == old.labels or not ner.model.attrs.get("has_upper") or ner.cfg.get("beam_width", 1) != 1:
        return ner
    new = BiluoPushDown(ner.vocab.strings, labels)
    old_names = [old.get_class_name(i) for i in range(old.n_moves)]
    rows = [old_names.index(new.get_class_name(i)) for i in range(new.n_moves)]
    model: Any = copy.deepcopy(ner.model)  # Model.copy() drops refs ("upper")
    upper: Any = model.get_ref("upper")
    if model.layers[-1] is not upper:
        return ner
    smaller: Any = Linear(nO=len(rows), nI=upper.get_dim("nI"), init_W=zero_init)
    smaller.set_param("W", np.ascontiguousarray(upper.get_param("W")[rows]))
    smaller.set_param("b", np.ascontiguousarray(upper.get_param("b")[rows]))
    model.layers[-1] = smaller
    model.set_ref("upper", smaller)
    model.attrs["unseen_classes"] = set()
    return EntityRecognizer(ner.vocab, model, ner.name, moves=new)


def _ner_listens(nlp: Language) -> bool:
    ner: Any = nlp.get_pipe("ner")
    return any(node.name.startswith("tok2vec-listener") for node in ner.model.walk())


class NerRunner:
    """Tokenise once, cut candidate windows, run batched NER, return mentions."""

    def __init__(
        self,
        nlp: Language,
        *,
        batch_size: int = 64,
        context: int | None = DEFAULT_CONTEXT,
        trim_labels: bool = True,
    ) -> None:
        self.nlp = nlp
        loaded: Any = nlp.get_pipe("ner")
        self.ner: Any = loaded
        if trim_labels:
            self.ner = trim_value_labels(loaded)
            _use_ops(self.ner.model, loaded.model.ops)
        self.batch_size = batch_size
        self.context = context
        self._other_pipes = [(n, p) for n, p in nlp.pipeline if n != "ner"]
        stops = nlp.Defaults.stop_words
        self._stop_lower = np.array(sorted(nlp.vocab.strings.add(w.lower()) for w in stops), dtype=np.uint64)
        self._openers = np.array(sorted(nlp.vocab.strings.add(s) for s in _SENTENCE_OPENERS), dtype=np.uint64)
        self._type_names = {int(nlp.vocab.strings.add(label)): label for label in LABEL_TYPES}
        self._wanted_types = np.array(sorted(self._type_names), dtype=np.uint64)
        self.tokens_seen = 0
        self.tokens_tagged = 0

    # ------------------------------------------------------------ windows

    def windows(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges that may hold an entity, with context (see module docstring)."""
        n = len(doc)
        if self.context is None or n == 0:
            return [(0, n)] if n else []
        arr = doc.to_array([ORTH, LOWER, IS_SPACE])
        orth, lower, spaces = arr[:, 0], arr[:, 1], arr[:, 2].astype(bool)
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
        return ranges

    def _cut(self, doc: Doc, ranges: list[tuple[int, int]]) -> list[tuple[Doc, int]]:
        """One new Doc per window, with the char offset of its first token.

        Built from the token texts and trailing spaces (``Span.as_doc`` copies
        every attribute and vector and cost a third of what tagging the token does).
        spaCy keeps at most one trailing space per token, so the piece's text is
        exactly the original slice.
        """
        arr = doc.to_array([IDX, LENGTH, SPACY])
        text = doc.text
        out: list[tuple[Doc, int]] = []
        for a, b in ranges:
            idx, length, space = arr[a:b, 0].tolist(), arr[a:b, 1].tolist(), arr[a:b, 2].tolist()
            words = [text[i : i + n] for i, n in zip(idx, length, strict=True)]
            out.append((Doc(self.nlp.vocab, words=words, spaces=[bool(x) for x in space]), idx[0]))
        return out

    # ------------------------------------------------------------ running

    def mentions(self, texts: Sequence[str]) -> list[list[Mention] | BaseException]:
        """Mentions per text, in order; a text that breaks the pipeline yields its exception."""
        results: list[list[Mention] | BaseException] = [[] for _ in texts]
        pieces: list[Doc] = []
        owners: list[tuple[int, int]] = []  # (text index, char offset of the piece)
        for i, text in enumerate(texts):
            try:
                doc = self.nlp.make_doc(text)
                for _, proc in self._other_pipes:
                    doc = proc(doc)
                ranges = self.windows(doc)
                self.tokens_seen += len(doc)
                if sum(b - a for a, b in ranges) > MAX_SHARE * len(doc):
                    cut = [(doc, 0)]  # copying windows would cost more than tagging the rest
                else:
                    cut = self._cut(doc, ranges)
                for piece, offset in cut:
                    self.tokens_tagged += len(piece)
                    pieces.append(piece)
                    owners.append((i, offset))
            except Exception as exc:  # isolation boundary: one text, not the batch
                results[i] = exc
        try:
            tagged = list(self.ner.pipe(pieces, batch_size=self.batch_size))
        except Exception:  # find the text that breaks the batch, spare the others
            log.warning("ner failed on a batch of %d pieces; retrying text by text", len(pieces))
            tagged = self._one_by_one(pieces, owners, results)
        for (i, offset), piece in zip(owners, tagged, strict=True):
            bucket = results[i]
            if isinstance(bucket, BaseException) or piece is None:
                continue
            bucket.extend(self._entity_mentions(piece, offset))
        return results

    def _entity_mentions(self, doc: Doc, offset: int) -> list[Mention]:
        """Mentions of our labels, read from token arrays.

        ``Doc.ents`` builds a Token object per token in Python; reading the IOB
        and type columns with numpy is ~10× cheaper on a long article.
        """
        if len(doc) == 0:
            return []
        arr = doc.to_array([ENT_IOB, ENT_TYPE, IDX, LENGTH])
        iob, etype = arr[:, 0], arr[:, 1]
        wanted = np.isin(etype, self._wanted_types)
        starts = np.flatnonzero(wanted & (iob == 3))  # 3 = B: an entity begins
        if starts.size == 0:
            return []
        text = doc.text
        inside = wanted & (iob == 1)  # 1 = I
        out: list[Mention] = []
        n = len(doc)
        for start in starts.tolist():
            end = start + 1
            while end < n and inside[end] and etype[end] == etype[start]:
                end += 1
            first, last = int(arr[start, 2]), int(arr[end - 1, 2] + arr[end - 1, 3])
            label = self._type_names[int(etype[start])]
            out.append(Mention(text=text[first:last], label=label, start=offset + first))
        return out

    def _one_by_one(
        self, pieces: list[Doc], owners: list[tuple[int, int]], results: list[list[Mention] | BaseException]
    ) -> list[Doc | None]:
        out: list[Doc | None] = []
        for piece, (i, _) in zip(pieces, owners, strict=True):
            if isinstance(results[i], BaseException):
                out.append(None)
                continue
            try:
                out.append(self.ner(piece))
            except Exception as exc:  # same boundary as above
                results[i] = exc
                out.append(None)
        return out
