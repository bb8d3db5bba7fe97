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

Each address a story named is kept with the picture it last gave and when
(`image_sources`): :meth:`ImagesMixin.fetched_image` finds a picture an earlier build
fetched from the same address, so that the next build need not fetch it again.
An edition keeps what its build said of the pictures it could not host
(:meth:`ImagesMixin.picture_notes`), which the desk shows whoever built it; a desk
rebuild, or a story added by its link, saves them with its change
(:meth:`~digest.store.Store.save_curation`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from digest.imagebytes import EXTENSIONS, Picture
from digest.store import schema as t
from digest.store._base import Base, fitted, storable, utc

#: The longest address kept as it is (image_sources.source_url's length).
ADDRESS_LIMIT = 700

#: Pictures deleted per statement (a transaction each).
PRUNE_BATCH = 500


@dataclass(frozen=True, slots=True)
class StoredImage:
    """A hosted picture's bytes, and the type they are served as."""

    media_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class FetchedImage:
    """The picture an address gave when it was last fetched, still hosted."""

    sha256: str  # its name's hex
    picture: Picture  # its type and pixel size
    fetched_at: datetime  # when the address last gave these bytes


class ImagesMixin(Base):
    def keep_image(
        self,
        sha256: str,
        picture: Picture,
        body: bytes,
        *,
        source_url: str,
        now: datetime,
        address: str | None = None,
    ) -> None:
        """Store `body` under its SHA-256 hex, unless it is stored already; either way
        it was last hosted at `now` (`used_at`), and `address` (the one the story names,
        `source_url` where a redirect ended by default) gave it at `now`: the picture
        first, so that an address never names a picture a prune may have deleted."""
        self._keep(sha256, picture, body, source_url=source_url, now=now)
        self._fetched_from(address or source_url, sha256, now)

    def _keep(
        self, sha256: str, picture: Picture, body: bytes, *, source_url: str, now: datetime
    ) -> None:
        """The picture stored, or marked hosted at `now`. The time is written first: a
        prune deleting the row at that moment either finds it hosted lately and keeps
        it, or has deleted it and the row is inserted again."""
        with self.engine.begin() as conn:
            if conn.execute(_touch(sha256, now)).rowcount:
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(t.images).values(
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

    def _fetched_from(self, address: str, sha256: str, now: datetime) -> None:
        """Record that `address` gave the picture `sha256` at `now`."""
        src = t.image_sources
        key = fitted(storable(address), ADDRESS_LIMIT)
        values = {"sha256": sha256, "fetched_at": now}
        for _attempt in range(2):  # a row inserted in between is then updated
            with self.engine.begin() as conn:
                if conn.execute(update(src).where(src.c.source_url == key).values(values)).rowcount:
                    return
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(src).values(source_url=key, **values))
                return
            except IntegrityError:
                continue

    def fetched_image(self, address: str, *, since: datetime, now: datetime) -> FetchedImage | None:
        """The picture `address` gave when it was last fetched, if that was at `since` or
        later and the picture is still stored; it is then hosted at `now` (`used_at`:
        retention keeps it for the edition about to show it). None: fetch it again."""
        src, im = t.image_sources, t.images
        key = fitted(storable(address), ADDRESS_LIMIT)
        query = select(src.c.sha256, src.c.fetched_at).where(
            src.c.source_url == key, src.c.fetched_at >= since
        )
        with self.engine.begin() as conn:
            found = conn.execute(query).first()
            if found is None:
                return None
            # Marked first, then read: a prune deletes only pictures not hosted lately,
            # so one still there now stays for the edition that shows it.
            conn.execute(_touch(found.sha256, now))
        with self.engine.connect() as conn:
            row = conn.execute(
                select(im.c.media_type, im.c.width, im.c.height).where(im.c.sha256 == found.sha256)
            ).first()
        extension = EXTENSIONS.get(row.media_type) if row is not None else None
        if row is None or extension is None:
            return None
        picture = Picture(row.media_type, extension, int(row.width), int(row.height))
        fetched_at = utc(found.fetched_at)
        assert fetched_at is not None  # the column is NOT NULL
        return FetchedImage(str(found.sha256), picture, fetched_at)

    def picture_notes(self, edition_id: int) -> tuple[tuple[str, str, str], ...]:
        """What the edition's last build or desk rebuild, and the stories added on the
        desk since, said of the story pictures they could not host: (story key, line
        naming source, headline, why and address, the why and address alone; "" for
        notes kept before it was)."""
        e = t.editions
        with self.engine.connect() as conn:
            stored = conn.execute(select(e.c.picture_notes).where(e.c.id == edition_id)).scalar()
        notes = stored if isinstance(stored, list) else []
        return tuple(
            (str(n["story"]), str(n["note"]), str(n.get("why") or ""))
            for n in notes
            if isinstance(n, dict) and "story" in n and "note" in n
        )

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
                    delete(im)
                    .where(im.c.sha256.in_(chunk), hosted < before)
                    .returning(im.c.sha256, im.c.size)
                ).all()
                for row in gone:
                    count, size = count + 1, size + int(row.size)
                # The addresses that gave them are forgotten with them.
                src = t.image_sources
                deleted = [str(row.sha256) for row in gone]
                conn.execute(delete(src).where(src.c.sha256.in_(deleted)))
        return count, size


def notes_json(notes: Sequence[tuple[str, str, str]]) -> list[dict[str, str]] | None:
    """Picture notes as the editions' column keeps them (None: there are none)."""
    return [
        {"story": key, "note": storable(line), "why": storable(why)} for key, line, why in notes
    ] or None


def _touch(sha256: str, now: datetime) -> Any:
    """The statement that marks the picture `sha256` hosted at `now`."""
    im = t.images
    return (
        update(im)
        .where(im.c.sha256 == sha256, or_(im.c.used_at.is_(None), im.c.used_at < now))
        .values(used_at=now)
    )


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
