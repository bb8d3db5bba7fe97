"""Retention: how long article bodies and the scheduler's records are kept, and
emptying or deleting the older ones.

Job: turn `[database] keep_days` (:attr:`~digest.config.Settings.keep_days`) and an
explicit `now` into a cut-off, and have the store empty the text and HTML of the
articles older than it that no edition carries
(:meth:`Store.prune_articles <digest.store.Store.prune_articles>`) and delete the
scheduler's records (schedule_runs) written before it that nothing reads any more
(:meth:`Store.prune_runs <digest.store.Store.prune_runs>`: open runs and each list's
latest of each action stay; so does the week a tick looks back at,
:data:`RUNS_KEPT`, when keep_days is shorter) and the hosted pictures last hosted
before it that no stored edition shows (:meth:`Store.prune_images
<digest.store.Store.prune_images>`: a sent edition, which the archive shows, a draft,
and a build storing its edition keep theirs; and every picture stays at least
:data:`IMAGES_KEPT`), then truncate SQLite's write-ahead log
(:meth:`Store.truncate_log <digest.store.Store.truncate_log>`). What identifies an
article stays, so it never comes back as new. The configuration refuses a `keep_days`
shorter than what a build reads back (:func:`~digest.config.settings.min_keep_days`).
Must not: read the clock, delete an article's row, or decide when to run (`digest
prune` and the scheduler's daily step do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from digest.codec import iso
from digest.revision import sqlite_file

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.store import Store

__all__ = ["IMAGES_KEPT", "RUNS_KEPT", "Pruned", "cutoff", "prune"]

#: The scheduler's records are kept at least this long, whatever keep_days says: a tick
#: looks back this far for the slots it missed (:data:`digest.schedule.LOOKBACK`; not
#: imported, so that `digest prune` need not load the scheduler).
RUNS_KEPT = timedelta(days=7)
#: A hosted picture no edition shows is kept at least this long after it was last
#: hosted, whatever keep_days says: a build hosts its pictures before it stores its
#: edition (minutes), and a test message or preview of a draft a rebuild changed since
#: still shows the pictures it had.
IMAGES_KEPT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a prune did (or, with `dry_run`, would do)."""

    emptied: int  # articles whose text and HTML were (or would be) emptied
    before: datetime | None  # the cut-off; None: nothing is old enough (keep_days = 0)
    keep_days: int
    dry_run: bool = False
    runs: int = 0  # the scheduler's records (schedule_runs rows) deleted (or to be)
    runs_before: datetime | None = None  # their cut-off: `before`, or a week ago if earlier
    images: int = 0  # hosted pictures no edition shows deleted (or to be)
    image_bytes: int = 0  # their size
    images_before: datetime | None = None  # last hosted before this: `before`, or a week ago

    def summary(self) -> str:
        """One line: how many articles, scheduler records and pictures, and the cut-offs."""
        if self.before is None:
            return (
                f"nothing to prune ([database] keep_days = {self.keep_days}): every "
                "article's text, every scheduler record and every hosted picture is kept"
            )
        verb = "would empty" if self.dry_run else "emptied"
        noun = "article" if self.emptied == 1 else "articles"
        runs = "record" if self.runs == 1 else "records"
        return (
            f"{verb} the text of {self.emptied:,} {noun} first seen and published before "
            f"{_shown(self.before)} (keep_days = {self.keep_days}); editions' articles kept; "
            f"{'would delete' if self.dry_run else 'deleted'} {self.runs:,} of the "
            f"scheduler's {runs} written before {_shown(self.runs_before or self.before)} "
            "(open runs and each list's latest of each action kept); "
            f"{'would delete' if self.dry_run else 'deleted'} {self.images:,} hosted "
            f"{'picture' if self.images == 1 else 'pictures'} ({self.image_bytes:,} bytes) "
            f"that no edition shows, last hosted before "
            f"{_shown(self.images_before or self.before)}"
        )


def _shown(when: datetime) -> str | None:
    return iso(when.replace(microsecond=0))


def cutoff(keep_days: int, now: datetime) -> datetime | None:
    """The time before which article bodies go (None: none go: 0 days, or before year 1)."""
    if keep_days <= 0:
        return None
    try:
        return now - timedelta(days=keep_days)
    except OverflowError:
        return None


def prune(
    store: Store | None, settings: Settings, *, now: datetime, dry_run: bool = False
) -> Pruned:
    """Empty the bodies of the articles older than the project's `keep_days` at `now`,
    and delete the scheduler's records older than that that nothing reads any more, and
    the hosted pictures last hosted before that that no stored edition shows.
    Without a store (a dry run of a project with no database yet) nothing would go."""
    keep = settings.keep_days
    before = cutoff(keep, now)
    if before is None:
        return Pruned(0, None, keep, dry_run)
    runs_before = min(before, now - RUNS_KEPT)
    images_before = min(before, now - IMAGES_KEPT)
    if store is None:
        return Pruned(0, before, keep, dry_run, 0, runs_before, images_before=images_before)
    emptied = store.prune_articles(before=before, dry_run=dry_run)
    runs = store.prune_runs(before=runs_before, dry_run=dry_run)
    images, image_bytes = store.prune_images(before=images_before, dry_run=dry_run)
    if not dry_run:
        store.truncate_log()
    return Pruned(
        emptied, before, keep, dry_run, runs, runs_before, images, image_bytes, images_before
    )


def prune_project(
    settings: Settings,
    open_store: Callable[[], Store],
    *,
    opened: bool,
    now: datetime,
    dry_run: bool = False,
) -> Pruned:
    """:func:`prune` of the project's store. A dry run of a project whose SQLite file
    does not exist yet (and whose store is not `opened`) would empty nothing, and says
    so without opening the store, which would create and migrate the file."""
    if dry_run and not opened:
        path = sqlite_file(settings.database.url)
        if path is not None and not path.exists():
            return prune(None, settings, now=now, dry_run=True)
    return prune(open_store(), settings, now=now, dry_run=dry_run)
