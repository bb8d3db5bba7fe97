"""Reports of a story a list already sent, when the reports it sent are too old to run.

Job: say which of the articles that may run are one story with an article the list sent
that is now older than ``max_age_hours``, directly or through reports of the story too
old to run themselves. The rank stage leaves a sent story's later reports out while its
sent report is young enough to be ranked with them; without this, the day that report
grows too old they would run, days late, as news ("Clean-up begins" on Friday, after
Wednesday's edition left it out as already sent).
Must not: decide what runs (that is :mod:`digest.rank`), or cluster when nothing too
old was sent (it then costs nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from digest.rank.cluster import cluster
from digest.records import Article


def covered(
    articles: Sequence[Article],
    old: Sequence[Article],
    *,
    sent: Callable[[Article], bool],
    window: timedelta | None,
) -> frozenset[str]:
    """Keys of `articles` in one story with a `sent` article of `old` (too old to run),
    when all of them, `old` included, are clustered together."""
    if not any(sent(a) for a in old):
        return frozenset()
    young = {a.key for a in articles}
    keys: set[str] = set()
    for group in cluster([*articles, *old], window=window):
        if any(sent(a) for a in group):
            keys.update(a.key for a in group if a.key in young)
    return frozenset(keys)
