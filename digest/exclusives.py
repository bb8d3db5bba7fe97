"""An outlet's own "Exclusive" label before its story: self-promotion, not news.

Job: :func:`unlabelled_story` gives a summary or body without the label its outlet opens
it with: "Exclusif PC INpact : La Poste Mobile…" is "La Poste Mobile…", "Exclusive:
Cloudera founder…" is "Cloudera founder…" (both in the shared corpus). Under a headline
these are the first words a subscriber reads, and the email credits the outlet beside
the story anyway. The label is a word of :data:`LABELS` before a colon, alone or before
the outlet's own name: its source's name, the publisher a page names, or a label of its
site's address ("pcinpact" of ``www.pcinpact.com``), case, spaces and punctuation aside.
:func:`unlabelled_title` takes only the label with the outlet's name from a headline: a
bare "Exclusive:" there is its editor's headline (outlets show "Exclusive" with their
headlines), while the outlet's name beside the email's credit reads twice. Collect drops
them (:mod:`digest.collect.openings`, :mod:`digest.collect.headlines`), the ranking the
summary's from articles stored before (:mod:`digest.wording.told`): here, in neither stage,
as :mod:`digest.datelines`.
A wire service writes the label in capitals with a hyphen, no spaces ("EXCLUSIVE-Harbour
board plans…", Reuters): it is read as a bare "Exclusive:" (:func:`wire_label`), and so
is "EXCLUSIVE-UPDATE 2-", the wire's version after it (the label goes whole from a
summary; an update's headline loses only the version: :func:`digest.wording.told.unlabelled`).
Must not: touch a colon phrase that is the story ("Exclusive talks: …", "Exclusive Acme
deal: …" from another outlet than Acme), a label with no story after it, or anything but
the start of the text; take a compound word ("Exclusive-rights deal", "exclusive-use
lanes") or a text in capitals ("EXCLUSIVE-RIGHTS DEAL SIGNED") for a wire label.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from digest.headline_labels import UPDATE_WORD

__all__ = ["LABELS", "unlabelled_story", "unlabelled_title", "wire_label"]

#: The label's word, in the languages of the feeds we read (any case).
_LABEL_WORDS = (
    "exclusive exclusif exclusiva exclusivo exklusiv esclusiva esclusivo exclusief"
    " eksklusiv eksklusivt"
)
LABELS = frozenset(_LABEL_WORDS.split())
_WORDS = "|".join(sorted(LABELS, key=len, reverse=True))
#: The label, perhaps a name (at most 40 characters), the colon (French spaces it), and
#: the story's first letter or digit (perhaps after a quote) or a paragraph.
_LABEL = re.compile(
    rf"\s*(?i:{_WORDS})(?:[ \u00a0](?P<name>[^:：\n]{{1,40}}?))?[ \u00a0\u202f]*[:：]\s*"
    r"(?=[\"“‘'«]?[^\W_])"
)
#: A wire's label: the word in capitals and a hyphen, no spaces ("EXCLUSIVE-"), perhaps
#: its version ("UPDATE 2-"), then the story's first letter or digit (perhaps a quote).
_WIRE = re.compile(
    rf"\s*(?:{'|'.join(sorted((w.upper() for w in LABELS), key=len, reverse=True))})-"
    rf"(?P<version>(?i:{UPDATE_WORD}) ?- ?)?"
    r"(?=[\"“‘'«]?[^\W_])"
)
#: How far into the story a wire label's text shows a small letter (it is no text in
#: capitals: "EXCLUSIVE-RIGHTS DEAL SIGNED").
_CASED = 60
#: The labels of an address that name no outlet.
_NOT_NAMES = frozenset({"www", "m", "amp", "rss", "feeds", "feed", "news"})

Names = Iterable[str | None] | Callable[[], Iterable[str | None]]


def unlabelled_story(text: str, names: Names) -> str:
    """`text` without the outlet's label at its start (see the module doc): a label word
    and a colon, or a label word, one of the outlet's `names` and a colon. `names`: its
    names and addresses, or a function that gives them (called only for such a label)."""
    if wired := wire_label(text):
        return text[wired[1] :]
    match = _LABEL.match(text)
    if match is None or not _own(match, names):
        return text
    return text[match.end() :]


def wire_label(text: str) -> tuple[int, int] | None:
    """Where the label a wire service opens `text` with ends, without its version and
    with it ("EXCLUSIVE-UPDATE 2-Harbour…": 10 and 19); None for no such label."""
    match = _WIRE.match(text)
    if match is None or not any(c.islower() for c in text[match.end() :][:_CASED]):
        return None
    return match.start("version") if match["version"] else match.end(), match.end()


def unlabelled_title(title: str, names: Names) -> str:
    """`title` without a label word, one of the outlet's `names` and a colon at its start
    ("Exclusif PC INpact : Quatro…" is "Quatro…"); with a bare "Exclusive:" as it is."""
    match = _LABEL.match(title)
    if match is None or match.group("name") is None or not _own(match, names):
        return title
    return title[match.end() :]


def _own(match: re.Match[str], names: Names) -> bool:
    """Whether the name `match` holds, if any, is one of the outlet's `names`."""
    name = match.group("name")
    if name is None:
        return True
    given = names() if callable(names) else names
    return _folded(name) in {own for value in given if value for own in _spellings(value)}


def _spellings(value: str) -> Iterable[str]:
    """`value` folded, and when it is an address or a domain, each label of its host
    that may name the outlet ("https://www.pcinpact.com/x": "pcinpact")."""
    yield _folded(value)
    host = urlsplit(value).hostname if "://" in value else value
    if host and "." in host and " " not in host:
        for label in host.split(".")[:-1]:
            if label.casefold() not in _NOT_NAMES:
                yield _folded(label)


def _folded(text: str) -> str:
    """`text` in lower case without accents, spaces or punctuation ("PC INpact" is
    "pcinpact")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))
