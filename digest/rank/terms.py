"""A batch's articles as tf-idf vectors (steps 1-2 of :mod:`digest.rank.cluster`).

Job: tokenise every article once, number the terms through one vocabulary, and hold the
batch's weighted vectors as compressed sparse rows (numpy arrays: each article's term
ids, ascending, and their weights), from which :mod:`digest.rank.keywords` picks the
keywords for the MinHash; while an article is read on one of several cores, find what
else its caller asks of its lead (``Terms.also``: the words clustering's names check
needs, :mod:`~digest.rank.names`).
Pure and deterministic. Must not: judge whether two articles tell one story (that is
:mod:`digest.rank.cluster`), or depend on anything but the articles' words.

The arithmetic is that of the definitions: ``tf = 1 + ln n`` and ``idf = ln((docs +
PRIOR_DOCS) / (df + 1))`` with :func:`math.log`, one table entry per count and per
document frequency, multiplied as doubles; a vector is divided by its Euclidean norm.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import _count_elements  # type: ignore[attr-defined]
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from digest.rank import parallel
from digest.records import Article
from digest.wording.stopwords import STOPWORDS

TITLE_WEIGHT = 3  # a headline word counts as three body words
LEAD_WORDS = 150  # tokens of standfirst + body that describe the story
PRIOR_DOCS = 50  # pseudo-documents added to the batch for the idf
KEYWORDS = 24  # terms per article in the MinHash set
PREFIX_CHARS = 10  # characters per lead token read before the whole text is (see lead_tokens)
CHUNK = 2048  # articles whose arrays :func:`weigh` works out at a time
PART_CHUNKS = 2  # chunks a process tokenises at least (see _counted)


def _marks() -> str:
    """The combining marks (Unicode categories Mn, Mc, Me: a Devanagari vowel sign, a
    Thai tone mark, the dot a casefolded Turkish "İ" keeps) as ranges for a character
    class: ``\\w`` has none of them, and a word must not be cut at its marks."""
    points = [
        cp
        for block in (range(0x20000), range(0xE0000, 0xE0200))
        for cp in block
        if unicodedata.category(chr(cp))[0] == "M"
    ]
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


@cache
def _word() -> re.Pattern[str]:
    """A word: letters, digits and "_" (``\\w``) with the marks that belong to them.
    Made at the first text that is not ASCII: finding the marks takes 15 ms, which a
    command that ranks only English text, or none, need not pay at its start."""
    return re.compile(rf"[\w{_marks()}]+")


#: Runs of scripts written without spaces between words, compared by bigrams of
#: characters: CJK, and Thai, Lao, Myanmar and Khmer.
_CJK = re.compile(
    r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+)"
)
#: What a casefolded "İ" (Turkish capital dotted I) becomes: "i" and a combining dot.
_DOTTED_I = "i\u0307"
#: ASCII text: what ``\w`` matches there ([0-9A-Za-z_]) kept (letters lowercased: the
#: casefold of ASCII), every other byte a space. NFKC leaves ASCII as it is.
_ASCII_WORDS = bytes(
    ord(ch.lower()) if ch.isascii() and (ch.isalnum() or ch == "_") else 32
    for ch in map(chr, range(256))
)


def tokens(text: str, limit: int | None = None) -> list[str]:
    """Casefolded word tokens of ``text`` (the first ``limit``), each word with its
    combining marks; runs of CJK (and of Thai, Lao, Myanmar, Khmer) become bigrams."""
    if text.isascii():  # the same tokens as below, without the regular expression
        words = text.encode("ascii").translate(_ASCII_WORDS).decode("ascii")
        if limit is None:
            return words.split()
        return words.split(None, limit)[:limit]  # the rest unsplit: one string, dropped
    # "İstanbul" folds to "i̇stanbul" (a dot kept as a mark): the same word as "istanbul"
    folded = unicodedata.normalize("NFKC", text).casefold().replace(_DOTTED_I, "i")
    if not _CJK.search(folded):
        return _word().findall(folded)[:limit]
    out: list[str] = []
    for match in _word().finditer(folded):
        if limit is not None and len(out) >= limit:
            break
        word = match.group()
        if not _CJK.search(word):
            out.append(word)
            continue
        for i, part in enumerate(_CJK.split(word)):
            if i % 2 == 0:  # the text between CJK runs
                out.extend(_word().findall(part.replace("_", " ")))
            elif len(part) == 1:
                out.append(part)
            else:
                out.extend(part[j : j + 2] for j in range(len(part) - 1))
    return out[:limit]


def lead_tokens(text: str, limit: int) -> list[str]:
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


def content(word: str) -> bool:
    """A term that can tell stories apart: not a function word, a number or one letter."""
    return len(word) > 1 and not word.isdigit() and word not in STOPWORDS


class _Numbering(dict[str, int]):
    """Term -> id, numbering a term the first time it is looked up."""

    def __missing__(self, term: str) -> int:
        self[term] = number = len(self)
        return number


#: What :func:`weigh` may find in each article's standfirst and body as well.
Also = Callable[[str], frozenset[str]]
NOTHING: frozenset[str] = frozenset()  # one object for every article with nothing found


@dataclass(frozen=True, slots=True, eq=False)
class Terms:
    """A batch's tf-idf vectors as compressed sparse rows.

    Article ``i``'s entries are ``starts[i]:starts[i + 1]`` of ``terms`` (term ids),
    ``counts`` (weighted term counts: a headline word counts ``TITLE_WEIGHT`` times) and
    ``weights`` (normalised tf-idf, all > 0), in the order the terms first occur in the
    article (lead, then headline); ``vocabulary[t]`` is term ``t``; ``df[t]`` the number
    of articles that use it. ``also[i]``: what :func:`weigh` was asked to find in article
    ``i``'s standfirst and body as well, when it was tokenised in parts (else ``also``
    is empty).
    """

    vocabulary: list[str]
    starts: np.ndarray
    terms: np.ndarray
    counts: np.ndarray
    weights: np.ndarray
    df: np.ndarray
    also: list[frozenset[str]]

    def vector(self, i: int) -> dict[int, float]:
        """Article ``i``'s vector as a dict (term id -> weight), in entry order."""
        start, end = self.starts[i], self.starts[i + 1]
        terms, weights = self.terms[start:end].tolist(), self.weights[start:end].tolist()
        return dict(zip(terms, weights, strict=True))


def weigh(articles: Sequence[Article], also: Also | None = None) -> Terms:
    """The tf-idf vectors of ``articles`` (steps 1 and 2 of :mod:`digest.rank.cluster`),
    and ``also`` of each article's standfirst and body, found as it is tokenised when
    that is in parts, on several cores (``Terms.also``: clustering asks for the words
    each lead capitalises, so that they are found on every core, not one article after
    another as it places them; on one core it finds them only for the articles it
    compares, as it compares them).

    The same numbers as the definitions computed one article at a time with Python
    floats: the tables hold ``math.log``'s values, products and quotients are the same
    IEEE operations, and each norm adds the squares in the article's own term order.
    A big batch is tokenised in parts, on as many cores as there are (:func:`_counted`).
    """
    n = len(articles)
    number = _Numbering()  # the batch's vocabulary: the parts' terms in the order they occur
    terms_parts, tally_parts, kept_parts, found = [], [], [], []
    for counted in _counted(articles, also):
        renumber = np.fromiter(map(number.__getitem__, counted.vocabulary), np.int64)
        terms_parts.append(renumber[counted.terms])
        tally_parts.append(counted.counts.astype(np.int64))
        kept_parts.append(counted.kept)
        found += counted.also
    vocabulary = list(number)
    empty = np.zeros(0, dtype=np.int64)
    terms = np.concatenate(terms_parts) if terms_parts else empty
    tally = np.concatenate(tally_parts) if tally_parts else empty
    kept = np.concatenate(kept_parts) if kept_parts else empty
    del terms_parts, tally_parts
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(kept, out=starts[1:])
    df = np.bincount(terms, minlength=len(vocabulary))
    tf = np.array([0.0, *(1.0 + math.log(c) for c in range(1, int(tally.max(initial=0)) + 1))])
    docs_plus = n + PRIOR_DOCS
    idf = np.array([math.log(docs_plus / (d + 1)) for d in range(int(df.max(initial=0)) + 1)])
    weights = np.empty(len(terms))
    for first in range(0, n, CHUNK):
        last = min(n, first + CHUNK)
        part = weights[starts[first] : starts[last]]  # a view: written in place
        np.take(idf, df[terms[starts[first] : starts[last]]], out=part)
        part *= tf[tally[starts[first] : starts[last]]]  # tf * idf: multiplication commutes
        docs = np.repeat(np.arange(last - first), kept[first:last])
        part /= np.sqrt(np.bincount(docs, weights=part * part, minlength=last - first))[docs]
    return Terms(vocabulary, starts, terms, tally, weights, df, found)


@dataclass(frozen=True, slots=True, eq=False)
class _Counted:
    """Some articles' usable terms counted, numbered by a vocabulary of their own: each
    article's entries, article after article (``kept``: how many each), as in
    :class:`Terms`."""

    vocabulary: list[str]
    terms: np.ndarray  # ids in ``vocabulary``
    counts: np.ndarray
    kept: np.ndarray
    also: list[frozenset[str]]


def _counted(articles: Sequence[Article], also: Also | None = None) -> list[_Counted]:
    """The batch's terms counted in parts of whole chunks (``CHUNK``), one per process
    (:mod:`digest.rank.parallel`), at least ``PART_CHUNKS`` chunks each: a fork and the
    copy of its result back cost about a chunk's tokenising."""
    chunks = -(-len(articles) // CHUNK)
    parts = parallel.processes(chunks // PART_CHUNKS)
    if parts <= 1:  # ``also`` is found for every article only where cores share the work
        return [_count(articles, 0, len(articles), None)]
    cuts = [CHUNK * (chunks * k // parts) for k in range(parts)] + [len(articles)]
    return parallel.in_children(lambda k: _count(articles, cuts[k], cuts[k + 1], also), parts)


def _count(articles: Sequence[Article], begin: int, end: int, also: Also | None) -> _Counted:
    """:class:`_Counted` of ``articles[begin:end]``: ``Counter(tokens)`` article after
    article (in C: each article's term ids counted into a dict, which keeps the order
    they first occur in), its entries of usable terms kept."""
    number = _Numbering()
    used = _Usable(number)  # term -> its id, None for a term no story is told by
    found_also: list[frozenset[str]] = []
    one: dict[str, str] = {}  # one string per word found: a smaller result to send back
    terms: list[int] = []  # every article's entries, article after article (ids the
    counts: list[int] = []  # numbering holds, and small counts: no new int objects)
    kept = np.zeros(end - begin, dtype=np.int64)  # each article's entries kept
    for n, article in enumerate(articles[begin:end]):
        text = f"{article.summary} {article.text}"
        if also is not None:
            got = also(text)
            found_also.append(frozenset(one.setdefault(w, w) for w in got) if got else NOTHING)
        tally: dict[int | None, int] = {}
        _count_elements(tally, map(used.__getitem__, lead_tokens(text, LEAD_WORDS)))
        title = [*map(used.__getitem__, tokens(article.title))]
        _count_elements(tally, title * TITLE_WEIGHT)
        tally.pop(None, None)
        terms += tally  # type: ignore[arg-type]  # None popped: ids only
        counts += tally.values()
        kept[n] = len(tally)
    return _Counted(
        list(number),
        np.fromiter(terms, np.int32, len(terms)),
        np.fromiter(counts, np.int32, len(counts)),
        kept,
        found_also,
    )


class _Usable(dict[str, int | None]):
    """Term -> its id in ``number`` (numbering it the first time it is looked up), or
    None when it cannot tell stories apart (:func:`content`)."""

    def __init__(self, number: _Numbering) -> None:
        self.number = number

    def __missing__(self, term: str) -> int | None:
        number = self.number[term]
        self[term] = found = number if content(term) else None
        return found
