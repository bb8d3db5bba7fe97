"""Why each article the rank stage was given is not in the edition it chose.

Job: :func:`left_out` gives every article not in a chosen story the reason a reader of
the build's summary is told (one of ``digest.rank.DROP_REASONS``), after the reasons the
filter found (``excluded``, ``too_old`` …): a story's report is left out because its
outlet's headline runs in the edition already (``same_headline``: one outlet's
headline runs once, :class:`digest.rank.leads.Room`; a column's issues), else for want
of room (``no_room``: the places were taken, or a section's quota or an outlet's limit
kept it out); an article in no story is an advertisement (``advert``), waiting in
another edition (``queued``) or sent before (``already_sent``). Every report of a
chosen story is in the edition, those its record does not name (``Story.also_more``)
too. Said truthfully: a list's thread, four posts under one subject, was "ranked below
the cut" while nine places stood empty.
Must not: choose, score or order anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Protocol

from digest.rank.leads import heading
from digest.rank.options import RankOptions
from digest.rank.score import sponsored
from digest.records import Article, Story, claimed_key


class Candidate(Protocol):
    """What the accounting reads of a scored story (the rank stage's candidate)."""

    @property
    def members(self) -> tuple[Article, ...]: ...

    @property
    def face(self) -> Article: ...

    @property
    def score(self) -> float: ...


def left_out(
    reasons: Mapping[str, str],
    eligible: Sequence[Article],
    candidates: Sequence[Candidate],
    chosen: Sequence[Story],
    options: RankOptions,
) -> Mapping[str, str]:
    """Every article not in a `chosen` story, with the first reason that applies
    (`reasons`: those the filter gave, for the articles not `eligible`)."""
    out = dict(reasons)
    faces = {story.key for story in chosen}
    ran = [c for c in candidates if c.face.key in faces]
    kept = {a.key for c in ran for a in c.members} | {k for s in chosen for k in s.keys}
    same = options.same_outlet
    shown = {heading(c, same) for c in ran}
    story_of = {a.key: c for c in candidates for a in c.members}
    told: dict[int, str] = {}  # a candidate's reason, once for all its members
    for article in eligible:
        if article.key in kept:
            continue
        story = story_of.get(article.key)
        if story is not None:
            if (reason := told.get(id(story))) is None:
                reason = "same_headline" if heading(story, same) in shown else "no_room"
                told[id(story)] = reason
            out[article.key] = reason
        elif sponsored(article):
            out[article.key] = "advert"
        else:
            out[article.key] = "queued" if waiting(article, options) else "already_sent"
    return MappingProxyType(dict(sorted(out.items())))


def waiting(article: Article, options: RankOptions) -> bool:
    """Carried by another edition of the list that has not gone out yet (and by none
    that has, nor by a paused one that reached some readers already): "queued", not
    "already_sent"."""
    keys = (article.key, claimed_key(article.key))
    queued, sent = options.queued, options.already_sent
    return any(k in queued for k in keys) and not any(k in sent for k in keys)
