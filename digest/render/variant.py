"""What one group of subscribers gets (:class:`Variant`: the sections they chose) and
what rendering it gives (:class:`Rendered`).

A variant selects and re-places an edition's stories by the edition's own rule
(:func:`digest.rank.arrange.arrange`: pins first, the per-outlet caps, no lead far under
the floor, the sections' quotas); an edition with too few stories for a variant goes
out whole, noted.

The quotas (`[edition.quotas]`: at most so many stories of a section) hold in a variant
as in the edition. A variant is re-cut from the edition's stories and its reserve, and
the reserve was ranked for each set of sections subscribers chose with those quotas
(:func:`digest.build.select`); but it is one reserve for all the sets, so a reader of
Sport alone would otherwise also get the Sport stories another set's ranking added (a
Sport and Culture reader's), past the quota: what a reader gets would hang on what other
readers chose. With the quotas their email holds the best stories of their sections
that the quota allows, and when that is fewer than `[edition] min_variant_stories` they
get the whole edition, noted, as any variant short of stories. (To give a reader of
one section more of it than the edition runs, the build would have to rank that set
without the quota: an editor's choice the configuration cannot say today.)
Records and pure selection only: nothing here renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from digest.rank.arrange import arrange
from digest.rank.leads import Room
from digest.rank.outlets import NO_ONE, mixed, publisher
from digest.records import Article, Edition, Story

NO_QUOTAS: Mapping[str, int] = MappingProxyType({})
NO_SOURCES: Mapping[str, str | None] = MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=False)
class _Placed:
    """A story as the lead rule reads it: the article it shows (headline, credit,
    standfirst, section) and its score."""

    story: Story
    face: Article

    @property
    def score(self) -> float:
        return self.story.score


def _placed(story: Story) -> _Placed:
    face = Article(
        key=story.key,
        source=story.source,  # the credit the edition shows
        title=story.title,
        url=story.url,
        summary=story.summary,
        published=story.published,
        section=story.section,
    )
    return _Placed(story, face)


@dataclass(frozen=True, slots=True)
class Variant:
    """Which stories a group of subscribers gets: None means every section."""

    sections: frozenset[str] | None = None

    def admits(self, story: Story) -> bool:
        return self.sections is None or story.section is None or story.section in self.sections

    def select(
        self,
        edition: Edition,
        minimum: int,
        *,
        lead_cap: int = 1,
        teaser_cap: int = 2,
        same_outlet: Mapping[str, str] = NO_ONE,
        floor: bool = True,
        quotas: Mapping[str, int] = NO_QUOTAS,
        sources: Mapping[str, str | None] = NO_SOURCES,
    ) -> tuple[Edition, bool]:
        """What this variant's subscribers get, and whether it is the whole edition in
        place of a selection of fewer than `minimum` stories (never an empty one)."""
        own = self.apply(
            edition,
            lead_cap=lead_cap,
            teaser_cap=teaser_cap,
            same_outlet=same_outlet,
            floor=floor,
            quotas=quotas,
            sources=sources,
        )
        if self.sections is None or len(own.stories) >= max(minimum, 1):
            return own, False
        return edition, True

    def apply(
        self,
        edition: Edition,
        *,
        lead_cap: int = 1,
        teaser_cap: int = 2,
        same_outlet: Mapping[str, str] = NO_ONE,
        floor: bool = True,
        quotas: Mapping[str, int] = NO_QUOTAS,
        sources: Mapping[str, str | None] = NO_SOURCES,
    ) -> Edition:
        """The edition this variant's subscribers get: their sections' stories, in the
        edition's order, its pins first, with the freed lead places taken by the best
        remaining stories as the edition's rule takes them (:func:`digest.rank.arrange.
        arrange`: at most ``lead_cap`` leads and ``teaser_cap`` teasers per outlet,
        relaxed only when short; none far under the leads' floor, unless `floor` is
        False: a format of leads only; at most `quotas` of a section, pins counted, as
        the edition's `[edition.quotas]`: see the module's docstring). `same_outlet`:
        the credits that are one publisher's (:func:`digest.rank.outlets.publishers`).
        Unless the variant reads one outlet (`sources`, the list's: name -> section, of
        its sections, and the edition's stories of them), the caps relax for stories
        with text only, other outlets' first (:func:`digest.diversity.place`)."""
        if self.sections is None:
            return edition
        stories = [_placed(s) for s in edition.carried if self.admits(s)]
        names = [n for n, section in sources.items() if section in self.sections]
        names += [s.story.source for s in stories]
        leads, teasers = arrange(
            stories,
            pins=[s for s in stories if s.story.pinned],
            leads=len(edition.leads),
            teasers=len(edition.teasers),
            lead_cap=lead_cap,
            teaser_cap=teaser_cap,
            room=Room(quotas, same_outlet),
            floor=floor,
            outlet=lambda s: publisher(s.story.source, same_outlet),
            mixed=mixed(names, same_outlet),
        )
        return replace(
            edition,
            leads=tuple(s.story for s in leads),
            teasers=tuple(s.story for s in teasers),
            reserve=(),
        )

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
