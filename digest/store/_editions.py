"""Lists and editions: stored edition payloads and the articles each one carried."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from digest.codec import edition_from_dict, edition_to_dict
from digest.errors import NotFound
from digest.records import Edition
from digest.store import schema as t
from digest.store._base import Base, _pk


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
    def save_edition(self, edition: Edition, *, now: datetime, slot: str | None = None) -> Edition:
        """Store a new edition and the article keys it carries; return it with its id."""
        list_id = self.list_id(edition.list)
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
                )
            )
            eid = _pk(res)
            stored = replace(edition, id=eid)
            conn.execute(
                update(t.editions)
                .where(t.editions.c.id == eid)
                .values(payload=edition_to_dict(stored))
            )
            keys = {k for story in edition.stories for k in story.keys}
            if keys:
                conn.execute(
                    insert(t.edition_articles),
                    [{"edition_id": eid, "article_key": k} for k in sorted(keys)],
                )
        return stored

    def edition(self, edition_id: int) -> Edition:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.editions.c.payload, t.editions.c.status).where(
                    t.editions.c.id == edition_id
                )
            ).first()
        if row is None:
            raise NotFound(f"no edition {edition_id} in {self.url} (digest build makes one)")
        return replace(edition_from_dict(row.payload), id=edition_id, status=row.status)

    def set_edition_status(self, edition_id: int, status: str, *, now: datetime) -> None:
        values: dict[str, Any] = {"status": status}
        if status == "approved":
            values["approved_at"] = now
        if status == "sent":
            values["sent_at"] = now
        with self.engine.begin() as conn:
            conn.execute(update(t.editions).where(t.editions.c.id == edition_id).values(**values))

    def edition_status(self, edition_id: int) -> str:
        with self.engine.connect() as conn:
            status = conn.execute(
                select(t.editions.c.status).where(t.editions.c.id == edition_id)
            ).scalar()
        if status is None:
            raise NotFound(f"no edition {edition_id} in {self.url}")
        return str(status)

    def sent_keys(self, list_name: str) -> frozenset[str]:
        """Article keys carried by editions of this list that went (or are going) out."""
        e, ea, lst = t.editions, t.edition_articles, t.lists
        query = (
            select(ea.c.article_key)
            .join(e, e.c.id == ea.c.edition_id)
            .join(lst, lst.c.id == e.c.list_id)
            .where(lst.c.name == list_name, e.c.status.in_(("sending", "sent")))
        )
        with self.engine.connect() as conn:
            return frozenset(conn.execute(query).scalars())
