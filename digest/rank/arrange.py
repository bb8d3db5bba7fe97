"""An edition's order of choice: the editor's pins, then the leads, then the teasers.

Job: :func:`arrange` fills an edition's lead and teaser places from stories in reading
order (best first), the one way both the rank stage (:func:`digest.rank.rank`) and a
section variant's re-cut of an edition (:class:`digest.render.Variant`) do it, so that a
subscriber of some sections gets the leads the edition's rule gives them: pins first,
past every limit; leads as :func:`digest.rank.leads.choose` says (the outlet limit,
none far under the floor); teasers from the rest, in the teaser places and any lead
place the floor left empty, at most ``teaser_cap`` per outlet (relaxed when short, for
stories with text, other outlets' first: :func:`digest.diversity.place`). Section quotas
and one outlet's headline once hold for all (:class:`~digest.rank.leads.Room`).
Must not: score, reorder, or read anything of a story but what the lead rule reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from digest.diversity import place
from digest.rank.leads import Room, S, choose, credit, says


def arrange(
    stories: Sequence[S],
    *,
    pins: Sequence[S],
    leads: int,
    teasers: int,
    lead_cap: int,
    teaser_cap: int,
    room: Room,
    floor: bool = True,
    outlet: Callable[[S], str] = credit,
    mixed: bool,
) -> tuple[list[S], list[S]]:
    """The leads and the teasers from `stories` (best first): `pins` (among them, in
    their order) first, in the lead places then the teaser places; `room` takes every
    story chosen. `floor`: the leads' floor (see :func:`~digest.rank.leads.choose`;
    False for an edition of leads only). `outlet` says whose a story is for the caps.
    `mixed`: the caps give way while the lists stay mixed or no other outlet has a story
    left, never for a story with nothing to say (:func:`digest.diversity.place`); False
    for a list, or a section of it, that reads one outlet, which fills its edition."""
    chosen_leads: list[S] = []
    chosen_teasers: list[S] = []
    for pin in pins:  # an editor's pins go first, in their order, past every limit
        if len(chosen_leads) < leads:
            chosen_leads.append(pin)
        elif len(chosen_teasers) < teasers:
            chosen_teasers.append(pin)
        room.took(pin)
    chosen = {id(s) for s in pins}
    new_leads, freed = choose(
        [s for s in stories if id(s) not in chosen],
        slots=leads - len(chosen_leads),
        cap=lead_cap,
        room=room,
        taken=[outlet(s) for s in chosen_leads],
        floor=floor,
        outlet=outlet,
        mixed=mixed,
    )
    chosen.update(id(s) for s in new_leads)
    chosen_leads += new_leads
    chosen_teasers += place(
        [s for s in stories if id(s) not in chosen],
        slots=teasers - len(chosen_teasers) + freed,  # a lead place the floor left empty
        cap=teaser_cap,
        source=outlet,
        admit=room.fits,
        took=room.took,
        taken=[outlet(s) for s in chosen_teasers],
        mixed=mixed,
        fills=says,
    )
    return chosen_leads, chosen_teasers
