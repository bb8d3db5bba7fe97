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
   they share ``MIN_SHARED`` terms or more. Two articles of one source merge only when
   near-identical (``SAME_SOURCE_COSINE``): that is one report twice, adding no coverage.
5. *Union-find.* Articles are visited in a canonical order; each one is matched against
   the earlier ones the index returns, and is itself indexed only while its cluster has
   fewer than ``MAX_INDEXED`` indexed members, which keeps a story with hundreds of
   copies from making the run quadratic.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from datasketch import MinHash, MinHashLSH

from digest.rank._stopwords import STOPWORDS
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
NUM_PERM = 192
SEED = 1
LSH_BANDS, LSH_ROWS = 96, 2
MIN_KEYWORDS = 3  # keywords a pair must share before the cosine is computed
MIN_COSINE = 0.18
MIN_SHARED = 4  # terms a pair must share: a few common words are not a story
SAME_SOURCE_COSINE = 0.9
MAX_INDEXED = 4  # members of one cluster kept in the index

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


def _term_counts(article: Article) -> Counter[str]:
    counts = Counter(_content(tokens(f"{article.summary} {article.text}", LEAD_WORDS)))
    for word in _content(tokens(article.title)):
        counts[word] += TITLE_WEIGHT
    return counts


def _canonical(article: Article) -> tuple[str, ...]:
    when = article.when.isoformat() if article.when else ""
    return (article.key, article.source, article.url or "", article.title, when, article.text)


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
        self.vectors: list[Vector] = []
        for c in counts:
            vec = {t: (1.0 + math.log(n)) * idf[t] for t, n in c.items()}
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
        if self.articles[i].source == self.articles[j].source:
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


def cluster(articles: Sequence[Article]) -> list[list[Article]]:
    """Group ``articles`` into stories: each inner list is one story.

    Members are in canonical order (by key); stories are ordered by their first member.
    Every article is in exactly one story; a story of one is an article nobody else ran.
    """
    batch = _Batch(articles)
    n = len(batch.articles)
    parent = list(range(n))
    indexed = [0] * n  # per root: how many of the cluster's members are in the index

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keywords = [batch.keywords(i) for i in range(n)]
    keysets = [set(k) for k in keywords]
    hashes = MinHash.bulk(([t.encode() for t in k] for k in keywords), num_perm=NUM_PERM, seed=SEED)
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))
    for i in range(n):
        if not keywords[i]:
            continue
        root = i  # nothing later than i is linked yet, so i is its own root
        for j in lsh.query(hashes[i]):  # any order: the final partition is the same
            other = find(j)
            if other == root or len(keysets[i] & keysets[j]) < MIN_KEYWORDS:
                continue  # already one story, or a chance collision (a cheap test first)
            if batch.same_story(i, j):
                low, high = min(root, other), max(root, other)
                parent[high] = low
                indexed[low] += indexed[high]
                root = low
        if indexed[root] < MAX_INDEXED:
            lsh.insert(i, hashes[i], check_duplication=False)
            indexed[root] += 1
    groups: dict[int, list[Article]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(batch.articles[i])
    return [groups[root] for root in sorted(groups)]
