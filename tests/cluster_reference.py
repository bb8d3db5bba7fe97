"""A straightforward clustering, to check the vectorised one in digest.rank.cluster against.

It follows the method that module's docstring describes, step by step, with plain Python
(dicts of term weights, a Counter per article, a pure-Python MinHash of the documented
formula, dict buckets): slow, but each step reads as its definition. Tests only.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from digest.rank import cluster as c
from digest.rank import minhash as m
from digest.rank import names as name_defs
from digest.records import Article
from digest.wording.stopwords import STOPWORDS

Vector = dict[str, float]
_CJK = re.compile(
    r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+)"
)
_MARK = frozenset(chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp))[0] == "M")


def _words(text: str) -> list[str]:
    """Runs of word characters (``\\w``) and combining marks."""
    out, word = [], ""
    for ch in text:
        if re.match(r"\w", ch) or ch in _MARK:
            word += ch
        elif word:
            out.append(word)
            word = ""
    return [*out, word] if word else out


_MASK = (1 << 32) - 1


def tokens(text: str) -> list[str]:
    """NFKC, casefold ("İ" as "i"), Unicode word tokens with their combining marks; CJK
    (and Thai, Lao, Myanmar, Khmer) runs become overlapping bigrams."""
    out: list[str] = []
    folded = unicodedata.normalize("NFKC", text).casefold().replace("i\u0307", "i")
    for word in _words(folded):
        for i, part in enumerate(_CJK.split(word)):
            if i % 2 == 0:
                out.extend(_words(part.replace("_", " ")) if part != word else [part])
            elif len(part) == 1:
                out.append(part)
            else:
                out.extend(part[j : j + 2] for j in range(len(part) - 1))
    return out


def content(word: str) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in STOPWORDS


def term_counts(article: Article) -> Counter[str]:
    lead = tokens(f"{article.summary} {article.text}")[: c.LEAD_WORDS]
    counts = Counter(w for w in lead if content(w))
    for word in tokens(article.title):
        if content(word):
            counts[word] += c.TITLE_WEIGHT
    return counts


_OPENING = "\"“‘'(«["


def names(text: str) -> set[str]:
    """The terms a text writes as names, by the definition: the fold of a word that
    begins with a capital mid-sentence (right after one white-space character, and at
    most one opening quote or bracket, that follow a lower-case letter, a digit or a
    comma), when no word of the text is that term itself; none when they would be
    NAMES_SHARE of its distinct words or more. Words are runs of ``\\w``."""
    lead = unicodedata.normalize("NFKC", text[: c.PREFIX_CHARS * c.LEAD_WORDS])
    spans = [(m.start(), m.group()) for m in re.finditer(r"\w+", lead)]
    words = {w for _, w in spans}
    capital = set()
    for start, word in spans:
        if not word[0].isupper():
            continue
        k = start - 1 if start > 0 and lead[start - 1] in _OPENING else start
        if k >= 2 and lead[k - 1].isspace():
            before = lead[k - 2]
            if before.islower() or before.isdigit() or before == ",":
                capital.add(word.casefold().replace("i\u0307", "i"))
    found = capital - words
    if len(found) >= name_defs.NAMES_SHARE * len(words):
        return set()
    return found


def _fmix(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    return h ^ (h >> 16)


def bands(terms: Sequence[str]) -> list[int]:
    """MinHash by the formula: min over terms of fmix32(sha1_32(t)) * a + b (mod 2^32),
    two values a band, the second in the high half."""
    a, b = m._permutations()
    mixed = [_fmix(int.from_bytes(hashlib.sha1(t.encode()).digest()[:4], "little")) for t in terms]
    signature = [min((int(a[p]) * h + int(b[p])) & _MASK for h in mixed) for p in range(m.NUM_PERM)]
    return [signature[2 * k] | signature[2 * k + 1] << 32 for k in range(m.LSH_BANDS)]


class Batch:
    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = sorted(articles, key=c._canonical)
        counts = [term_counts(a) for a in self.articles]
        self.df: Counter[str] = Counter(t for count in counts for t in count)
        size = len(self.articles) + c.PRIOR_DOCS
        self.names = [names(f"{a.summary} {a.text}") for a in self.articles]
        self.vectors: list[Vector] = []
        for count in counts:
            vec = {
                t: (1 + math.log(n)) * math.log(size / (self.df[t] + 1)) for t, n in count.items()
            }
            norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
            self.vectors.append({t: w / norm for t, w in vec.items()})

    def keywords(self, i: int) -> list[str]:
        vec = self.vectors[i]
        shared = [t for t in vec if self.df[t] > 1]
        return sorted(shared, key=lambda t: (-vec[t], t))[: c.KEYWORDS]

    def same_story(self, i: int, j: int) -> bool:
        cosine, shared = similarity(self.vectors[i], self.vectors[j])
        if self.articles[i].credit == self.articles[j].credit:
            return cosine >= c.SAME_SOURCE_COSINE
        if cosine < c.MIN_COSINE or shared < c.MIN_SHARED:
            return False
        named = self.names[i] | self.names[j]
        common = [w for w in self.vectors[i] if w in self.vectors[j]]
        return sum(w not in named for w in common) >= c.MIN_EVENT


def similarity(a: Vector, b: Vector) -> tuple[float, int]:
    common = [t for t in a if t in b]
    return sum(a[t] * b[t] for t in common), len(common)


class Story:
    def __init__(self, i: int, when: datetime | None) -> None:
        self.members = [i]
        self.first = self.last = when
        self.indexed = 0

    def fits(self, when: datetime | None, window: timedelta | None) -> bool:
        if when is None or window is None or self.first is None or self.last is None:
            return True
        return max(self.last, when) - min(self.first, when) <= window

    def add(self, i: int, when: datetime | None) -> None:
        self.members.append(i)
        self.members.sort()
        for w in (when,):
            if w is not None:
                self.first = w if self.first is None else min(self.first, w)
                self.last = w if self.last is None else max(self.last, w)

    def merge(self, other: Story) -> None:
        self.members = sorted(self.members + other.members)
        self.indexed += other.indexed
        for w in (other.first, other.last):
            if w is not None:
                self.first = w if self.first is None else min(self.first, w)
                self.last = w if self.last is None else max(self.last, w)


def centroid(batch: Batch, story: Story) -> Vector:
    total: Vector = {}
    for i in story.members[: c.CORE]:
        for t, w in batch.vectors[i].items():
            total[t] = total.get(t, 0.0) + w
    norm = math.sqrt(sum(w * w for w in total.values())) or 1.0
    return {t: w / norm for t, w in total.items()}


def cluster(
    articles: Sequence[Article], *, window: timedelta | None = c.WINDOW
) -> list[list[Article]]:
    batch = Batch(articles)
    n = len(batch.articles)
    when = [a.when for a in batch.articles]
    keywords = [batch.keywords(i) for i in range(n)]
    signatures = [bands(k) if k else None for k in keywords]
    buckets: dict[tuple[int, int], list[int]] = {}
    story_of: list[Story] = []
    for i in range(n):
        joined: Story | None = None
        signature = signatures[i]
        if signature is not None:
            hits: Counter[int] = Counter()
            for band, value in enumerate(signature):
                hits.update(buckets.get((band, value), []))
            near = heapq.nsmallest(m.MAX_CANDIDATES, hits, key=lambda j: (-hits[j], j))
            matches: dict[int, list[int]] = {}
            for j in near:
                if len(set(keywords[i]) & set(keywords[j])) >= c.MIN_KEYWORDS:
                    matches.setdefault(story_of[j].members[0], []).append(j)
            for first in list(matches)[: c.MAX_TRIED]:
                story = story_of[first]
                if story is joined or not story.fits(when[i], window):
                    continue
                if not confirmed(batch, i, matches[first], story):
                    continue
                if joined is None:
                    joined = story
                elif agree(batch, joined, story, window):
                    joined.merge(story)
                    for k in story.members:
                        story_of[k] = joined
        if joined is None:
            joined = Story(i, when[i])
        else:
            joined.add(i, when[i])
        story_of.append(joined)
        if signature is not None and joined.indexed < c.MAX_INDEXED:
            for band, value in enumerate(signature):
                bucket = buckets.setdefault((band, value), [])
                if len(bucket) < m.BUCKET_CAP:
                    bucket.append(i)
            joined.indexed += 1
    stories: dict[int, list[Article]] = {}
    for i in range(n):
        stories.setdefault(story_of[i].members[0], []).append(batch.articles[i])
    return [stories[first] for first in sorted(stories)]


def confirmed(batch: Batch, i: int, candidates: list[int], story: Story) -> bool:
    if not any(batch.same_story(i, j) for j in candidates):
        return False
    core = story.members[: c.CORE]
    if len(core) == 1:
        return True
    if similarity(batch.vectors[i], centroid(batch, story))[0] < c.MIN_COSINE:
        return False
    return sum(batch.same_story(i, j) for j in core) >= (len(core) + 1) // 2


def agree(batch: Batch, story: Story, other: Story, window: timedelta | None) -> bool:
    if not (other.fits(story.first, window) and other.fits(story.last, window)):
        return False
    cosine = similarity(centroid(batch, story), centroid(batch, other))[0]
    return cosine >= c.MIN_COSINE


def band_array(keywords: Sequence[Sequence[str]]) -> np.ndarray:
    """The reference band values of each keyword set (zeros for an empty one)."""
    out = np.zeros((len(keywords), m.LSH_BANDS), dtype=np.uint64)
    for i, terms in enumerate(keywords):
        if terms:
            out[i] = bands(terms)
    return out
