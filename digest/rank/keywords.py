"""Each article's keywords: the terms its MinHash is made of (step 3 of
:mod:`digest.rank.cluster`).

Job: pick each article's ``KEYWORDS`` heaviest terms that another article also uses,
from a batch's tf-idf vectors (:class:`digest.rank.terms.Terms`), with numpy, a chunk
of articles at a time. Pure and deterministic: the order is that of the definition
(weight descending, ties by the term's text), bit for bit. Must not: tokenise or weigh
(that is :mod:`digest.rank.terms`), or hash (that is :mod:`digest.rank.minhash`).
"""

from __future__ import annotations

import math

import numpy as np

from digest.rank import radix
from digest.rank.terms import KEYWORDS, PRIOR_DOCS, Terms


def keywords(batch: Terms, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Each article's ``KEYWORDS`` heaviest terms that another article also uses, heaviest
    first, ties by the term's text: ``(starts, term ids)`` as compressed rows (worked
    out ``chunk`` articles at a time, to bound the memory)."""
    n = len(batch.starts) - 1
    spelled = np.flatnonzero(batch.df > 1)
    by_text = np.array(sorted(spelled.tolist(), key=batch.vocabulary.__getitem__), dtype=np.int64)
    text_rank = np.zeros(len(batch.vocabulary), dtype=np.int64)
    text_rank[by_text] = np.arange(len(spelled))
    heavy, row, column, apart = _weight_ranks(batch)
    lengths = np.zeros(n, dtype=np.int64)
    parts = []
    for first in range(0, n, chunk):
        last = min(n, first + chunk)
        start, end = batch.starts[first], batch.starts[last]
        terms = batch.terms[start:end]
        shared = batch.df[terms] > 1
        ranks = heavy[row[batch.counts[start:end]], column[batch.df[terms]]]
        if apart:  # no two of one article's weights tie: its keys in a row of a grid
            bounds = batch.starts[first : last + 1] - start
            top = _top_rows(bounds, ranks, text_rank[terms], shared, by_text)
            if top is not None:
                parts.append(top[0])
                lengths[first:last] = top[1]
                continue
        docs = np.repeat(np.arange(first, last), np.diff(batch.starts[first : last + 1]))
        docs, terms, ranks = docs[shared], terms[shared], ranks[shared]
        weights = batch.weights[start:end][shared]
        docs, terms = _heaviest_first(docs, ranks, terms, text_rank, weights, apart)
        begins = np.searchsorted(docs, np.arange(first, last + 1))
        kept = np.arange(len(docs)) - begins[docs - first] < KEYWORDS
        parts.append(terms[kept])
        lengths[first:last] = np.minimum(np.diff(begins), KEYWORDS)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return starts, np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _weight_ranks(batch: Terms) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """The rank (0: the heaviest) of each of the batch's distinct values of
    ``tf(count) * idf(df)``, a value that depends only on the pair (count, df): a table
    by (count, df), and the row of each count and the column of each df in it (an
    entry's rank is ``table[row[count], column[df]]``); and whether the values lie far
    enough apart that no two stay apart once divided by one norm (see _heaviest_first)."""
    if not len(batch.terms):
        nothing = np.zeros(1, dtype=np.int64)
        return np.zeros((1, 1), dtype=np.int64), nothing, nothing, True
    count_values, row = _values(np.bincount(batch.counts))
    df_values, column = _values(np.bincount(batch.df))  # every term with df > 0 is used
    if df_values[0] == 0:
        df_values = df_values[1:]
        column -= 1
    docs_plus = len(batch.starts) - 1 + PRIOR_DOCS
    tf = np.array([1.0 + math.log(v) for v in count_values.tolist()])
    idf = np.array([math.log(docs_plus / (d + 1)) for d in df_values.tolist()])
    values, grid = np.unique(-(tf[:, None] * idf[None, :]), return_inverse=True)
    heavy = -values  # the distinct products, heaviest first (all > 0)
    apart = bool(np.all(heavy[:-1] - heavy[1:] > heavy[:-1] * APART))
    return grid.reshape(len(tf), len(idf)), row, column, apart


#: Two products ``v > w`` with ``v - w > APART * v`` stay ``v / n > w / n`` once each
#: quotient is rounded (each moves by at most ``2**-53`` of itself): 16 times that margin.
APART = 2.0**-48


def _top_rows(
    bounds: np.ndarray,
    heavy: np.ndarray,
    ranks: np.ndarray,
    shared: np.ndarray,
    by_text: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``KEYWORDS`` first terms of each article by (``heavy``, text rank) among its
    entries that are ``shared``, article after article, and how many each has; None
    where the keys do not fit 62 bits or the grid would be far larger than the entries.

    Article ``i``'s entries are ``bounds[i]:bounds[i + 1]``. Each article's entries are
    laid out in a row of a grid as wide as the longest, as one key each (``heavy`` and
    the text rank packed; an entry not shared, and the padding, the largest value), and
    the rows are sorted: numpy sorts many short rows fast (about 1 ns an entry here,
    where one long array of 64-bit keys costs about 40). Used where the batch's products
    lie apart, so that this is the order of the weights (see :func:`_heaviest_first`).
    """
    size = int(bounds[-1])
    lengths = np.diff(bounds)
    rows, width = len(lengths), int(lengths.max(initial=0))
    bits = int(ranks.max(initial=0)).bit_length()
    total = int(heavy.max(initial=0)).bit_length() + bits
    if total > 62 or rows * width > 4 * size + 4096:  # or an article far longer than most
        return None
    dtype = np.int32 if total <= 30 else np.int64
    blank = np.iinfo(dtype).max  # above every key
    keys = np.where(shared, (heavy << bits) | ranks, blank)
    grid = np.full((rows, width), blank, dtype=dtype)
    grid.reshape(-1)[
        np.arange(size) + np.repeat(np.arange(rows) * width - bounds[:-1], lengths)
    ] = keys
    grid.sort(axis=1)
    top = grid[:, :KEYWORDS]
    kept = top != blank
    return by_text[top[kept] & ((1 << bits) - 1)], kept.sum(axis=1)


def _heaviest_first(
    docs: np.ndarray,
    heavy: np.ndarray,
    terms: np.ndarray,
    text_rank: np.ndarray,
    weights: np.ndarray,
    apart: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The entries (``docs``, ``terms``) in the order (article, weight descending, term
    text); ``text_rank``: each term's rank by its text.

    Within one article a weight is ``tf(count) * idf(df) / norm`` with one norm, so it
    orders as ``tf(count) * idf(df)`` does: by ``heavy`` (:func:`_weight_ranks`). The
    entries are sorted on (article, heavy, text rank) by a stable radix sort
    (:func:`radix.lexsort`). Where the batch's products lie ``apart``, no two of one
    article's weights tie, and that is the order (:func:`_top_rows` does the same
    faster). Else, should two different values become equal once divided by the norm (a
    tie that order would not see), the entries are sorted on the normalised weights
    themselves.
    """
    if not len(docs):
        return docs, terms
    ranks = text_rank[terms]
    # each article's number less the first's: under a chunk's size, one 16-bit digit
    order = radix.lexsort((ranks, heavy, docs - docs.min()))
    if apart:  # no two of one article's weights tie
        return docs[order], terms[order]
    w, d, h = weights[order], docs[order], heavy[order]
    if not np.any((d[1:] == d[:-1]) & (h[1:] != h[:-1]) & (w[1:] == w[:-1])):
        return d, terms[order]
    order = np.lexsort((ranks, -weights, docs))
    return docs[order], terms[order]


def _values(tally: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values that occur (``tally[v] > 0``), ascending, and each value's index
    among them (a table by value)."""
    values = np.flatnonzero(tally)
    index = np.zeros(len(tally), dtype=np.int64)
    index[values] = np.arange(len(values))
    return values, index
