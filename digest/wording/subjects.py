"""A mailing list's subject line as a headline: without the mail program's "Re:".

Job: a list archive's feed (Gmane's) titles each message with its e-mail subject, so
every reply reads "Re: new maintainer and mailing list for rss2email", a forward
"Fwd: …", a reply from a German or Danish mail program "AW: …" or "Sv: …", and a list
that tags its mail "[rss2email] …". A reader of a digest expects the thread's subject
as its headline (:func:`unreplied`); the rank stage folds the posts of one outlet that
share a subject, one of them a reply (:func:`is_reply`), into one story
(:func:`thread_subject`, :mod:`digest.rank.threads`).

- A **reply or forward prefix** is one of :data:`PREFIXES` (English, German, the
  Scandinavian languages, Dutch, Polish, Turkish, Italian, Portuguese, French), in any
  case, with a count or not ("Re[2]:", "Re^2:", "RE (2):"), before a colon and a space
  (French spacing allowed: "RE :"; "re:publica", "re:Invent" are names), and several in
  a row ("Fwd: Re: AW: …").
- A **list tag** is a bracketed name of one token of letters, digits and ``.-_+``,
  which is not a plain word (of letters alone: "[iOS]", "[pdf]" are labels) ("[rss2email]",
  "[Python-Dev]", "[gmane.mail.rss2email]", "[harbour-list]"): "[Video]", "[Sponsor]",
  "[BREAKING]" are an outlet's labels, and so is a known label in any case ("[video]",
  "[sponsored]": :mod:`digest.headline_labels`, and an advertisement's:
  :func:`digest.rank.score.sponsored`), "[1/3]" a part's number.

Must not: touch anything but the start of a headline ("Regulators: …", "Re-opening
of …", "The [redacted] files" stay), or leave a headline empty (one that is only a
prefix stays as it is).
"""

from __future__ import annotations

import re

from digest.headline_labels import GENRES, LENGTH, UPDATE_ABBREVIATION, UPDATE_WORD

__all__ = ["PREFIXES", "is_reply", "thread_subject", "unreplied"]

#: Mail programs' reply and forward prefixes, lower case: re, aw (Antwort), antw, sv
#: (svar), odp (odpowiedź), ynt (yanıt), rif (riferimento), res (resposta); fwd, fw,
#: wg (weitergeleitet), tr (transféré), rv (reenviado), enc (encaminhado), doorst
#: (doorgestuurd).
PREFIXES: tuple[str, ...] = ("re", "aw", "antw", "antwort", "sv", "odp", "ynt", "rif", "res")
PREFIXES += ("fwd", "fw", "wg", "tr", "rv", "enc", "doorst")

#: Labels an outlet writes in brackets, in any case: a piece's kind or length, an
#: update (digest.headline_labels), an advertisement's (digest.rank.score.sponsored).
_ADVERTS = "sponsor sponsored ad ads advert advertisement advertorial anzeige werbung promoted"
_LABELS = GENRES | LENGTH | frozenset(_ADVERTS.split()) | {"exclusive", "breaking", "live"}
_UPDATE = re.compile(rf"(?i){UPDATE_WORD}|{UPDATE_ABBREVIATION}")
_COUNT = r"(?:\[\d{1,3}\]|\^\d{1,3}|\s?\(\d{1,3}\))?"
_PREFIX = re.compile(rf"(?i)(?:{'|'.join(PREFIXES)}){_COUNT}[^\S\n]?:[^\S\n]+(?=\S)")
#: A prefix's colon stands within this many characters of a headline's start ("Antwort[12] :").
_PREFIX_CHARS = 16
_TAG = re.compile(r"\[([\w.+-]{2,60})\][^\S\n]*(?=\S)")


def _list_tag(text: str) -> int:
    """The length of a list tag (and the space after it) at the start of `text`, or 0."""
    found = _TAG.match(text)
    if found is None:
        return 0
    name = found.group(1)
    plain_word = name.isalpha()  # "[Video]", "[iOS]", "[pdf]": a label or a word
    label = name.casefold() in _LABELS or _UPDATE.fullmatch(name) is not None
    if not any(c.isalpha() for c in name) or name.isupper() or plain_word or label:
        return 0  # "[1/3]", "[BREAKING]", "[Video]": an outlet's label, not a list's
    return found.end()


def _strip(title: str) -> tuple[str, bool]:
    """`title` without its leading prefixes and list tags, and whether a reply or
    forward prefix was among them."""
    rest = title.lstrip()
    if not rest.startswith("[") and ":" not in rest[:_PREFIX_CHARS]:
        return title, False  # most headlines: neither a tag nor a prefix can open them
    replied = False
    while True:
        if found := _PREFIX.match(rest):
            rest, replied = rest[found.end() :], True
        elif tag := _list_tag(rest):
            rest = rest[tag:]
        else:
            break
    if not rest.strip():
        return title, False
    return rest, replied


def unreplied(title: str) -> str:
    """The headline a reader expects of an e-mail subject: `title` without the reply and
    forward prefixes and list tags it opens with (see the module's job)."""
    return _strip(title)[0]


def is_reply(title: str) -> bool:
    """Whether `title` opens with a reply or forward prefix (after any list tag)."""
    return _strip(title)[1]


def thread_subject(title: str) -> str:
    """The subject that `title`'s thread shares, case and spacing aside."""
    return " ".join(unreplied(title).casefold().split())
