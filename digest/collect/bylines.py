"""A byline that opens an item's text, which is not its story.

Job: :func:`without_byline` drops the byline that opens a plain-text summary or body (as
:func:`~digest.collect.plaintext.html_to_text` writes it: paragraphs separated by a blank
line, lines by a newline). A reader who gets "Por Matt Spetalnick e Jason Szep" under a
headline learns nothing about the story; one who gets "— The two companies agreed…"
where the story said "Apple | Google — The two companies agreed…" has lost its subject.
So a line is dropped only on evidence that it is a byline (:class:`Credits` holds what
the feed said: the item's language, its author, the source's names):

- **Shape.** A "by"-word ("By", "Por", "Von", "Af", "Av", "Par", "Door", "Di", "Przez",
  "Autor", "Автор") and one to four names, each of capitalised words ("Hans-Peter
  Müller", "Jan van der Berg"), joined by "and", "&", ",", "e", "y", "und", "og", "och",
  "et", "en", "i", "a", "и", optionally with a separator and the agency or a date ("|
  26 novembre 2026", ", Reuters"). A line that goes on in lower case ("By Friday the
  ferry…", "Par 209 voix…") or ends a sentence after the separator ("By Friday, the
  ferry will run again.") is a sentence and stays.
- **Evidence.** The "by"-word is written as a byline writes it (capitalised, at the very
  start) and is the item's language's (English "By" when the item's language is unknown
  or not one we know): "Door Dash —" in an English item is its story. Any language's
  counts before the item's author or a news agency, as a feed may declare the wrong
  language ("Por Ana Souza, Lusa —" in a Portuguese feed that says it is English). The
  names are two words or more ("Di Maria —" is a surname, in Italian too), or a known
  agency ("By Reuters"), and none is a word the text writes in lower case ("By The
  Numbers"). On a line of its own, any language's "by"-word counts when the item does
  not say its language; running into the story, another language's only when the line
  speaks that language throughout ("Por Matt Spetalnick e Jason Szep") or an agency
  signs it ("Af Jens Hansen, Ritzau —"). A line that opens with the item's author's
  name is a byline whatever it is written in ("Jane Doe — The…").
- **Running into the story.** "By Jane Doe — The council…", "By Jane Doe, Reuters -
  The…" (a separator), or "By Jane Doe The council voted…", where the story's first
  word is one the text also writes in lower case ("the"). "Jane Doe | Reuters — The…"
  only when what follows the bar is an agency or the source's own name (or the name
  before it is the author's): "Apple | Google — The…" and "Paris | Berlin — The…" stay.

A byline with nothing after it leaves no text: the headline tells the story alone.
Must not: touch the end of a text (:mod:`digest.collect.boilerplate`), or the article
key (made of what the source said).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

from digest.collect.outlets import registrable_domain
from digest.datelines import AGENCIES

__all__ = ["Credits", "is_byline", "is_credit", "without_byline"]


@dataclass(frozen=True, slots=True)
class Credits:
    """What the feed said about who wrote and published one item: a byline's evidence."""

    language: str | None = None  # BCP 47: the item's, else its feed's; None: not said
    author: str | None = None  # the item's author as the feed names it ("Jane Doe")
    source: str = ""  # the source's name ("Harbour Herald")
    link: str | None = None  # the item's address: its site's name is the source's too


NO_CREDITS = Credits()

#: A name: capitalised words or initials, lower-case particles between them.
_WORD = r"(?:\p{Lu}[\p{L}\p{M}'’.-]*|\p{Lu}\.)"
_PARTICLE = r"(?:de|da|do|dos|das|del|della|di|du|la|le|van|von|der|den|ter|ten|al|bin|y)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD}){{0,3}}"
_JOINER = r"(?:and|&|e|y|und|og|och|et|en|i|a|и)"
_JOIN = rf"(?:\s*,\s*|\s+{_JOINER}\s+)"
_NAMES = rf"{_NAME}(?:{_JOIN}{_NAME}){{0,3}}"
_INTRO = r"(?i:by|por|von|af|av|par|door|di|przez|autor|autorka|автор)"
#: After the names: a separator, then a date, time or agency ("| 26 novembre 2026").
_TAIL = r"(?:\s*[,|·•–—-]\s*[^\n]{0,60})?"
_BYLINE = regex.compile(rf"(?P<intro>{_INTRO}):?\s+(?P<names>{_NAMES})(?P<tail>{_TAIL})")
_SIGNED_LINE = regex.compile(rf"(?P<names>{_NAMES})(?P<tail>{_TAIL})")
_TAIL_WORD = regex.compile(r"[\p{L}\p{M}'’]+")
#: Words in lower case a byline's tail may hold: short ones ("at", "de", "kl") and months.
_MONTH = regex.compile(
    r"(?:jan|feb|fév|fev|mar|mär|apr|avr|abr|ma[iyj]|mag|mei|jun|jui|giu|jul|lug|aug|ago"
    r"|aoû|sep|set|okt|oct|ott|out|nov|dec|dez|déc|dic|des)"
)
#: A tail must not end a sentence: "By Friday, the ferry will run again." is one.
_SENTENCE_END = regex.compile(r"\p{L}{2}[.!?]$")
#: A line longer than this is no byline (and is not read as one).
_BYLINE_CHARS = 160

#: Each language's "by"-words and the words that join two names ("Por X e Y").
_BY_WORDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "en": (frozenset({"by"}), frozenset({"and", "&"})),
    "pt": (frozenset({"por"}), frozenset({"e"})),
    "es": (frozenset({"por"}), frozenset({"y", "e"})),
    "de": (frozenset({"von", "autor"}), frozenset({"und"})),
    "da": (frozenset({"af"}), frozenset({"og"})),
    **dict.fromkeys(("no", "nb", "nn"), (frozenset({"av", "af"}), frozenset({"og"}))),
    "sv": (frozenset({"av"}), frozenset({"och"})),
    "fr": (frozenset({"par"}), frozenset({"et"})),
    "nl": (frozenset({"door"}), frozenset({"en"})),
    "it": (frozenset({"di"}), frozenset({"e"})),
    "pl": (frozenset({"przez", "autor", "autorka"}), frozenset({"i", "a"})),
    **dict.fromkeys(("cs", "sk"), (frozenset({"autor", "autorka"}), frozenset({"a"}))),
    **dict.fromkeys(("ru", "uk", "bg"), (frozenset({"автор"}), frozenset({"и", "i"}))),
}
#: News agencies and wires that sign stories, folded ("PA Media" → "pamedia").
_AGENCIES = AGENCIES
#: Agencies that write their name in lower case ("Jane Doe | dpa —").
_LOWER_AGENCY = r"(?:dpa|epd|kna|sda|ats)"


def is_credit(line: str) -> bool:
    """Whether `line` is a "by"-word (any case, any language), names and perhaps an
    agency or date, and nothing else: what follows "Sponsored" in "Sponsored by Acme"."""
    return _shaped(_BYLINE, line) is not None


def is_byline(line: str, credits: Credits = NO_CREDITS) -> bool:
    """Whether `line` is a byline and nothing else, on the evidence (see the module doc)."""
    return _is_byline(line, line, credits)


def _is_byline(line: str, text: str, credits: Credits) -> bool:
    """Whether `line`, the first of `text`, is a byline and nothing else."""
    if (match := _shaped(_BYLINE, line)) is not None:
        names = match["names"]
        if not _signed(match["intro"], names, credits, alone=True, after=match["tail"]):
            return False
        first = regex.split(_JOIN, names, maxsplit=1)[0]  # a person's (then an outlet's)
        return _by_author(names, credits) or not _lower_names(first, _lower_words(text))
    match = _shaped(_SIGNED_LINE, line) if credits.author else None
    return match is not None and _by_author(match["names"], credits)


def _shaped(pattern: regex.Pattern[str], line: str) -> regex.Match[str] | None:
    """The match of a byline's shape that is all of `line`, tail included."""
    line = line.strip()
    if len(line) > _BYLINE_CHARS:
        return None
    match = pattern.fullmatch(line.removesuffix("."))
    if match is None or not (tail := match["tail"]):
        return match
    if _SENTENCE_END.search(line):
        return None
    words = _TAIL_WORD.findall(tail)
    fits = all(w[0].isupper() or len(w) <= 3 or _MONTH.match(w.casefold()) for w in words)
    return match if fits else None


def without_byline(text: str, credits: Credits = NO_CREDITS) -> str:
    """`text` without the byline on its first line, if it opens with one (on a line of
    its own, or running into the story: see the module doc)."""
    first, newline, rest = text.lstrip().partition("\n")
    if _is_byline(first, text, credits):
        return rest.lstrip()
    story = _after_run_in_byline(first, text, credits)
    return text if story is None else f"{story}{newline}{rest}"


#: A "by"-word and names running into the story ("By Jane Doe", "Por Ana López y Juan").
_INTRO_NAMES = regex.compile(rf"{_INTRO}:?\s+{_NAMES}")
#: A name, a bar and an agency or outlet ("Jane Doe | Reuters"), before a dash.
_BARRED = regex.compile(rf"{_NAME}\s*\|\s*(?:{_NAME}|{_LOWER_AGENCY})")
#: Names and nothing before them: a byline only when they are the item's author's.
_BARE_NAMES = regex.compile(_NAMES)
#: What parts a byline from the story on one line: an agency after a comma or bar, then
#: a bar or dash ("…, Reuters —", " | "), or nothing.
_SEPARATOR = regex.compile(
    rf"(?:\s*[,|]\s*(?P<outlet>{_WORD}(?:\s+{_WORD}){{0,2}}))?\s*(?:[|—–-]|--)\s+"
)
_STARTS_STORY = regex.compile(r"[\"“‘«(]?[\p{Lu}\d]")
#: Characters of a first line read for a byline that runs into the story.
_RUN_IN_CHARS = 120


def _after_run_in_byline(line: str, text: str, credits: Credits) -> str | None:
    """The story after a byline that runs into it on `line` (the first line of `text`),
    or None when `line` opens with none."""
    lower = None  # the words `text` writes in lower case, read when needed
    shapes = [_INTRO_NAMES]
    if "|" in line[:_RUN_IN_CHARS]:
        shapes.append(_BARRED)
    if credits.author and _opens_with_author(line, credits.author):
        shapes.append(_BARE_NAMES)
    for pattern in shapes:
        for end in _ends(pattern, line):
            head, after = line[:end], line[end:]
            separated = _SEPARATOR.match(after)
            story = after[separated.end() :] if separated else after.lstrip()
            if not (separated or pattern is not _BARRED) or not _STARTS_STORY.match(story):
                continue
            names = _names_of(pattern, head)
            outlet = (separated["outlet"] or "") if separated else ""
            if not _run_in_signed(pattern, head, names, credits, outlet):
                continue
            lower = lower if lower is not None else _lower_words(text)
            if not _by_author(names, credits) and _lower_names(names, lower):
                continue  # a word the text writes in lower case is no name (particles are)
            if not separated:
                first = _TAIL_WORD.match(story)
                if len(_capitalised(names)) < 2 or first is None:
                    continue
                if first.group().casefold() not in lower:
                    continue
            return story
    return None


def _names_of(pattern: regex.Pattern[str], head: str) -> str:
    """The names in a byline's `head`: after its "by"-word, before its bar."""
    if pattern is _INTRO_NAMES:
        return head.split(None, 1)[1]
    return head.split("|", 1)[0] if pattern is _BARRED else head


def _run_in_signed(
    pattern: regex.Pattern[str], head: str, names: str, credits: Credits, outlet: str
) -> bool:
    """Whether a byline's `head` that runs into the story has the evidence of one
    (`outlet`: the name after a comma or bar between it and the story, if any)."""
    if pattern is _INTRO_NAMES:
        intro = head.split(None, 1)[0].rstrip(":")
        return _signed(intro, names, credits, alone=False, after=outlet)
    if pattern is _BARRED:
        outlet = head.split("|", 1)[1]
        if _by_author(names, credits):
            return True
        return len(_capitalised(names)) >= 2 and _is_outlet(outlet, credits)
    return _by_author(names, credits)


def _signed(intro: str, names: str, credits: Credits, *, alone: bool, after: str = "") -> bool:
    """Whether `intro` ("By") and `names` are a byline (see the module doc); `alone`: on
    a line of their own; `after`: what follows the names (", Reuters", "| 26 Nov")."""
    if _by_author(names, credits):
        return True
    if not intro[0].isupper():
        return False  # "by Jane Doe" is inside a sentence
    if len(_capitalised(names)) < 2 and not _is_outlet(names, credits):
        return False  # "Di Maria", "Door Dash"
    by = intro.casefold()
    language = (credits.language or "").replace("_", "-").split("-")[0].casefold()
    if language in _BY_WORDS and by in _BY_WORDS[language][0]:
        return True
    if _agency_signs(names, after):  # any language's "by"-word: "Por Ana Souza, Lusa —"
        return True
    if language in _BY_WORDS:
        return False  # "Par Three Golf Club —" in an English item
    if by == "by" or alone:
        return True
    # Another language's "by"-word running into the story: an agency signs the line
    # ("Af Jens Hansen, Ritzau —"), or the line speaks that language throughout.
    parts = regex.split(_JOIN, names)
    if len(parts) > 1 and len(_capitalised(parts[0])) >= 2 and _is_outlet(parts[-1], credits):
        return True
    joins = set(regex.findall(rf"(?<=\s){_JOINER}(?=\s)", names))
    return (
        bool(joins)
        and all(len(_capitalised(part)) >= 2 for part in parts)
        and any(by in words and joins <= joiners for words, joiners in _BY_WORDS.values())
    )


def _agency_signs(names: str, after: str) -> bool:
    """Whether a news agency signs the byline of a person (of two words or more) named
    first in `names`: the last of `names` ("Ana Souza, Lusa") or `after` them ("| AFP")."""
    parts = regex.split(_JOIN, names)
    if len(_capitalised(parts[0])) < 2:
        return False  # "Di Maria, Reuters —": a surname
    last = parts[-1] if len(parts) > 1 else after.strip(" ,|·•–—-")
    return "".join(_folded(last)) in _AGENCIES


def _capitalised(names: str) -> list[str]:
    return [w for w in _TAIL_WORD.findall(names) if w[0].isupper()]


def _lower_names(names: str, lower: frozenset[str]) -> bool:
    """Whether a capitalised word of `names` is one the text writes in lower case."""
    return any(w.casefold() in lower for w in _capitalised(names))


def _is_outlet(name: str, credits: Credits) -> bool:
    """Whether `name` is an agency's, or the source's own: its name ("Harbour Herald"),
    its site's ("harbourherald.example", "NJ.com"); a leading "The" aside."""
    folded = "".join(_folded(name))
    if folded in _AGENCIES:
        return True
    said = {folded, folded.removeprefix("the"), f"the{folded}"}
    if "".join(_folded(credits.source)) in said:
        return True
    site = _folded(registrable_domain(credits.link) or "")
    return bool(site) and bool({site[0], "".join(site)} & said)


def _by_author(names: str, credits: Credits) -> bool:
    """Whether the first of `names` is (one of) the item's author's, of two words or more."""
    if not credits.author or not names:
        return False
    first = _folded(regex.split(_JOIN, names, maxsplit=1)[0])
    return first in _author_names(credits.author)


@lru_cache(maxsize=4096)  # authors of a long-running scheduler's feeds
def _author_names(author: str) -> list[list[str]]:
    """The names in an author field ("jane@x.example (Jane Doe)", "Jane Doe and John Roe")."""
    if (inside := regex.search(r"\(([^()]+)\)", author)) and "@" in author:
        author = inside.group(1)
    author = regex.sub(rf"^\s*{_INTRO}:?\s+", "", author)
    parts = regex.split(rf"{_JOIN}|\s*[;/|]\s*", author)
    return [words for part in parts if "@" not in part and len(words := _folded(part)) >= 2]


def _folded(text: str) -> list[str]:
    """The words of `text`, case and accents aside ("Müller" → "muller")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = (
        decomposed
        if decomposed.isascii()
        else "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    words: list[str] = _LETTERS.findall(plain)
    return words


#: A word's end: where a byline's names may end.
_WORD_END = regex.compile(r"[\p{L}\p{M}'’.](?=[\s,|]|$)")


def _ends(pattern: regex.Pattern[str], line: str) -> list[int]:
    """Where a match of `pattern` at the start of `line` may end, at a word's end, the
    longest first."""
    head = line[:_RUN_IN_CHARS]
    if pattern.match(head) is None:  # no start of it matches: most lines (a fifth of a parse)
        return []
    ends = [m.end() for m in _WORD_END.finditer(head)]
    return [end for end in reversed(ends) if pattern.fullmatch(head, 0, end)]


def _opens_with_author(line: str, author: str) -> bool:
    """Whether `line`'s first word is the first of one of `author`'s names (bare names
    are a byline only when they are the author's: :func:`_by_author`)."""
    word = _FIRST_WORD.match(line)
    first = _folded(word.group(1))[:1] if word else []
    return bool(first) and any(names[0] == first[0] for names in _author_names(author))


_LETTERS = regex.compile(r"[\p{L}\p{N}]+")
_FIRST_WORD = regex.compile(r"[\W_]*([\p{L}\p{M}\p{N}]+)")


def _lower_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _TAIL_WORD.findall(text) if w.islower())
