"""Quotations in a text: where each opens and where it closes.

Job: :func:`quotations` pairs a text's quotation marks, as the languages of the feeds
we read write them: straight ``"`` and ``'``, curly “…” and ‘…’, French «…» and ‹…›,
German „…“, ‚…‘ and »…«, Swedish ”…” and »…», Polish „…”. A mark that may open or
close (``"``, ``»``, ``”``) closes the quotation it can close when one is open, else
opens one. :func:`open_at` gives the outermost quotation still open at a point of the
text (where a made-up headline would end), :func:`closer` the mark that closes it.
Must not: take an apostrophe for a quote: a ``'`` or ``’`` between two letters
("don't", "l'école", "harbour’s"), one after a word with no single quote open
("students'"), or one before a digit ("'90s").
"""

from __future__ import annotations

from dataclasses import dataclass

#: For each closing mark, the opening marks it closes.
_CLOSES = {
    '"': '"',
    "”": "“„”",
    "“": "„",  # German „…“
    "»": "«»",
    "«": "»",  # German »…«
    "›": "‹›",
    "‹": "›",
    "’": "‘‚",
    "‘": "‚",  # German ‚…‘
    "'": "'",
}
#: Marks that open a quotation when they close none.
_OPENS = frozenset("\"“„«»‹›‘‚'")
#: The mark that closes a quotation opened by each, as its language writes it.
_CLOSER = {'"': '"', "“": "”", "„": "“", "«": "»", "»": "«", "‹": "›", "›": "‹"}
_CLOSER |= {"‘": "’", "‚": "‘", "'": "'", "”": "”"}


@dataclass(frozen=True, slots=True)
class Quotation:
    """A quotation's opening mark, at `start`; `end` is just past its closing mark
    (None: the text never closes it)."""

    mark: str
    start: int
    end: int | None


def quotations(text: str) -> tuple[Quotation, ...]:
    """The quotations of `text`, in the order they open."""
    found: dict[int, Quotation] = {}
    stack: list[tuple[str, int]] = []
    for at, mark in enumerate(text):
        if mark not in _CLOSES and mark not in _OPENS:
            continue
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if mark in "'’‘" and _apostrophe(before, after, stack):
            continue
        opened = [n for n, (m, _) in enumerate(stack) if m in _CLOSES.get(mark, "")]
        if opened:  # closes the innermost it can, and any left open inside it
            for m, start in stack[opened[-1] :]:
                found[start] = Quotation(m, start, at + 1)
            del stack[opened[-1] :]
        elif _opens(mark, before, after):
            stack.append((mark, at))
    for m, start in stack:
        found[start] = Quotation(m, start, None)
    return tuple(found[start] for start in sorted(found))


def _opens(mark: str, before: str, after: str) -> bool:
    """Whether `mark`, between `before` and `after`, closing none, opens a quotation: one
    with text after it ("« " is French spacing); a ” only where a word begins (Swedish
    ”…”), not after one (a stray close)."""
    if mark in "«‹„":
        return True
    if mark == "”":
        return (before.isspace() or before in "([{–—-") and after.isalnum()
    return mark in _OPENS and not after.isspace()


def _apostrophe(before: str, after: str, stack: list[tuple[str, int]]) -> bool:
    """Whether a ``'``, ``’`` or ``‘`` between `before` and `after` is an apostrophe."""
    if before.isalnum() and after.isalnum():
        return True  # "don't", "l'école"
    if not before.isspace() and before not in "([{":  # ends a word: closes one, if open
        return not any(m in "'‘‚" for m, _ in stack)
    return not after.isalpha()  # "'90s"; a ’ after a space opens nothing in our feeds


def open_at(text: str, end: int) -> Quotation | None:
    """The outermost quotation of `text` open at `end`: opened before it, closed after
    it or never; None when every quotation before `end` closes before it."""
    for quotation in quotations(text):
        if quotation.start < end and (quotation.end is None or quotation.end > end):
            return quotation
    return None


def closer(quotation: Quotation) -> str:
    """The mark that closes `quotation`."""
    return _CLOSER.get(quotation.mark, quotation.mark)
