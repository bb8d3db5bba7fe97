"""A page's summary: its own description, unless the publisher cut it short.

Job: :func:`page_summary` gives the one paragraph a subscriber reads under a page's
headline. The page's description (og:description, ``description``) is usually written
for that, but publishers also fill it by cutting the article's opening at a byte count:
Reuters ends one "…while a gauge of stoc...", Entermedia cuts a Korean character in two
and leaves U+FFFD behind. A reader should never see a cut word or a replacement mark
when the full sentence is on the page, so such a description gives way to the text's
paragraph it was cut from, else to its own whole sentences, else to the text's opening
paragraph. Publishers also build the description from the page's top: the headline,
the subheadline and a credit line before the story ("Headline, Subhead[엔터미디어=…]
주말 밤…"); the reader has just read the headline, so the description starts where
the story does (:func:`_story_start`), and without a wire dateline or bracketed credit
(:func:`digest.datelines.undated`). Must not: fetch, or look at anything but the
description, the headline and the text.
"""

from __future__ import annotations

import re

from digest.collect.bylines import NO_CREDITS, Credits
from digest.collect.entry import SUMMARY_CHARS, shorten, standfirst
from digest.collect.sanitize import clean_text
from digest.datelines import undated

__all__ = ["page_summary"]

_REPLACEMENT = "\ufffd"
_CUT_END = re.compile(r"(?<=[^\W_])\s*(?:\.\.\.|…)$")
#: Characters of a description looked for in the text to find where it was cut from.
PROBE_CHARS = 40
#: A sentence end inside a description (Latin, CJK full stops; Korean "다." is a ".").
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’»)\]]*(?=\s)")
#: What joins a headline to what a description goes on with ("Headline, Subhead").
_JOINERS = " ,;:|-–—·"
#: The longest paragraph of the text read as a subheadline standing alone.
SUBHEAD_CHARS = 160


def page_summary(
    description: str, text: str, credits: Credits = NO_CREDITS, title: str = ""
) -> str:
    """The summary for a page with this `description` and main `text` (see the module);
    `credits` tell a byline that opens the text from its story; `title` is the headline."""
    said = undated(_story_start(clean_text(description), title, text))
    if not said:
        return standfirst(text, credits)
    if not _cut_short(said, text):
        return shorten(said, SUMMARY_CHARS)
    head = _CUT_END.sub("", said.split(_REPLACEMENT, 1)[0]).rstrip()
    found = _paragraph_with(head, text)
    if found:
        return shorten(undated(found), SUMMARY_CHARS)
    whole = _whole_sentences(head)
    return shorten(whole, SUMMARY_CHARS) if whole else standfirst(text, credits)


def _story_start(said: str, title: str, text: str) -> str:
    """`said` without the headline it repeats and the text's subheadlines after it.

    Only a description that opens with the whole `title` and a joiner (", ", " - ") or
    a bracket loses anything; then a paragraph of the text that stands alone, short and
    with no sentence end (a subheadline), goes where the rest opens with it."""
    title = clean_text(title)
    rest = said[len(title) :]
    opens = rest.lstrip(" ")[:1]
    if not title or not said.startswith(title) or not opens or opens not in _JOINERS + "[(":
        return said
    rest = rest.lstrip(_JOINERS)
    for paragraph in (" ".join(p.split()) for p in text.split("\n\n")[:8]):
        if _is_subhead(paragraph, title) and rest.startswith(paragraph):
            rest = rest[len(paragraph) :].lstrip(_JOINERS)
    return rest if len(rest) >= PROBE_CHARS else said


def _is_subhead(paragraph: str, title: str) -> bool:
    """Whether a text's `paragraph` reads as a subheadline: short, no sentence end."""
    short = 0 < len(paragraph) <= SUBHEAD_CHARS and paragraph != title
    return short and not _SENTENCE_END.search(paragraph + " ")


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
