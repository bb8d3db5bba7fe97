"""Retention: how long article bodies are kept, and emptying the older ones.

Job: turn `[database] keep_days` (:attr:`~digest.config.Settings.keep_days`) and an
explicit `now` into a cut-off, and have the store empty the text and HTML of the
articles older than it that no edition carries
(:meth:`Store.prune_articles <digest.store.Store.prune_articles>`). What identifies an
article stays, so it never comes back as new. The configuration refuses a `keep_days`
shorter than what a build reads back (:func:`~digest.config.settings.min_keep_days`).
Must not: read the clock, delete a row, or decide when to run (`digest prune` and the
scheduler's daily step do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from digest.codec import iso

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.store import Store

__all__ = ["Pruned", "cutoff", "prune"]


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a prune did (or, with `dry_run`, would do)."""

    emptied: int  # articles whose text and HTML were (or would be) emptied
    before: datetime | None  # the cut-off; None: nothing is old enough (keep_days = 0)
    keep_days: int
    dry_run: bool = False

    def summary(self) -> str:
        """One line: how many articles, and the cut-off."""
        if self.before is None:
            return f"keep_days = {self.keep_days}: every article's text is kept"
        verb = "would empty" if self.dry_run else "emptied"
        noun = "article" if self.emptied == 1 else "articles"
        return (
            f"{verb} the text of {self.emptied:,} {noun} first seen and published before "
            f"{iso(self.before.replace(microsecond=0))} (keep_days = {self.keep_days}); "
            "editions' articles kept"
        )


def cutoff(keep_days: int, now: datetime) -> datetime | None:
    """The time before which article bodies go (None: none go: 0 days, or before year 1)."""
    if keep_days <= 0:
        return None
    try:
        return now - timedelta(days=keep_days)
    except OverflowError:
        return None


def prune(store: Store, settings: Settings, *, now: datetime, dry_run: bool = False) -> Pruned:
    """Empty the bodies of the articles older than the project's `keep_days` at `now`."""
    keep = settings.keep_days
    before = cutoff(keep, now)
    if before is None:
        return Pruned(0, None, keep, dry_run)
    return Pruned(store.prune_articles(before=before, dry_run=dry_run), before, keep, dry_run)
