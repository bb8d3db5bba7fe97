"""A feed summary that is the item's own text with its line breaks lost.

Job: :func:`runs_together` tells whether an item's summary is its text stripped of
tags the way PHP's strip_tags does it, every ``<br>`` and paragraph end dropped, so
that words run together where lines met ("Разработчик: ZXStylesЯзык: English"). Forum
and CMS software write such summaries; the item's text, read from its HTML, keeps the
breaks, so the summary is better taken from it (:func:`digest.collect.feeds` does).

The test: the summary's characters, white space aside, are a stretch of the text's, and
somewhere in that stretch the text breaks a line where the summary has no space. A
summary that only joins what the text splits inside a line ("DKK 45" beside
"DKK\u00a045"), or one written apart from the text, is no copy.
Must not: change the summary or the text (it only answers), or read more of the text
than :data:`WINDOW` characters.
"""

from __future__ import annotations

import re

__all__ = ["WINDOW", "runs_together"]

#: How much of the text is searched for the summary: a summary is the text's opening.
WINDOW = 4000
#: Summaries shorter than this (white space aside) are too short to tell.
MIN_CHARS = 20
_SPACED = re.compile(r"(\s*)(\S+)")


def runs_together(summary: str, text: str) -> bool:
    """Whether `summary` is `text` (or a stretch of it) with line breaks lost."""
    said, _ = _dense(summary)
    said = said.rstrip(".…")  # a cut or closing stop the text may not have there
    if len(said) < MIN_CHARS or not text:
        return False
    written, lines = _dense(text[:WINDOW], lines=True)
    start = written.find(said)
    if start < 0:
        return False
    _, spaces = _dense(summary)
    return any(start < p < start + len(said) and p - start not in spaces for p in lines)


def _dense(text: str, *, lines: bool = False) -> tuple[str, set[int]]:
    """`text` without white space, and where in it `text` had white space (with `lines`,
    only white space that breaks a line)."""
    parts: list[str] = []
    breaks: set[int] = set()
    at = 0
    for match in _SPACED.finditer(text):
        space, word = match.groups()
        if at and space and (not lines or "\n" in space):
            breaks.add(at)
        parts.append(word)
        at += len(word)
    return "".join(parts), breaks
