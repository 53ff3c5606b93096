"""MinHash signatures and LSH band keys, numpy-vectorised and stable across processes.

Each of the ``num_perm`` hash functions is ``h_i(x) = mix(a_i * x + b_i)`` over
64-bit words (wrapping), keeping the top 32 bits. ``a_i``/``b_i`` come from
blake2b of the seed, not from a numpy random generator, so a signature computed
today equals one computed after a numpy upgrade or a restart: stored index
state stays valid.
"""

from __future__ import annotations

import dataclasses
import hashlib
from functools import cached_property

import numpy as np
import numpy.typing as npt

from newswire.stories._shingles import U64

U32 = npt.NDArray[np.uint32]

_MUL = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64 finaliser constants
_MUL2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)


def _mix(x: U64) -> U64:
    x = (x ^ (x >> _S30)) * _MUL
    x = (x ^ (x >> _S27)) * _MUL2
    return x ^ (x >> _S31)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MinHashParams:
    """What fixes a signature. Two indexes can share state only if these are equal.

    ``bands * rows`` hash functions; an LSH candidate shares all ``rows`` values
    of at least one band. The chance that a pair with Jaccard ``J`` becomes a
    candidate is ``1 - (1 - J**rows) ** bands``.
    """

    shingle: int = 3
    bands: int = 64
    rows: int = 2
    seed: int = 1

    def __post_init__(self) -> None:
        if self.shingle < 1 or self.bands < 1 or self.rows < 1:
            raise ValueError("shingle, bands and rows must be positive")

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    def candidate_probability(self, jaccard: float) -> float:
        """Probability that a pair with this Jaccard similarity shares a band."""
        return float(1.0 - (1.0 - jaccard**self.rows) ** self.bands)


class MinHasher:
    """Computes signatures and band keys for one :class:`MinHashParams`."""

    def __init__(self, params: MinHashParams) -> None:
        self.params = params

    @cached_property
    def _coefficients(self) -> tuple[U64, U64]:
        a = np.empty(self.params.num_perm, dtype=np.uint64)
        b = np.empty(self.params.num_perm, dtype=np.uint64)
        for i in range(self.params.num_perm):
            digest = hashlib.blake2b(f"{self.params.seed}:{i}".encode(), digest_size=16).digest()
            a[i] = int.from_bytes(digest[:8], "little") | 1
            b[i] = int.from_bytes(digest[8:], "little")
        return a[:, None], b[:, None]

    def signature(self, shingles: U64) -> U32:
        """The MinHash signature (``num_perm`` uint32) of a non-empty array of shingle hashes."""
        if shingles.size == 0:
            raise ValueError("no shingles: an empty text has no signature")
        a, b = self._coefficients
        # (num_perm, n) matrix; wrapping uint64 arithmetic is intended.
        hashed = _mix(a * shingles[None, :] + b) >> _S32
        out: U32 = hashed.min(axis=1).astype(np.uint32)
        return out

    def band_keys(self, signatures: U32) -> U64:
        """One 64-bit key per band, a hash of the band's ``rows`` values: shape ``(..., bands)``."""
        lead = signatures.shape[:-1]
        rows = signatures.reshape(*lead, self.params.bands, self.params.rows).astype(np.uint64)
        acc = np.zeros((*lead, self.params.bands), dtype=np.uint64)
        for j in range(self.params.rows):
            acc = _mix(acc ^ (rows[..., j] + np.uint64(j)))
        return acc


def estimated_jaccard(a: U32, b: U32) -> float:
    """Fraction of equal signature positions: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / a.size
