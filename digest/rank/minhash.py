"""MinHash band values and the banded index that finds an article's likely neighbours.

The classic MinHash (``NUM_PERM`` affine permutations of a 32-bit term hash, the
minimum per permutation: the same values as datasketch's default scheme), computed with
numpy for many keyword sets at once, its values packed two to a band; and an index of
band values with capped buckets, so that a value shared by very many articles (a word
every item uses) stops indexing new ones; a batch's index of its articles' keywords
(:func:`index`). Pure; used by :mod:`digest.rank.cluster`.
"""

from __future__ import annotations

import hashlib
from collections import _count_elements  # type: ignore[attr-defined]
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from digest.rank import parallel, radix
from digest.rank.keywords import keywords
from digest.rank.terms import Terms

NUM_PERM = 192
SEED = 1
LSH_BANDS, LSH_ROWS = 96, 2
MAX_CANDIDATES = 16  # earlier articles a query returns, those sharing the most bands
BUCKET_CAP = 16  # indexed articles per band value; past that the value is vocabulary
MASK_BITS = 2048  # bits of a keyword mask (see keyword_masks)
TABLE_BYTES = 1 << 24  # band_keys' table of permuted hashes, at most


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


def term_hashes(words: Sequence[str]) -> np.ndarray:
    """The 32-bit hash of each of ``words`` (:func:`_term_hash`), as an array."""
    return np.fromiter(map(_term_hash, words), dtype=np.uint32, count=len(words))


def band_keys(
    hashes: np.ndarray, starts: np.ndarray, chunk: int = 1 << 18, terms: np.ndarray | None = None
) -> np.ndarray:
    """The ``LSH_BANDS`` band values of each set's MinHash, one row each (a row of zeros
    for an empty set, which is never indexed).

    Set ``i`` is ``hashes[starts[i]:starts[i + 1]]`` (term hashes, :func:`term_hashes`),
    or ``hashes[terms[starts[i]:starts[i + 1]]]`` (``hashes`` a batch's distinct terms').
    The MinHash is the classic one (``NUM_PERM`` affine permutations of a 32-bit term
    hash, minimum per permutation; the same values as datasketch's default scheme),
    computed with numpy for about ``chunk`` permuted values at a time: each set's hashes
    are laid out in one row of a grid as wide as the largest set, a shorter row padded
    with its set's first hash (a minimum does not change for a value seen twice), and
    the minimum is taken along the rows. Where ``hashes``' permuted values fit
    ``TABLE_BYTES``, each is permuted once, into a table whose rows the grid picks (a
    batch's keywords recur). The ``LSH_ROWS`` values of a band are packed into one
    64-bit integer, so equal band values are equal integers.
    """
    n = len(starts) - 1
    lengths = np.diff(starts)
    width = int(lengths.max(initial=0))
    if not width:
        return np.zeros((n, LSH_BANDS), dtype=np.uint64)
    size = int(starts[-1])
    grid = np.repeat(np.minimum(starts[:-1], size - 1), width).reshape(n, width)
    column = np.arange(size) - np.repeat(starts[:-1], lengths)
    grid[np.repeat(np.arange(n), lengths), column] = np.arange(size)
    if terms is not None:
        grid = terms[grid]
    mixed = _fmix32(hashes.astype(np.uint32))
    signatures = np.empty((n, NUM_PERM), dtype=np.uint32)
    step = max(1, chunk // (width * NUM_PERM))
    with np.errstate(over="ignore"):
        if len(mixed) * NUM_PERM * 4 <= TABLE_BYTES:
            table = mixed[:, None] * _A
            table += _B  # uint32 arithmetic wraps (mod 2^32), in place
            for first in range(0, n, step):
                np.min(
                    table[grid[first : first + step]], axis=1, out=signatures[first : first + step]
                )
        else:
            for first in range(0, n, step):
                permuted = mixed[grid[first : first + step]][..., None] * _A
                permuted += _B
                np.min(permuted, axis=1, out=signatures[first : first + step])
    out = signatures.view(np.uint64)  # LSH_ROWS == 2: a band is two values
    out[lengths == 0] = 0
    return out


def keyword_bands(keywords: Sequence[Sequence[str]], chunk: int = 1 << 21) -> np.ndarray:
    """:func:`band_keys` of sets of words (tests and tuning)."""
    starts = np.cumsum([0, *map(len, keywords)])
    return band_keys(term_hashes([w for words in keywords for w in words]), starts, chunk)


def keyword_masks(
    hashes: np.ndarray, starts: np.ndarray, chunk: int = 2048
) -> tuple[list[int], list[int]]:
    """Each set's keywords folded into ``MASK_BITS`` bits, and how many of them were lost
    in the folding: a bound on the keywords two sets share that costs one ``&``.

    Set ``i`` is ``hashes[starts[i]:starts[i + 1]]`` (distinct terms' 32-bit hashes); its
    mask has bit ``hash % MASK_BITS`` of each, and ``lost[i]`` is its size less the bits
    set. Two sets sharing ``k`` terms have those terms' bits in both masks, and ``k``
    terms of set ``i`` take at least ``k - lost[i]`` bits (a term that adds no new bit
    to a subset adds none to the whole set either), so
    ``(mask[i] & mask[j]).bit_count() + lost[i] >= k``: a pair below a bound shares
    fewer terms than it. (Compact, unlike a frozenset per article: the big batch's
    random reads of other stories' sets stay in the cache.)
    """
    n = len(starts) - 1
    bits = (hashes % MASK_BITS).astype(np.int64)
    lengths = np.diff(starts)
    masks: list[int] = []
    lost: list[int] = []
    for first in range(0, n, chunk):
        last = min(n, first + chunk)
        grid = np.zeros((last - first, MASK_BITS), dtype=bool)
        rows = np.repeat(np.arange(last - first), lengths[first:last])
        grid[rows, bits[starts[first] : starts[last]]] = True
        lost += (lengths[first:last] - grid.sum(axis=1)).tolist()
        raw = np.packbits(grid, axis=1, bitorder="little").tobytes()
        width = MASK_BITS // 8
        masks += [int.from_bytes(raw[k : k + width], "little") for k in range(0, len(raw), width)]
    return masks, lost


@dataclass(frozen=True, slots=True, eq=False)
class Shared:
    """The band values that two or more articles of a batch have, numbered 0, 1, ...

    ``lookups(i)``: those article ``i`` has that an earlier article also has (where its
    query looks); ``entries(i)``: those a later article also has (where an insert can
    matter: a bucket nobody looks up again need not be kept). Each is held as one array
    and the bounds of each article's part.
    """

    looked: np.ndarray
    look_bounds: np.ndarray
    entered: np.ndarray
    enter_bounds: np.ndarray
    count: int

    def lookups(self, i: int) -> list[int]:
        values: list[int] = self.looked[self.look_bounds[i] : self.look_bounds[i + 1]].tolist()
        return values

    def entries(self, i: int) -> list[int]:
        values: list[int] = self.entered[self.enter_bounds[i] : self.enter_bounds[i + 1]].tolist()
        return values


def shared(bands: np.ndarray, rows: np.ndarray, n: int) -> Shared:
    """The shared band values of the articles at positions ``rows`` (ascending) of a
    batch of ``n``; ``bands[k]`` are those of article ``rows[k]``; other articles have none.

    Band after band, the values are sorted to find each one's holders, numbered (those
    of two or more holders), and put back in a grid of one row per article, a column
    per band: read row by row, an article's values come in the order of their numbers.
    One band at a time, no array is larger than a band's or the grid.
    """
    if not len(rows):
        nothing = np.zeros(0, dtype=np.int32)
        bounds = np.zeros(n + 1, dtype=np.int64)
        return Shared(nothing, bounds, nothing, bounds, 0)
    m, width = bands.shape
    # band-major while working band by band: a band's values and marks lie together
    by_band = np.ascontiguousarray(bands.T)
    numbers = np.empty((width, m), dtype=np.int32)
    looks = np.empty((width, m), dtype=bool)
    enters = np.empty((width, m), dtype=bool)
    threads = parallel.threads(width // 8)  # numpy lets the lock go: bands side by side
    cuts = [width * k // threads for k in range(threads + 1)]
    numbered = parallel.in_threads(
        lambda k: _number(
            by_band[cuts[k] : cuts[k + 1]],
            numbers[cuts[k] : cuts[k + 1]],
            looks[cuts[k] : cuts[k + 1]],
            enters[cuts[k] : cuts[k + 1]],
        ),
        threads,
    )
    count = 0
    for k, found in enumerate(numbered):  # each thread numbered its values from 0
        numbers[cuts[k] : cuts[k + 1]] += count
        count += found
    numbers = np.ascontiguousarray(numbers.T)  # article-major again: read row by row
    looks, enters = np.ascontiguousarray(looks.T), np.ascontiguousarray(enters.T)
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for where in (looks, enters):  # a value held once is its first and last holder
        counts = np.zeros(n, dtype=np.int64)
        counts[rows] = where.sum(axis=1)
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        # numbers[where], by compress: a fifth of the time for a mask this mixed
        out.append((np.compress(where.ravel(), numbers.ravel()), bounds))
    (looked, look_bounds), (entered, enter_bounds) = out
    return Shared(looked, look_bounds, entered, enter_bounds, count)


def _number(by_band: np.ndarray, numbers: np.ndarray, looks: np.ndarray, enters: np.ndarray) -> int:
    """Number the values of these bands (rows) that two or more articles hold, from 0 on,
    in ascending order of value; mark where a holder has an earlier one (``looks``) or a
    later one (``enters``). Returns how many were numbered.

    A band's values are sorted by a stable radix sort (:func:`radix.lexsort`): a value's
    holders come in ascending order, so its first holder is the earliest and its last
    the latest. (A holder not in a group of two or more gets the number of the group
    before it, or one less than the first: no mark reads it.)"""
    m = by_band.shape[1]
    count = 0
    new = np.ones(m + 1, dtype=bool)  # where a value begins; new[m]: past the last one
    for band, values in enumerate(by_band):
        holder = radix.lexsort([values])
        ordered = values[holder]
        np.not_equal(ordered[1:], ordered[:-1], out=new[1:m])
        many = new[:m] & ~new[1:]  # the first holder of a value two or more hold
        number = np.cumsum(many, dtype=np.int32)
        counted = int(number[-1])
        number += count - 1
        numbers[band, holder] = number
        count += counted
        looks[band, holder] = ~new[:m]
        enters[band, holder] = ~new[1:]
    return count


class Bands:
    """A banded MinHash index with capped buckets (see step 6 of :mod:`digest.rank.cluster`).

    Only the band values two articles share have a bucket (:func:`shared`), a list of
    the first ``BUCKET_CAP`` articles indexed under it (a tuple: one object to read, not
    a list and its array; an insert makes a new one).
    """

    def __init__(self, values: Shared) -> None:
        self.values = values
        self.buckets: list[tuple[int, ...]] = [()] * values.count  # (): none yet
        # every article queries: as Python lists, read one slice per article (not one
        # small array each); few are inserted (a story indexes a few members): read then
        self._looked: list[int] = values.looked.tolist()
        self._look_bounds: list[int] = values.look_bounds.tolist()

    def insert(self, i: int) -> None:
        buckets = self.buckets
        for value in self.values.entries(i):
            bucket = buckets[value]
            if len(bucket) < BUCKET_CAP:
                buckets[value] = (*bucket, i)

    def query(self, i: int) -> list[int]:
        """Earlier articles sharing a band, most shared bands first (then by position)."""
        looked = self._looked[self._look_bounds[i] : self._look_bounds[i + 1]]
        hits: dict[int, int] = {}  # what Counter(...) does, in C:
        _count_elements(hits, chain.from_iterable(map(self.buckets.__getitem__, looked)))
        # by shared bands, most first, then by position: a stable sort by count, reversed
        # (equal counts stay in their order), of the positions in ascending order
        return sorted(sorted(hits), key=hits.__getitem__, reverse=True)[:MAX_CANDIDATES]


def index(terms: Terms) -> tuple[Bands, list[frozenset[int]], list[int], list[int]]:
    """The empty band index of a batch's keyword MinHashes (:mod:`digest.rank.keywords`);
    each article's keywords (term ids) and their masks (:func:`keyword_masks`)."""
    n = len(terms.starts) - 1
    starts, ids = keywords(terms)
    used = np.unique(ids)
    hashes = np.zeros(len(terms.vocabulary), dtype=np.uint32)
    hashes[used] = term_hashes([terms.vocabulary[t] for t in used.tolist()])
    row = np.zeros(len(terms.vocabulary), dtype=np.int64)  # each keyword's among those used
    row[used] = np.arange(len(used))
    bands = band_keys(hashes[used], starts, terms=row[ids])
    rows = np.flatnonzero(np.diff(starts) > 0)
    pool = list(range(len(terms.vocabulary)))  # one int per term, shared by every set
    flat, bounds = list(map(pool.__getitem__, ids.tolist())), starts.tolist()
    keysets = [frozenset(flat[bounds[i] : bounds[i + 1]]) for i in range(n)]
    return Bands(shared(bands[rows], rows, n)), keysets, *keyword_masks(hashes[ids], starts)
