"""Helpers shared by the store's parts: UTC coercion, keys, row-to-record mapping."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table

from digest.records import Article, Image, Subscriber, email_key

#: What no text column may hold: NUL (PostgreSQL's text cannot) and lone surrogates
#: (a JSON "\\ud800" decodes to one; it is not UTF-8, so no driver can send it).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: The largest value of an Integer column (PostgreSQL's int4).
MAX_INT = 2**31 - 1


def storable(text: str) -> str:
    """`text` as either database holds it: NUL left out, a lone surrogate as U+FFFD."""
    if text.isascii():  # no surrogate: a search for NUL alone (most text; 20x cheaper)
        return text.replace("\x00", "") if "\x00" in text else text
    if not UNSTORABLE.search(text):
        return text
    return UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


#: The most bytes (UTF-8) of a key kept as it is: an index entry must hold it, and
#: PostgreSQL's holds 2,704 bytes (700 characters beyond the BMP are 2,800).
INDEX_BYTES = 2000


def fits(text: str, limit: int) -> bool:
    """Whether an indexed column holds `text` as it is: at most `limit` characters (the
    column's) and :data:`INDEX_BYTES` bytes (the index's). Every key a feed, a picture
    address or a bounce names is checked by this one rule."""
    return len(text) <= limit and len(text.encode("utf-8", "surrogatepass")) <= INDEX_BYTES


def fitted(text: str, limit: int) -> str:
    """`text` within `limit` characters and :data:`INDEX_BYTES` bytes (:func:`fits`),
    still telling texts apart: a longer one is its start and a SHA-256 of the whole (a
    key cut short would make two keys one)."""
    if fits(text, limit):
        return text
    encoded = text.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(encoded).hexdigest()
    room = len(digest) + 8
    head = encoded[: INDEX_BYTES - room].decode("utf-8", "ignore")[: limit - room]
    return f"{head}|sha256:{digest}"


def _maybe(text: str | None) -> str | None:
    return None if text is None else storable(text)


class Base:
    """What every part of the store shares: the engine and the database URL."""

    engine: Engine
    url: str

    def list_id(self, name: str, *, create: bool = True) -> int:
        raise NotImplementedError  # provided by EditionsMixin

    def apply_journals(self, edition_id: int, now: datetime) -> int:
        raise NotImplementedError  # provided by LedgerMixin


def utc(value: datetime | None) -> datetime | None:
    """Rows come back naive from SQLite: they were stored as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def content_hash(article: Article) -> str:
    h = hashlib.sha256()
    # A link post's other article, and an aggregator's mark, count only where there is
    # one: the hash of every other article stays what it was before articles kept them
    # (no article reads as changed), and one stored before then is written again.
    extra = [p for p in (article.linked, "aggregated" if article.aggregated else None) if p]
    for part in (article.title, article.summary, article.html, article.url or "", *extra):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _pk(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def email_hash(email: str) -> str:
    """The hash `forget` keeps. Lower-cased in full, not as `records.address_key` keys an
    address: an erased address stays out in any case of its letters, EAI ones too."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def email_hashes(email: str) -> tuple[str, ...]:
    """The hashes `forget` keeps and looks for: :func:`email_hash`, as every erasure
    since the first kept it, and the hash of the address's key
    (:func:`digest.records.email_key`) where it differs (NFC, the domain's IDNA form),
    so that each spelling of an erased mailbox finds its erasure. (An erasure made
    while the key folded case in full, revisions 0009 to 0012, also kept the folded
    key's hash: forgetting `straße@x` then keeps `strasse@x` out too. A hash cannot
    be told apart, so that stays.)"""
    first = email_hash(email)
    keyed = hashlib.sha256(email_key(email).encode()).hexdigest()
    return (first,) if keyed == first else (first, keyed)


def _article_values(article: Article) -> dict[str, Any]:
    """The row's values, as either database holds them: no NUL or lone surrogate in any
    text, a language tag or an outlet name too long for its column (35 and 200
    characters: no real one is) left out or cut, an image width outside the column's
    range (a feed's width="99999999999") left out: each failed the whole collect."""
    language = article.language if article.language and len(article.language) <= 35 else None
    image = article.image
    width = image.width if image and image.width and 0 < image.width <= MAX_INT else None
    return {
        "url": _maybe(article.url),
        "title": storable(article.title),
        "summary": storable(article.summary),
        "text": storable(article.text),
        "html": storable(article.html),
        "author": _maybe(article.author),
        "categories": [storable(c) for c in article.categories],
        "image_url": storable(image.url) if image else None,
        "image_alt": storable(image.alt) if image else None,
        "image_width": width,
        "section": _maybe(article.section),
        "language": _maybe(language),
        "outlet": _maybe(article.outlet[:200] if article.outlet else article.outlet),
        "linked": _maybe(article.linked),
        "aggregated": article.aggregated or None,  # NULL: not one (rows before 0016)
        "published_at": article.published,
    }


def _article(row: Any) -> Article:
    """The Article of an articles row joined with its source's name and first success."""
    image = Image(row.image_url, row.image_alt or "", row.image_width) if row.image_url else None
    first_seen = utc(row.first_seen_at)
    first_success = utc(row.source_first_success)
    backlog = first_success is not None and first_seen is not None and first_seen <= first_success
    return Article(
        key=row.key,
        source=row.source_name,
        title=row.title,
        url=row.url,
        summary=row.summary,
        text=row.text,
        html=row.html,
        published=utc(row.published_at),
        first_seen=first_seen,
        backlog=backlog,
        author=row.author,
        categories=tuple(row.categories or ()),
        image=image,
        section=row.section,
        language=row.language,
        outlet=row.outlet,
        linked=row.linked,
        aggregated=bool(row.aggregated),
    )


def _subscriber(row: Any, list_name: str) -> Subscriber:
    return Subscriber(
        id=int(row.id),
        email=row.email,
        name=row.name,
        list=list_name,
        status=row.status,
        sections=tuple(row.sections or ()),
        timezone=row.timezone,
        format=row.format,
    )


def upsert(dialect: str, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (SQLite and PostgreSQL).

    Each dialect is imported here, when used: a SQLite project need not load
    PostgreSQL's (about 20 ms of every command's start)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)
