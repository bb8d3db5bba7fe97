"""The Alembic migrations create exactly the schema the code describes, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from digest.records import Article, SourceReport
from digest.store import Store
from digest.store.schema import ONE_DATABASE, metadata

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def test_migrations_match_the_schema(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    store.migrate()  # idempotent
    dialect = store.engine.dialect.name

    def here(obj: object, name: str | None, kind: str, reflected: bool, *_: object) -> bool:
        """An index the schema builds on the other database only is not looked for."""
        return not (kind == "index" and ONE_DATABASE.get(name or "", dialect) != dialect)

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": here})
        diff = compare_metadata(context, metadata)
    store.close()
    assert diff == []


def test_each_database_has_its_own_index_of_article_links(db_url: str) -> None:
    """Revision 0017 (tests/test_store_urls.py): the index the lookups by link use, of
    the kind each database can hold every link in."""
    from sqlalchemy import inspect

    store = Store(db_url)
    store.migrate()
    indexes = {ix["name"]: ix for ix in inspect(store.engine).get_indexes("articles")}
    store.close()
    if db_url.startswith("sqlite"):
        assert indexes["ix_articles_url_source"]["column_names"] == ["url", "source_id"]
        assert "ix_articles_url_hash" not in indexes
    else:
        assert indexes["ix_articles_url_hash"]["column_names"] == ["url"]
        assert indexes["ix_articles_url_hash"]["dialect_options"]["postgresql_using"] == "hash"
        assert "ix_articles_url_source" not in indexes


def test_articles_round_trip_with_utc_times(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    article = Article(
        key="guid:1",
        source="S",
        title="Ærø ferry",
        url="https://x.example/1",
        summary="Sum.",
        published=NOW,
        categories=("a", "b"),
    )
    report = store.record(SourceReport("S", (article,)), location="x", now=NOW)
    assert (report.new, report.unchanged) == (1, 0)
    again = store.record(SourceReport("S", (article,)), location="x", now=NOW)
    assert (again.new, again.unchanged) == (0, 1)
    (got,) = store.articles()
    assert got.title == "Ærø ferry" and got.categories == ("a", "b")
    assert got.published == NOW and got.first_seen == NOW and got.published.tzinfo is not None
    # A failed fetch keeps every article and counts a failure.
    store.record(SourceReport("S", error="S: timed out"), location="x", now=NOW)
    (health,) = store.health()
    assert health.articles == 1 and health.consecutive_failures == 1
    assert health.last_error == "S: timed out"
    store.close()


def test_head_names_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from digest.revision import HEAD  # what the unchanged collect compares without Alembic
    from digest.store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert set(ScriptDirectory.from_config(cfg).get_heads()) == {HEAD}


def test_an_up_to_date_database_opens_without_loading_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'digest.db'}"
    Store(url).migrate()
    probe = (
        "import sys; from digest.store import Store; Store(sys.argv[1]).migrate(); "
        "print(any(m == 'alembic' or m.startswith('alembic.') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, url], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_sources_collected_before_0008_keep_their_backlog(db_url: str) -> None:
    """A project collected before revision 0008: each source's first articles (the
    earliest first sight among them) were its backlog; later ones were new."""
    from datetime import timedelta

    from alembic import command
    from alembic.config import Config

    from digest.store import MIGRATIONS
    from digest.store import schema as t

    store = Store(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        sid = conn.execute(
            t.sources.insert()
            .values(name="S", location="x", consecutive_failures=0, last_success_at=NOW)
            .returning(t.sources.c.id)
        ).scalar_one()
        conn.execute(t.sources.insert().values(name="Quiet", location="y", consecutive_failures=0))
        for key, seen in (("old", NOW - timedelta(days=2)), ("new", NOW)):
            conn.execute(
                t.articles.insert().values(
                    key=key,
                    source_id=sid,
                    title=key,
                    summary="Some text.",
                    text="",
                    html="",
                    categories=[],
                    first_seen_at=seen,
                    updated_at=seen,
                    content_hash=key,
                )
            )
    store.migrate()
    backlog = {a.key: a.backlog for a in store.articles()}
    assert backlog == {"old": True, "new": False}
    store.record(SourceReport("Quiet", ()), location="y", now=NOW)  # its first success
    later = Article(key="later", source="Quiet", title="Later", url=None, summary="Text.")
    store.record(SourceReport("Quiet", (later,)), location="y", now=NOW + timedelta(hours=1))
    assert {a.key: a.backlog for a in store.articles()}["later"] is False
    store.close()


def test_link_posts_and_aggregator_items_are_stored_and_older_rows_read_without_them(
    db_url: str,
) -> None:
    """Revision 0016: an article keeps the other site's article a link post is about
    (Article.linked); a row stored before it reads as no link post, and the next
    collect of that post fills it in."""
    from alembic import command
    from alembic.config import Config

    from digest.store import MIGRATIONS
    from digest.store import schema as t

    store = Store(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0015")
        sid = conn.execute(
            t.sources.insert()
            .values(name="Link Blog", location="x", consecutive_failures=0)
            .returning(t.sources.c.id)
        ).scalar_one()
        conn.execute(
            t.articles.insert().values(
                key="guid:ferry",
                source_id=sid,
                title="Ferry strike",
                url="https://blog.example/ferry",
                summary="Crews walked out.",
                text="",
                html="",
                categories=[],
                first_seen_at=NOW,
                updated_at=NOW,
                content_hash="before",
            )
        )
    store.migrate()
    (old,) = store.articles()
    assert old.url == "https://blog.example/ferry" and old.linked is None
    other = "https://harbour.example.com/ferry-strike"
    post = Article(
        key="guid:ferry",
        source="Link Blog",
        title="Ferry strike",
        url="https://blog.example/ferry",
        summary="Crews walked out.",
        linked=other,
    )
    assert store.record(SourceReport("Link Blog", (post,)), location="x", now=NOW).updated == 1
    (got,) = store.articles()
    assert got.linked == other and got.url == "https://blog.example/ferry"
    again = store.record(SourceReport("Link Blog", (post,)), location="x", now=NOW)
    assert again.unchanged == 1
    plain = Article(key="guid:boats", source="Link Blog", title="Boats", url=None, summary="B.")
    store.record(SourceReport("Link Blog", (plain,)), location="x", now=NOW)
    assert {a.key: a.linked for a in store.articles()} == {"guid:ferry": other, "guid:boats": None}
    # An aggregator's item keeps its mark; a row stored before 0016 has none.
    assert not any(a.aggregated for a in store.articles())
    away = Article(key="guid:hn", source="Link Blog", title="Tram", url=other, aggregated=True)
    store.record(SourceReport("Link Blog", (away,)), location="x", now=NOW)
    assert {a.key for a in store.articles() if a.aggregated} == {"guid:hn"}
    store.close()
