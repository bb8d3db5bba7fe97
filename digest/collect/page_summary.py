"""A page's summary: its own description, unless the publisher cut it short.

Job: :func:`page_summary` gives the one paragraph a subscriber reads under a page's
headline. The page's description (og:description, ``description``) is usually written
for that, but publishers also fill it by cutting the article's opening at a byte count:
Reuters ends one "…while a gauge of stoc...", Entermedia cuts a Korean character in two
and leaves U+FFFD behind. A reader should never see a cut word or a replacement mark
when the full sentence is on the page, so such a description gives way to the text's
paragraph it was cut from, else to its own whole sentences, else to the text's opening
paragraph. Must not: fetch, or look at anything but the description and the text.
"""

from __future__ import annotations

import re

from digest.collect.bylines import NO_CREDITS, Credits
from digest.collect.entry import SUMMARY_CHARS, shorten, standfirst
from digest.collect.sanitize import clean_text

__all__ = ["page_summary"]

_REPLACEMENT = "\ufffd"
_CUT_END = re.compile(r"(?<=[^\W_])\s*(?:\.\.\.|…)$")
#: Characters of a description looked for in the text to find where it was cut from.
PROBE_CHARS = 40
#: A sentence end inside a description (Latin, CJK full stops; Korean "다." is a ".").
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’»)\]]*(?=\s)")


def page_summary(description: str, text: str, credits: Credits = NO_CREDITS) -> str:
    """The summary for a page with this `description` and main `text` (see the module);
    `credits` tell a byline that opens the text from its story."""
    said = clean_text(description)
    if not said:
        return standfirst(text, credits)
    if not _cut_short(said, text):
        return shorten(said, SUMMARY_CHARS)
    head = _CUT_END.sub("", said.split(_REPLACEMENT, 1)[0]).rstrip()
    found = _paragraph_with(head, text)
    if found:
        return shorten(found, SUMMARY_CHARS)
    whole = _whole_sentences(head)
    return shorten(whole, SUMMARY_CHARS) if whole else standfirst(text, credits)


def _cut_short(said: str, text: str) -> bool:
    """Whether `said` holds U+FFFD or stops mid-word where the text goes on."""
    if _REPLACEMENT in said:
        return True
    cut = _CUT_END.search(said)
    if cut is None:
        return False
    tail = " ".join(said[: cut.start()].split()[-4:])  # the last words, the cut one last
    flat = " ".join(text.split())
    at = flat.find(tail)
    end = at + len(tail)
    return at >= 0 and end < len(flat) and (flat[end].isalnum() or flat[end] == "_")


def _paragraph_with(head: str, text: str) -> str | None:
    """The paragraph of `text` that holds the start of `head`, if one does."""
    probe = " ".join(head.split())[:PROBE_CHARS]
    if len(probe) < PROBE_CHARS // 2:
        return None
    return next((p for p in text.split("\n\n") if probe in " ".join(p.split())), None)


def _whole_sentences(head: str) -> str:
    """`head` up to its last sentence end ("" when it has none)."""
    ends = list(_SENTENCE_END.finditer(head + " "))
    return head[: ends[-1].end()].strip() if ends else ""
