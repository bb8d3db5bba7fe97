"""What one group of subscribers gets (:class:`Variant`: the sections they chose) and
what rendering it gives (:class:`Rendered`).

A variant selects and re-places an edition's stories, keeping the per-outlet caps; an
edition with too few stories for a variant goes out whole, noted. Records and pure
selection only: nothing here renders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from digest.diversity import place
from digest.records import Edition, Story


def _source(story: Story) -> str:
    return story.source


@dataclass(frozen=True, slots=True)
class Variant:
    """Which stories a group of subscribers gets: None means every section."""

    sections: frozenset[str] | None = None

    def admits(self, story: Story) -> bool:
        return self.sections is None or story.section is None or story.section in self.sections

    def select(
        self, edition: Edition, minimum: int, *, lead_cap: int = 1, teaser_cap: int = 2
    ) -> tuple[Edition, bool]:
        """What this variant's subscribers get, and whether it is the whole edition in
        place of a selection of fewer than `minimum` stories (never an empty one)."""
        own = self.apply(edition, lead_cap=lead_cap, teaser_cap=teaser_cap)
        if self.sections is None or len(own.stories) >= max(minimum, 1):
            return own, False
        return edition, True

    def apply(self, edition: Edition, *, lead_cap: int = 1, teaser_cap: int = 2) -> Edition:
        """The edition this variant's subscribers get: their sections' stories, best
        first, with the freed lead places taken by the best remaining stories, at most
        ``lead_cap`` leads and ``teaser_cap`` teasers per outlet (relaxed only when short:
        :func:`digest.diversity.place`)."""
        if self.sections is None:
            return edition
        stories = [s for s in edition.carried if self.admits(s)]
        leads = place(stories, slots=len(edition.leads), cap=lead_cap, source=_source)
        rest = [s for s in stories if all(s is not lead for lead in leads)]
        teasers = place(rest, slots=len(edition.teasers), cap=teaser_cap, source=_source)
        return replace(edition, leads=tuple(leads), teasers=tuple(teasers), reserve=())

    @property
    def key(self) -> str:
        return "all" if self.sections is None else "+".join(sorted(self.sections)) or "none"


@dataclass(frozen=True, slots=True)
class Rendered:
    """One variant of an edition, ready to be wrapped into messages."""

    subject: str
    preheader: str
    html: str  # CSS inlined, with placeholders
    text: str  # 78-column plain text, with placeholders
    dropped_teasers: int = 0  # teasers left out to keep the HTML under the size limit
    inline_passes: int = 1  # premailer runs it took to fit the size limit
    whole_edition: bool = False  # the variant had too few stories: the whole edition, noted
