"""What a list's editions carried: the stories the next edition must not run as new.

The ranking leaves out what the list sent (:meth:`CarriedMixin.sent_keys`, with when
it was carried and the links it had) and what its other editions waiting to go out
will send (:meth:`CarriedMixin.queued_keys`); see :mod:`digest.rank.updates` for the
later news of a sent story, which runs again as an update.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, func, or_, select

from digest.records import claimed_key
from digest.store import schema as t
from digest.store._base import Base, utc
from digest.store._editions import delivered


def _went_out(but: int | None = None) -> list[Any]:
    """Where an edition went (or is going) out, so that its stories count as sent to the
    list: it is sending or sent, or it delivered at least one copy, whatever became of
    the rest of its send (paused, cancelled). Its readers have its stories: they never
    run as new again, only as an update (:mod:`digest.rank.updates`). Not edition `but`
    (the one being ranked again)."""
    e = t.editions
    where: list[Any] = [or_(e.c.status.in_(("sending", "sent")), delivered())]
    if but is not None:
        where.append(e.c.id != but)
    return where


def _waiting(but: int | None = None) -> list[Any]:
    """Where an edition waits to go out and holds its stories (see
    :meth:`CarriedMixin.queued_keys`), other than edition `but`."""
    e = t.editions
    where: list[Any] = [
        or_(
            e.c.status == "paused",
            and_(e.c.slot.is_not(None), e.c.status.in_(("draft", "approved"))),
        )
    ]
    if but is not None:
        where.append(e.c.id != but)
    return where


class CarriedMixin(Base):
    def sent_keys(self, list_name: str, *, but: int | None = None) -> frozenset[str]:
        """Article keys carried by editions of this list that went (or are going) out
        (:func:`_went_out`), other than edition `but`, and the keys their sources gave
        (:func:`digest.records.claimed_key`): an article stored under another source's
        key is the same article."""
        return self._carried_keys(list_name, *_went_out(but))

    def queued_keys(self, list_name: str, *, but: int | None = None) -> frozenset[str]:
        """Article keys (and their sources' keys) carried by editions of this list
        waiting to go out, other than edition `but`: a paused one (`digest send`
        resumes it), and a draft or approved one built for a slot. The scheduler builds
        ahead: when slots lie closer together than `build_ahead_minutes`, the next
        slot's edition is built before this one has gone out, and must not carry its
        stories too. (A slot that passes unsent skips its edition, and frees its
        stories; so does cancelling an edition before its first copy. A draft built by
        hand reserves nothing: editors build and drop those freely.)"""
        return self._carried_keys(list_name, *_waiting(but))

    def queued_by(self, list_name: str, *, but: int | None = None) -> Mapping[str, int]:
        """Of the keys :meth:`queued_keys` gives: the edition that holds each (the
        earliest built, should two), so that a desk rebuild can say where its stories
        wait."""
        return self._carried_by(list_name, *_waiting(but))

    def sent_by(self, list_name: str, *, but: int | None = None) -> Mapping[str, int]:
        """Of the keys :meth:`sent_keys` gives: the edition that went (or is going) out
        carrying each (the earliest built, should two), so that a send can say which
        edition its stories already went out in (:func:`digest.gate.repeats`)."""
        return self._carried_by(list_name, *_went_out(but))

    def _carried_by(self, list_name: str, *where: Any) -> Mapping[str, int]:
        e, ea, lst = t.editions, t.edition_articles, t.lists
        query = (
            select(ea.c.article_key, e.c.id)
            .join(e, e.c.id == ea.c.edition_id)
            .join(lst, lst.c.id == e.c.list_id)
            .where(lst.c.name == list_name, *where)
            .order_by(e.c.built_for.desc(), e.c.id.desc())
        )
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for key, edition_id in conn.execute(query):
                out.update(dict.fromkeys({key, claimed_key(key)}, int(edition_id)))
        return MappingProxyType(out)

    def _carried_keys(self, list_name: str, *where: Any) -> frozenset[str]:
        e, ea, lst = t.editions, t.edition_articles, t.lists
        query = (
            select(ea.c.article_key)
            .join(e, e.c.id == ea.c.edition_id)
            .join(lst, lst.c.id == e.c.list_id)
            .where(lst.c.name == list_name, *where)
        )
        with self.engine.connect() as conn:
            keys = set(conn.execute(query).scalars())
        return frozenset(keys | {claimed_key(key) for key in keys})

    def carried_at(self, list_name: str, *, but: int | None = None) -> Mapping[str, datetime]:
        """Of the keys :meth:`sent_keys` gives: when the latest edition of this list that
        went (or is going) out carrying each, other than `but`, was built (its `at`). A
        report of a sent story published before then could have been in it: it is no
        update later (:mod:`digest.rank.updates`)."""
        e, ea, lst = t.editions, t.edition_articles, t.lists
        query = (
            select(ea.c.article_key, func.max(e.c.built_for))
            .join(e, e.c.id == ea.c.edition_id)
            .join(lst, lst.c.id == e.c.list_id)
            .where(lst.c.name == list_name, *_went_out(but))
            .group_by(ea.c.article_key)
        )
        out: dict[str, datetime] = {}
        with self.engine.connect() as conn:
            for key, built in conn.execute(query):
                at = utc(built)
                assert at is not None
                for name in {key, claimed_key(key)}:
                    if name not in out or out[name] < at:
                        out[name] = at
        return MappingProxyType(out)

    def sent_links(
        self, list_name: str, *, but: int | None = None
    ) -> frozenset[tuple[str, str, str, str]]:
        """(source, link, headline, standfirst) of the articles in editions of this list
        that went (or are going) out, other than `but`: a feed that publishes them
        again, unchanged, under new GUIDs (a new system re-issuing its backlog, stamped
        today) gives the same articles. (A daily column at one link has a standfirst of
        the day.)"""
        e, ea, lst, a, s = t.editions, t.edition_articles, t.lists, t.articles, t.sources
        query = (
            select(s.c.name, a.c.url, a.c.title, a.c.summary)
            .join(a, a.c.source_id == s.c.id)
            .join(ea, ea.c.article_key == a.c.key)
            .join(e, e.c.id == ea.c.edition_id)
            .join(lst, lst.c.id == e.c.list_id)
            .where(lst.c.name == list_name, *_went_out(but))
            .where(a.c.url.is_not(None))
            .distinct()
        )
        with self.engine.connect() as conn:
            return frozenset(tuple(row) for row in conn.execute(query))

    # -- editions as the scheduler and the approval commands see them -------------
