"""MinHash band values and the banded index that finds an article's likely neighbours.

The classic MinHash (``NUM_PERM`` affine permutations of a 32-bit term hash, the
minimum per permutation: the same values as datasketch's default scheme), computed with
numpy for many keyword sets at once, its values packed two to a band; and an index of
band values with capped buckets, so that a value shared by very many articles (a word
every item uses) stops indexing new ones. Pure; used by :mod:`digest.rank.cluster`.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Sequence

import numpy as np

NUM_PERM = 192
SEED = 1
LSH_BANDS, LSH_ROWS = 96, 2
MAX_CANDIDATES = 16  # earlier articles a query returns, those sharing the most bands
BUCKET_CAP = 16  # indexed articles per band value; past that the value is vocabulary


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The ``NUM_PERM`` odd multipliers and offsets of the affine permutations (``SEED``)."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def _term_hash(term: str) -> int:
    """A 32-bit hash of a term: the first four bytes of its SHA-1, little-endian."""
    digest = hashlib.sha1(term.encode("utf-8", "surrogatepass"), usedforsecurity=False)
    return int.from_bytes(digest.digest()[:4], "little")


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, so that the affine permutations see well-mixed bits."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> np.uint32(16))
    return mixed


def band_keys(keywords: Sequence[Sequence[str]], chunk: int = 256) -> np.ndarray:
    """The ``LSH_BANDS`` band values of each keyword set's MinHash, one row each (a row
    of zeros for an empty set, which is never indexed).

    The MinHash is the classic one (``NUM_PERM`` affine permutations of a 32-bit term
    hash, minimum per permutation; the same values as datasketch's default scheme),
    computed for ``chunk`` articles at a time with numpy; the ``LSH_ROWS`` values of a
    band are packed into one 64-bit integer, so equal band values are equal integers.
    """
    hashes: dict[str, int] = {}
    out = np.zeros((len(keywords), LSH_BANDS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(keywords), chunk):
            rows = [i for i in range(start, min(start + chunk, len(keywords))) if keywords[i]]
            if not rows:
                continue
            terms = [t for i in rows for t in keywords[i]]
            values = np.fromiter(
                (hashes[t] if t in hashes else hashes.setdefault(t, _term_hash(t)) for t in terms),
                dtype=np.uint32,
                count=len(terms),
            )
            permuted = _fmix32(values)[:, None] * _A
            permuted += _B  # uint32 arithmetic wraps (mod 2^32), in place
            starts = np.cumsum([0] + [len(keywords[i]) for i in rows[:-1]])
            signatures = np.minimum.reduceat(permuted, starts, axis=0)
            out[rows] = np.ascontiguousarray(signatures).view(np.uint64)  # LSH_ROWS == 2
    return out


def dense(bands: np.ndarray) -> np.ndarray:
    """Each band value renumbered within its band (0, 1, ...: equal values, equal ids)."""
    ids = np.empty(bands.shape, dtype=np.int64)
    for b in range(bands.shape[1]):
        ids[:, b] = np.unique(bands[:, b], return_inverse=True)[1].reshape(-1)
    return ids


class Bands:
    """A banded MinHash index with capped buckets (see step 6 of :mod:`digest.rank.cluster`).

    Band values are renumbered per band (:func:`dense`), so a band's buckets are a list
    indexed by that number; a bucket of one article holds its position alone (most band
    values are unique, and a list each would cost more than the rest of the batch).
    """

    def __init__(self, ids: np.ndarray) -> None:
        size = int(ids.max(initial=0)) + 1
        self.buckets: list[list[int | list[int] | None]] = [
            [None] * size for _ in range(ids.shape[1])
        ]

    def insert(self, i: int, bands: list[int]) -> None:
        for buckets, value in zip(self.buckets, bands, strict=True):
            bucket = buckets[value]
            if bucket is None:
                buckets[value] = i
            elif isinstance(bucket, int):
                buckets[value] = [bucket, i]
            elif len(bucket) < BUCKET_CAP:
                bucket.append(i)

    def query(self, bands: list[int]) -> list[int]:
        """Earlier articles sharing a band, most shared bands first (then by position)."""
        hits: Counter[int] = Counter()
        for buckets, value in zip(self.buckets, bands, strict=True):
            bucket = buckets[value]
            if bucket is None:
                continue
            if isinstance(bucket, int):
                hits[bucket] += 1
            else:
                hits.update(bucket)
        if len(hits) <= MAX_CANDIDATES:
            return sorted(hits, key=lambda j: (-hits[j], j))
        return heapq.nsmallest(MAX_CANDIDATES, hits, key=lambda j: (-hits[j], j))
