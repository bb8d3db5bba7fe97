"""The database schema, as SQLAlchemy Core tables.

This is the single description of the tables; the Alembic migrations under
`migrations/` create exactly this (a test compares the two). Timestamps are stored as
timezone-aware UTC. Nothing here opens a connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)

from digest.records import email_key

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _at(name: str, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("location", Text, nullable=False),  # URL or folder path
    Column("etag", Text),  # validators for conditional GET
    Column("last_modified", Text),
    _at("last_checked_at"),
    _at("last_success_at"),
    # The first collect that succeeded: undated articles first seen then were already in
    # the source, so their first sight says nothing of their age (Article.backlog).
    _at("first_success_at"),
    Column("last_error", Text),
    _at("last_error_at"),
    Column("consecutive_failures", Integer, nullable=False, default=0),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(700), nullable=False, unique=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("url", Text),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("html", Text, nullable=False, default=""),
    Column("author", Text),
    Column("categories", JSON, nullable=False, default=list),
    Column("image_url", Text),
    Column("image_alt", Text),
    Column("image_width", Integer),
    Column("section", String(200)),
    Column("language", String(35)),
    Column("outlet", String(200)),  # the publisher the item/page names, when not the source
    Column("linked", Text),  # a link post's: the other site's article it is about (0016)
    Column("aggregated", Boolean),  # an aggregator's item (0016); NULL: not one
    _at("published_at"),
    _at("first_seen_at", nullable=False),
    _at("updated_at", nullable=False),
    Column("content_hash", String(64), nullable=False),
    Index("ix_articles_when", "published_at", "first_seen_at"),
)

#: Indexes built on one database only (`Index.ddl_if`), by name. Alembic's comparison
#: of the migrations with this schema does not know `ddl_if`: its test leaves each of
#: these out on the other database.
ONE_DATABASE: dict[str, str] = {}


def _only_on(dialect: str, index: Index) -> None:
    assert index.name is not None
    ONE_DATABASE[str(index.name)] = dialect
    index.ddl_if(dialect=dialect)


# Lookups by link (revision 0017): a collect's re-issue check per source
# (`_sources._reissued`) and the desk's add-by-link (`Store.article_at`). SQLite: one
# index, the source's column second (without statistics SQLite preferred the source
# index and read every article of the source). PostgreSQL: a hash index, as a btree
# entry holds about 2,700 bytes and a link can be longer (the insert would fail).
_only_on("sqlite", Index("ix_articles_url_source", articles.c.url, articles.c.source_id))
_only_on("postgresql", Index("ix_articles_url_hash", articles.c.url, postgresql_using="hash"))

lists = Table(
    "lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
)


def _email_key(context: Any) -> str:
    """The key of the address being inserted (an insert that leaves the key out)."""
    return email_key(context.get_current_parameters()["email"])


subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("lists.id"), nullable=False),
    # Normalised (records.address_key): as first typed, the address mail goes to.
    Column("email", String(320), nullable=False),
    # What it is matched under (records.email_key: a Unicode local part lower-cased), so
    # `José@` and `JOSÉ@` are one subscriber of a list; made from `email` on every
    # insert that leaves it out. Longer than `email`: lower-casing can lengthen one (`İ`).
    Column("email_key", String(400), nullable=False, default=_email_key),
    Column("name", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("sections", JSON, nullable=False, default=list),
    Column("timezone", String(64)),
    Column("format", String(10), nullable=False, default="html"),
    Column("paused", Boolean, nullable=False, default=False),
    _at("created_at", nullable=False),
    _at("updated_at", nullable=False),
    # The welcome message (digest.subscribers.welcome): None (none due), "due" (set by
    # the first confirmation), "sending" (claimed by one sender), "sent" or "failed";
    # welcome_at: when it was last claimed, sent or failed.
    Column("welcome", String(10)),
    _at("welcome_at"),
    # How many times a sender claimed the welcome (each claim one attempt): `digest run`
    # retries a failed one until it has been tried digest.subscribers.welcome.ATTEMPTS times.
    Column("welcome_attempts", Integer, nullable=False, default=0, server_default="0"),
    UniqueConstraint("list_id", "email", name="uq_subscribers_list_email"),
    # One subscriber per mailbox and list (implies the constraint above). An index, as
    # SQLite adds one to a table it cannot rebuild without losing the rows that
    # reference it (revision 0009).
    Index("ix_subscribers_list_email_key", "list_id", "email_key", unique=True),
    # A send walks a list's active subscribers in id order, a batch at a time.
    Index("ix_subscribers_list_status_id", "list_id", "status", "id"),
    # Ids are never reused (SQLite would reuse the highest after a `forget`): a signed
    # link to an erased subscriber must not come to point at someone else.
    sqlite_autoincrement=True,
)

# A subscription merged into another of the same list and mailbox (revision 0009): the
# signed links and bounce tags mailed to the old id reach the one kept.
subscriber_merges = Table(
    "subscriber_merges",
    metadata,
    Column("old_id", Integer, primary_key=True, autoincrement=False),
    Column(
        "subscriber_id",
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    _at("at", nullable=False),
)

# Every status change, and every change of choices or name by the preferences page or
# an import, with where it came from (import, unsubscribe link, bounce, ...).
subscriber_events = Table(
    "subscriber_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="CASCADE"), index=True),
    Column("status", String(20), nullable=False),
    Column("origin", String(100), nullable=False),
    Column("detail", Text),
    _at("at", nullable=False),
)

# Addresses erased with `forget`: only a hash is kept so they are never re-added.
suppressions = Table(
    "suppressions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email_hash", String(64), nullable=False, unique=True),
    Column("reason", String(50), nullable=False),
    _at("at", nullable=False),
)

editions = Table(
    "editions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("lists.id"), nullable=False),
    Column("slot", String(40)),  # the scheduled slot it belongs to (UTC ISO); one per list
    _at("built_for", nullable=False),  # the "now" it was built for
    Column("status", String(20), nullable=False),
    Column("payload", JSON, nullable=False),  # the edition record (stories, sources)
    Column("overrides", JSON, nullable=False, default=dict),  # an editor's curation
    # Bumped by every curation save: a save names the version it read (optimistic locking).
    Column("version", Integer, nullable=False, default=0, server_default="0"),
    _at("created_at", nullable=False),
    _at("approved_at"),
    _at("sent_at"),  # when it first went out in full (the first send that left nobody due)
    # Random, made when the edition is stored: its messages' Message-IDs carry it, so they
    # differ from every other installation's and database's (NULL: stored before 0007).
    Column("nonce", String(32)),
    # What its last build (or desk rebuild) said of the story pictures it could not host:
    # [{"story": key, "note": line}] (digest.images), which the desk shows. NULL: none.
    Column("picture_notes", JSON),
    UniqueConstraint("list_id", "slot", name="uq_editions_list_slot"),
)

# Which articles an edition carries (face and cluster members): no repeats per list.
edition_articles = Table(
    "edition_articles",
    metadata,
    Column("edition_id", ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True),
    Column("article_key", String(700), primary_key=True),
)

# The ledger: one row per edition x subscriber, claimed before the hand-over.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("edition_id", ForeignKey("editions.id"), nullable=False),
    Column("subscriber_id", ForeignKey("subscribers.id"), nullable=False),
    Column("status", String(20), nullable=False),  # claimed, sent, bounced, failed, unsendable
    Column("attempts", Integer, nullable=False, default=0),
    Column("worker", String(100)),
    Column("error", Text),
    _at("claimed_at"),
    _at("sent_at"),
    UniqueConstraint("edition_id", "subscriber_id", name="uq_deliveries_edition_subscriber"),
    Index("ix_deliveries_edition_status", "edition_id", "status"),
)

# What came back after the SMTP conversation: DSNs, complaints, webhook events. One row
# per report and recipient; `key` makes processing a report twice change nothing.
bounce_reports = Table(
    "bounce_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(400), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # hard, soft, complaint, delayed, ...
    Column("origin", String(100), nullable=False),  # mailbox:PATH, webhook:ses, ...
    Column("edition_id", ForeignKey("editions.id", ondelete="SET NULL"), index=True),
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="SET NULL"), index=True),
    Column("email_hash", String(64)),  # the address's hash: kept after `forget`
    Column("status", String(20)),  # the enhanced status code, if any
    Column("detail", Text),
    Column("acted", Boolean, nullable=False, default=False),  # changed a status
    _at("at", nullable=False),
)

# Who is sending an edition now (one `digest send` at a time per edition): the row is
# taken atomically, renewed while the send runs, deleted when it ends; a crashed run's
# row is taken over once its lease runs out (`until`) or its process is gone.
send_leases = Table(
    "send_leases",
    metadata,
    Column("edition_id", ForeignKey("editions.id"), primary_key=True),
    Column("owner", String(200), nullable=False),  # host:pid:random, unique per run
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    _at("since", nullable=False),
    _at("until", nullable=False),
)

#: `[transport] rate_per_second` shared by every process that sends: the wall-clock time
#: (epoch seconds) from which the next message may go, advanced as workers reserve slots.
send_pace = Table(
    "send_pace",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("next_at", Float, nullable=False),
)

editors = Table(
    "editors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    _at("created_at", nullable=False),
    # Bumped at logout and password reset; a session cookie carrying an older one is void.
    Column("session_generation", Integer, nullable=False, default=0, server_default="0"),
)

# Attempts per key in a fixed window (logins, the subscribe form), shared by every
# `digest serve` process: a row is reserved with one atomic UPDATE before the work.
throttles = Table(
    "throttles",
    metadata,
    Column("scope", String(40), primary_key=True),  # e.g. "login:address", "subscribe:client"
    Column("key", String(64), primary_key=True),  # sha256 of the address or client, hex
    _at("window_start", nullable=False),
    Column("count", Integer, nullable=False),
)

# A desk form refused, kept for the page its redirect lands on (digest.web.desk_said):
# read once, kept at most an hour; the token is in that editor's signed session only.
desk_forms = Table(
    "desk_forms",
    metadata,
    Column("token", String(64), primary_key=True),  # sha256 of the token the cookie holds
    Column("editor_id", Integer, nullable=False),
    Column("words", JSON, nullable=False),  # field name -> what the editor typed
    _at("created_at", nullable=False),
)

# `digest serve` processes using the database, kept fresh (digest.store._serving).
serve_processes = Table(
    "serve_processes",
    metadata,
    Column("name", String(80), primary_key=True),  # host:pid:token, as a lease's owner
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    _at("seen_at", nullable=False),
)

# What the scheduler did for each list's slot: built, sent, skipped (and why), missed.
schedule_runs = Table(
    "schedule_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("lists.id"), nullable=False),
    # UTC ISO of the scheduled time; local delivery: "<UTC send time>@<local wall time>"
    Column("slot", String(40), nullable=False),
    Column("action", String(20), nullable=False),  # collect, build, send
    # running, done, skipped, missed, failed, interrupted (resumable), paused (by an editor)
    Column("status", String(20), nullable=False),
    Column("detail", Text),
    _at("at", nullable=False),
    UniqueConstraint("list_id", "slot", "action", name="uq_schedule_runs_list_slot_action"),
)

# APScheduler's job store for `digest run` (SQLAlchemyJobStore's own layout, 3.x): created
# by the migration so that two schedulers starting together never race to create it.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

# Lead images digest serves itself (digest.images), by the SHA-256 of their bytes: the
# same picture is kept once, however many stories and editions show it, and a name
# always gives the same bytes (nobody can swap a picture after an editor approved it).
images = Table(
    "images",
    metadata,
    Column("sha256", String(64), primary_key=True),  # hex of the bytes
    Column("media_type", String(20), nullable=False),  # image/jpeg, png, gif or webp
    Column("width", Integer, nullable=False),  # pixels, read from the bytes
    Column("height", Integer, nullable=False),
    Column("size", Integer, nullable=False),  # bytes
    Column("body", LargeBinary, nullable=False),
    Column("source_url", Text, nullable=False),  # where it was first fetched from
    _at("created_at", nullable=False),
    # When a build or the desk last hosted it (stored, or found stored): retention keeps
    # a picture hosted lately, which an edition being built may be about to show.
    _at("used_at"),
)

# The picture each address a story named gave when last fetched: a build hosts that
# copy without a request while fresh (digest.images.FRESH). Apart from `images`: one
# picture may come from many addresses, and one address give other bytes another day.
image_sources = Table(
    "image_sources",
    metadata,
    Column("source_url", String(700), primary_key=True),  # as the story names it (fitted)
    Column("sha256", String(64), nullable=False, index=True),  # images.sha256
    _at("fetched_at", nullable=False),  # when the address last gave these bytes
)

# The keys that sign subscribers' links, known by a fingerprint (digest.keys.fingerprint:
# an HMAC of a fixed label under the key, never the key): a process whose key the
# database does not know signs nothing, and none makes a new key once mail went out.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("fingerprint", String(64), primary_key=True),  # hex
    Column("role", String(10), nullable=False),  # current (one), old (verifies), retired
    _at("since", nullable=False),  # when it took this role
)
