"""Per-source caps for filling an edition's slots: no one outlet takes over an edition.

Job: from items already in reading order (best first), choose up to ``slots`` of them
with at most ``cap`` per source. When the caps leave slots empty, they are relaxed in one
defined, deterministic order rather than leaving the edition short: the cap is raised by
one story per source at a time (cap + 1, then cap + 2, ...), each time taking the best
remaining items in reading order, so a second outlet's extra story comes in before a
first outlet's third (never past ``most``, when given). The chosen items keep their
reading order. Used by the rank stage
(leads, then teasers) and by a section variant's edition (its own leads and teasers).

``mixed``: the cap gives way only while the list stays mixed. An edition would rather be
shorter than one outlet's: on a thin day the raised cap let the one outlet with news
fill the list (a News reader's email of June 2017 was eleven headlines of Science's
weekly table of contents, in a row). Past its cap a source takes an item only while it
has no more items in the list than all the other sources together (so it ends with at
most one more than they have), and only an item ``fills`` accepts (the caller's: a
headline with nothing under it is no filler). The caller leaves it off for a list that
reads one outlet (a one-source newsletter, a section one source serves), which that
outlet fills as before.
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

    def may(item: T) -> bool:
        """Within the cap, or past it as the module's docstring says."""
        own = counts[source(item)]
        if own < cap or not mixed:
            return True
        return own <= counts.total() - own and fills(item)

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
