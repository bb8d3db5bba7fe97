"""The radix sort (digest.rank.radix) gives numpy's stable order, bit for bit: one key
against ``np.argsort(kind="stable")``, several against ``np.lexsort``; random keys, keys
full of ties, and the edges (no entry, one, all equal, the largest values of a type).
The keywords' sort of each article's keys in a row of a grid gives each article's first
keywords, and declines entries it cannot lay out so."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from digest.rank import keywords as kw
from digest.rank import radix

DTYPES = [np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]


def _largest(dtype: type) -> int:
    return int(np.iinfo(dtype).max)


def _cases(dtype: type) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    top = _largest(dtype)
    random_keys = rng.integers(0, top, 5000, dtype=dtype, endpoint=True)
    tied = rng.integers(0, 7, 5000).astype(dtype) * (top // 7)  # few values, far apart
    small = rng.integers(0, 3, 3000).astype(dtype)  # ties in one digit only
    edges = np.array([top, 0, top, top - 1, 1, 0, top], dtype=dtype)
    return [
        np.zeros(0, dtype=dtype),
        np.array([top], dtype=dtype),
        np.array([0], dtype=dtype),
        np.full(100, 5, dtype=dtype),
        np.full(100, top, dtype=dtype),
        random_keys,
        tied,
        small,
        edges,
        np.sort(random_keys),
        np.sort(random_keys)[::-1],
    ]


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_key_is_the_stable_argsort(dtype: type) -> None:
    for key in _cases(dtype):
        order = radix.lexsort([key])
        assert order.dtype == np.intp
        np.testing.assert_array_equal(order, np.argsort(key, kind="stable"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_several_keys_are_the_lexsort(dtype: type) -> None:
    rng = np.random.default_rng(5)
    for key in _cases(dtype):
        n = len(key)
        low = rng.integers(0, 4, n).astype(dtype)  # ties galore
        high = rng.permutation(key)  # the primary key
        keys = (low, key, high)
        np.testing.assert_array_equal(radix.lexsort(keys), np.lexsort(keys))


def test_keys_of_mixed_types_and_a_strided_key() -> None:
    rng = np.random.default_rng(2)
    wide = rng.integers(0, 1 << 40, 6000, dtype=np.int64)
    narrow = rng.integers(0, 300, 6000).astype(np.uint16)
    strided = rng.integers(0, 1 << 62, 12000, dtype=np.uint64)[::2]
    keys = (wide, narrow, strided)
    np.testing.assert_array_equal(radix.lexsort(keys), np.lexsort(keys))


def test_no_keys_and_negative_keys() -> None:
    np.testing.assert_array_equal(radix.lexsort([]), np.arange(0))
    with pytest.raises(ValueError):
        radix.lexsort([np.array([3, -1, 2])])
    with pytest.raises(ValueError):
        radix.lexsort([np.array([0.5, 1.5])])


@pytest.mark.parametrize(
    ("top", "vocabulary"),
    [(1, 100), (3, 100), (5000, 5000), ((1 << 15) - 1, 1 << 15), (1 << 15, 1 << 15), (1 << 40, 99)],
)
def test_rows_are_each_articles_first_keywords(top: int, vocabulary: int) -> None:
    """Keys of 1 to 62 bits (a grid of 32- or of 64-bit keys), ties in weight, entries
    not shared, articles with none, fewer than KEYWORDS or more."""
    rng = np.random.default_rng(top % 1000)
    by_text = rng.permutation(vocabulary) + 7  # the term of each text rank
    for articles in (1, 3, 40):
        lengths = rng.integers(0, 3 * kw.KEYWORDS, articles)
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        heavy = rng.integers(0, top, bounds[-1], endpoint=True)
        ranks = np.concatenate([rng.permutation(vocabulary)[:k] for k in lengths.tolist()])
        shared = rng.random(bounds[-1]) < 0.8
        expected: list[int] = []
        for i in range(articles):
            entries = range(bounds[i], bounds[i + 1])
            pairs = sorted((heavy[e], ranks[e]) for e in entries if shared[e])
            expected += [by_text[r] for _, r in pairs[: kw.KEYWORDS]]
        got = kw._top_rows(bounds, heavy, ranks.astype(np.int64), shared, by_text)
        assert got is not None
        np.testing.assert_array_equal(got[0], expected)
        counts = [min(kw.KEYWORDS, int(shared[b:e].sum())) for b, e in itertools.pairwise(bounds)]
        np.testing.assert_array_equal(got[1], counts)


def test_rows_decline_keys_too_wide_and_one_long_article() -> None:
    by_text = np.arange(10)
    bounds = np.array([0, 2])
    wide = np.array([1 << 60, 0])  # 61 bits, and 4 of text rank
    assert kw._top_rows(bounds, wide, np.array([0, 9]), np.ones(2, bool), by_text) is None
    bounds = np.concatenate([np.arange(3001), [23000]])
    size = int(bounds[-1])
    nothing = np.zeros(size, dtype=np.int64)
    assert kw._top_rows(bounds, nothing, nothing, np.ones(size, bool), by_text) is None
