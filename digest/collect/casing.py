"""Headlines a feed writes in capitals, given back the case its own text uses.

Job: :func:`recase_titles` finds a feed's items whose headline shouts (every cased letter
a capital) and recases each word as the item's own text writes it when not starting a
sentence ("Karnataka Bank", "MSME", "officially"), the rest of the feed's text counting
too but less. A short word no text uses stays in capitals (an acronym: "CM", "EU"); a longer one
is lower case; the headline's first word, and the first after a colon, start with a
capital. An item whose text gives too little evidence (too short, or in capitals itself)
keeps its headline as written: a wrong guess is worse than shouting. Runs of letters in
scripts without case are untouched. Must not: change anything but the casing of a
headline (the article's key is made from the headline as the source wrote it).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

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
_Forms = dict[str, Counter[str]]


def shouts(title: str) -> bool:
    """Whether every cased letter of `title` is a capital, and there are enough."""
    return title.isupper() and sum(c.isupper() for c in title) >= MIN_LETTERS


def recase_titles(articles: Sequence[Article]) -> tuple[Article, ...]:
    """`articles` with each shouting headline recased from its text (else the feed's)."""
    if not any(shouts(a.title) for a in articles):
        return tuple(articles)
    feed = _forms(" ".join(_evidence_text(a) for a in articles))
    out = []
    for article in articles:
        title = article.title
        if shouts(title):
            title = recase_shouting(title, _evidence_text(article), feed)
        out.append(article if title == article.title else _retitled(article, title))
    return tuple(out)


def recase_shouting(title: str, text: str, feed: _Forms | None = None) -> str:
    """`title` in the case `text` writes its words, if it shouts and `text` can tell."""
    if not shouts(title) or not _tells(text):
        return title
    own, feed = _forms(text), feed or {}
    runs = list(_RUN.finditer(title))
    phrased = _phrases([match.group() for match in runs], text)
    parts: list[str] = []
    last = unknown = 0
    for n, match in enumerate(runs):
        before = title[: match.start()]
        word, known = _word(match.group(), before, own, feed)
        if n in phrased:
            word, known = _started(phrased[n], before), True
        parts += [title[last : match.start()], word]
        last, unknown = match.end(), unknown + (not known)
    if unknown > UNKNOWN_SHARE * len(runs):
        return title  # mostly words no text uses: no better than a guess
    return "".join([*parts, title[last:]])


def _phrases(runs: list[str], text: str) -> dict[int, str]:
    """For headline words inside a phrase of two or more that `text` writes ("MSME
    Banking Excellence Awards"), the text's spelling, by the word's place in `runs`:
    a phrase outweighs how the text writes each word elsewhere ("the awards")."""
    found: dict[int, str] = {}
    start = 0
    while start < len(runs) - 1:
        end = len(runs)
        while end > start + 1:
            joined = r"[\W\d_]+".join(map(re.escape, runs[start:end]))
            match = re.search(rf"(?<![^\W\d_]){joined}(?![^\W\d_])", text, re.IGNORECASE)
            if match:
                break
            end -= 1
        if end == start + 1 or match is None:
            start += 1
            continue
        spelled = _RUN.findall(match.group())
        at_start = bool(_SENTENCE_START.search(text, max(0, match.start() - 4), match.start()))
        for k in range(int(at_start), len(spelled)):
            if spelled[k].casefold() == runs[start + k].casefold():
                found[start + k] = spelled[k]
        start = end
    return found


def _word(run: str, before: str, own: _Forms, feed: _Forms) -> tuple[str, bool]:
    """`run` recased, and whether a text (or the rule for ordinals) said how."""
    if not any(c.isupper() for c in run):
        return run, True  # a script without case
    key = run.casefold()
    seen = Counter({form: OWN_WEIGHT * n for form, n in own.get(key, {}).items()})
    seen.update(feed.get(key, {}))
    known = True
    if seen:
        form = max(seen, key=lambda f: (seen[f], _PREFERRED[f]))
        word = {"upper": run, "title": run[0] + run[1:].lower(), "lower": run.lower()}[form]
    elif before[-1:].isdigit():
        word = run.lower() if key in _ORDINAL else run
    else:
        word, known = (run if len(run) <= ACRONYM_LETTERS else run.lower()), False
    return _started(word, before), known


def _started(word: str, before: str) -> str:
    """`word` with a capital if it starts the headline, or what follows a colon."""
    return word[0].upper() + word[1:] if _starts(before) else word


def _starts(before: str) -> bool:
    """Whether a word after `before` starts the headline, or what follows a colon."""
    stripped = before.rstrip()
    return not stripped.strip("\"'“‘«(") or stripped.endswith(":")


def _tells(text: str) -> bool:
    """Whether `text` is long enough, and not in capitals itself, to give case evidence."""
    words = text.split()
    if len(words) < MIN_WORDS:
        return False
    lower = sum(1 for c in text if c.islower())
    upper = sum(1 for c in text if c.isupper())
    return lower > 2 * upper


def _forms(text: str) -> _Forms:
    """How `text` writes each word (case-folded) where it does not start a sentence."""
    forms: _Forms = defaultdict(Counter)
    for match in _RUN.finditer(text):
        run = match.group()
        if _SENTENCE_START.search(text, max(0, match.start() - 4), match.start()):
            continue
        if run.isupper() and len(run) > 1:
            form = "upper"
        elif run[0].isupper() and (len(run) == 1 or run[1:].islower()):
            form = "upper" if len(run) == 1 else "title"
        elif run.islower():
            form = "lower"
        else:
            continue  # "iPhone", "McLean": mixed case is its own spelling
        forms[run.casefold()][form] += 1
    return forms


def _evidence_text(article: Article) -> str:
    return article.text or article.summary


def _retitled(article: Article, title: str) -> Article:
    image = article.image
    if image is not None and image.alt == article.title:
        image = replace(image, alt=title)
    return replace(article, title=title, image=image)
