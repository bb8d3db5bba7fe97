"""An untitled item's headline: its text's first sentence, or that sentence's opening.

Job: :func:`opening` gives the headline a feed item without a title shows, and the text
a reader reads beyond it. The headline is the text's first sentence, without its full
stop, and the rest the text after it. A first sentence longer than
:data:`HEADLINE_WORDS` words gives its opening clause and "…" (cut where it pauses:
:func:`digest.wording.clauses.opening_clause`), and the rest is then the whole text: a
reader reads that sentence once, whole, not from the middle. A headline never leaves a
quotation open (:mod:`digest.wording.quotes`): one that would ends at the quotation's close
when that comes within :data:`HEADLINE_WORDS` words ('The mayor called the plan "a
bridge too far, and too costly"…'), else stops before the quotation opens ('Ed Cone:
"Had a nice…' gives "Ed Cone…"); a text that opens with a long quotation shows it cut,
closed after the "…". Collect titles an untitled item so
(:func:`digest.wording.told.untitled_title`) and the rank stage shows the same headline
(:func:`digest.wording.told.told`): every view of a story reads one headline.
Must not: cut inside a word, or add or rewrite a word (a closing mark after the "…" of a
cut quotation is the only mark added).
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.wording.clauses import clause_before, opening_clause, without_break_mark
from digest.wording.quotes import Quotation, closer, open_at, quotations
from digest.wording.trim import count_words, sentence_ends, trim

#: A headline made from an untitled item's text: its first sentence, at most this long.
HEADLINE_WORDS = 16


@dataclass(frozen=True, slots=True)
class Opening:
    """An untitled item's `headline`, the `rest` a reader reads beyond it, and whether
    the headline is `cut` (not whole sentences: it ends with "…")."""

    headline: str
    rest: str
    cut: bool


def opening(text: str, language: str | None = None) -> Opening:
    """The headline and the rest of `text`, an untitled item's, in BCP 47 `language`
    when known (for where its sentences end); an empty headline for an empty text."""
    body = text.split()
    first = trim(text, HEADLINE_WORDS, max_sentences=1, language=language)
    cut = first.endswith("…")
    used = len(first.removesuffix("…").split())
    if first.endswith(".") and not first.endswith(".."):
        first = first[:-1]  # a headline has no full stop
    rest = " ".join(body[used:])
    if cut and not rest:  # the whole text is the headline: nothing was cut
        return Opening(" ".join(body).rstrip(",;:–- "), "", True)
    if not cut:
        return _closed(Opening(first, rest, False), text, len(" ".join(body[:used])), language)
    words, following = body[:used], body[used]
    if len(" ".join(words)) > len(first) + 1:  # CJK: trim cut inside a run of characters
        words, following = first.removesuffix("…").split(), ""
        clause = opening_clause(words, following)
        end = len(clause)
    else:
        clause = opening_clause(words, following)
        end = len(" ".join(body[: len(clause.split())]))
    return _closed(Opening(f"{clause}…", text, True), text, end, language)


def _closed(made: Opening, text: str, end: int, language: str | None) -> Opening:
    """`made`, a headline of `text`'s words (whitespace folded) before `end`, as it is
    when it leaves no quotation open; else ended at the quotation's close, or before it
    opens, and then cut: the text is read whole."""
    joined = " ".join(text.split())
    quotation = open_at(joined, end)
    if quotation is None:
        return made
    if quotation.end is not None and count_words(joined[: quotation.end]) <= HEADLINE_WORDS:
        stop = quotation.end
        while stop < len(joined) and not (joined[stop].isspace() or joined[stop].isalnum()):
            stop += 1  # the marks after the close: '"…costly",' '"…tide."'
        if open_at(joined, stop) is None:
            head = joined[:stop]
            if stop == len(joined) or stop in sentence_ends(joined, language=language):
                head = head[:-1] if head.endswith(".") and not head.endswith("..") else head
                return Opening(head, joined[stop:].strip(), False)
            return Opening(f"{without_break_mark(head)}…", text, True)
    if before := clause_before(joined[: quotation.start]):
        return Opening(f"{before}…", text, True)
    return Opening(f"{made.headline.removesuffix('…')}…{_closers(joined, end)}", text, True)


def _closers(joined: str, end: int) -> str:
    """The marks that close each quotation of `joined` open at `end`, innermost first
    (French guillemets with the space their opening mark has after it)."""
    marks = []
    for quotation in quotations(joined):
        if quotation.start < end and (quotation.end is None or quotation.end > end):
            spaced = _spaced(joined, quotation)
            marks.append(f" {closer(quotation)}" if spaced else closer(quotation))
    return "".join(reversed(marks))


def _spaced(joined: str, quotation: Quotation) -> bool:
    """Whether `quotation`'s opening mark has a space after it ("« pont…")."""
    return joined[quotation.start + 1 : quotation.start + 2].isspace()
