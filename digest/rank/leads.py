"""An edition's lead stories: strong ones, no more than the outlet limit allows each outlet.

Job: choose the leads from the scored stories (best first, after the editor's pins):
those with something to say before those without, never an advertiser's (see
:func:`digest.rank.score.sponsored`), at most ``max_leads_per_source`` per outlet
(``Article.credit``, or the publisher the caller says it is: see
:func:`digest.rank.outlets.publisher`), relaxed when short as
:func:`digest.diversity.place` says; and keep the sections' quotas and one outlet's
headline once (:class:`Room`, which the teasers share). Then the floor: a lead must
score at least ``LEAD_FLOOR`` of the best story left out of the leads that could have
led but for the outlet limit. The limit is there so that one outlet cannot take every
lead when others have news worth leading; on a day one outlet has all the news it used
to hand the other slots to whatever the others had, how ever stale (a blog's
three-week-old sale post led, score 0.000, while the day's security story ran as a
teaser). A story that far below the one it displaces is filler, not a lead: its slot is
not filled by it. The strong story takes the slot only if its outlet's limit allows (as
far as the edition's own shortage of stories had relaxed it); the floor never relaxes
the limit further, so one outlet still does not take every lead because the others'
stories were stale. A slot left empty goes to the teasers (the caller's ``freed``), so
the edition keeps its number of stories (`[edition] min_stories`) and the weaker stories
still run, as teasers. Nor is it filled by a story with nothing to say beyond its
headline (Science's "This Week in Science" items have no description: "Food for fungi"
took the third lead as a headline and "Read more" while stories with text ran as teasers);
such a story leads only where the first choice gave it a slot, for want of others.
Must not: reorder stories, choose teasers, or relax anything but as above.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from digest.diversity import place
from digest.rank.outlets import NO_ONE, publisher
from digest.rank.score import sponsored
from digest.records import Article

#: A lead scores at least this share of the best story the outlet limit kept out of the
#: leads: diversity is worth a story two half-lives older (a day-old report of another
#: outlet still leads beside the morning's), not a stale one.
LEAD_FLOOR = 0.25


class Story(Protocol):
    """What the choice reads of a scored story (the rank stage's candidate)."""

    @property
    def face(self) -> Article: ...

    @property
    def score(self) -> float: ...


S = TypeVar("S", bound=Story)


def heading(story: Story, same: Mapping[str, str] = NO_ONE) -> tuple[str, str]:
    """The publisher (:func:`digest.rank.outlets.publisher`, with the sources `same`
    makes one) and the headline a reader sees for `story`, case and spacing aside."""
    face = story.face
    return publisher(face.credit, same), " ".join(face.title.casefold().split())


def credit(story: Story) -> str:
    return story.face.credit


def says(story: Story) -> bool:
    """Has something to say beyond its headline (a standfirst or a body)."""
    return bool(story.face.summary.strip() or story.face.text.strip())


class Room:
    """The sections' quotas and the headlines already shown, for the stories chosen;
    `same`: the credits that are one publisher's (:func:`digest.rank.outlets.publishers`),
    whose headline runs once whichever of its sources carried it."""

    def __init__(self, quotas: Mapping[str, int], same: Mapping[str, str] = NO_ONE) -> None:
        self.quotas = quotas
        self.same = same
        self.sections: Counter[str | None] = Counter()
        self.shown: set[tuple[str, str]] = set()

    def fits(self, story: Story) -> bool:
        """Its section under its quota, and its outlet's headline not shown yet (a
        thread's replies, a column's issues run once)."""
        section = story.face.section
        quota = self.quotas.get(section) if section is not None else None
        if heading(story, self.same) in self.shown:
            return False
        return quota is None or self.sections[section] < quota

    def took(self, story: Story) -> None:
        self.sections[story.face.section] += 1
        self.shown.add(heading(story, self.same))

    def copy(self) -> Room:
        other = Room(self.quotas, self.same)
        other.sections = self.sections.copy()
        other.shown = set(self.shown)
        return other


def choose(
    stories: Sequence[S],
    *,
    slots: int,
    cap: int,
    room: Room,
    taken: Sequence[str],
    floor: bool = True,
    outlet: Callable[[S], str] = credit,
    mixed: bool = False,
) -> tuple[list[S], int]:
    """Up to `slots` leads from `stories` (best first), and how many slots the floor
    left empty (`LEAD_FLOOR`); `room` takes the leads chosen, `taken` names the outlets
    of the leads pinned. Without `floor` (an edition of leads only, with no teasers to
    run the weaker stories in) the leads are as the outlet limit alone gives them.
    `outlet` says whose a story is for the limit (default: its credit). `mixed`: the
    limit gives way while the leads stay mixed or no other outlet has a story left, and
    not for a story with nothing to say (:func:`digest.diversity.place`)."""
    pool = [s for s in stories if says(s)] + [s for s in stories if not says(s)]
    trial = room.copy()
    first = _place(pool, slots=slots, cap=cap, room=trial, taken=taken, outlet=outlet, mixed=mixed)
    chosen = {id(s) for s in first}
    bar = next((s for s in pool if id(s) not in chosen and says(s) and _may_lead(s, trial)), None)
    leads = first
    if floor and bar is not None and any(s.score < LEAD_FLOOR * bar.score for s in first):
        counts = Counter([*taken, *(outlet(s) for s in first)])
        most = max([cap, *(counts[outlet(s)] for s in first)])  # as far as it was relaxed
        # A story with nothing to say (a headline and a link) does not take a slot the
        # floor frees: a lead of a headline and "Read more" reads as broken. It leads
        # only where the first choice gave it a slot, for want of any that say more.
        strong = [
            s for s in pool if s.score >= LEAD_FLOOR * bar.score and (says(s) or id(s) in chosen)
        ]
        leads = _place(
            strong,
            slots=slots,
            cap=cap,
            room=room.copy(),
            taken=taken,
            outlet=outlet,
            most=most,
            mixed=mixed,
        )
    for lead in leads:
        room.took(lead)
    return leads, max(0, len(first) - len(leads))


def _may_lead(story: Story, room: Room) -> bool:
    return room.fits(story) and not sponsored(story.face)


def _place(
    pool: Sequence[S],
    *,
    slots: int,
    cap: int,
    room: Room,
    taken: Sequence[str],
    outlet: Callable[[S], str],
    most: int | None = None,
    mixed: bool = False,
) -> list[S]:
    return place(
        pool,
        slots=slots,
        cap=cap,
        source=outlet,
        admit=lambda s: _may_lead(s, room),
        took=room.took,
        taken=taken,
        most=most,
        mixed=mixed,
        fills=says,
    )
