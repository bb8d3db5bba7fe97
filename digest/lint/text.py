"""Lint the plain-text part: the unsubscribe link, 78-column lines (long URLs aside; a
flowed line's trailing space counted), no HTML tags or Markdown tables left in it, a
format=flowed part's stuffing (RFC 3676) and no signature separator above the
unsubscribe link. Reports findings, never raises."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from digest import lint_rules as rules
from digest.lint.findings import Finding, find

TEXT_WIDTH = 78


def check_text(text: str, unsubscribe: str | None, *, flowed: bool = False) -> Iterator[Finding]:
    if not (unsubscribe in text if unsubscribe else rules.UNSUB_WORDS.search(text)):
        yield find("text-unsubscribe-missing", url=unsubscribe or "none in List-Unsubscribe")
    lines = text.splitlines()
    wide = (_columns(line) > TEXT_WIDTH and not rules.URL_LINE.fullmatch(line) for line in lines)
    if long := [i for i, too_wide in enumerate(wide, 1) if too_wide]:
        yield find("text-line-too-long", n=len(long), line=long[0])
    if tag := rules.HTML_TAG.search(text):
        yield find("text-html-tags", tag=tag[0][:40])
    if pipes := [i for i, line in enumerate(lines, 1) if rules.PIPE_ROW.fullmatch(line)]:
        yield find("text-markdown-table", line=pipes[0])
    if flowed and (bare := [i for i, line in enumerate(lines, 1) if line.startswith(_STUFF)]):
        yield find("text-flowed-unstuffed", n=len(bare), line=bare[0])
    if (at := _signature(lines)) and unsubscribe and unsubscribe in "\n".join(lines[at:]):
        yield find("text-signature-hides-unsubscribe", line=at)


#: What a flowed line must not begin with unless stuffed (RFC 3676, 4.4).
_STUFF = (">", "From ")


def _signature(lines: list[str]) -> int:
    """The number of the first line that is the signature separator "-- ", or 0."""
    return next((i for i, line in enumerate(lines, 1) if line == "-- "), 0)


def _columns(line: str) -> int:
    """The line's length less its format characters (direction marks, joiners), which
    take no column."""
    return sum(1 for ch in line if unicodedata.category(ch) != "Cf")
