"""Headlines a feed writes in capitals, given back the case its own text uses.

Job: :func:`recase_titles` finds a feed's items whose headline shouts (every cased letter
a capital) and recases each word as the item's own text writes it when not starting a
sentence ("Karnataka Bank", "MSME", "officially"), the rest of the feed's text counting
too but less; words the text writes together take the phrase's spelling, a name first
where phrases overlap ("head of the Harbour Authority", not "head of the harbour
Authority"). A short word no text uses stays in capitals (an acronym: "CM", "EU"); a longer one
is lower case; the headline's first word, and the first after a colon, start with a
capital. A country's or organisation's abbreviation (:data:`ACRONYMS`: "US", "EU",
"NATO") stays in capitals in an English item even where its text writes the letters in
lower case as another word ("told us"), unless it writes the headline's phrase so. An
item whose text gives too little evidence (too short, or in capitals itself) keeps its
headline as written: a wrong guess is worse than shouting. Runs of letters in
scripts without case are untouched. A kicker of two or more words in capitals before a
headline in normal case ("HONOUR LABOUR: Special event …") is recased by the same
evidence (:func:`recase_kicker`), and where there is none in sentence case, in basic
Latin letters only (Greek capitals drop accents): the rest of the headline shows the feed
writes in normal case, so the capitals are typography, not spelling. A kicker ends at
the first colon, bar or dash with spaces ("HARBOUR STRIKE | …", "HARBOUR STRIKE – …").
A lone word there is most often a name or code ("CBO:", "OĽANO:", "4FSOD:", "NATO –")
and stays, unless the texts write it in lower case ("LIVE |" beside "live updates"). A word a text
capitalises only beside other capitalised words ("New" in "New Delhi") is evidence for
that name, not for the word alone; it counts alone only where no text writes the word
otherwise ("Bhat" in "Raghavendra Bhat"). Text in capitals gives no evidence. Must not:
change anything but the casing of a headline (the article's key is made from the
headline as the source wrote it).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from digest.records import Article

#: Cased letters a headline needs before it counts as shouting ("UEFA" does not).
MIN_LETTERS = 12
#: Words of lower-case-bearing text an item needs before its headline is recased.
MIN_WORDS = 30
#: Longest word with no evidence that is kept in capitals (taken for an acronym).
ACRONYM_LETTERS = 3
#: How much more the item's own text counts than the rest of the feed's, word for word.
OWN_WEIGHT = 3
#: Share of a headline's words no text uses above which it is kept as written.
UNKNOWN_SHARE = 1 / 3
#: Which form a word takes when a text writes it as often one way as another.
_PREFERRED = {"upper": 2, "title": 1, "lower": 0}
#: Letters after a number that are written in lower case (28th, 3rd, 1er).
_ORDINAL = frozenset({"st", "nd", "rd", "th", "er", "re", "e", "ème", "eme"})
_RUN = re.compile(r"[^\W\d_]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[\"“‘«(]\s*)$")
#: A kicker before the headline proper: what precedes the first colon (and a space), or
#: the first bar or dash with a space either side ("BREAKING | …", "LIVE – …").
_KICKER = re.compile(r"([^:]+?)(?:\s*:|\s+[|–—-])\s+(?=\S)")
#: Words a kicker in capitals needs before it is recased (a lone one is a name or code,
#: unless the texts write it in lower case: "LIVE |" where they say "live updates").
KICKER_WORDS = 2
#: Country and organisation abbreviations an English headline writes in capitals: one
#: stays so in a headline or kicker even where the text writes the same letters in lower
#: case, which is another word ("told us" says nothing about "US"), unless the text
#: writes the headline's phrase around it so ("let us talk").
ACRONYMS = frozenset(
    {"US", "USA", "UK", "EU", "UN", "NATO", "NHS", "FBI", "CIA", "NSA", "IMF", "ECB", "OPEC"}
    | {"WTO", "UAE", "NASA", "BBC"}
)
_Forms = dict[str, Counter[str]]


@dataclass(frozen=True)
class _Evidence:
    """How a text writes each word (case-folded): standing alone, and only inside a
    name, beside another capitalised word ("New" in "New Delhi")."""

    alone: _Forms = field(default_factory=dict)
    named: _Forms = field(default_factory=dict)


def shouts(title: str) -> bool:
    """Whether every cased letter of `title` is a capital, and there are enough."""
    return title.isupper() and sum(c.isupper() for c in title) >= MIN_LETTERS


def recase_titles(articles: Sequence[Article]) -> tuple[Article, ...]:
    """`articles` with each shouting headline or kicker recased from its text (else the
    feed's)."""
    if not any(shouts(a.title) or _kicker(a.title) for a in articles):
        return tuple(articles)
    texts = (_evidence_text(a) for a in articles)
    feed = _forms(" ".join(text for text in texts if _plain(text)))
    out = []
    for article in articles:
        title, text = article.title, _evidence_text(article)
        known = _acronyms(article.language)
        title = recase_shouting(title, text, feed, known) if shouts(title) else title
        title = recase_kicker(title, text, feed, known) if _kicker(title) else title
        out.append(article if title == article.title else _retitled(article, title))
    return tuple(out)


def recase_shouting(
    title: str, text: str, feed: _Evidence | None = None, known: frozenset[str] = ACRONYMS
) -> str:
    """`title` in the case `text` writes its words, if it shouts and `text` can tell;
    the abbreviations in `known` ("US") stay in capitals but in a phrase the text
    writes."""
    if not shouts(title) or not _tells(text):
        return title
    own, feed = _forms(text), feed or _Evidence()
    runs = list(_RUN.finditer(title))
    phrased = _phrases([match.group() for match in runs], text)
    parts: list[str] = []
    last = unknown = 0
    for n, match in enumerate(runs):
        before = title[: match.start()]
        word, told = _word(match.group(), before, own, feed, known)
        if n in phrased:
            word, told = _started(phrased[n], before), True
        parts += [title[last : match.start()], word]
        last, unknown = match.end(), unknown + (not told)
    if unknown > UNKNOWN_SHARE * len(runs):
        return title  # mostly words no text uses: no better than a guess
    return "".join([*parts, title[last:]])


def recase_kicker(
    title: str, text: str, feed: _Evidence | None = None, known: frozenset[str] = ACRONYMS
) -> str:
    """`title` with its kicker in capitals ("HONOUR LABOUR: …") in the case `text` (else
    the feed's text) writes its words, and a word no text uses as for a shouting headline
    (an acronym of up to three letters stays, a longer word is lower case). Words glued
    to digits are codes ("TC1337") and stay. A kicker with a longer word beyond basic
    Latin letters that no text uses stays as written: capitals drop what lower case
    needs (a Greek accent, Turkish "I" or "İ", German "ß" written "SS"). The
    abbreviations in `known` stay in capitals, as in :func:`recase_shouting`."""
    kicker = _kicker(title)
    if kicker is None:
        return title
    own, feed = (_forms(text) if _plain(text) else _Evidence()), feed or _Evidence()
    runs = [m for m in _RUN.finditer(kicker) if not _in_code(kicker, m)]
    if len(runs) < KICKER_WORDS and not _common(runs[0].group(), own, feed):
        return title  # a lone word: a name or code ("NATO:", "OSLOBANK –")
    phrased = _phrases([m.group() for m in runs], text) if _plain(text) else {}
    parts: list[str] = []
    last = 0
    for n, match in enumerate(runs):
        before = kicker[: match.start()]
        if n in phrased:
            word = _started(phrased[n], before)
        else:
            word, told = _word(match.group(), before, own, feed, known)
            if not told and not match.group().isascii() and word != match.group():
                return title  # "ΕΛΛΗΝΙΚΗ": lower case would be a guess at accents
        parts += [kicker[last : match.start()], word]
        last = match.end()
    return "".join([*parts, title[last:]])


def _kicker(title: str) -> str | None:
    """The part of `title` before its first colon, bar or spaced dash, if it is in
    capitals, has a word (not only codes), and the rest of `title` is not (a kicker
    that shouts)."""
    match = _KICKER.match(title)
    if match is None or not match.group(1).isupper():
        return None
    kicker = match.group(1)
    words = [m for m in _RUN.finditer(kicker) if not _in_code(kicker, m)]
    rest = title[match.end() :]
    return kicker if words and any(c.islower() for c in rest) else None


def _common(run: str, own: _Evidence, feed: _Evidence) -> bool:
    """Whether the texts write the word `run` standing alone most often in lower case,
    and it is longer than an acronym ("live", not "us"): a common word, not a name."""
    seen = _seen(run.casefold(), own.alone, feed.alone)
    form = max(seen, key=lambda f: (seen[f], _PREFERRED[f]), default=None)
    return len(run) > ACRONYM_LETTERS and form == "lower"


def _in_code(text: str, match: re.Match[str]) -> bool:
    """Whether the letters `match` found in `text` are glued to a digit ("TC1337")."""
    start, end = match.span()
    return text[start - 1 : start].isdigit() or text[end : end + 1].isdigit()


def _phrases(runs: list[str], text: str) -> dict[int, str]:
    """For headline words inside a phrase of two or more that `text` writes ("MSME
    Banking Excellence Awards"), the text's spelling, by the word's place in `runs`:
    a phrase outweighs how the text writes each word elsewhere ("the awards"). Where
    phrases overlap, the one with more capitalised words (a name) wins, then the longer,
    then the earlier ("head of the harbour" yields to "the Harbour Authority"); a phrase
    that cuts a name the text writes ("the Harbour" of "the Harbour Authority") is no
    evidence. A phrase the text spells several ways is spelled as it is most often."""
    words = _words(text)
    found: dict[int, str] = {}
    taken: set[int] = set()
    for _, length, start, spelled in sorted(_candidates(runs, words), reverse=True):
        place = range(-start, -start + length)
        if taken.isdisjoint(place):
            taken.update(place)
            found.update((n, word) for n, word in zip(place, spelled, strict=True) if word)
    return found


@dataclass(frozen=True)
class _Words:
    """A text's words: each as written, case-folded, whether it starts a sentence,
    whether it is capitalised elsewhere (part of a name), and whether white space alone
    parts it from the next word."""

    written: list[str]
    folded: list[str]
    starts: list[bool]
    capital: list[bool]
    spaced: list[bool]

    def cuts(self, at: int, length: int) -> bool:
        """Whether the words from `at` on cut a name short at either end."""
        end = at + length - 1
        before = at > 0 and self.capital[at - 1] and self.spaced[at - 1] and self.capital[at]
        after = end + 1 < len(self.written) and self.capital[end] and self.spaced[end]
        return before or (after and self.capital[end + 1])


def _words(text: str) -> _Words:
    """`text` read into :class:`_Words`."""
    runs = list(_RUN.finditer(text))
    starts = [bool(_SENTENCE_START.search(text, max(0, m.start() - 4), m.start())) for m in runs]
    return _Words(
        written=[m.group() for m in runs],
        folded=[m.group().casefold() for m in runs],
        starts=starts,
        capital=[m.group()[0].isupper() and not at for m, at in zip(runs, starts, strict=True)],
        spaced=[_spaced(text, a, b) for a, b in pairwise(runs)] + [False],
    )


def _candidates(runs: list[str], words: _Words) -> list[tuple[int, int, int, tuple[str, ...]]]:
    """Every phrase of two or more headline words (`runs`) the text writes, as (its
    capitalised words, its length, minus its place in `runs`, its spelling: the text's
    word, or "" at the start of a sentence)."""
    where: dict[str, list[int]] = defaultdict(list)
    for n, word in enumerate(words.folded):
        where[word].append(n)
    folded = [run.casefold() for run in runs]
    spellings: dict[tuple[int, int], Counter[tuple[str, ...]]] = defaultdict(Counter)
    for start, first in enumerate(folded):
        for at in where.get(first, ()):
            length = 1
            while (
                start + length < len(folded)
                and at + length < len(words.folded)
                and words.folded[at + length] == folded[start + length]
            ):
                length += 1
                if not words.cuts(at, length):
                    spelled = tuple(
                        "" if words.starts[k] else words.written[k] for k in range(at, at + length)
                    )
                    spellings[start, length][spelled] += 1
    out = []
    for (start, length), seen in spellings.items():
        spelled = max(seen, key=lambda s: (seen[s], sum(map(_capitalised, s))))
        out.append((sum(map(_capitalised, spelled)), length, -start, spelled))
    return out


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _word(
    run: str,
    before: str,
    own: _Evidence,
    feed: _Evidence,
    abbreviations: frozenset[str] = ACRONYMS,
) -> tuple[str, bool]:
    """`run` recased, and whether a text (or the rule for ordinals or abbreviations)
    said how: one of `abbreviations` as it is, else as the texts write it alone,
    else as they write it inside names."""
    if not any(c.isupper() for c in run):
        return run, True  # a script without case
    if run in abbreviations:
        return run, True  # "US", whatever the text says of "us"
    key = run.casefold()
    seen = _seen(key, own.alone, feed.alone) or _seen(key, own.named, feed.named)
    known = True
    if seen:
        form = max(seen, key=lambda f: (seen[f], _PREFERRED[f]))
        word = {"upper": run, "title": run[0] + run[1:].lower(), "lower": run.lower()}[form]
    elif before[-1:].isdigit():
        word = run.lower() if key in _ORDINAL else run
    else:
        word, known = (run if len(run) <= ACRONYM_LETTERS else run.lower()), False
    return _started(word, before), known


def _seen(key: str, own: _Forms, feed: _Forms) -> Counter[str]:
    """How often the texts write the word `key` in each form, the item's own counting more."""
    seen = Counter({form: OWN_WEIGHT * n for form, n in own.get(key, {}).items()})
    seen.update(feed.get(key, {}))
    return seen


def _started(word: str, before: str) -> str:
    """`word` with a capital if it starts the headline, or what follows a colon."""
    return word[0].upper() + word[1:] if _starts(before) else word


def _starts(before: str) -> bool:
    """Whether a word after `before` starts the headline, or what follows a colon."""
    stripped = before.rstrip()
    return not stripped.strip("\"'“‘«(") or stripped.endswith(":")


def _tells(text: str) -> bool:
    """Whether `text` is long enough, and not in capitals itself, to give case evidence."""
    return len(text.split()) >= MIN_WORDS and _plain(text)


def _plain(text: str) -> bool:
    """Whether `text` is written in normal case, not in capitals (its case tells)."""
    lower = sum(1 for c in text if c.islower())
    upper = sum(1 for c in text if c.isupper())
    return lower > 2 * upper


def _forms(text: str) -> _Evidence:
    """How `text` writes each word (case-folded) where it does not start a sentence,
    alone or inside a name (see :class:`_Evidence`)."""
    alone: _Forms = defaultdict(Counter)
    named: _Forms = defaultdict(Counter)
    words = _words(text)
    capital = words.capital
    for n, run in enumerate(words.written):
        if words.starts[n]:
            continue
        if run.isupper() and len(run) > 1:
            form = "upper"
        elif run[0].isupper() and (len(run) == 1 or run[1:].islower()):
            form = "upper" if len(run) == 1 else "title"
        elif run.islower():
            form = "lower"
        else:
            continue  # "iPhone", "McLean": mixed case is its own spelling
        beside = [k for k in (n - 1, n + 1) if 0 <= k < len(capital) and capital[k]]
        in_name = capital[n] and any(words.spaced[min(n, k)] for k in beside)
        (named if in_name else alone)[run.casefold()][form] += 1
    return _Evidence(alone, named)


def _spaced(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Whether only white space stands between two words of `text`."""
    return text[first.end() : second.start()].isspace()


def _acronyms(language: str | None) -> frozenset[str]:
    """The abbreviations kept in capitals for an item in `language`: :data:`ACRONYMS` in
    English (or a language not given); none elsewhere, where the same letters may be a
    word ("EU", "I", in Portuguese) and the abbreviation another ("UE")."""
    return ACRONYMS if language is None or language.casefold().startswith("en") else frozenset()


def _evidence_text(article: Article) -> str:
    return article.text or article.summary


def _retitled(article: Article, title: str) -> Article:
    image = article.image
    if image is not None and image.alt == article.title:
        image = replace(image, alt=title)
    return replace(article, title=title, image=image)
