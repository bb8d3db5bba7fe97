"""Sources and articles: health rows, conditional-GET validators, article upserts.

A source's articles are written in bulk, in its one transaction: one SELECT of the keys
already stored per ``KEY_CHUNK`` articles (and one of the source's articles at the links
of those not found: :func:`_reissued`), one multi-row INSERT ... ON CONFLICT DO NOTHING
for the new ones, and one executemany UPDATE for those whose content changed (and one
for those whose date alone is corrected: :func:`_date`, and one for those the feed now
gives without the picture they were stored with: the collect found it the feed's card,
:mod:`digest.collect.pictures`, and a picture is no part of the content hash).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, literal, select, update

from digest.records import Article, SourceReport, copy_key
from digest.store import schema as t
from digest.store._base import (
    UNSTORABLE,
    Base,
    _article,
    _article_values,
    content_hash,
    fits,
    storable,
    upsert,
    utc,
)

#: Keys looked up in one SELECT (well under SQLite's and PostgreSQL's parameter limits).
KEY_CHUNK = 500
#: The longest key stored as its source gave it: the column holds 700 characters and a
#: copy key (records.copy_key) adds at most 14.
MAX_KEY = 680


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """A source's health row, as shown by `digest collect` and the desk."""

    name: str
    location: str
    articles: int
    last_checked: datetime | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int


def fitted_key(key: str) -> str:
    """`key` as the database can hold it: itself, or its kind and a SHA-256 of it when it
    is longer than :data:`MAX_KEY` characters or :data:`~digest.store._base.INDEX_BYTES`
    bytes (:func:`~digest.store._base.fits`: 675 characters beyond the BMP are 2,700
    bytes, more than PostgreSQL's index entry of the key holds) or holds NUL (a GUID is
    any text a feed gives; such a key failed the whole collect on PostgreSQL; one with a
    lone surrogate, from a JSON Feed's "\\ud800", on either database). The same key
    always fits the same way, and a key that fits is itself (stored rows keep theirs)."""
    if fits(key, MAX_KEY) and not UNSTORABLE.search(key):
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key.partition(':')[0][:16]}-sha256:{digest}"


def _insert(conn: Any, table: Table) -> Any:
    return upsert(conn.dialect.name, table)


def _batches(articles: tuple[Article, ...]) -> list[list[Article]]:
    """``KEY_CHUNK`` articles at a time, no key twice in one batch (a repeated key goes
    to a later batch, so it is stored after its first copy, as one by one would)."""
    batches: list[list[Article]] = []
    keys: list[set[str]] = []
    for article in articles:
        for batch, seen in zip(batches, keys, strict=True):
            if len(batch) < KEY_CHUNK and article.key not in seen:
                break
        else:
            batch, seen = [], set()
            batches.append(batch)
            keys.append(seen)
        batch.append(article)
        seen.add(article.key)
    return batches


#: What is read of a stored article to decide whether an article is new, changed or not.
_STORED = tuple(t.articles.c[n] for n in ("id", "key", "source_id", "content_hash", "image_url"))
_DATES = (t.articles.c.published_at, t.articles.c.first_seen_at)


def _reissued(
    conn: Any, sid: int, articles: list[Article], made: dict[str, tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """The stored articles of source `sid` that `articles` (none stored under its key;
    `made`: each one's content hash and row values, by key) give again, by key: the
    same link, headline and standfirst under another key (a new system, a re-import:
    new GUIDs, often stamped with the day's date). Such a report is not news: it is the
    article already held (the earliest, if several), as old as that one
    (:func:`_date`), whether or not an edition carried it. (A daily column at one link
    has a standfirst of the day: one with none must be the same throughout.
    `Store.sent_links` is this rule for the reports an edition carried.)"""

    def said(url: str, title: str, summary: str, digest: str) -> tuple[str, ...]:
        return (url, title, summary, "" if summary else digest)

    wanted = {}
    for article in articles:
        digest, v = made[article.key]
        if v["url"] is not None:
            wanted[article.key] = said(v["url"], v["title"], v["summary"], digest)
    if not wanted:
        return {}
    a = t.articles
    urls = sorted({url for url, *_ in wanted.values()})
    query = select(*_STORED, *_DATES, a.c.url, a.c.title, a.c.summary).where(
        a.c.source_id == sid, a.c.url.in_(urls)
    )
    # The earliest last: it wins. Sorted here, not by an ORDER BY: SQLite (which has no
    # statistics) took the order of ix_articles_source_id for it and read every article
    # of the source rather than look the links up in ix_articles_url_source (0017).
    rows = sorted(conn.execute(query), key=lambda r: r.id, reverse=True)
    found = {said(r.url, r.title, r.summary, r.content_hash): r for r in rows}
    return {key: found[it] for key, it in wanted.items() if it in found}


def _date(row: Any, published: datetime | None) -> datetime | None:
    """The date a stored article keeps when its feed now dates it `published`: the
    feed's when earlier than the stored one (a date an older parser misread, such as a
    zone taken for UTC, is corrected on the next collect that reads the item), else the
    stored one; an undated article takes a date no later than its first sight. An
    article never grows younger: an edit, a re-dating or a re-issue is not news."""
    old = utc(row.published_at)
    if published is None:
        return old
    if old is not None:
        return min(old, published)
    first = utc(row.first_seen_at)
    return published if first is None or published <= first else None


def _store_batch(conn: Any, sid: int, batch: list[Article], now: datetime) -> tuple[int, int, int]:
    """Insert the new articles of ``batch``, update the changed ones: (new, updated, same)."""
    a = t.articles
    fitted = {article.key: fitted_key(article.key) for article in batch}
    copies = {key: copy_key(sid, key) for key in fitted.values()}
    # A long key stored whole before keys were fitted (by SQLite, or by PostgreSQL when
    # it was under 2,704 bytes) is still looked up as it is.
    legacy = [key for key, fit in fitted.items() if fit != key and not UNSTORABLE.search(key)]
    rows = conn.execute(
        select(*_STORED, *_DATES).where(a.c.key.in_([*copies, *copies.values(), *legacy]))
    ).all()
    stored = {row.key: row for row in rows}

    def found(article: Article) -> tuple[str, Any]:
        key = fitted[article.key]
        row = stored.get(key) or stored.get(article.key)
        if row is not None:
            key = row.key
        if row is not None and row.source_id != sid:
            # Another source stored this key first (keys are unique across sources).
            # This source's article is its own, under a key of its own (records.copy_key):
            # taking the other's row would put this feed's headline and link under that
            # outlet's name, and skipping would let any feed keep an outlet's article out
            # by giving its GUID first. Copies of one article are one story in ranking.
            key = copies[fitted[article.key]]
            row = stored.get(key)
        return key, row

    rows_of = {article.key: found(article) for article in batch}
    # Each article's hash and row values, made once (a batch has no key twice).
    made = {article.key: (content_hash(article), _article_values(article)) for article in batch}
    reissues = _reissued(conn, sid, [x for x in batch if rows_of[x.key][1] is None], made)
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    redated: list[dict[str, Any]] = []
    unpictured: list[dict[str, Any]] = []  # stored with a picture the feed gives no more
    unchanged = 0
    for article in batch:
        digest, values = made[article.key]
        key, row = rows_of[article.key]
        if row is None and article.key in reissues:
            row = reissues[article.key]
            key = row.key
        if row is None:
            fresh.append(
                {
                    "key": key,
                    "source_id": sid,
                    "first_seen_at": now,
                    "updated_at": now,
                    "content_hash": digest,
                    **values,
                }
            )
        elif row.content_hash != digest:
            # Keep the earliest date: an edited article must not jump to the top.
            values["published_at"] = _date(row, article.published)
            changed.append({"row_id": row.id, "updated_at": now, "content_hash": digest, **values})
        else:
            date = _date(row, article.published)
            redate = date != utc(row.published_at)
            card = row.image_url is not None and values["image_url"] is None
            if redate:
                redated.append({"row_id": row.id, "updated_at": now, "date": date})
            if card:
                unpictured.append({"row_id": row.id, "updated_at": now})
            unchanged += not (redate or card)
    new = 0
    if fresh:
        # Nothing inserted for a key another source stored meanwhile (a collect in
        # another process): it is not new here.
        inserted = conn.execute(
            _insert(conn, a).on_conflict_do_nothing(index_elements=["key"]).returning(a.c.key),
            fresh,
        ).all()
        new = len(inserted)
        unchanged += len(fresh) - new
    if changed:
        conn.execute(update(a).where(a.c.id == bindparam("row_id"), a.c.source_id == sid), changed)
    mine = (a.c.id == bindparam("row_id"), a.c.source_id == sid)
    if redated:
        conn.execute(update(a).where(*mine).values(published_at=bindparam("date")), redated)
    if unpictured:
        gone = {"image_url": None, "image_alt": None, "image_width": None}
        conn.execute(update(a).where(*mine).values(**gone), unpictured)
    touched = {row["row_id"] for row in (*redated, *unpictured)}
    return new, len(changed) + len(touched), unchanged


def _healthy(report: SourceReport, now: datetime) -> dict[str, Any]:
    """The health-row values of a source that answered (its validators, if it gave any)."""
    health: dict[str, Any] = {"last_checked_at": now, "last_success_at": now}
    health["consecutive_failures"] = 0
    if report.etag is not None or report.last_modified is not None:
        health.update(etag=report.etag, last_modified=report.last_modified)
    return health


class SourcesMixin(Base):
    def _source_id(self, conn: Any, name: str, location: str) -> int:
        """The source's id, its row created if missing and locked until the commit.

        An insert that does nothing on a name already there, then a select: four
        first runs at once each find the one row instead of crashing on the unique
        name. The write comes first, so on SQLite the transaction takes the write
        lock before it reads anything (a read first could not be upgraded later
        once another run had written); on PostgreSQL the update holds the row, so
        two runs store one source one after the other.
        """
        conn.execute(
            _insert(conn, t.sources)
            .values(name=name, location=location, consecutive_failures=0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        sid = conn.execute(select(t.sources.c.id).where(t.sources.c.name == name)).scalar_one()
        conn.execute(update(t.sources).where(t.sources.c.id == sid).values(location=location))
        return int(sid)

    def validators(self, name: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified kept for a source's conditional GET."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.sources.c.etag, t.sources.c.last_modified).where(t.sources.c.name == name)
            ).first()
        return (row.etag, row.last_modified) if row else (None, None)

    def all_validators(self) -> dict[str, tuple[str | None, str | None]]:
        """Every source's ETag and Last-Modified, by name, in one query."""
        s = t.sources
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.c.name, s.c.etag, s.c.last_modified)).all()
        return {row.name: (row.etag, row.last_modified) for row in rows}

    def record_unchanged(self, reports: list[tuple[SourceReport, str]], *, now: datetime) -> None:
        """Health rows of sources that answered 304 (report, location), in one transaction.

        Like :meth:`record` of each, without a commit or a statement apiece: no article
        is read or written, and a 304 is a success.
        """
        if not reports:
            return
        s = t.sources
        missing = []  # a server may answer 304 to a source we have no row for yet
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for report, location in reports:
            assert report.not_modified and not report.articles and not report.error
            missing.append({"name": report.name, "location": location, "consecutive_failures": 0})
            row = {"row_name": report.name, "location": location, **_healthy(report, now)}
            by_columns.setdefault(tuple(row), []).append(row)
        # Writes only, as in record (SQLite's write lock taken first); every run of the
        # same sources locks their rows in the same order (no deadlock on PostgreSQL).
        with self.engine.begin() as conn:
            conn.execute(_insert(conn, s).on_conflict_do_nothing(index_elements=["name"]), missing)
            for rows in by_columns.values():
                conn.execute(update(s).where(s.c.name == bindparam("row_name")), rows)

    def record(self, report: SourceReport, *, location: str, now: datetime) -> SourceReport:
        """Store what one source gave; return the report with new/updated/unchanged counts.

        A failed source only updates its health row: articles are never deleted, and
        articles already stored keep their first-seen time (they never look new again).
        """
        with self.engine.begin() as conn:
            sid = self._source_id(conn, report.name, location)
            health: dict[str, Any] = {"last_checked_at": now}
            if report.error:
                health.update(
                    # A folder's file name that is not UTF-8 reaches the message with
                    # surrogates: the collect failed on them (UnicodeEncodeError).
                    last_error=storable(report.error),
                    last_error_at=now,
                    consecutive_failures=t.sources.c.consecutive_failures + 1,
                )
                conn.execute(update(t.sources).where(t.sources.c.id == sid).values(**health))
                return report
            health = _healthy(report, now)
            # The first success is the source's backlog: see schema.sources.
            first = t.sources.c.first_success_at
            health["first_success_at"] = func.coalesce(first, literal(now, first.type))
            conn.execute(update(t.sources).where(t.sources.c.id == sid).values(**health))
            new = updated = unchanged = 0
            for batch in _batches(report.articles):
                n, u, same = _store_batch(conn, sid, batch, now)
                new, updated, unchanged = new + n, updated + u, unchanged + same
        return replace(report, new=new, updated=updated, unchanged=unchanged)

    def articles(self, *, since: datetime | None = None) -> list[Article]:
        """Stored articles whose date (or first sight) is at or after `since`.

        An article first seen on its source's first successful collect is marked
        `backlog` (its first sight, if it has no date, says nothing of its age)."""
        a = t.articles
        when = func.coalesce(a.c.published_at, a.c.first_seen_at)
        query = _articles_query()
        if since is not None:
            query = query.where(when >= since)
        with self.engine.connect() as conn:
            return [_article(row) for row in conn.execute(query.order_by(a.c.id))]

    def article(self, key: str) -> Article | None:
        """The stored article with this key (keys are unique across sources), or None."""
        query = _articles_query().where(t.articles.c.key == key)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _article(row)

    def article_at(self, *urls: str) -> Article | None:
        """The stored article linking to one of `urls` (the latest if several), or None."""
        a = t.articles
        when = func.coalesce(a.c.published_at, a.c.first_seen_at)
        query = _articles_query().where(a.c.url.in_(urls)).order_by(when.desc(), a.c.id.desc())
        with self.engine.connect() as conn:
            row = conn.execute(query.limit(1)).first()
        return None if row is None else _article(row)

    def count_articles(self, *, before: datetime) -> int:
        """How many stored articles are dated (or were first seen) before `before`:
        those `articles(since=before)` leaves out, counted without loading them."""
        a = t.articles
        when = func.coalesce(a.c.published_at, a.c.first_seen_at)
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(when < before)).scalar() or 0)

    def health(self) -> list[SourceHealth]:
        s, a = t.sources, t.articles
        counts = select(a.c.source_id, func.count().label("n")).group_by(a.c.source_id).subquery()
        query = (
            select(s, func.coalesce(counts.c.n, 0).label("n"))
            .outerjoin(counts, counts.c.source_id == s.c.id)
            .order_by(s.c.name)
        )
        with self.engine.connect() as conn:
            return [
                SourceHealth(
                    r.name,
                    r.location,
                    int(r.n),
                    utc(r.last_checked_at),
                    utc(r.last_success_at),
                    r.last_error,
                    utc(r.last_error_at),
                    int(r.consecutive_failures),
                )
                for r in conn.execute(query)
            ]


def _articles_query() -> Select[Any]:
    """Articles rows with what :func:`_article` reads of their source."""
    a, s = t.articles, t.sources
    source = (s.c.name.label("source_name"), s.c.first_success_at.label("source_first_success"))
    return select(a, *source).join(s, s.c.id == a.c.source_id)
