"""A wire dateline: where and by whom a story was filed, before its news.

Job: :func:`undated` gives a text without the dateline agency copy opens with
("NEWARK, N.J. (AP) — Jurors…" is "Jurors…"). Collect drops it from the summary and
body it stores (:mod:`digest.collect.openings`), and the ranking from the text a story
shows (:mod:`digest.rank.told`: articles stored before collect did). Here, in neither
stage, because both read it and the ranking must not load the collector.
A place in mixed case is one only before a news agency named in brackets (:data:`AGENCIES`):
"Quito, 24 Set 2018 (AFP) - ", "Nova York, 24 set (EFE).- " (EFE's full stop).
Must not: touch anything but the start of the text, or a text that only starts with a
name in capitals ("NATO allies met…", "CHICAGO is bracing…") or a place in mixed case
before brackets that name no agency ("Boston (the city) - ").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["AGENCIES", "undated"]

#: News agencies and wires that file stories, folded (case, accents and spaces aside:
#: "Agência Brasil" is "agenciabrasil"; "AP/dpa" is "apdpa"). Bylines read them too
#: (:mod:`digest.collect.bylines`).
_AGENCY_NAMES = (
    "reuters ap associatedpress afp agencefrancepresse dpa epd kna apa sda ats keystonesda"
    " ansa efe europapress lusa agencialusa agenciabrasil ritzau ntb tt stt pa pamedia"
    " pressassociation bloomberg upi kyodo kyodonews jiji xinhua yonhap tass interfax ria"
    " rianovosti ukrinform pap ctk tasr mti anp belga aap cp canadianpress pti ians ani"
    " apdpa afpdpa"
)
AGENCIES = frozenset(_AGENCY_NAMES.split())

#: A wire dateline: a place in capitals (", N.J.", ", Nov 19" may follow), the agency in
#: brackets, then a dash: "NEWARK, N.J. (AP) — ", "LONDON, Nov 19 (Reuters) - ",
#: "(CNN) — "; or, without an agency, a place and a long dash: "COPENHAGEN — ".
_DATELINE = re.compile(
    r"(?:(?P<place>[^\W\d_](?:[^\W\d_]|[.'’\- ])*?)(?:,\s*(?P<more>[^()\n—–]{1,40}?))?\s*)?"
    r"(?:\((?P<agency>[^\W\d_][\w .&/-]{0,24})\)(?P<stop>\.?)\s*)?"
    r"(?P<dash>--|[—–-])\s+(?=[\w\"'“‘«])"
)
#: The longest word in lower case a place in mixed case may hold ("Rio de Janeiro").
_PARTICLE = 3
#: What may follow it after a comma: a date or a region ("24 Set 2018", "N.J."), no clause.
_MIXED_MORE = re.compile(r"[\w.' ]+")
#: Letters a place must have to count as a dateline with no agency named ("US — China…"
#: is a sentence; "ROME — The…" a dateline).
_BARE_PLACE = 4
_DATELINE_CHARS = 80
#: The dash a dateline ends with, and the space after it.
_DASH = re.compile(r"(?:--|[—–-])\s")


def undated(text: str) -> str:
    """`text` without a wire dateline at its start ("NEWARK, N.J. (AP) — Jurors…" is
    "Jurors…"): where and by whom a story was filed is no news, and no other teaser
    opens with it. A text that only starts with a name in capitals ("NATO allies met…")
    or an acronym and a dash ("EU ministers - most of them -") is left as it is."""
    if _DASH.search(text, 0, _DATELINE_CHARS) is None:
        return text  # no dash: no dateline (most texts, read no further)
    match = _DATELINE.match(text, 0, _DATELINE_CHARS)
    if match is None:
        return text
    place, agency = match.group("place"), match.group("agency")
    if place is not None and not place.isupper() and not _mixed_dateline(match):
        return text
    if match.group("stop") and not _is_agency(agency):
        return text  # "(EFE).- " is EFE's style; "(the city).- " nobody's
    if agency is None:
        letters = sum(c.isalpha() for c in place or "")
        if match.group("dash") == "-" or letters < _BARE_PLACE:
            return text
    return text[match.end() :]


def _mixed_dateline(match: re.Match[str]) -> bool:
    """Whether a place in mixed case, and what follows it, make a dateline: only with a
    news agency named in the brackets after it."""
    more = match.group("more")
    return (
        _is_agency(match.group("agency"))
        and _is_place(match.group("place"))
        and (more is None or _MIXED_MORE.fullmatch(more) is not None)
    )


def _is_place(text: str) -> bool:
    """Whether `text` in mixed case reads as a place: words that start with a capital,
    and short particles between them ("Rio de Janeiro", "Nova York"), not a sentence
    ("Jurors said Paris")."""
    words = text.split()
    return words[0][0].isupper() and all(
        w[0].isupper() or (w.islower() and len(w) <= _PARTICLE) for w in words
    )


def _is_agency(name: str | None) -> bool:
    """Whether brackets' `name` is a news agency, or several ("AFP/Reuters")."""
    if not name:
        return False
    parts = [_folded(part) for part in re.split(r"[/,&]", name)]
    return _folded(name) in AGENCIES or all(p in AGENCIES for p in parts)


def _folded(text: str) -> str:
    """`text` in lower case without accents, spaces or punctuation ("Agência Brasil" is
    "agenciabrasil")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))
