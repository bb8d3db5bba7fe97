"""Per-source caps for filling an edition's slots: no one outlet takes over an edition.

Job: from items already in reading order (best first), choose up to ``slots`` of them
with at most ``cap`` per source. When the caps leave slots empty, they are relaxed in one
defined, deterministic order rather than leaving the edition short: the cap is raised by
one story per source at a time (cap + 1, then cap + 2, ...), each time taking the best
remaining items in reading order, so a second outlet's extra story comes in before a
first outlet's third (never past ``most``, when given). The chosen items keep their
reading order. Used by the rank stage
(leads, then teasers) and by a section variant's edition (its own leads and teasers).
Must not: reorder items by anything but their given order, look at anything but an
item's source, or relax anything other than the per-source cap (an ``admit`` test, such
as a section quota, is never relaxed).
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
) -> list[T]:
    """Up to ``slots`` items, at most ``cap`` per source unless relaxing is needed.

    ``admit`` may refuse an item (it is asked again after every choice, so it can keep
    its own count, updated by ``took``). ``taken`` names the sources of items already
    placed (an editor's pins): they count against the cap. ``most``: the cap is never
    relaxed past it (None: as far as the items need).
    """
    counts: Counter[str] = Counter(taken)
    chosen: set[int] = set()
    limit = cap
    while len(chosen) < slots:
        for n, item in enumerate(items):
            if len(chosen) >= slots:
                break
            if n in chosen or counts[source(item)] >= limit or not admit(item):
                continue
            chosen.add(n)
            counts[source(item)] += 1
            took(item)
        left = [item for n, item in enumerate(items) if n not in chosen and admit(item)]
        if not left or limit >= len(items) or (most is not None and limit >= most):
            break
        limit += 1  # every remaining item's source is at the limit: one more each
    return [item for n, item in enumerate(items) if n in chosen]
