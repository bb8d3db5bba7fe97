"""Per-source caps for filling an edition's slots: no one outlet takes over an edition.

Job: from items already in reading order (best first), choose up to ``slots`` of them
with at most ``cap`` per source. When the caps leave slots empty, they are relaxed in one
defined, deterministic order rather than leaving the edition short: the cap is raised by
one story per source at a time (cap + 1, then cap + 2, ...), each time taking the best
remaining items in reading order, so a second outlet's extra story comes in before a
first outlet's third (never past ``most``, when given). The chosen items keep their
reading order. Used by the rank stage
(leads, then teasers) and by a section variant's edition (its own leads and teasers).

``mixed``: past its cap a source takes only an item ``fills`` accepts (the caller's: a
headline with nothing under it is no filler; a News reader's email of June 2017 was
eleven headlines of Science's weekly table of contents, in a row), and only while the
list stays mixed (it has no more items in the list than all the other sources together)
or once no other source has an item left to place (within its cap, or one ``fills``
accepts, that ``admit`` takes). So on a mixed day every other outlet's stories go in
first; once they are exhausted, the outlet with news fills the rest: one story from a
second outlet never makes the edition shorter than that outlet's absence would. The
caller leaves ``mixed`` off for a list that reads one outlet (a one-source newsletter, a
section one source serves), which that outlet fills, headlines alone included.
Must not: reorder items by anything but their given order, look at anything but an
item's source (and ``fills``), or relax anything other than the per-source cap (an
``admit`` test, such as a section quota, is never relaxed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def place(
    items: Sequence[T],
    *,
    slots: int,
    cap: int,
    source: Callable[[T], str],
    admit: Callable[[T], bool] = lambda _: True,
    took: Callable[[T], None] = lambda _: None,
    taken: Sequence[str] = (),
    most: int | None = None,
    mixed: bool = False,
    fills: Callable[[T], bool] = lambda _: True,
) -> list[T]:
    """Up to ``slots`` items, at most ``cap`` per source unless relaxing is needed.

    ``admit`` may refuse an item (it is asked again after every choice, so it can keep
    its own count, updated by ``took``). ``taken`` names the sources of items already
    placed (an editor's pins): they count against the cap. ``most``: the cap is never
    relaxed past it (None: as far as the items need). ``mixed``: relaxed only while the
    list stays mixed, and only for items ``fills`` accepts (see the module's docstring).
    """
    counts: Counter[str] = Counter(taken)
    chosen: set[int] = set()
    limit = cap

    waiting: tuple[int, set[str]] = (-1, set())

    def others(own: str) -> bool:
        """Does a source other than ``own`` have an item left to place?"""
        nonlocal waiting
        if waiting[0] != len(chosen):  # `admit` and the counts change only with a choice
            waiting = (len(chosen), {source(i) for i in rest() if within(i) or fills(i)})
        return bool(waiting[1] - {own})

    def rest() -> list[T]:
        return [item for n, item in enumerate(items) if n not in chosen and admit(item)]

    def within(item: T) -> bool:
        return counts[source(item)] < cap

    def may(item: T) -> bool:
        """Within the cap, or past it as the module's docstring says."""
        if within(item) or not mixed:
            return True
        own = counts[source(item)]
        if not fills(item):
            return False
        return own <= counts.total() - own or not others(source(item))

    while len(chosen) < slots:
        for n, item in enumerate(items):
            if len(chosen) >= slots:
                break
            if n in chosen or counts[source(item)] >= limit or not may(item) or not admit(item):
                continue
            chosen.add(n)
            counts[source(item)] += 1
            took(item)
        left = [
            item for n, item in enumerate(items) if n not in chosen and may(item) and admit(item)
        ]
        if not left or limit >= len(items) or (most is not None and limit >= most):
            break
        limit += 1  # every remaining item's source is at the limit: one more each
    return [item for n, item in enumerate(items) if n in chosen]
