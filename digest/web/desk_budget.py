"""The summaries an edition carries over the word budget of their place.

The ranking trims every summary it writes to `[edition] lead_words` (a lead) or
`teaser_words` (a teaser), and so does a story added on the desk. An editor's own
rewrite is not cut: the words are the editor's, and cutting them silently would send
something nobody wrote. But it goes out whole in the HTML, the text part, the archive
and the Atom feed, so the edition page says, before approval, which summaries are over
their place's budget and by how many words (:func:`over_budget`); the editor shortens
them or approves them as they are. The preheader, a preview line of fixed length in
inboxes, is cut as always (digest.render.Renderer.preheader). Words are counted as
the budget counts them (digest.wording.trim.count_words). Pure: no Flask, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from digest.config import EditionSettings
from digest.records import Edition, Story
from digest.wording.trim import count_words


@dataclass(frozen=True, slots=True)
class OverBudget:
    """One summary longer than its place's budget."""

    title: str
    place: Literal["lead", "teaser"]
    words: int
    budget: int

    @property
    def over(self) -> int:
        return self.words - self.budget

    def line(self) -> str:
        """What the edition page says of it."""
        return (
            f"“{self.title}” ({self.place}): {self.words} words, {self.over} over the "
            f"{self.place} budget of {self.budget} ([edition] {self.place}_words)."
        )


def over_budget(edition: Edition, settings: EditionSettings) -> tuple[OverBudget, ...]:
    """The leads and teasers of `edition` whose summaries are over `settings`' budget
    for their place, in the edition's order."""
    return _over("lead", edition.leads, settings.lead_words) + _over(
        "teaser", edition.teasers, settings.teaser_words
    )


def _over(
    place: Literal["lead", "teaser"], stories: tuple[Story, ...], budget: int
) -> tuple[OverBudget, ...]:
    counted = ((s, count_words(s.summary)) for s in stories)
    return tuple(OverBudget(s.title, place, n, budget) for s, n in counted if n > budget)
