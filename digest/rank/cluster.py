"""Near-duplicate clustering: which articles from different outlets tell the same story.

Job: group a batch of articles into stories, so that four outlets' reports of one event
become one story ("also in: ...") and everything else stays alone. Pure and
deterministic: the same articles, in any order, give the same clusters in the same order.
Must not: compare all pairs (candidates come from MinHash LSH, the work per article is
bounded), judge importance (that is :mod:`digest.rank.score`), read the clock, or merge
two articles because they merely share a word, names (people, places) or a headline shape.

Method, in the order the code runs:

1. *Terms.* The headline (counted ``TITLE_WEIGHT`` times) and the first ``LEAD_WORDS``
   tokens of standfirst + body are casefolded (NFKC) into words (with their marks); runs of
   CJK, Thai, Lao, Myanmar and Khmer, written without spaces, become character bigrams.
   Function words (:mod:`digest.wording.stopwords`), bare numbers and one-letter tokens
   are dropped. Outlets rewrite a story in their own words, so single terms are the
   shingles: measured on real pages, shared word pairs were too rare to tell stories apart.
2. *Weights.* tf-idf: ``(1 + ln tf) * ln((n + PRIOR_DOCS) / (df + 1))`` with df counted
   in this batch; the ``PRIOR_DOCS`` pseudo-documents keep small batches sane.
3. *Candidates.* Each article's ``KEYWORDS`` heaviest terms that at least one other
   article also uses (a term only one article has can link nothing) are MinHashed and
   looked up in an LSH index (``LSH_BANDS`` bands of ``LSH_ROWS`` rows).
4. *Confirmation.* A candidate pair is the same story when they have ``MIN_KEYWORDS``
   keywords in common, the cosine of their tf-idf vectors is at least ``MIN_COSINE``,
   they share ``MIN_SHARED`` terms or more, and ``MIN_EVENT`` of those neither writes
   as a name (:mod:`digest.rank.names`): "Minister visits flooded valley" and "Minister
   resigns over pension scandal" share her name and towns, and are two stories. Two
   articles of one outlet (``Article.credit``; an aggregator's item's, the site its link
   opens: :func:`digest.rank.outlets.site`) merge only when near-identical
   (``SAME_SOURCE_COSINE``): that is one report twice, adding no coverage. Two sites'
   items of one aggregator must also share ``MIN_HEADLINE`` headline terms: its own
   words around every item are no story (:mod:`digest.rank.aggregator_pairs`).
5. *Membership, not chaining.* Articles are visited in a canonical order. An article
   joins an existing story only when it is the same story as one of its members *and*
   its cosine with the centroid of the story's first ``CORE`` members reaches
   ``MIN_COSINE`` and it is the same story as at least half of those members (one good
   match with one member is not enough), and only when the story's
   dated members, it included, still lie within ``window`` of each other. It joins the
   best such story (the one whose indexed members it shares most bands with,
   ``MAX_TRIED`` stories tried at most). When it confirms with a second story too, the
   two merge only if their centroids are as close as a pair must be and their dates fit
   one window: the stories agree as groups, not through one link. So A~B and B~C does
   not make A, B and C one story unless C also resembles A, and a 2019 report never
   joins a 2021 one. An undated article (no ``when``) is judged by its words alone and
   does not widen a story's time span; a story's dated members always fit the window.
6. *Bounded work.* The index is our own banding of the MinHash signatures: a band value
   shared by ``BUCKET_CAP`` indexed articles already is common vocabulary (a template's
   words) and indexes nobody else, a query keeps the ``MAX_CANDIDATES`` earlier articles
   that share the most bands, and a story keeps at most ``MAX_INDEXED`` members in the
   index. A templated feed mix, whose items share most words, thus costs a bounded
   number of comparisons per article and does not fold into one story.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

import numpy as np

from digest.rank.minhash import index as _index
from digest.rank.pairs import (
    MIN_COSINE,
    MIN_EVENT,
    MIN_SHARED,
    ROUNDING,
    SAME_SOURCE_COSINE,
    canonical,
    in_canonical_order,
)
from digest.rank.pairs import Batch as _Batch
from digest.rank.story import Story as _Story
from digest.rank.story import Vector
from digest.rank.terms import (
    KEYWORDS,
    LEAD_WORDS,
    PREFIX_CHARS,
    PRIOR_DOCS,
    TITLE_WEIGHT,
    lead_tokens,
    tokens,
)
from digest.records import Article

__all__ = ["KEYWORDS", "LEAD_WORDS", "PREFIX_CHARS", "PRIOR_DOCS", "TITLE_WEIGHT"]
__all__ += ["MIN_COSINE", "MIN_EVENT", "MIN_SHARED", "ROUNDING", "SAME_SOURCE_COSINE"]
__all__ += ["WINDOW", "cluster", "similarities", "tokens"]

# With 96 bands of 2 rows, a pair whose keyword sets overlap by 0.13 (the weakest seen
# in the development corpus: see digest.rank.pairs) is a candidate with probability 0.8.
MIN_KEYWORDS = 3  # keywords a pair must share before the cosine is computed
MAX_INDEXED = 4  # members of one cluster kept in the index
CORE = 5  # a newcomer is compared with the centroid of a story's first CORE members
MAX_TRIED = 3  # stories an article tries to join
WINDOW = timedelta(hours=72)  # the default time bound of one story

# the names the speed tests know
_lead_tokens, _canonical, _in_canonical_order = lead_tokens, canonical, in_canonical_order


def similarities(articles: Sequence[Article]) -> dict[tuple[str, str], tuple[float, int]]:
    """(cosine, shared terms) for every pair of keys: all pairs, for tuning and tests only."""
    batch = _Batch(articles)
    keys = [a.key for a in batch.articles]
    return {
        (keys[i], keys[j]): batch.similarity(i, j)
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
    }


def cluster(
    articles: Sequence[Article], *, window: timedelta | None = WINDOW
) -> list[list[Article]]:
    """Group ``articles`` into stories: each inner list is one story.

    Members are in canonical order (by key); stories are ordered by their first member.
    Every article is in exactly one story; a story of one is an article nobody else ran.
    No story's dated members lie further apart than ``window`` (None: no time bound).
    """
    with _collector_paused():
        return _stories(articles, window)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off meanwhile (as it was after). Clustering makes no
    reference cycles, but the collector's full passes, set off by the objects it keeps
    (a term set and a story per article), walk the whole batch each time: 0.5 s of
    8 at 50,000 articles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _stories(articles: Sequence[Article], window: timedelta | None) -> list[list[Article]]:
    batch = _Batch(articles)
    n = len(batch.articles)
    when = [a.when for a in batch.articles]
    index, keysets, masks, lost = _index(batch.terms)
    story_of: list[_Story] = []
    for i in list(range(n)):  # positions made at once: the ints hashed by queries lie together
        joined: _Story | None = None
        mine = keysets[i]
        if mine:
            # story -> its candidates: the first shares MIN_KEYWORDS keywords with i; the
            # others are counted only if the pair test is asked of them (see _confirmed)
            matches: dict[_Story, list[int]] = {}
            mask, slack = masks[i], lost[i]
            for j in index.query(i):
                near = matches.get(story_of[j])
                if near is not None:
                    near.append(j)
                # a bound on the keywords shared first (one &), then them
                elif (mask & masks[j]).bit_count() + slack >= MIN_KEYWORDS and len(
                    mine & keysets[j]
                ) >= MIN_KEYWORDS:
                    matches[story_of[j]] = [j]
            judged = _Verdicts(batch, i)
            for story in list(matches)[:MAX_TRIED]:  # the best-matched stories first
                if story is joined or not story.fits(when[i], window):
                    continue
                first, *rest = matches[story]
                candidates = _sharing(first, rest, mine, keysets) if rest else (first,)
                if not _confirmed(batch, candidates, story, judged):
                    continue
                if joined is None:
                    joined = story
                elif _agree(batch, joined, story, window):
                    joined.merge(story)  # one story told twice: their cores agree
                    for m in story.members:
                        story_of[m] = joined
        if joined is None:
            joined = _Story(i, when[i])
        else:
            joined.add(i, when[i])
        story_of.append(joined)
        if mine and joined.indexed < MAX_INDEXED:
            index.insert(i)
            joined.indexed += 1
    batch.release()
    stories: dict[int, list[Article]] = {}
    for i in range(n):
        stories.setdefault(story_of[i].members[0], []).append(batch.articles[i])
    return [stories[first] for first in sorted(stories)]


def _centroid(batch: _Batch, story: _Story) -> Vector:
    """The normalised sum of the vectors of the story's first ``CORE`` members
    (kept on the story until its core changes)."""
    core = tuple(story.members[:CORE])
    if story.centroid is not None and story.centroid[0] == core:
        return story.centroid[1]
    # each term's weights added in the members' order, as a dict of running sums would,
    # on the scratch vector; a term still at 0.0 there is new (all weights are > 0)
    scratch, new = batch.scratch, []
    for m in core:
        terms, weights = batch.vector(m)
        sums = scratch[terms]
        new.append(terms[sums == 0.0])
        scratch[terms] = sums + weights
    distinct = np.concatenate(new)  # the terms in the order they first occur
    summed = scratch[distinct]
    scratch[distinct] = 0.0
    norm = math.sqrt(sum((summed * summed).tolist())) or 1.0
    vector = (distinct, summed / norm)
    story.centroid = (core, vector)
    return vector


def _agree(batch: _Batch, story: _Story, other: _Story, window: timedelta | None) -> bool:
    """May two stories that one newcomer joins become one? Their dates and cores agree."""
    if not (other.fits(story.first, window) and other.fits(story.last, window)):
        return False
    return batch.dot(_centroid(batch, story), _centroid(batch, other))[0] >= MIN_COSINE


def _sharing(
    first: int, rest: list[int], mine: frozenset[int], keysets: list[frozenset[int]]
) -> Iterator[int]:
    """``first``, then those of ``rest`` that share ``MIN_KEYWORDS`` keywords with
    ``mine``, counted as they are asked for."""
    yield first
    for j in rest:
        if len(mine & keysets[j]) >= MIN_KEYWORDS:
            yield j


def _confirmed(batch: _Batch, candidates: Iterable[int], story: _Story, judged: _Verdicts) -> bool:
    """Is the article ``judged.i`` (indexed near ``candidates``) the same story as the
    story's core?

    The pair test must hold with one candidate member, the article must be as close to
    the centroid of the story's first ``CORE`` members as a pair must be to each other,
    and the pair test must hold with at least half of those members: one good match
    with one member is not enough to join (that would be chaining).
    """
    if not any(map(judged.__getitem__, candidates)):
        return False
    core = story.members[:CORE]
    if len(core) == 1:
        return True
    batch.hold(judged.i)
    if not batch.close(_centroid(batch, story), MIN_COSINE):
        return False
    needed, agree = (len(core) + 1) // 2, 0
    for seen, j in enumerate(core, start=1):
        agree += judged[j]
        if agree >= needed:
            return True
        if agree + len(core) - seen < needed:
            return False
    return False


class _Verdicts(dict[int, bool]):
    """Earlier article -> is it the same story as article ``i`` (the pair test, made
    once per pair, when first asked)?"""

    def __init__(self, batch: _Batch, i: int) -> None:
        self.batch, self.i = batch, i

    def __missing__(self, j: int) -> bool:
        verdict = self[j] = self.batch.same_story(self.i, j)
        return verdict
