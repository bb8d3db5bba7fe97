"""Combining marks on one character cut to what a writing system stacks.

Job: :func:`few_marks` keeps at most :data:`MAX_MARKS` nonspacing or enclosing marks on
one character, and at most :data:`MAX_SAME_PLACE` in one place (above, below, through:
a combining class). Hundreds of accents on one letter ("zalgo" text) draw a smear over
the lines above and below it: over other stories and the footer's links in the email,
whatever the client. Writing uses a few: Hebrew with points and cantillation four or
five, Vietnamese two, a Tibetan stack three or four. Must not: change text with fewer
marks, or drop spacing marks (Mc: Indic vowel signs, which take room of their own).
"""

from __future__ import annotations

import unicodedata

import regex

MAX_MARKS = 6
MAX_SAME_PLACE = 2
#: Three or more marks in a row (format characters such as a zero-width joiner between
#: them do not end the row): the rows worth a look. `\p{M}` is the one class `regex`
#: scans fast (5 ns a character here; Mn and Me spelled out took three times that).
_ROW = regex.compile(r"\p{M}[\p{M}\p{Cf}]{2,}")


def few_marks(text: str) -> str:
    """`text` with each character's marks beyond the limits above left out."""
    return text if text.isascii() else _ROW.sub(_cut, text)


def _cut(row: regex.Match[str]) -> str:
    kept: list[str] = []
    stacked = 0
    places: dict[int, int] = {}
    for ch in row.group():
        if unicodedata.category(ch) not in {"Mn", "Me"}:
            kept.append(ch)  # a spacing mark or a format character: stacks nothing
            continue
        place = unicodedata.combining(ch)
        if stacked >= MAX_MARKS or (place and places.get(place, 0) >= MAX_SAME_PLACE):
            continue
        places[place] = places.get(place, 0) + 1
        stacked += 1
        kept.append(ch)
    return "".join(kept)
