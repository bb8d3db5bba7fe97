"""The pictures digest hosts: kept by the SHA-256 of their bytes, read back by that name.

A picture is inserted once (a second insert of the same bytes, from another story or
another process at the same moment, finds it there and changes nothing), and never
changed: the name a message links to always gives the bytes an editor saw. Nothing
here fetches or checks what the bytes are (that is :mod:`digest.images`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from digest.imagebytes import Picture
from digest.store import schema as t
from digest.store._base import Base, storable


@dataclass(frozen=True, slots=True)
class StoredImage:
    """A hosted picture's bytes, and the type they are served as."""

    media_type: str
    body: bytes


class ImagesMixin(Base):
    def keep_image(
        self, sha256: str, picture: Picture, body: bytes, *, source_url: str, now: datetime
    ) -> None:
        """Store `body` under its SHA-256 hex, unless it is stored already."""
        im = t.images
        with self.engine.connect() as conn:
            if conn.execute(select(im.c.sha256).where(im.c.sha256 == sha256)).first():
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
