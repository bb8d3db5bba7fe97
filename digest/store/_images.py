"""The pictures digest hosts: kept by the SHA-256 of their bytes, read back by that name.

A picture is inserted once (a second insert of the same bytes, from another story or
another process at the same moment, finds it there and changes nothing but the time
it was last hosted, `used_at`), and its bytes never change: the name a message links
to always gives the bytes an editor saw. Retention (:meth:`ImagesMixin.prune_images`)
deletes the pictures no stored edition shows (its payload, or the desk's base and
operations in its overrides) that were last hosted before a cut-off: a build stores
its edition after hosting its pictures, and the cut-off, well beyond a build's
minutes, keeps those meanwhile. Nothing here fetches or checks what the bytes are
(that is :mod:`digest.images`), or decides about time (:mod:`digest.retention` does).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from digest.imagebytes import Picture
from digest.store import schema as t
from digest.store._base import Base, storable

#: Pictures deleted per statement (a transaction each).
PRUNE_BATCH = 500


@dataclass(frozen=True, slots=True)
class StoredImage:
    """A hosted picture's bytes, and the type they are served as."""

    media_type: str
    body: bytes


class ImagesMixin(Base):
    def keep_image(
        self, sha256: str, picture: Picture, body: bytes, *, source_url: str, now: datetime
    ) -> None:
        """Store `body` under its SHA-256 hex, unless it is stored already; either way
        it was last hosted at `now` (`used_at`). The time is written first: a prune
        deleting the row at that moment either finds it hosted lately and keeps it, or
        has deleted it and the row is inserted again."""
        im = t.images
        touch = (
            update(im)
            .where(im.c.sha256 == sha256, or_(im.c.used_at.is_(None), im.c.used_at < now))
            .values(used_at=now)
        )
        with self.engine.begin() as conn:
            if conn.execute(touch).rowcount:
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(im).values(
                        sha256=sha256,
                        media_type=picture.media_type,
                        width=picture.width,
                        height=picture.height,
                        size=len(body),
                        body=body,
                        source_url=storable(source_url),
                        created_at=now,
                        used_at=now,
                    )
                )
        except IntegrityError:
            pass  # stored by another story or process in between: the same bytes

    def hosted_image(self, sha256: str) -> StoredImage | None:
        """The picture stored under this SHA-256 hex (None: none is)."""
        im = t.images
        with self.engine.connect() as conn:
            row = conn.execute(
                select(im.c.media_type, im.c.body).where(im.c.sha256 == sha256)
            ).first()
        return None if row is None else StoredImage(row.media_type, bytes(row.body))

    def image_count(self) -> int:
        """How many pictures are hosted."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.images)).scalar() or 0)

    def prune_images(
        self, *, before: datetime, dry_run: bool = False, batch: int = PRUNE_BATCH
    ) -> tuple[int, int]:
        """Delete the pictures last hosted before `before` that no stored edition shows;
        return how many and their bytes (with `dry_run`, what would go, changing
        nothing). The editions are read after the candidates, and each DELETE checks
        the time again, so a picture a build hosts meanwhile stays."""
        im = t.images
        hosted = func.coalesce(im.c.used_at, im.c.created_at)
        with self.engine.connect() as conn:
            old = {
                str(row.sha256): int(row.size)
                for row in conn.execute(select(im.c.sha256, im.c.size).where(hosted < before))
            }
            if not old:
                return 0, 0
            for name in _shown(conn):
                old.pop(name.split(".", 1)[0], None)
        if dry_run or not old:
            return len(old), sum(old.values())
        count = size = 0
        names = sorted(old)
        for start in range(0, len(names), batch):
            chunk = names[start : start + batch]
            with self.engine.begin() as conn:
                gone = conn.execute(
                    delete(im).where(im.c.sha256.in_(chunk), hosted < before).returning(im.c.size)
                ).scalars()
                for n in gone:
                    count, size = count + 1, size + int(n)
        return count, size


def _shown(conn: Connection) -> Iterator[str]:
    """The hosted names every stored edition shows: in its payload (what is sent and
    archived) and its overrides (the desk's base and operations, which an undo or a
    rebuild brings back)."""
    e = t.editions
    query = select(e.c.payload, e.c.overrides).execution_options(yield_per=50)
    for row in conn.execute(query):
        yield from _hosted_in(row.payload)
        yield from _hosted_in(row.overrides)


def _hosted_in(value: Any) -> Iterator[str]:
    """Every `hosted` name in a stored edition's JSON (digest.codec's image records)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = item.get("hosted")
            if isinstance(name, str):
                yield name
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
