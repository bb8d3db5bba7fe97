"""What a list sent before: the articles it sent, and the reports of a story it sent that
are too old to run.

Job: say whether an article was sent (:func:`sent`), and which of the articles that may
run are one story with an article the list sent that is now older than
``max_age_hours``, directly or through reports of the story too old to run themselves
(:func:`covered`). The rank stage leaves a sent story's later reports out while its
sent report is young enough to be ranked with them (unless they are later news: see
:mod:`digest.rank.updates`); without this, the day that report grows too old they
would run, days late, as news ("Clean-up begins" on Friday, after Wednesday's edition
left it out as already sent).
Must not: decide what runs (that is :mod:`digest.rank`), or cluster when nothing too
old was sent (it then costs nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from types import MappingProxyType

from digest.rank.cluster import cluster
from digest.rank.options import RankOptions
from digest.records import Article, claimed_key

NONE: Mapping[str, tuple[Article, ...]] = MappingProxyType({})


def sent(article: Article, options: RankOptions) -> bool:
    """Sent before (or waiting to go out in another edition: `RankOptions.queued`), under
    its own key or another source's copy of it (records.copy_key), or by its source,
    with its link, headline and standfirst, under another key (a feed re-issued under
    new GUIDs)."""
    for keys in (options.already_sent, options.queued):
        if keys and (article.key in keys or claimed_key(article.key) in keys):
            return True
    links = options.sent_links
    return bool(links) and (article.source, article.url, article.title, article.summary) in links


def covered(
    articles: Sequence[Article],
    old: Sequence[Article],
    *,
    sent: Callable[[Article], bool],
    window: timedelta | None,
) -> Mapping[str, tuple[Article, ...]]:
    """Keys of `articles` in one story with a `sent` article of `old` (too old to run),
    when all of them, `old` included, are clustered together: each with the sent
    articles of its cluster (in the cluster's order)."""
    if not any(sent(a) for a in old):
        return NONE
    young = {a.key for a in articles}
    keys: dict[str, tuple[Article, ...]] = {}
    for group in cluster([*articles, *old], window=window):
        ran = tuple(a for a in group if sent(a))
        if ran:
            keys.update((a.key, ran) for a in group if a.key in young)
    return MappingProxyType(keys)
