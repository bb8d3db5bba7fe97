"""The rank stage: from collected articles to an edition's lead stories and teasers.

Job: filter the articles that may run (not excluded, not from the future, not too old,
not of unknown age, in the variant's sections, with a link or some text), cluster
near-duplicates into stories (:mod:`~digest.rank.cluster`), score them
(:mod:`~digest.rank.score`), place the editor's pins first, pick leads with a
per-source diversity limit and none far weaker than a story it displaces
(:mod:`~digest.rank.leads`), then teasers, within section quotas, and trim each summary
(:mod:`~digest.wording.trim`). A story the list sent before runs again only as an update
of its later news (:mod:`~digest.rank.updates`). Pure and deterministic: the same
articles (in any order) and the same ``now`` give the same :class:`Ranked`.
Must not: read the clock, touch the store or the network, render anything, or show an
article twice in one edition or again after an earlier edition (unless an editor pins
it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType

# Imported under other names, so that ``digest.rank.cluster`` etc. stay the modules.
from digest.rank.arrange import arrange as _arrange
from digest.rank.cluster import cluster as _cluster
from digest.rank.leads import LEAD_FLOOR
from digest.rank.leads import Room as _Room
from digest.rank.options import RankOptions
from digest.rank.outlets import mixed as _several
from digest.rank.outlets import page as _page
from digest.rank.outlets import publisher as _publisher
from digest.rank.outlets import site as _site
from digest.rank.reasons import left_out as _reasons
from digest.rank.repeats import covered as _covered
from digest.rank.repeats import sent as _sent
from digest.rank.score import face as _face
from digest.rank.score import newest as _newest
from digest.rank.score import score as _score
from digest.rank.score import sponsored as _sponsored
from digest.rank.threads import fold as _fold
from digest.rank.threads import leaders as _leaders
from digest.rank.threads import threads as _threads
from digest.rank.updates import later as _later
from digest.rank.updates import ran as _ran
from digest.records import Also, Article, Story
from digest.wording.told import told as _told
from digest.wording.told import unlabelled as _unlabelled
from digest.wording.trim import trim as _trim

__all__ = [
    "DROP_REASONS",
    "FUTURE_SLACK",
    "LEAD_FLOOR",
    "RankOptions",
    "Ranked",
    "advertisements",
    "rank",
]

#: Articles dated up to this far after ``now`` still count (clock skew, time zones).
FUTURE_SLACK = timedelta(hours=1)
TEASER_SENTENCES = 2
#: Why an article is not in an edition, in the order they are checked (the first that
#: applies counts): excluded by an editor, dated after ``now``, older than
#: ``max_age_hours``, undated and already in its feed when we first read it (its age is
#: unknown: ``Article.age_unknown``), of a section the variant leaves out, with neither
#: a link nor any text beyond its headline (nothing for a reader: ``empty``), sent in an
#: earlier edition of the list (itself, or another telling of its story that is no
#: later news: see rank.updates), an advertisement or a sponsor's post, with text or
#: without (``advert``: see score.sponsored; an editor who pins one runs it), under a
#: headline its outlet runs in the edition already (a column's other issue: see
#: rank.reasons), ranked below the cut. An editor's pin runs past "too_old", "undated"
#: and "empty".
DROP_REASONS = (
    "excluded",
    "future",
    "too_old",
    "undated",
    "other_section",
    "empty",
    "already_sent",
    "queued",
    "advert",
    "same_headline",
    "no_room",
)
#: A story record names at most this many other outlets; ``Story.also_more`` counts the rest.
MAX_ALSO = 10


@dataclass(frozen=True, slots=True)
class Ranked:
    """The stories chosen for an edition, in reading order."""

    leads: tuple[Story, ...]
    teasers: tuple[Story, ...]
    #: Every input article not in a chosen story: its key -> one of DROP_REASONS.
    left_out: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def stories(self) -> tuple[Story, ...]:
        return self.leads + self.teasers

    @property
    def dropped(self) -> Mapping[str, int]:
        """How many articles were left out for each of DROP_REASONS (zeros included)."""
        counts = Counter(self.left_out.values())
        return MappingProxyType({reason: counts[reason] for reason in DROP_REASONS})


@dataclass(frozen=True, slots=True, eq=False)
class _Candidate:
    members: tuple[Article, ...]
    face: Article
    score: float
    why: Mapping[str, float]
    latest: float  # the newest member's timestamp, for the tie-break (-inf when undated)
    pinned: bool
    update: bool = False  # the later news of a story sent before (see rank.updates)
    first_reported: datetime | None = None  # an update's: when its first sent report was

    @property
    def order(self) -> tuple[float, float, str]:
        """Sort key: score desc, then newest first, then the face's key."""
        return (-self.score, -self.latest, self.face.key)


def _eligible(
    articles: Sequence[Article], now: datetime, options: RankOptions
) -> tuple[list[Article], dict[str, str]]:
    """Articles that may run in this edition, one per key; and the others' reasons.

    Articles sent before stay in (their stories must not run again: see `_candidates`),
    so they are accounted for after clustering, in `_left_out`.
    """
    oldest = None if options.max_age_hours is None else now - timedelta(hours=options.max_age_hours)
    seen: dict[str, Article] = {}
    reasons: dict[str, str] = {}
    for article in articles:
        reason = _reason(article, now, oldest, options)
        if reason is not None:
            reasons.setdefault(article.key, reason)
            continue
        if article.backlog and article.age_unknown and article.source not in options.folders:
            article = replace(article, first_seen=None)  # pinned: it runs as undated
        other = seen.get(article.key)
        if other is None or repr(article) < repr(other):  # duplicates: a fixed choice
            seen[article.key] = article
    for key in seen:  # one copy of a key left out, another kept: it is kept
        reasons.pop(key, None)
    return list(seen.values()), reasons


def _reason(
    article: Article, now: datetime, oldest: datetime | None, options: RankOptions
) -> str | None:
    """Why `article` may not run (the first of DROP_REASONS that applies), or None."""
    when = article.when
    if article.key in options.excluded:
        return "excluded"
    if when is not None and when > now + FUTURE_SLACK:
        return "future"
    # An editor may re-pin old news, news of unknown age, a headline alone. (Each test
    # starts with what is cheapest and rarely true: this runs for every article.)
    pinned = options.pinned
    if oldest is not None and when is not None and when < oldest and article.key not in pinned:
        return "too_old"
    # Not news of today for want of a date: a feed's backlog may be years old.
    if (
        article.backlog
        and article.age_unknown
        and article.source not in options.folders
        and article.key not in pinned
    ):
        return "undated"
    if options.sections is not None and article.section not in options.sections:
        return "other_section"
    # A headline that leads nowhere and has nothing under it gives a reader nothing.
    if not article.url and article.key not in pinned and not _told(article)[1].strip():
        return "empty"
    return None


def _left_out(
    reasons: dict[str, str],
    eligible: list[Article],
    candidates: list[_Candidate],
    chosen: Ranked,
    options: RankOptions,
) -> Mapping[str, str]:
    """Every article not in a chosen story, with the first reason that applies."""
    return _reasons(reasons, eligible, candidates, chosen.stories, options)


def _candidates(
    articles: list[Article], now: datetime, options: RankOptions, old: Sequence[Article] = ()
) -> list[_Candidate]:
    """The stories `articles` tell, scored; of those sent before, whose reports sent may
    be among `old` (articles too old to run: see repeats.covered), only an update of
    their later news (see rank.updates), or what an editor pinned."""
    pinned = set(options.pinned)
    window = None
    if options.cluster_window_hours is not None:
        window = timedelta(hours=options.cluster_window_hours)
    # An advertisement is not a story an editor chose (see score.sponsored), unless pinned.
    articles = [a for a in articles if a.key in pinned or not _sponsored(a)]
    ran = _covered(articles, old, sent=lambda a: _sent(a, options), window=window)
    thread_of = _threads(articles, options.same_outlet)  # a list's thread: one story
    out = []
    for group in _fold(_cluster(articles, window=window), thread_of):
        has_pin = any(a.key in pinned for a in group)
        members = tuple(group)
        news: list[Article] = []
        first = None
        sent = [a for a in group if _sent(a, options)]
        sent += [o for a in group for o in ran.get(a.key, ())]
        if sent:  # the story ran before: no repeats; an update, if it has later news
            story = _ran(sent, options.carried_at)
            news = _later(group, story, lambda a: _sent(a, options))
            members = tuple(news)
            if has_pin:  # an update when its first pin is news; else all not sent, as before
                keep = {a.key for a in news}
                first_pin = min(options.pinned.index(a.key) for a in group if a.key in pinned)
                if options.pinned[first_pin] not in keep:
                    keep = {a.key for a in group if not _sent(a, options)}
                members = tuple(a for a in group if a.key in keep or a.key in pinned)
            if not members:
                continue
            first = story.first
        front = _face(_leaders(members, thread_of, pinned), options)  # not a reply
        update = any(a is front for a in news)
        total, why = _score(members, now=now, options=options, front=front)
        latest = _newest(members)
        out.append(
            _Candidate(
                members=members,
                face=front,
                score=total,
                why=MappingProxyType(why),
                latest=latest.timestamp() if latest else -math.inf,
                pinned=has_pin,
                update=update,
                first_reported=first if update else None,
            )
        )
    return sorted(out, key=lambda c: c.order)


def _story(
    candidate: _Candidate, words: int, sentences: int | None, same: Mapping[str, str]
) -> Story:
    front = candidate.face
    # Reports at a page the story already links (one outlet configured twice) add no
    # coverage (see rank.outlets): "Also in" would open the page "Read more" opens.
    # Reports of the story's own publisher stay in the record (the edition carries their
    # keys), and "Also in" leaves them out (render.also_shown).
    linked = {_page(front.url)}
    others = []
    for a in candidate.members:
        where = _page(a.url)
        if a is not front and (where is None or where not in linked):
            linked.add(where)
            others.append(a)
    # Keep one report per publisher (`same`: rank.outlets.publisher; an aggregator's item,
    # its linked site: rank.outlets.site) before a second from any, then by outlet, key.
    rank_in_outlet: Counter[str] = Counter()
    spread = []
    for a in sorted(others, key=lambda a: (_site(a), a.key)):
        who = _publisher(_site(a), same)
        spread.append((rank_in_outlet[who], _site(a), a.key, a))
        rank_in_outlet[who] += 1
    kept = [a for *_, a in sorted(spread, key=lambda row: row[:3])[:MAX_ALSO]]
    kept.sort(key=lambda a: (_site(a), a.key))
    title, source_text = _told(front)
    if candidate.update:  # labelled by the email: not by the outlet's "Update:" as well
        title = _unlabelled(title)
    return Story(
        key=front.key,
        title=title,
        url=front.url,
        source=front.credit,
        summary=_summary(source_text, words, sentences, front.language),
        score=candidate.score,
        why=candidate.why,
        also=tuple(Also(_site(a), a.url, a.title, a.key) for a in kept),
        also_more=len(others) - len(kept),
        image=front.image,
        section=front.section,
        published=front.published,
        pinned=candidate.pinned,
        language=front.language,
        update=candidate.update,
        first_reported=candidate.first_reported,
        linked=front.linked,
        aggregated=front.aggregated,
    )


def _summary(text: str, words: int, sentences: int | None, language: str | None) -> str:
    """`text` trimmed to a story's budget, read as `language` (the article's, when known)."""
    return _trim(text, words, max_sentences=sentences, language=language) if text else ""


def rank(articles: Sequence[Article], *, now: datetime, options: RankOptions) -> Ranked:
    """Choose and order an edition's leads and teasers from ``articles`` as of ``now``;
    say why each of the other articles was left out (``Ranked.left_out``)."""
    eligible, reasons = _eligible(articles, now, options)
    old = [a for a in articles if reasons.get(a.key) == "too_old"]
    candidates = _candidates(eligible, now, options, old)
    chosen = _select(candidates, options, mixed=_mixed(articles, options))
    return replace(chosen, left_out=_left_out(reasons, eligible, candidates, chosen, options))


def advertisements(
    articles: Sequence[Article], *, now: datetime, options: RankOptions
) -> tuple[Article, ...]:
    """The articles :func:`rank` leaves out as "advert" (sponsored posts, of an age and
    section to run, not pinned), one per key: what an editor may choose to run."""
    eligible, _ = _eligible(articles, now, options)
    return tuple(a for a in eligible if a.key not in options.pinned and _sponsored(a))


def _mixed(articles: Sequence[Article], options: RankOptions) -> bool:
    """Whether the edition reads more than one outlet: the list's sources of the
    variant's sections, and the articles given of them (an aggregator's, their linked
    sites: rank.outlets.site), of any age (a section served by
    several outlets is thin on a day only one has news; one served by one is that
    outlet's, which then fills it: see digest.diversity)."""
    sections = options.sections
    names = [n for n, s in options.source_sections.items() if sections is None or s in sections]
    names += [_site(a) for a in articles if sections is None or a.section in sections]
    return _several(names, options.same_outlet)


def _select(
    candidates: list[_Candidate], options: RankOptions, *, mixed: bool | None = None
) -> Ranked:
    """Pins first, then leads, then teasers, from the scored candidates (best first).

    Order of choice (:func:`digest.rank.arrange.arrange`, which a section variant's
    re-cut of the edition shares): the editor's pins (past every limit, counted against
    them); leads
    as :func:`digest.rank.leads.choose` says (best first, those with text first, at most
    ``max_leads_per_source`` per outlet, none far weaker than the best story the limit
    keeps out); then teasers from the rest, best first, at most
    ``max_teasers_per_source`` per outlet, in the teaser slots and any lead slot the
    leads' floor left empty. Section quotas always hold, and one outlet's headline runs
    once (the best of its stories that share it). When the per-outlet caps leave slots
    empty they are relaxed as :func:`digest.diversity.place` says (one more story per
    outlet at a time): leads first, then teasers. An outlet, for the caps, is a
    publisher (:func:`digest.rank.outlets.publisher`: ``options.same_outlet``); in an
    edition of one feed, an aggregator's item is the site its link opens
    (:func:`digest.rank.outlets.site`), so that no site fills it. With `mixed`
    (the edition reads several outlets; None: judged from the candidates) the caps
    relax while the lists stay mixed or no other outlet has a story left, never for a
    story with nothing to say: an edition is shorter rather than a feed's headlines
    (:func:`digest.diversity.place`).
    """
    by_key = {a.key: c for c in candidates for a in c.members}
    pins: list[_Candidate] = []
    for key in options.pinned:
        pin = by_key.get(key)
        if pin is not None and pin not in pins:
            pins.append(pin)
    same = options.same_outlet
    # An outlet is a feed; in an edition of one feed, an aggregator's, the site each
    # item opens (an aggregator among other feeds is one outlet: it does not fill it).
    feeds = _several((a.credit for c in candidates for a in c.members), same)
    outlet_of: Callable[[Article], str] = (lambda a: a.credit) if feeds else _site
    leads, teasers = _arrange(
        candidates,
        pins=pins,
        leads=options.leads,
        teasers=options.teasers,
        lead_cap=options.max_leads_per_source,
        teaser_cap=options.max_teasers_per_source,
        room=_Room(options.section_quotas, same),
        floor=options.teasers > 0,  # a format of leads only has no teasers to take them
        outlet=lambda c: _publisher(outlet_of(c.face), same),
        mixed=_several((outlet_of(a) for c in candidates for a in c.members), same)
        if mixed is None
        else mixed,
    )
    return Ranked(
        leads=tuple(_story(c, options.lead_words, None, same) for c in leads),
        teasers=tuple(_story(c, options.teaser_words, TEASER_SENTENCES, same) for c in teasers),
    )
