"""Build: the stored articles ranked into a draft edition, and what was left out, and why.

The stage between collect and the gate. :func:`draft` reads the articles young enough
to run (:func:`candidates`), ranks them for everyone and for each set of sections
subscribers chose (:func:`select`, which reads nothing), stores the draft and accounts
for every stored article left out (:class:`~digest.gate.Built`). It takes the store and
the settings it is given (the App wires them) and the `now` it is told.
Must not: fetch, render, send, or read the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

from digest.gate import Built, TooFewStories
from digest.images import Hosted
from digest.rank import DROP_REASONS, RankOptions, rank
from digest.rank.outlets import publishers
from digest.records import Article, Edition, SourceReport, SourceSummary, Story

if TYPE_CHECKING:
    from digest.config import EditionSettings, Settings
    from digest.store import Store

__all__ = [
    "Host",
    "Selection",
    "build",
    "candidates",
    "draft",
    "list_options",
    "rank_options",
    "reach",
    "select",
    "since",
]


#: Hosts an edition's pictures at `now` (digest.images, as the App wires it): the
#: edition with each story's picture hosted or dropped, and what hosting did (a line per
#: picture dropped, how many were fetched and how many an earlier build had hosted).
Host = Callable[[Edition, datetime], tuple[Edition, Hosted]]


@dataclass(frozen=True, slots=True)
class Selection:
    """What a build chose: leads and teasers for everyone, and the sections' reserve."""

    leads: tuple[Story, ...]
    teasers: tuple[Story, ...]
    reserve: tuple[Story, ...]
    #: Articles in none of those stories: key -> why (one of digest.rank.DROP_REASONS).
    left_out: Mapping[str, str] = field(default_factory=dict)

    @property
    def dropped(self) -> dict[str, int]:
        """Articles left out, per reason (every reason, zeros included)."""
        counts = dict.fromkeys(DROP_REASONS, 0)
        for reason in self.left_out.values():
            counts[reason] += 1
        return counts


def list_options(
    store: Store, settings: Settings, list_name: str, *, edition_id: int | None = None
) -> RankOptions:
    """The ranking's options for a list: :func:`rank_options`, with what its editions
    sent (`Store.sent_keys`: any that delivered a copy) and what its editions waiting to
    go out will send (`Store.queued_keys`); neither counts `edition_id`'s own, when that
    edition is ranked again."""
    return rank_options(
        settings,
        store.sent_keys(list_name, but=edition_id),
        queued=store.queued_keys(list_name, but=edition_id),
        sent_links=store.sent_links(list_name, but=edition_id),
        carried_at=store.carried_at(list_name, but=edition_id),
    )


def rank_options(
    settings: Settings,
    already_sent: frozenset[str],
    *,
    sent_links: frozenset[tuple[str, str, str, str]] = frozenset(),
    carried_at: Mapping[str, datetime] = MappingProxyType({}),
    queued: frozenset[str] = frozenset(),
) -> RankOptions:
    """The ranking's options from `[edition]` and the sources' weights; `already_sent`
    are the article keys the list's earlier editions that went out carried (any that
    delivered a copy), `sent_links` their (source, link, headline, standfirst),
    `carried_at` when the latest edition that carried each was built, `queued` the
    keys of its editions still to go out."""
    e = settings.edition
    return RankOptions(
        leads=e.leads,
        teasers=e.teasers,
        lead_words=e.lead_words,
        teaser_words=e.teaser_words,
        half_life_hours=e.half_life_hours,
        max_leads_per_source=e.max_leads_per_source,
        max_teasers_per_source=e.max_teasers_per_source,
        cluster_window_hours=e.cluster_window_hours,
        max_age_hours=e.max_age_hours,
        same_outlet=publishers((s.name, s.outlet) for s in settings.sources),
        weights={s.name: s.weight for s in settings.sources},
        folders=frozenset(s.name for s in settings.sources if s.path is not None),
        source_sections={s.name: s.section for s in settings.sources},
        already_sent=already_sent,
        sent_links=sent_links,
        carried_at=carried_at,
        queued=queued,
        section_quotas=dict(e.quotas),
    )


def since(edition: EditionSettings, now: datetime) -> datetime | None:
    """The oldest an article may be to run at `now` (None: any age)."""
    hours = edition.max_age_hours
    return now - timedelta(hours=hours) if hours else None


def reach(edition: EditionSettings, now: datetime) -> datetime | None:
    """The oldest an article may be to be ranked for `now`: `since`, and a cluster
    window before it, so that a story sent before, whose sent reports are now too old
    to run, still keeps its later reports out (the rank stage leaves those too old)."""
    oldest = since(edition, now)
    window = edition.cluster_window_hours
    return oldest - timedelta(hours=window) if oldest is not None and window else oldest


def candidates(store: Store, edition: EditionSettings, now: datetime) -> list[Article]:
    """The stored articles the rank stage needs for `now` (see :func:`reach`)."""
    return store.articles(since=reach(edition, now))


def select(
    articles: Sequence[Article],
    section_sets: Iterable[frozenset[str]],
    *,
    now: datetime,
    options: RankOptions,
) -> Selection:
    """Rank for every subscriber, then for each set of sections subscribers chose.

    The general ranking gives the leads and teasers; each section set's own ranking
    adds, as the reserve, the stories its subscribers get in place of the ones of
    sections they left out (a selection per variant, carried by one edition).
    """
    ranked = rank(articles, now=now, options=options)
    seen = {k for story in ranked.leads + ranked.teasers for k in story.keys}
    reserve: list[Story] = []
    for sections in section_sets:
        own = rank(articles, now=now, options=replace(options, sections=sections))
        for story in own.leads + own.teasers:
            if not seen & set(story.keys):
                reserve.append(story)
                seen.update(story.keys)
    reserve.sort(key=lambda s: (-s.score, s.key))
    left_out = {k: why for k, why in ranked.left_out.items() if k not in seen}
    return Selection(ranked.leads, ranked.teasers, tuple(reserve), left_out)


def draft(
    store: Store,
    settings: Settings,
    *,
    list_name: str | None = None,
    now: datetime,
    slot: str | None = None,
    reports: Sequence[SourceReport] | None = None,
    host: Host | None = None,
) -> Built:
    """Rank the stored articles into a draft edition, store it, and account for
    every stored article left out. An edition without a story is not stored
    (`Built.edition` is None); one below `[edition] min_stories` is, for an editor
    to complete, and `Built.refusal` says why it may not be sent as it is.

    `reports` are this run's collect reports (their errors are the sources' errors);
    without them, the sources' stored health says which are failing. `host` hosts the
    stories' pictures before the edition is stored (:func:`digest.images.host_edition`,
    wired by the App); what it could not host is in `Built.images`.
    """
    lst = settings.list(list_name)
    e = settings.edition
    articles = candidates(store, e, now)
    oldest = reach(e, now)  # those between it and `since` the rank stage calls too old
    too_old = store.count_articles(before=oldest) if oldest is not None else 0
    options = list_options(store, settings, lst.name)
    ranked = select(articles, store.section_sets(lst.name), now=now, options=options)
    dropped = ranked.dropped
    dropped["too_old"] += too_old
    counts: dict[str, int] = {}
    for article in articles:
        counts[article.source] = counts.get(article.source, 0) + 1
    if reports is None:
        errors = {h.name: h.last_error for h in store.health() if h.consecutive_failures}
    else:
        errors = {r.name: r.error for r in reports}
    sources = tuple(
        SourceSummary(s.name, counts.get(s.name, 0), errors.get(s.name)) for s in settings.sources
    )
    built = Built(
        edition=None,
        articles=len({a.key for a in articles}) + too_old,
        dropped=MappingProxyType(dropped),
        max_age_hours=e.max_age_hours,
        min_stories=e.min_stories,
        sources=sources,
        leads=len(ranked.leads),
        teasers=len(ranked.teasers),
        reserve=len(ranked.reserve),
    )
    if not built.stories:
        return built
    edition = Edition(lst.name, now, ranked.leads, ranked.teasers, sources, reserve=ranked.reserve)
    hosted = Hosted(())
    if host is not None:
        edition, hosted = host(edition, now)
    return replace(
        built,
        edition=store.save_edition(edition, now=now, slot=slot, picture_notes=hosted.notes),
        images=hosted.problems,
        pictures_fetched=hosted.fetched,
        pictures_reused=hosted.reused,
    )


def build(
    store: Store,
    settings: Settings,
    *,
    list_name: str | None = None,
    now: datetime,
    slot: str | None = None,
    reports: Sequence[SourceReport] | None = None,
    host: Host | None = None,
) -> Edition:
    """Rank the stored articles into a draft edition and store it (see :func:`draft`).

    Raises TooFewStories, storing nothing, when no story is left.
    """
    built = draft(
        store, settings, list_name=list_name, now=now, slot=slot, reports=reports, host=host
    )
    if built.edition is None:
        raise TooFewStories(f"{built.summary()}; {built.hint()}")
    return built.edition
