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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice

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
    """:class:`_Counted` of ``articles[begin:end]``, ``CHUNK`` articles at a time."""
    number = _Numbering()
    found_also: list[frozenset[str]] = []
    one: dict[str, str] = {}  # one string per word found: a smaller result to send back
    usable: list[bool] = []  # term id -> content(term)
    kept = np.zeros(end - begin, dtype=np.int64)  # each article's entries kept
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    # CHUNK articles at a time, so that the lists and arrays stay small and their memory
    # is used again (not a few dozen megabytes each that the system must hand over and
    # zero every time)
    for first in range(begin, end, CHUNK):
        last = min(end, first + CHUNK)
        # every token's term id, article after article: the lead's, then the headline's
        # TITLE_WEIGHT times (no token string is kept; the list holds the ids the
        # numbering holds: no new int objects); counted by _tally
        found: list[int] = []
        lengths: list[int] = []
        for article in articles[first:last]:
            text = f"{article.summary} {article.text}"
            lead = lead_tokens(text, LEAD_WORDS)
            if also is not None:
                got = also(text)
                found_also.append(frozenset(one.setdefault(w, w) for w in got) if got else NOTHING)
            found += map(number.__getitem__, lead)
            title = [*map(number.__getitem__, tokens(article.title))]
            found += title * TITLE_WEIGHT
            lengths.append(len(lead) + len(title) * TITLE_WEIGHT)
        usable += map(content, islice(number, len(usable), None))  # the new terms
        ids, counts, docs = _tally(
            np.fromiter(found, np.int64, len(found)), lengths, np.array(usable, dtype=bool)
        )
        parts.append((ids.astype(np.int32), counts.astype(np.int32)))
        kept[first - begin : last - begin] = np.bincount(docs, minlength=last - first)
    empty = np.zeros(0, dtype=np.int32)
    return _Counted(
        list(number),
        np.concatenate([t for t, _ in parts]) if parts else empty,
        np.concatenate([c for _, c in parts]) if parts else empty,
        kept,
        found_also,
    )


def _tally(
    found: np.ndarray, lengths: list[int], usable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each article's distinct usable terms, in the order they first occur in it, with
    the number of times they occur, and the article of each: ``Counter(tokens)`` article
    after article, its entries of usable terms kept.

    Article ``d``'s tokens (term ids) are ``lengths[d]`` of ``found``, after those of the
    articles before it. The usable tokens are sorted by (term, position) (packed into one
    integer when that fits 63 bits): positions grow article by article, so the tokens of
    one term in one article are a run, its first position the first in the run; the
    runs are then put in the order of their first positions: each run's count is
    written at its first position, and the positions holding one are read in order (no
    second sort).
    """
    docs = np.repeat(np.arange(len(lengths)), lengths)
    where = np.flatnonzero(usable[found])  # the usable tokens' positions, ascending
    terms = found[where]
    shift = len(found).bit_length()  # every position is below 2**shift
    if int(terms.max(initial=0)).bit_length() + shift <= 63:
        packed = np.sort((terms << shift) | where)  # distinct keys: any sort will do
        terms, where = packed >> shift, packed & ((1 << shift) - 1)
    else:
        order = np.lexsort((where, terms))
        terms, where = terms[order], where[order]
    doc = docs[where]
    new = np.ones(len(terms), dtype=bool)
    np.not_equal(terms[1:], terms[:-1], out=new[1:])
    new[1:] |= doc[1:] != doc[:-1]
    begins = np.flatnonzero(new)
    at = np.zeros(len(found), dtype=np.int64)  # each run's count at its first position
    at[where[begins]] = np.diff(begins, append=len(terms))  # every count is 1 or more
    firsts = np.flatnonzero(at)
    return found[firsts], at[firsts], docs[firsts]
