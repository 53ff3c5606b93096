"""spaCy's NER model, run on token windows with a vectorised greedy decoder.

spaCy's ``EntityRecognizer`` decodes one document state at a time in a compiled
loop: for every token of every state it checks the validity of every move
(``set_valid`` was 20 % of enrich's CPU, ``py-spy`` on 300 bench articles), then
scores the state with a tiny matrix product. News windows are short and many, so
here the same model is decoded *across* states instead: every move consumes
exactly one token, so at step ``t`` every live state sits on its own token ``t``,
and one numpy step scores and advances all of them at once.

What is reused from spaCy/thinc as is:

* the feature columns (``NORM PREFIX SUFFIX SHAPE``) read once per document with
  ``Doc.to_array`` and *sliced* per window (spaCy's ``FeatureExtractor`` does the
  same slice for a ``Span``), so no window ``Doc`` is ever built;
* the model's weights, and thinc's own ``hash`` and ``gather_add`` kernels for
  the hash embeddings.

What is re-written, from ``thinc/layers`` (``with_array``, ``maxout``,
``layernorm``, ``residual``, ``expand_window``) and ``spacy/ml/tb_framework.py``,
for whole batches of windows at once:

* the tok2vec forward pass: hash embeddings → maxout+layernorm mix → four
  residual window-1 CNN layers over the windows laid end to end with 4 zero rows
  between them (what ``with_array(pad=4)`` does) → the linear projection; maxout
  weights are reordered once so each piece is a contiguous block of columns and
  the max is two ``np.maximum`` calls instead of a strided reduction;
* the "lower" layer's precomputation (one product for every token).

And, from ``spacy/pipeline/_parser_internals`` (``ner.pyx``
``Begin/In/Last/Unit/Out.is_valid``, ``_state.pxd`` ``set_context_tokens`` for 3
features) and ``spacy/ml/parser_model.pyx`` (``predict_states``):

* the state features: the buffer token ``B0``; if an entity is open, its first
  token and ``B0 - 1``; otherwise the learned padding row;
* hidden = maxout over pieces of (sum of the three precomputed rows + bias);
  scores = hidden · Wᵀ + b;
* move validity without preset entities or sentence starts (a fresh document has
  neither): ``B-x`` needs no open entity, a next token and a non-space token;
  ``I-x`` an open ``x`` entity and a next token; ``L-x`` an open ``x`` entity;
  ``U-x`` no open entity and a non-space token; ``O`` no open entity; ``U-`` (no
  label) and ``MISSING`` never. Validity depends only on (open label, last token,
  space token), so it is one row of a precomputed table per state;
* the first valid move with the highest score wins (``arg_max_if_valid``).

``tests/unit/test_greedy_ner.py`` checks the spans equal spaCy's own decoding of
the same windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from newswire.errors import EnrichError

#: Rows of tok2vec activations decoded together; bounds the precomputed cache
#: (3 features × 64 hidden × 2 pieces × 4 bytes = 1.5 KB per token).
MAX_TOKENS_PER_CALL = 16_384

Span = tuple[int, int, int]
"""(first token, end token, label index into :attr:`GreedyNer.labels`), window-local."""

_B, _I, _L, _U, _O, _NEVER = range(6)
_KINDS = {"B": _B, "I": _I, "L": _L, "U": _U, "O": _O}


_PAD = 4  # zero rows between windows in the CNN, as the model's ``with_array(pad=4)``


def _maxout_weights(layer: Any) -> tuple[Any, Any, int]:
    """(Wᵀ, b) with each piece's outputs as one contiguous block of columns, and nO."""
    w = np.asarray(layer.get_param("W"), dtype=np.float32)  # (nO, nP, nI)
    b = np.asarray(layer.get_param("b"), dtype=np.float32)  # (nO, nP)
    n_o, n_p, n_i = w.shape
    w_t = np.ascontiguousarray(w.transpose(1, 0, 2).reshape(n_p * n_o, n_i).T)
    return w_t, np.ascontiguousarray(b.T.reshape(n_p * n_o)), n_o


def _maxout(x: Any, w_t: Any, b: Any, n_o: int) -> Any:
    y = x @ w_t
    y += b
    return _pieces_max(y, n_o)


def _pieces_max(y: Any, n_o: int) -> Any:
    best = np.maximum(y[:, :n_o], y[:, n_o : 2 * n_o])
    for piece in range(2, y.shape[1] // n_o):
        np.maximum(best, y[:, piece * n_o : (piece + 1) * n_o], out=best)
    return best


def _layernorm(x: Any, g: Any, b: Any) -> Any:
    mu = x.mean(axis=1, keepdims=True)
    x = x - mu
    var = np.einsum("ij,ij->i", x, x)[:, None] / x.shape[1] + 1e-08
    x *= var**-0.5
    x *= g
    x += b
    return x


class _Tok2Vec:
    """The ner model's tok2vec (plus its projection to the parser's width), batched.

    Checks the layer structure of spaCy's ``Tok2Vec.v2`` with ``MultiHashEmbed`` and
    ``MaxoutWindowEncoder`` (window 1), as ``en_core_web_sm`` has it, and refuses others.
    """

    def __init__(self, tok2vec: Any) -> None:
        nodes = list(tok2vec.walk())
        names = [n.name for n in nodes]
        if names[1:] and not names[1].startswith("extract_features"):
            nodes = nodes[1:]
        extractor = next((n for n in nodes if n.name == "extract_features"), None)
        embeds = [n for n in nodes if n.name == "ints-getitem>>hashembed"]
        maxouts = [n for n in nodes if n.name == "maxout"]
        norms = [n for n in nodes if n.name == "layernorm"]
        windows = [n for n in nodes if n.name == "expand_window"]
        linears = [n for n in nodes if n.name == "linear"]
        padded = [n for n in nodes if n.name.startswith("with_array(residual") and n.attrs.get("pad") == _PAD]
        if (
            extractor is None
            or not embeds
            or len(maxouts) != len(windows) + 1
            or len(norms) != len(maxouts)
            or len(linears) != 1
            or len(padded) != 1
            or any(w.attrs.get("window_size", 1) != 1 for w in windows)
            or len(windows) > _PAD
        ):
            raise EnrichError(
                "the ner component's tok2vec is not the hash-embed + window-CNN shape of "
                "en_core_web_sm; choose such a model for enrich.model"
            )
        self.columns: list[str] = list(extractor.attrs["columns"])
        self._maxouts = [_maxout_weights(m) for m in maxouts]
        # The mixing layer multiplies the concatenated embeddings by W. Each embedding is
        # a sum of hashed table rows, so its product is the sum of the same rows of
        # (table · W's block for that column): multiply the tables once here, and the
        # layer's matrix product per token becomes 16 row lookups (a quarter of the
        # model's multiply-adds gone).
        mix_t, mix_b, mix_o = self._maxouts[0]
        self._embeds = []
        offset = 0
        for chain_ in embeds:
            table = np.asarray(chain_.layers[1].get_param("E"), dtype=np.float32)
            width = table.shape[1]
            projected = np.ascontiguousarray(table @ mix_t[offset : offset + width])
            offset += width
            self._embeds.append((int(chain_.attrs["column"]), int(chain_.layers[1].attrs["seed"]), projected))
        if offset != mix_t.shape[0]:
            raise EnrichError("the ner component's embedding widths do not match its mixing layer")
        self._mix = (mix_b, mix_o)
        self._norms = [(np.asarray(n.get_param("G")), np.asarray(n.get_param("b"))) for n in norms]
        self._proj_t = np.ascontiguousarray(np.asarray(linears[0].get_param("W"), dtype=np.float32).T)
        self._proj_b = np.asarray(linears[0].get_param("b"), dtype=np.float32)
        self._ops = tok2vec.ops

    def __call__(self, features: Sequence[Any]) -> Any:
        """Token vectors (tokens × width) of the windows, concatenated in order."""
        ids = np.ascontiguousarray(np.concatenate(features), dtype=np.uint64)
        ops = self._ops
        mixed: Any = None
        for col, seed, projected in self._embeds:
            keys = ops.hash(np.ascontiguousarray(ids[:, col]), seed) % len(projected)
            rows = ops.gather_add(projected, keys)
            mixed = rows if mixed is None else np.add(mixed, rows, out=mixed)
        mix_b, mix_o = self._mix
        mixed += mix_b
        x = _layernorm(_pieces_max(mixed, mix_o), *self._norms[0])
        # Lay the windows end to end with _PAD zero rows before each and after the last.
        lengths = np.fromiter((len(f) for f in features), dtype=np.int64, count=len(features))
        starts = np.cumsum(lengths + _PAD) - lengths
        rows = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(
            len(ids)
        )
        width = x.shape[1]
        flat = np.zeros((int(starts[-1] + lengths[-1]) + _PAD, width), dtype=np.float32)
        flat[rows] = x
        cols = np.zeros((len(flat), 3 * width), dtype=np.float32)
        for (w_t, b, n_o), (g, beta) in zip(self._maxouts[1:], self._norms[1:], strict=True):
            cols[1:, :width] = flat[:-1]
            cols[:, width : 2 * width] = flat
            cols[:-1, 2 * width :] = flat[1:]
            flat += _layernorm(_maxout(cols, w_t, b, n_o), g, beta)
        tokvecs = flat[rows] @ self._proj_t
        tokvecs += self._proj_b
        return tokvecs


# CLASS
class GreedyNer:
    """Decode an ``EntityRecognizer``'s model over many token windows at once.

    Built from a loaded component (``nlp.get_pipe("ner")`` or a trimmed copy). Raises
    :class:`EnrichError` for a model of another shape (a ``ner`` that listens to a
    shared tok2vec, static vectors, beam search, another feature set), which this
    decoder does not reproduce.
    """

    def __init__(self, ner: Any, *, drop_labels: frozenset[str] = frozenset()) -> None:
        model = ner.model
        if ner.cfg.get("beam_width", 1) != 1 or not model.attrs.get("has_upper"):
            raise EnrichError("the ner component must be greedy with an output layer (beam_width 1)")
        tok2vec, lower, upper = model.get_ref("tok2vec"), model.get_ref("lower"), model.get_ref("upper")
        if any(n.name.startswith("tok2vec-listener") for n in tok2vec.walk()):
            raise EnrichError(
                "the ner component must embed its own tok2vec (like en_core_web_sm's); "
                "this model's ner listens to a shared one"
            )
        self._tok2vec = _Tok2Vec(tok2vec)
        self.columns = self._tok2vec.columns
        n_f, n_o, n_p, n_i = (lower.get_dim(d) for d in ("nF", "nO", "nP", "nI"))
        if n_f != 3:
            raise EnrichError(f"the ner model uses {n_f} state features; only 3 are supported")
        # The lower layer's weights with pieces as contiguous blocks: (nI, nF·nP·nO).
        w = np.asarray(lower.get_param("W"), dtype=np.float32)  # (nF, nO, nP, nI)
        self._lower_t = np.ascontiguousarray(w.transpose(0, 2, 1, 3).reshape(n_f * n_p * n_o, n_i).T)
        self._lower_pad = (
            np.asarray(lower.get_param("pad"), dtype=np.float32)[0].transpose(0, 2, 1).reshape(n_f, -1)
        )
        self._bias = np.asarray(lower.get_param("b"), dtype=np.float32).T.reshape(-1)  # (nP·nO,)
        self._n_hidden, self._n_f = n_o, n_f

        # Moves of ``drop_labels`` are left out of the output layer: fewer scores per
        # step, and the argmax over the rest is what a model without them would pick.
        moves = ner.moves
        all_names = [moves.get_class_name(i) for i in range(moves.n_moves)]
        keep = [i for i, name in enumerate(all_names) if name.partition("-")[2] not in drop_labels]
        names = [all_names[i] for i in keep]
        w_up = np.asarray(upper.get_param("W"), dtype=np.float32)[keep]
        self._w_upper_t = np.ascontiguousarray(w_up.T)
        self._b_upper = np.ascontiguousarray(np.asarray(upper.get_param("b"), dtype=np.float32)[keep])
        unseen = set(model.attrs.get("unseen_classes", ()))
        self._unseen = np.array([j for j, i in enumerate(keep) if i in unseen], dtype=np.intp)
        self.labels: list[str] = sorted({n[2:] for n in names if n[:2] in ("B-", "U-") and n[2:]})
        label_idx = {label: i for i, label in enumerate(self.labels)}
        kind = np.full(len(names), _NEVER, dtype=np.int8)
        move_label = np.full(len(names), -1, dtype=np.int64)
        for i, name in enumerate(names):
            head, _, label = name.partition("-")
            if head in _KINDS and (label or head == "O"):
                kind[i] = _KINDS[head]
                move_label[i] = label_idx[label] if label else -1
        self._kind = kind
        self._move_label = move_label
        self._penalty = self._validity_table(kind, move_label, len(self.labels))

    @staticmethod
    def _validity_table(kind: npt.NDArray[np.int8], move_label: npt.NDArray[np.int64], n_labels: int) -> Any:
        """0 for a valid move, -inf for an invalid one, by state code (see :meth:`_code`)."""
        rows = []
        for open_label in range(-1, n_labels):
            for last in (False, True):
                for space in (False, True):
                    is_open = open_label >= 0
                    same = move_label == open_label
                    valid = (
                        ((kind == _B) & (not is_open) & (not last) & (not space))
                        | ((kind == _I) & is_open & (not last) & same)
                        | ((kind == _L) & is_open & same)
                        | ((kind == _U) & (not is_open) & (not space))
                        | ((kind == _O) & (not is_open))
                    )
                    rows.append(np.where(valid, 0.0, -np.inf).astype(np.float32))
        return np.stack(rows)

    @staticmethod
    def _code(label: Any, last: Any, space: Any) -> Any:
        return (label + 1) * 4 + last * 2 + space

    # ------------------------------------------------------------------ running

    def spans(self, features: Sequence[Any], spaces: Sequence[Any]) -> list[list[Span]]:
        """Entity spans per window.

        ``features[i]`` is window *i*'s ``Doc.to_array(self.columns)`` slice (uint64,
        tokens × columns) and ``spaces[i]`` its ``IS_SPACE`` column (bool).
        """
        out: list[list[Span]] = [[] for _ in features]
        order = sorted((i for i in range(len(features)) if len(features[i])), key=lambda i: -len(features[i]))
        chunk: list[int] = []
        tokens = 0
        for i in order:
            if chunk and tokens + len(features[i]) > MAX_TOKENS_PER_CALL:
                self._decode(chunk, features, spaces, out)
                chunk, tokens = [], 0
            chunk.append(i)
            tokens += len(features[i])
        if chunk:
            self._decode(chunk, features, spaces, out)
        return out

    def _decode(
        self, chunk: list[int], features: Sequence[Any], spaces: Sequence[Any], out: list[list[Span]]
    ) -> None:
        """Decode windows ``chunk`` (longest first) together; append their spans to ``out``."""
        tokvecs = self._tok2vec([features[i] for i in chunk])
        cached = np.empty((len(tokvecs) + 1, self._n_f, self._bias.size), dtype=np.float32)
        np.matmul(tokvecs, self._lower_t, out=cached[1:].reshape(len(tokvecs), -1))
        cached[0] = self._lower_pad  # row 0 is the padding, as in spaCy's PrecomputableAffine
        n_h = self._n_hidden
        lengths = np.fromiter((len(features[i]) for i in chunk), dtype=np.int64, count=len(chunk))
        rows = np.zeros(len(chunk), dtype=np.int64)
        rows[1:] = np.cumsum(lengths)[:-1]
        rows += 1  # row of each window's first token in ``cached``
        space = np.concatenate([np.asarray(spaces[i], dtype=np.int64) for i in chunk])
        k = len(chunk)
        label = np.full(k, -1, dtype=np.int64)
        ent_start = np.zeros(k, dtype=np.int64)
        found: list[tuple[Any, Any, Any, Any]] = []
        w_t, b_up, bias = self._w_upper_t, self._b_upper, self._bias
        kind, move_label, penalty = self._kind, self._move_label, self._penalty
        for t in range(int(lengths[0])):
            while lengths[k - 1] <= t:  # windows are sorted longest first: the live ones are a prefix
                k -= 1
            lab, start, row = label[:k], ent_start[:k], rows[:k] + t
            is_open = lab >= 0
            f1 = np.where(is_open, rows[:k] + start, 0)
            f2 = np.where(is_open, row - 1, 0)
            pre = cached[row, 0] + cached[f1, 1] + cached[f2, 2] + bias
            hidden = np.maximum(pre[:, :n_h], pre[:, n_h : 2 * n_h])
            for piece in range(2, pre.shape[1] // n_h):
                np.maximum(hidden, pre[:, piece * n_h : (piece + 1) * n_h], out=hidden)
            scores = hidden @ w_t + b_up
            if self._unseen.size:
                scores[:, self._unseen] = scores.min()
            last = (lengths[:k] - 1 == t).astype(np.int64)
            scores += penalty[self._code(lab, last, space[row - 1])]
            action = scores.argmax(axis=1)
            act_kind, act_label = kind[action], move_label[action]
            closes = np.flatnonzero(act_kind == _L)
            if closes.size:
                found.append((closes, start[closes].copy(), np.full(closes.size, t + 1), lab[closes].copy()))
            units = np.flatnonzero(act_kind == _U)
            if units.size:
                found.append((units, np.full(units.size, t), np.full(units.size, t + 1), act_label[units]))
            begins = act_kind == _B
            start[begins] = t
            lab[begins] = act_label[begins]
            lab[act_kind == _L] = -1
        for idx, starts, ends, labels in found:
            for j, s, e, lb in zip(
                idx.tolist(), starts.tolist(), ends.tolist(), labels.tolist(), strict=True
            ):
                out[chunk[j]].append((s, e, lb))
        for i in chunk:
            out[i].sort()
