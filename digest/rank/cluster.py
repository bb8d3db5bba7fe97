"""Near-duplicate clustering: which articles from different outlets tell the same story.

Job: group a batch of articles into stories, so that four outlets' reports of one event
become one story ("also in: ...") and everything else stays alone. Pure and
deterministic: the same articles, in any order, give the same clusters in the same order.
Must not: compare all pairs (candidates come from MinHash LSH, the work per article is
bounded), judge importance (that is :mod:`digest.rank.score`), read the clock, or merge
two articles because they merely share a word, a place name or a headline shape.

Method, in the order the code runs:

1. *Terms.* The headline (counted ``TITLE_WEIGHT`` times) and the first ``LEAD_WORDS``
   tokens of standfirst + body are casefolded (NFKC) and split into Unicode word tokens;
   runs of CJK characters, written without spaces, become overlapping character bigrams.
   Function words (:mod:`digest.rank._stopwords`), bare numbers and one-letter tokens
   are dropped. Outlets rewrite a story in their own words, so single terms are the
   shingles: measured on real pages, shared word pairs were too rare to tell stories apart.
2. *Weights.* tf-idf: ``(1 + ln tf) * ln((n + PRIOR_DOCS) / (df + 1))`` with df counted
   in this batch; the ``PRIOR_DOCS`` pseudo-documents keep small batches sane.
3. *Candidates.* Each article's ``KEYWORDS`` heaviest terms that at least one other
   article also uses (a term only one article has can link nothing) are MinHashed and
   looked up in an LSH index (``LSH_BANDS`` bands of ``LSH_ROWS`` rows).
4. *Confirmation.* A candidate pair is the same story when they have ``MIN_KEYWORDS``
   keywords in common, the cosine of their tf-idf vectors is at least ``MIN_COSINE`` and
   they share ``MIN_SHARED`` terms or more. Two articles of one outlet (``Article.credit``)
   merge only when near-identical (``SAME_SOURCE_COSINE``): that is one report twice,
   adding no coverage.
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

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from sys import intern

from digest.rank._stopwords import STOPWORDS
from digest.rank.minhash import Bands, band_keys, dense
from digest.records import Article

# Tuned on the development corpus (33 real pages in seven languages, two stories told by
# four outlets each): the weakest link each story needs has a cosine of 0.27 and 0.29 and
# shares at least 5 keywords; the most similar unrelated pair (two markets reports) has
# 0.12. MIN_COSINE sits about 1.5 times from both. With 96 bands of 2 rows, a pair whose
# keyword sets overlap by 0.13 (the weakest seen) is a candidate with probability 0.8.
TITLE_WEIGHT = 3  # a headline word counts as three body words
LEAD_WORDS = 150  # tokens of standfirst + body that describe the story
PRIOR_DOCS = 50  # pseudo-documents added to the batch for the idf
KEYWORDS = 24  # terms per article in the MinHash set
MIN_KEYWORDS = 3  # keywords a pair must share before the cosine is computed
MIN_COSINE = 0.18
MIN_SHARED = 4  # terms a pair must share: a few common words are not a story
SAME_SOURCE_COSINE = 0.9
MAX_INDEXED = 4  # members of one cluster kept in the index
CORE = 5  # a newcomer is compared with the centroid of a story's first CORE members
MAX_TRIED = 3  # stories an article tries to join
WINDOW = timedelta(hours=72)  # the default time bound of one story
PREFIX_CHARS = 10  # characters per lead token read before the whole text is (see _lead_tokens)

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+)")

Vector = dict[str, float]


def tokens(text: str, limit: int | None = None) -> list[str]:
    """Casefolded word tokens of ``text`` (the first ``limit``); CJK runs become bigrams."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not _CJK.search(folded):
        return _WORD.findall(folded)[:limit]
    out: list[str] = []
    for match in _WORD.finditer(folded):
        if limit is not None and len(out) >= limit:
            break
        word = match.group()
        if not _CJK.search(word):
            out.append(word)
            continue
        for i, part in enumerate(_CJK.split(word)):
            if i % 2 == 0:  # the text between CJK runs
                out.extend(_WORD.findall(part.replace("_", " ")))
            elif len(part) == 1:
                out.append(part)
            else:
                out.extend(part[j : j + 2] for j in range(len(part) - 1))
    return out[:limit]


def _content(words: Iterable[str]) -> list[str]:
    return [w for w in words if len(w) > 1 and not w.isdigit() and w not in STOPWORDS]


def _lead_tokens(text: str, limit: int) -> list[str]:
    """``tokens(text, limit)``, reading only as much of a long text as it needs.

    A prefix is tokenised first; when it holds two tokens more than ``limit``, the cut
    lies after the start of token ``limit + 2``, so the first ``limit`` tokens are whole
    and the same as the full text's (normalising and casefolding are per character
    there). Otherwise the whole text is read.
    """
    if len(text) > PREFIX_CHARS * limit:
        first = tokens(text[: PREFIX_CHARS * limit], limit + 2)
        if len(first) == limit + 2:
            return first[:limit]
    return tokens(text, limit)


def _term_counts(article: Article) -> Counter[str]:
    counts = Counter(_lead_tokens(f"{article.summary} {article.text}", LEAD_WORDS))
    for word in [w for w in counts if len(w) < 2 or w.isdigit() or w in STOPWORDS]:
        del counts[word]
    for word in _content(tokens(article.title)):
        counts[word] += TITLE_WEIGHT
    return counts


def _canonical(article: Article) -> tuple[str, ...]:
    when = article.when.isoformat() if article.when else ""
    return (article.key, article.credit, article.url or "", article.title, when, article.text)


class _Batch:
    """The weighted term vectors of one batch, in canonical order."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = sorted(articles, key=_canonical)
        counts = [_term_counts(a) for a in self.articles]
        self.df: Counter[str] = Counter()
        for c in counts:
            self.df.update(c.keys())
        size = len(self.articles) + PRIOR_DOCS
        idf = {term: math.log(size / (df + 1)) for term, df in self.df.items()}
        top = max((max(c.values(), default=0) for c in counts), default=0)
        tf = [0.0, *(1.0 + math.log(n) for n in range(1, top + 1))]  # 1 + ln n, once per n
        self.vectors: list[Vector] = []
        for k, c in enumerate(counts):
            counts[k] = Counter()  # freed as its vector is made: the two are never all held
            # One string per term for the whole batch (sys.intern), not one per article.
            vec = {intern(t): tf[n] * idf[t] for t, n in c.items()}
            norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
            self.vectors.append({t: w / norm for t, w in vec.items()})

    def keywords(self, i: int) -> list[str]:
        vec = self.vectors[i]
        shared = [t for t in vec if self.df[t] > 1]
        return sorted(shared, key=lambda t: (-vec[t], t))[:KEYWORDS]

    def similarity(self, i: int, j: int) -> tuple[float, int]:
        """Cosine of the two articles' vectors and the number of terms they share."""
        a, b = self.vectors[i], self.vectors[j]
        if len(a) > len(b):
            a, b = b, a
        common = [t for t in a if t in b]
        return sum(a[t] * b[t] for t in common), len(common)

    def same_story(self, i: int, j: int) -> bool:
        cosine, shared = self.similarity(i, j)
        if self.articles[i].credit == self.articles[j].credit:
            return cosine >= SAME_SOURCE_COSINE
        return cosine >= MIN_COSINE and shared >= MIN_SHARED


def similarities(articles: Sequence[Article]) -> dict[tuple[str, str], tuple[float, int]]:
    """(cosine, shared terms) for every pair of keys: all pairs, for tuning and tests only."""
    batch = _Batch(articles)
    keys = [a.key for a in batch.articles]
    return {
        (keys[i], keys[j]): batch.similarity(i, j)
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
    }


class _Story:
    """A story being built: its members (positions) and its dated members' time span."""

    __slots__ = ("centroid", "first", "indexed", "last", "members")

    def __init__(self, i: int, when: datetime | None) -> None:
        self.members = [i]
        self.first = self.last = when
        self.indexed = 0
        self.centroid: tuple[tuple[int, ...], Vector] | None = None  # (core, its centroid)

    def fits(self, when: datetime | None, window: timedelta | None) -> bool:
        if when is None or window is None or self.first is None or self.last is None:
            return True
        return max(self.last, when) - min(self.first, when) <= window

    def merge(self, other: _Story) -> None:
        """Take ``other``'s members (both stories' cores agree: see :func:`cluster`)."""
        self.members = sorted(self.members + other.members)
        self.indexed += other.indexed
        for when in (other.first, other.last):
            if when is not None:
                self.first = when if self.first is None else min(self.first, when)
                self.last = when if self.last is None else max(self.last, when)

    def add(self, i: int, when: datetime | None) -> None:
        self.members.append(i)
        if when is not None:
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)


def cluster(
    articles: Sequence[Article], *, window: timedelta | None = WINDOW
) -> list[list[Article]]:
    """Group ``articles`` into stories: each inner list is one story.

    Members are in canonical order (by key); stories are ordered by their first member.
    Every article is in exactly one story; a story of one is an article nobody else ran.
    No story's dated members lie further apart than ``window`` (None: no time bound).
    """
    batch = _Batch(articles)
    n = len(batch.articles)
    when = [a.when for a in batch.articles]
    keywords = [batch.keywords(i) for i in range(n)]
    keysets = [set(k) for k in keywords]
    hashes = dense(band_keys(keywords))
    index = Bands(hashes)
    story_of: list[_Story] = []
    for i in range(n):
        joined: _Story | None = None
        bands = hashes[i].tolist() if keywords[i] else None
        if bands is not None:
            matches: dict[int, list[int]] = {}  # story (by first member) -> candidates
            judged: dict[int, bool] = {}  # earlier article -> the same story as i?
            for j in index.query(bands):
                if len(keysets[i] & keysets[j]) >= MIN_KEYWORDS:  # a cheap test first
                    matches.setdefault(story_of[j].members[0], []).append(j)
            for first in list(matches)[:MAX_TRIED]:  # the best-matched stories first
                story = story_of[first]
                if story is joined or not story.fits(when[i], window):
                    continue
                if not _confirmed(batch, i, matches[first], story, judged):
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
        if bands is not None and joined.indexed < MAX_INDEXED:
            index.insert(i, bands)
            joined.indexed += 1
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
    centroid: Vector = {}
    for m in core:
        for term, weight in batch.vectors[m].items():
            centroid[term] = centroid.get(term, 0.0) + weight
    norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
    vector = {t: w / norm for t, w in centroid.items()}
    story.centroid = (core, vector)
    return vector


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _agree(batch: _Batch, story: _Story, other: _Story, window: timedelta | None) -> bool:
    """May two stories that one newcomer joins become one? Their dates and cores agree."""
    if not (other.fits(story.first, window) and other.fits(story.last, window)):
        return False
    return _cosine(_centroid(batch, story), _centroid(batch, other)) >= MIN_COSINE


def _confirmed(
    batch: _Batch, i: int, candidates: list[int], story: _Story, judged: dict[int, bool]
) -> bool:
    """Is article ``i`` (indexed near ``candidates``) the same story as the story's core?

    The pair test must hold with one candidate member, ``i`` must be as close to the
    centroid of the story's first ``CORE`` members as a pair must be to each other, and
    the pair test must hold with at least half of those members: one good match with one
    member is not enough to join (that would be chaining).
    """

    def same(j: int) -> bool:  # each pair judged once per newcomer (``judged``: j -> verdict)
        verdict = judged.get(j)
        if verdict is None:
            verdict = judged[j] = batch.same_story(i, j)
        return verdict

    if not any(same(j) for j in candidates):
        return False
    core = story.members[:CORE]
    if len(core) == 1:
        return True
    if _cosine(batch.vectors[i], _centroid(batch, story)) < MIN_COSINE:
        return False
    needed, agree = (len(core) + 1) // 2, 0
    for seen, j in enumerate(core, start=1):
        agree += same(j)
        if agree >= needed:
            return True
        if agree + len(core) - seen < needed:
            return False
    return False
