"""Names in a report's text (who and where), told from the words of what happened.

Clustering (:mod:`digest.rank.cluster`) does not fold two reports into one story on
names alone, and an update (:mod:`digest.rank.updates`) must say something new beyond
them. A name is a term the lead of a standfirst and body writes with a capital
mid-sentence and never in lower case (:func:`names`). Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from digest.rank.terms import _DOTTED_I, LEAD_WORDS, PREFIX_CHARS
from digest.records import Article

#: A word written mid-sentence stands right after one white-space character (and at
#: most one opening quote or bracket) that follows a lower-case letter, a digit or a
#: comma: "the Minister", "Holmby, Elvestad", "in (Ravnedal". After a full stop, a
#: colon, a dash or a closing bracket it may begin a sentence or a title: no name.
_OPENING = "\"“‘'(«["
_SPACED = re.compile(r"(?<=\S)\s[\"“‘'(«\[]?(\w+)")
_WORDS = re.compile(r"\w+")
#: ASCII text as one class letter per character, in which a capital mid-sentence is
#: an "A" after "l " or "l o" (:data:`_MID_CLASSES`): "l" a lower-case letter, a digit or a
#: comma, "A" a capital, " " white space, "o" an opening quote or bracket, "." the rest.
_CLASSES = bytes(
    ord(
        "A"
        if "A" <= ch <= "Z"
        else "l"
        if ch.islower() or ch.isdigit() or ch == ","
        else " "
        if ch.isspace()
        else "o"
        if ch in _OPENING
        else "."
    )
    for ch in map(chr, range(256))
)
_MID_CLASSES = re.compile(rb"A(?<=l A)|A(?<=l oA)")
#: ASCII text: word characters kept as they are, every other byte a space.
_ASCII_CASED = bytes(ch if chr(ch).isalnum() or ch == 95 else 32 for ch in range(256))
#: A lead in which names would be this share of its distinct words or more writes
#: other words with capitals too (German capitalises every noun; a text in capitals).
NAMES_SHARE = 1 / 3


def names(text: str, capital: frozenset[str] | None = None) -> frozenset[str]:
    """The terms ``text`` writes as names: who and where, not what happened.

    Read in its lead (:func:`_lead`: about the words the terms come from; standfirst
    and body: a headline, often in title case, says nothing). A term is a name when a
    word writes it beginning with a capital mid-sentence (:func:`capitalised`; the first
    word of a sentence says nothing) and no word of the text is the term itself, in
    lower case ("the minister" makes "Minister" no name). Where names would be
    ``NAMES_SHARE`` of the distinct words or more, capitals do not tell names in this
    text, and it has none. Scripts without capitals have none either. ``capital``:
    :func:`capitalised` of ``text``, when known.
    """
    if capital is None:
        capital = capitalised(text)
    if not capital:  # most texts in scripts without capitals, and many feed items
        return frozenset()
    lead = _lead(text)
    if lead.isascii():  # its words as the tokeniser splits them, with their case
        words = set(lead.encode("ascii").translate(_ASCII_CASED).decode("ascii").split())
    else:
        words = set(_WORDS.findall(lead))
    found = capital.difference(words)
    if len(found) >= NAMES_SHARE * len(words):
        return frozenset()
    return found


def capitalised(text: str) -> frozenset[str]:
    """The terms (folded as :func:`tokens` folds them) of the words ``text``'s lead
    writes beginning with a capital mid-sentence (:data:`_SPACED`): a superset of its
    :func:`names`, cheap to find. (A word with combining marks, which ``\\w`` leaves
    out, is cut there, and matches no term: it is no name.)"""
    lead = text[: PREFIX_CHARS * LEAD_WORDS]
    if lead.isascii():
        return frozenset(map(str.lower, _mid_ascii(lead)))  # the casefold of ASCII
    lead = unicodedata.normalize("NFKC", lead)
    return frozenset(
        _fold(m.group(1))
        for m in _SPACED.finditer(lead)
        if m.group(1)[0].isupper() and _ends_no_sentence(lead[m.start() - 1])
    )


def _lead(text: str) -> str:
    """The first ``PREFIX_CHARS * LEAD_WORDS`` characters of ``text`` (NFKC)."""
    lead = text[: PREFIX_CHARS * LEAD_WORDS]
    return lead if lead.isascii() else unicodedata.normalize("NFKC", lead)


def _ends_no_sentence(ch: str) -> bool:
    return ch.islower() or ch.isdigit() or ch == ","


def _mid_ascii(lead: str) -> list[str]:
    """The capitalised words of an ASCII ``lead`` written mid-sentence (those
    :data:`_SPACED` and :func:`_ends_no_sentence` find), found in its classes
    (:data:`_CLASSES`) by a pattern that begins with a capital: the search skips from
    capital to capital (3 us an article of the benchmark, a regular expression over
    the text itself 15 to 20)."""
    classes = lead.encode("ascii").translate(_CLASSES)
    starts = [m.start() for m in _MID_CLASSES.finditer(classes)]
    return [word.group() for at in starts if (word := _WORDS.match(lead, at)) is not None]


def _fold(word: str) -> str:
    return word.casefold().replace(_DOTTED_I, "i")


class Named:
    """The names of each article of a batch (by position), found when first asked;
    ``capitals``: :meth:`capitals` of each, when found already (as it was tokenised)."""

    def __init__(
        self, articles: Sequence[Article], capitals: Sequence[frozenset[str]] = ()
    ) -> None:
        self._articles = articles
        self._names: list[frozenset[str] | None] = [None] * len(articles)
        self._capitals: list[frozenset[str] | None] = [*capitals] or [None] * len(articles)

    def _lead(self, i: int) -> str:
        """Article ``i``'s standfirst and body as far as names are read (its lead: see
        :func:`names`), without copying the rest of a long body."""
        a, read = self._articles[i], PREFIX_CHARS * LEAD_WORDS
        return f"{a.summary} {a.text[:read]}"[:read]

    def capitals(self, i: int) -> frozenset[str]:
        """:func:`capitalised` of article ``i``'s standfirst and body (a superset of
        its names), made once."""
        found = self._capitals[i]
        if found is None:
            found = self._capitals[i] = capitalised(self._lead(i))
        return found

    def names(self, i: int) -> frozenset[str]:
        """:func:`names` of article ``i``'s standfirst and body, made once."""
        found = self._names[i]
        if found is None:
            found = self._names[i] = names(self._lead(i), self.capitals(i))
        return found

    def eventful(
        self, i: int, j: int, count: int, shared: Callable[[], list[str]], minimum: int
    ) -> bool:
        """Do ``minimum`` of the ``count`` terms articles ``i`` and ``j`` share (the
        terms themselves: ``shared()``) remain when the names either writes are left
        out? Names are found only when the words either capitalises could decide it."""
        capitals = self._capitals
        mine, theirs = capitals[i], capitals[j]
        if mine is None or theirs is None:  # not found as the batch was tokenised
            mine, theirs = self.capitals(i), self.capitals(j)
        if not (mine or theirs):  # most pairs in scripts without capitals, many feed items
            return True
        capital = mine | theirs
        if count - len(capital) >= minimum:
            return True
        named = self.names(i) | self.names(j)
        if count - len(named) >= minimum:
            return True
        return sum(term not in named for term in shared()) >= minimum
