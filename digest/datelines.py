"""A wire dateline: where and by whom a story was filed, before its news.

Job: :func:`undated` gives a text without the dateline agency copy opens with
("NEWARK, N.J. (AP) — Jurors…" is "Jurors…"). Collect drops it from the summary and
body it stores (:mod:`digest.collect.openings`), and the ranking from the text a story
shows (:mod:`digest.rank.told`: articles stored before collect did). Here, in neither
stage, because both read it and the ranking must not load the collector.
Must not: touch anything but the start of the text, or a text that only starts with a
name in capitals ("NATO allies met…", "CHICAGO is bracing…").
"""

from __future__ import annotations

import re

__all__ = ["undated"]

#: A wire dateline: a place in capitals (", N.J.", ", Nov 19" may follow), the agency in
#: brackets, then a dash: "NEWARK, N.J. (AP) — ", "LONDON, Nov 19 (Reuters) - ",
#: "(CNN) — "; or, without an agency, a place and a long dash: "COPENHAGEN — ".
_DATELINE = re.compile(
    r"(?:(?P<place>[^\W\d_](?:[^\W\d_]|[.'’\- ])*?)(?:,\s*(?P<more>[^()\n—–]{1,40}?))?\s*)?"
    r"(?:\((?P<agency>[^\W\d_][\w .&/-]{0,24})\)\s*)?(?P<dash>--|[—–-])\s+(?=[\w\"'“‘«])"
)
#: Letters a place must have to count as a dateline with no agency named ("US — China…"
#: is a sentence; "ROME — The…" a dateline).
_BARE_PLACE = 4
_DATELINE_CHARS = 80


def undated(text: str) -> str:
    """`text` without a wire dateline at its start ("NEWARK, N.J. (AP) — Jurors…" is
    "Jurors…"): where and by whom a story was filed is no news, and no other teaser
    opens with it. A text that only starts with a name in capitals ("NATO allies met…")
    or an acronym and a dash ("EU ministers - most of them -") is left as it is."""
    match = _DATELINE.match(text, 0, _DATELINE_CHARS)
    if match is None:
        return text
    place, agency = match.group("place"), match.group("agency")
    if place is not None and not place.isupper():
        return text
    if agency is None:
        letters = sum(c.isalpha() for c in place or "")
        if match.group("dash") == "-" or letters < _BARE_PLACE:
            return text
    return text[match.end() :]
