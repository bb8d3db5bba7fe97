"""The pair test of :mod:`digest.rank.cluster` (its step 4): are two articles of a batch
one story? And the batch's articles in canonical order with their vectors held for it.

Job: hold a batch (:class:`Batch`): its articles in canonical order, their tf-idf
vectors (:mod:`digest.rank.terms`), each one's outlet, names and headline terms; compare
two articles' vectors (a cosine, the terms shared), fast with numpy and, near a limit,
exactly in the order of the definition (:meth:`Batch.close`); and judge a pair
(:meth:`Batch.same_story`). Pure. Must not: choose which pairs to compare, or build
stories (that is :mod:`digest.rank.cluster`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digest.rank.aggregator_pairs import Headlines
from digest.rank.names import Named, capitalised
from digest.rank.outlets import site
from digest.rank.story import Vector
from digest.rank.terms import Terms, weigh
from digest.records import Article

__all__ = ["MIN_COSINE", "MIN_EVENT", "MIN_SHARED", "ROUNDING", "SAME_SOURCE_COSINE"]
__all__ += ["Batch", "canonical", "in_canonical_order"]

# Tuned on the development corpus (33 real pages in seven languages, two stories told by
# four outlets each): the weakest link each story needs has a cosine of 0.27 and 0.29 and
# shares at least 5 keywords; the most similar unrelated pair (two markets reports) has
# 0.12. MIN_COSINE sits about 1.5 times from both.
MIN_COSINE = 0.18
MIN_SHARED = 4  # terms a pair must share: a few common words are not a story
#: Of those, terms a pair must share that neither writes as a name (who and where):
#: what happened. The corpus stories' pairs that pass the cosine share 3 or more (most
#: 9 or more); a minister's flood visit and her resignation share her name, office and
#: constituency, and one other term ("interior").
MIN_EVENT = 3
SAME_SOURCE_COSINE = 0.9
ROUNDING = 8  # margin of a fast cosine near a limit, in worst-case rounding errors


def canonical(article: Article) -> tuple[str, ...]:
    when = article.when.isoformat() if article.when else ""
    return (article.key, article.credit, article.url or "", article.title, when, article.text)


def in_canonical_order(articles: Sequence[Article]) -> list[Article]:
    """``sorted(articles, key=canonical)``, the whole key computed only for equal keys."""
    out = sorted(articles, key=lambda a: a.key)
    start = 0
    for end in range(1, len(out) + 1):
        if end == len(out) or out[end].key != out[start].key:
            if end - start > 1:
                out[start:end] = sorted(out[start:end], key=canonical)
            start = end
    return out


class Batch:
    """The weighted term vectors of one batch, in canonical order (see
    :mod:`digest.rank.terms`), and scratch vectors (one zero per term) to compare them.

    The article being placed is *held*, spread on a scratch vector of its own, so that
    each comparison with it reads one vector (:meth:`close`, :meth:`same_story`).
    """

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = in_canonical_order(articles)
        # the words each lead capitalises (a superset of its names) found as it is tokenised
        self.terms: Terms = weigh(self.articles, also=capitalised)
        self.credits = [site(a) for a in self.articles]
        self.headlines = Headlines(self.articles)
        self.aggregated = [a.aggregated for a in self.articles]  # the headline test's
        self.scratch = np.zeros(len(self.terms.vocabulary))
        self._held = np.zeros(len(self.terms.vocabulary))
        self._vectors: list[Vector | None] = [None] * len(self.articles)
        self.named = Named(self.articles, self.terms.also)
        self.held = -1
        self.readds = 0  # cosines too near a limit for np.dot: added again in order

    def vector(self, i: int) -> Vector:
        vector = self._vectors[i]
        if vector is None:
            start, end = self.terms.starts[i : i + 2].tolist()
            vector = self._vectors[i] = self.terms.terms[start:end], self.terms.weights[start:end]
        return vector

    def dot(self, a: Vector, b: Vector) -> tuple[float, int]:
        """The dot product of two vectors and the number of terms they share.

        The products of the shared terms are added one after another in the order of
        the shorter vector (the first on a tie), as ``sum`` over a dict would: ``b`` is
        spread on the scratch vector, read back at ``a``'s terms (0.0 where ``b`` has
        none: adding 0.0 changes no sum) and the scratch is zeroed again.
        """
        if len(a[0]) > len(b[0]):
            a, b = b, a
        scratch = self.scratch
        scratch[b[0]] = b[1]
        found = scratch[a[0]]
        scratch[b[0]] = 0.0
        total: float = sum((found * a[1]).tolist())
        return total, int(np.count_nonzero(found))

    def hold(self, i: int) -> None:
        """Spread article ``i`` on the held scratch vector (the one held before is let go)."""
        if self.held != i:
            self.release()
            terms, weights = self.vector(i)
            self._held[terms] = weights
            self.held = i

    def release(self) -> None:
        if self.held >= 0:
            self._held[self.vector(self.held)[0]] = 0.0
            self.held = -1

    def close(self, b: Vector, limit: float, found: np.ndarray | None = None) -> bool:
        """Is the held article's :meth:`dot` with ``b`` at least ``limit``?

        ``np.dot`` adds in its own order, so its sum may differ from :meth:`dot`'s in
        the last bits: only when it lies within ``ROUNDING`` times the worst-case
        rounding error of an ``n``-term dot product (``n * 2**-53`` times the sum of
        the products, all >= 0 here) of ``limit`` is the sum made again in
        :meth:`dot`'s order. Either way, the answer is that of :meth:`dot`.
        """
        if found is None:
            found = self._held[b[0]]
        fast = float(found.dot(b[1]))
        margin = ROUNDING * len(found) * 2.0**-53 * fast
        if abs(fast - limit) > margin:
            return fast > limit
        self.readds += 1
        return self.dot(self.vector(self.held), b)[0] >= limit

    def similarity(self, i: int, j: int) -> tuple[float, int]:
        """Cosine of the two articles' vectors and the number of terms they share."""
        return self.dot(self.vector(i), self.vector(j))

    def same_story(self, i: int, j: int) -> bool:
        """Are articles ``i`` (held: :meth:`hold`) and ``j`` one story, by the pair test?"""
        if self.held != i:
            self.hold(i)
        b = self._vectors[j] or self.vector(j)
        found = self._held[b[0]]
        if self.credits[i] == self.credits[j]:
            return self.close(b, SAME_SOURCE_COSINE, found)
        if not self.close(b, MIN_COSINE, found):
            return False
        shared = int(np.count_nonzero(found))
        vocabulary = self.terms.vocabulary
        return (
            shared >= MIN_SHARED
            and self.named.eventful(
                i, j, shared, lambda: [vocabulary[t] for t in b[0][found > 0].tolist()], MIN_EVENT
            )
            and (not (self.aggregated[i] or self.aggregated[j]) or self.headlines.agree(i, j))
        )
