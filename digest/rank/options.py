"""What an edition asks of the rank stage: :class:`RankOptions` (a leaf module).

Job: hold the options record that :func:`digest.rank.rank` and its parts
(:mod:`digest.rank.score`) read, so that they share it without importing each other.
Must not: import anything of digest's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class RankOptions:
    """What an edition asks of the rank stage (from the list's configuration and desk)."""

    leads: int = 3  # lead stories, at most
    teasers: int = 8  # teasers after the leads, at most
    lead_words: int = 120  # a lead's summary budget
    teaser_words: int = 40  # a teaser's summary budget (and two sentences at most)
    half_life_hours: float = 24.0  # a story's recency halves every this many hours
    max_leads_per_source: int = 1  # diversity: leads credited to one outlet (relaxed if short)
    max_teasers_per_source: int = 2  # diversity: teasers credited to one outlet (likewise)
    cluster_window_hours: float | None = 72.0  # a story's reports lie this close (None: any)
    max_age_hours: float | None = None  # ignore articles older than this (None: no limit)
    # Credits (case and spacing folded) that are one publisher's for the per-outlet caps, to
    # that publisher (sources' `outlet` keys: digest.rank.outlets.publishers).
    same_outlet: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    boosts: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    pinned: tuple[str, ...] = ()  # article keys, in order: first in the edition
    excluded: frozenset[str] = frozenset()  # article keys never selected
    # Keys an earlier edition of the list carried that went out: sending or sent, or
    # stopped (paused, cancelled) after it delivered a copy (see Store.sent_keys).
    already_sent: frozenset[str] = frozenset()
    # (source, link, headline, standfirst) of those: the same, under new GUIDs, were sent
    sent_links: frozenset[tuple[str, str, str, str]] = frozenset()
    # Of those keys: when the latest edition of the list that carried each was built (its
    # `at`). A later report of a sent story published before then could have run in it
    # (see rank.updates); a key missing here only lacks that limit.
    carried_at: Mapping[str, datetime] = field(default_factory=lambda: MappingProxyType({}))
    # Keys the list's other editions carry that have not gone out yet (paused, or built
    # ahead for an earlier slot: see Store.queued_keys): as good as sent for this edition.
    queued: frozenset[str] = frozenset()
    section_quotas: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    sections: frozenset[str] | None = None  # a variant: only these sections (None: all)
    # Sources that are folders of article files: a file is dated (else by its mtime),
    # so one undated from a first collect was written after `now`, not a feed's old
    # backlog; it counts from first sight like any new item.
    folders: frozenset[str] = frozenset()
    # The list's sources: name -> section (None: none). Those of the variant's sections,
    # with its articles' credits, say whether it reads one outlet (which then fills the
    # edition) or several (the caps give way only while the lists stay mixed: see
    # digest.diversity). Empty: the articles' credits alone say.
    source_sections: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        counts = (self.leads, self.teasers, self.lead_words, self.teaser_words)
        caps = (self.max_leads_per_source, self.max_teasers_per_source)
        if min(counts) < 0 or min(caps) < 0:
            raise ValueError("rank options: counts and word budgets must not be negative")
        if self.half_life_hours <= 0:
            raise ValueError(f"rank options: half_life_hours must be > 0: {self.half_life_hours}")
        if self.cluster_window_hours is not None and self.cluster_window_hours <= 0:
            raise ValueError(
                f"rank options: cluster_window_hours must be > 0: {self.cluster_window_hours}"
            )
