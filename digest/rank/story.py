"""A story being built by :mod:`digest.rank.cluster`: its members (positions in the
batch's canonical order) and the time span of its dated members."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

#: A sparse vector: term ids (distinct) and their weights, in the order the terms first occur.
Vector = tuple[np.ndarray, np.ndarray]


class Story:
    """A story being built: its members (positions) and its dated members' time span."""

    __slots__ = ("centroid", "first", "indexed", "last", "members")

    def __init__(self, i: int, when: datetime | None) -> None:
        self.members = [i]
        self.first = self.last = when
        self.indexed = 0
        self.centroid: tuple[tuple[int, ...], Vector] | None = None  # (core, its centroid)

    def fits(self, when: datetime | None, window: timedelta | None) -> bool:
        if when is None or window is None or self.first is None or self.last is None:
            return True
        return max(self.last, when) - min(self.first, when) <= window

    def merge(self, other: Story) -> None:
        """Take ``other``'s members (both stories' cores agree: see :func:`cluster`)."""
        self.members = sorted(self.members + other.members)
        self.indexed += other.indexed
        for when in (other.first, other.last):
            if when is not None:
                self.first = when if self.first is None else min(self.first, when)
                self.last = when if self.last is None else max(self.last, when)

    def add(self, i: int, when: datetime | None) -> None:
        self.members.append(i)
        if when is not None:
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)
