"""Lists and editions: stored edition payloads and the articles each one carried."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Exists, and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from digest.codec import edition_from_dict, edition_to_dict
from digest.errors import NotFound
from digest.records import Edition
from digest.store import schema as t
from digest.store._base import Base, _pk, utc
from digest.store._images import notes_json


@dataclass(frozen=True, slots=True)
class EditionInfo:
    """An edition's row without its stories: what the scheduler and `digest editions` show."""

    id: int
    list: str
    slot: str | None  # the scheduled slot it was built for; None when built by hand
    status: str  # draft, approved, sending, sent, skipped, paused, cancelled
    built_for: datetime
    stories: int  # leads + teasers
    approved_at: datetime | None = None  # set by `digest approve`, cleared by `unapprove`
    sent_at: datetime | None = None


def _info(row: Any) -> EditionInfo:
    payload = row.payload or {}
    built_for = utc(row.built_for)
    assert built_for is not None
    return EditionInfo(
        id=int(row.id),
        list=row.list_name,
        slot=row.slot,
        status=row.status,
        built_for=built_for,
        stories=len(payload.get("leads", ())) + len(payload.get("teasers", ())),
        approved_at=utc(row.approved_at),
        sent_at=utc(row.sent_at),
    )


def delivered() -> Exists:
    """Whether the edition of the row (`t.editions`) delivered a copy: its ledger has
    one sent. Then it reached readers, whatever became of the rest of its send."""
    d = t.deliveries
    return exists().where(d.c.edition_id == t.editions.c.id, d.c.status == "sent")


class EditionsMixin(Base):
    def list_id(self, name: str, *, create: bool = True) -> int:
        with self.engine.begin() as conn:
            row = conn.execute(select(t.lists.c.id).where(t.lists.c.name == name)).first()
            if row:
                return int(row.id)
            if not create:
                raise NotFound(f"no list named {name!r} in {self.url}")
            try:
                res = conn.execute(insert(t.lists).values(name=name))
                return _pk(res)
            except IntegrityError:
                pass
        return self.list_id(name, create=False)

    # -- editions -----------------------------------------------------------------
    def save_edition(
        self,
        edition: Edition,
        *,
        now: datetime,
        slot: str | None = None,
        picture_notes: Sequence[tuple[str, str, str]] = (),
    ) -> Edition:
        """Store a new edition and the article keys it carries, and what its build said
        of the pictures it left out (story key, line, why: :meth:`picture_notes`); return it
        with its id and a new random nonce (64 bits: the part of its Message-IDs no
        other stored edition, here or elsewhere, shares)."""
        list_id = self.list_id(edition.list)
        nonce = secrets.token_hex(8)
        # The column named only when there are notes: an edition without any is stored
        # as a database before revision 0014 can hold it (the upgrade tests build so).
        notes = {"picture_notes": notes_json(picture_notes)} if picture_notes else {}
        with self.engine.begin() as conn:
            res = conn.execute(
                insert(t.editions).values(
                    list_id=list_id,
                    slot=slot,
                    built_for=edition.at,
                    status=edition.status,
                    payload={},
                    overrides={},
                    created_at=now,
                    nonce=nonce,
                    **notes,
                )
            )
            eid = _pk(res)
            stored = replace(edition, id=eid, nonce=nonce, slot=slot)
            conn.execute(
                update(t.editions)
                .where(t.editions.c.id == eid)
                .values(payload=edition_to_dict(stored))
            )
            keys = {k for story in edition.carried for k in story.keys}
            if keys:
                conn.execute(
                    insert(t.edition_articles),
                    [{"edition_id": eid, "article_key": k} for k in sorted(keys)],
                )
        return stored

    def edition(self, edition_id: int) -> Edition:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    t.editions.c.payload,
                    t.editions.c.status,
                    t.editions.c.nonce,
                    t.editions.c.slot,
                ).where(t.editions.c.id == edition_id)
            ).first()
        if row is None:
            raise NotFound(f"no edition {edition_id} in {self.url} (digest build makes one)")
        edition = edition_from_dict(row.payload)
        return replace(edition, id=edition_id, status=row.status, nonce=row.nonce, slot=row.slot)

    def set_edition_status(
        self,
        edition_id: int,
        status: str,
        *,
        now: datetime,
        expect: Collection[str] | None = None,
        version: int | None = None,
    ) -> bool:
        """Set the status; with `expect`, only if it is one of those, and with `version`,
        only if the row's version is still that one (the desk: the page the editor saw),
        both atomically. Returns whether the row changed.

        `sent_at` is when the edition went out: stamped the first time it becomes sent
        (the first send that left nobody due) and never moved after, so a later run
        that finds someone newly due (sent -> sending -> sent) keeps the date the
        editions list and the archive feed show.

        Cancelled: what a killed send of it journaled is recorded first (and once more
        after, for a worker killed meanwhile), as `digest send` would before resuming:
        no send of a cancelled edition ever comes to record it, and its copies delivered
        must count (the stories it carried, :mod:`digest.store._carried`; its page in
        the archive)."""
        if status == "cancelled":
            self.apply_journals(edition_id, now)
        changed = self._set_status(edition_id, status, now=now, expect=expect, version=version)
        if changed and status == "cancelled":
            self.apply_journals(edition_id, now)
        return changed

    def _set_status(
        self,
        edition_id: int,
        status: str,
        *,
        now: datetime,
        expect: Collection[str] | None,
        version: int | None,
    ) -> bool:
        values: dict[str, Any] = {"status": status}
        if status == "approved":
            values["approved_at"] = now
        if status == "sent":
            sent_at = t.editions.c.sent_at
            values["sent_at"] = func.coalesce(sent_at, literal(now, sent_at.type))
        query = update(t.editions).where(t.editions.c.id == edition_id)
        if expect is not None:
            query = query.where(t.editions.c.status.in_(tuple(expect)))
        if version is not None:
            query = query.where(t.editions.c.version == version)
        with self.engine.begin() as conn:
            return bool(conn.execute(query.values(**values)).rowcount)

    def edition_version(self, edition_id: int) -> int:
        """The row version :meth:`save_curation` bumps (what a desk page was made from)."""
        return self.curation_state(edition_id)[1]

    def edition_status(self, edition_id: int) -> str:
        with self.engine.connect() as conn:
            status = conn.execute(
                select(t.editions.c.status).where(t.editions.c.id == edition_id)
            ).scalar()
        if status is None:
            raise NotFound(f"no edition {edition_id} in {self.url}")
        return str(status)

    def _infos(self, *where: Any, limit: int | None = None) -> list[EditionInfo]:
        e, lst = t.editions, t.lists
        query = (
            select(
                e.c.id,
                e.c.slot,
                e.c.status,
                e.c.built_for,
                e.c.payload,
                e.c.approved_at,
                e.c.sent_at,
                lst.c.name.label("list_name"),
            )
            .join(lst, lst.c.id == e.c.list_id)
            .where(*where)
            .order_by(e.c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_info(row) for row in conn.execute(query)]

    def edition_info(self, edition_id: int) -> EditionInfo:
        found = self._infos(t.editions.c.id == edition_id)
        if not found:
            raise NotFound(f"no edition {edition_id} in {self.url} (digest editions lists them)")
        return found[0]

    def edition_for_slot(self, list_name: str, slot: str) -> EditionInfo | None:
        found = self._infos(t.lists.c.name == list_name, t.editions.c.slot == slot)
        return found[0] if found else None

    def editions(
        self, list_name: str | None = None, *, limit: int | None = None
    ) -> list[EditionInfo]:
        """Editions, newest first."""
        where = () if list_name is None else (t.lists.c.name == list_name,)
        return self._infos(*where, limit=limit)

    def editions_with_status(
        self,
        statuses: Collection[str],
        list_name: str | None = None,
        *,
        reached: Collection[str] = (),
        limit: int | None = None,
    ) -> list[EditionInfo]:
        """Editions in one of `statuses` (e.g. the sent ones for the archive), and those
        in one of `reached` that delivered a copy (:func:`delivered`: a send cancelled
        part way), newest first."""
        status = t.editions.c.status
        where: list[Any] = [status.in_(tuple(statuses))]
        if reached:
            where = [or_(where[0], and_(status.in_(tuple(reached)), delivered()))]
        if list_name is not None:
            where.append(t.lists.c.name == list_name)
        return self._infos(*where, limit=limit)

    def reached_readers(self, edition_id: int) -> bool:
        """Whether the edition delivered a copy (:func:`delivered`)."""
        query = select(t.editions.c.id).where(t.editions.c.id == edition_id, delivered())
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def approve(self, edition_id: int, *, now: datetime, version: int | None = None) -> bool:
        """Approve a draft (draft -> approved); False if the edition was not a draft or
        (with `version`) its content changed since that version was read: an editor
        approves only what they saw."""
        e = t.editions
        where = [e.c.id == edition_id, e.c.status == "draft"]
        if version is not None:
            where.append(e.c.version == version)
        with self.engine.begin() as conn:
            res = conn.execute(update(e).where(*where).values(status="approved", approved_at=now))
        return bool(res.rowcount == 1)

    def unapprove(self, edition_id: int, *, version: int | None = None) -> bool:
        """Take an approval back (approved -> draft); False if the edition was not approved
        or (with `version`) is no longer at that version."""
        e = t.editions
        where = [e.c.id == edition_id, e.c.status == "approved"]
        if version is not None:
            where.append(e.c.version == version)
        with self.engine.begin() as conn:
            res = conn.execute(update(e).where(*where).values(status="draft", approved_at=None))
        return bool(res.rowcount == 1)

    # -- the editor desk: curation, and lists at a glance ----------------------------
    def overrides(self, edition_id: int) -> dict[str, Any]:
        """An edition's `overrides` value: the desk's curation ({} when none)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.editions.c.overrides).where(t.editions.c.id == edition_id)
            ).first()
        if row is None:
            raise NotFound(f"no edition {edition_id} in {self.url}")
        return dict(row.overrides or {})

    def curation_state(self, edition_id: int) -> tuple[dict[str, Any], int]:
        """An edition's `overrides` and its row version, read together: a curation saved
        with that version (:meth:`save_curation`) was made from exactly these overrides."""
        e = t.editions
        with self.engine.connect() as conn:
            row = conn.execute(
                select(e.c.overrides, e.c.version).where(e.c.id == edition_id)
            ).first()
        if row is None:
            raise NotFound(f"no edition {edition_id} in {self.url}")
        return dict(row.overrides or {}), int(row.version or 0)

    def save_curation(
        self,
        edition: Edition,
        overrides: dict[str, Any],
        *,
        expect: Collection[str] = ("draft",),
        version: int | None = None,
        picture_notes: Sequence[tuple[str, str, str]] | None = None,
    ) -> bool:
        """Store a curated edition (the payload sending uses), its `overrides`, and the
        article keys it now carries; only while its status is one of `expect` and, with
        `version`, only if the row's version is still that one (nobody saved in between:
        optimistic concurrency across processes). `picture_notes` (None: as they are)
        replace the edition's notes of the pictures it left out (:meth:`picture_notes`)
        in the same change, so that notes read at `version` are never saved over newer
        ones. Bumps the version; returns whether it was stored."""
        assert edition.id is not None
        e, ea = t.editions, t.edition_articles
        keys = {k for story in edition.carried for k in story.keys}
        where = [e.c.id == edition.id, e.c.status.in_(tuple(expect))]
        if version is not None:
            where.append(e.c.version == version)
        values: dict[str, Any] = {
            "payload": edition_to_dict(edition),
            "overrides": overrides,
            "version": e.c.version + 1,
        }
        if picture_notes is not None:
            values["picture_notes"] = notes_json(picture_notes)
        with self.engine.begin() as conn:
            changed = conn.execute(update(e).where(*where).values(values)).rowcount
            if not changed:
                return False
            conn.execute(ea.delete().where(ea.c.edition_id == edition.id))
            if keys:
                conn.execute(
                    insert(ea), [{"edition_id": edition.id, "article_key": k} for k in sorted(keys)]
                )
        return True

    def list_counts(self) -> dict[str, dict[str, int]]:
        """Subscribers per list and status, plus "paused" (active but paused)."""
        s, lst = t.subscribers, t.lists
        query = (
            select(lst.c.name, s.c.status, s.c.paused, func.count())
            .join(s, s.c.list_id == lst.c.id)
            .group_by(lst.c.name, s.c.status, s.c.paused)
        )
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for name, status, paused, n in conn.execute(query):
                counts = out.setdefault(name, {})
                counts[status] = counts.get(status, 0) + int(n)
                if paused and status == "active":
                    counts["paused"] = counts.get("paused", 0) + int(n)
        return out
