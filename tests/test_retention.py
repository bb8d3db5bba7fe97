"""Retention: old articles lose their bodies, never what identifies them.

`[database] keep_days` (default 90): an article first seen and published (or undated)
longer ago than that, that no edition carries, keeps its row, key, link, headline,
standfirst, dates and content hash, and loses its text and HTML. So a feed that still
carries it finds it unchanged, the archive still shows every story an edition carried,
and a keep_days shorter than what a build reads back is refused. On SQLite and
PostgreSQL, with real collects, the real CLI and the real scheduler.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from digest.app import App
from digest.build import reach
from digest.cli import DEMO_AT, main
from digest.config import EditionSettings, load
from digest.config.settings import min_keep_days
from digest.errors import ConfigError
from digest.records import Also, Article, Edition, SourceReport, Story
from digest.schedule import Scheduler
from digest.store import Store
from digest.store import schema as t
from tests.conftest import write_project
from tests.test_desk import running

OLD = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
CUT = NOW - timedelta(days=90)  # the default keep_days, with max_age_hours = 72
BODY = "<p>The harbour board met on Thursday and agreed the plan.</p>" * 20


def _article(key: str, published: datetime | None) -> Article:
    return Article(
        key=key,
        source="Wire",
        title=f"Headline of {key}",
        url=f"https://wire.example.org/{key}",
        summary=f"The standfirst of {key}.",
        text=f"The body of {key}. " * 50,
        html=BODY,
        published=published,
    )


def _hashes(store: Store) -> dict[str, str]:
    a = t.articles
    with store.engine.connect() as conn:
        return {
            row.key: row.content_hash for row in conn.execute(select(a.c.key, a.c.content_hash))
        }


def test_old_articles_lose_their_body_and_keep_what_identifies_them(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    day = timedelta(days=1)
    old = [_article(f"old-{n}", OLD - day) for n in range(5)]
    old += [
        _article("old-undated", None),
        _article("old-lead", OLD - day),  # an edition's face
        _article("old-also", OLD - day),  # and a report in its cluster
        _article("seen-long-ago-dated-lately", NOW - day),  # a date after the cut-off
    ]
    store.record(SourceReport("Wire", tuple(old)), location="wire.xml", now=OLD)
    recent = [_article("new", NOW - day), _article("old-news-found-lately", OLD - day)]
    store.record(SourceReport("Wire", tuple(recent)), location="wire.xml", now=NOW - day)
    also = (Also("Wire", "https://wire.example.org/old-also", "Headline", "old-also"),)
    lead = Story("old-lead", "Headline", None, "Wire", "The standfirst.", also=also)
    store.save_edition(Edition("daily", OLD, (lead,), ()), now=OLD)
    keys = [a.key for a in old + recent]
    before = {key: store.article(key) for key in keys}
    hashes = _hashes(store)
    gone = {f"old-{n}" for n in range(5)} | {"old-undated"}

    assert store.prune_articles(before=CUT, dry_run=True) == len(gone)
    assert {key: store.article(key) for key in keys} == before  # a dry run changes nothing
    assert store.prune_articles(before=CUT, batch=2) == len(gone)  # in steps of two

    for key in keys:
        article, was = store.article(key), before[key]
        assert article is not None and was is not None
        if key in gone:
            assert (article.text, article.html) == ("", "")
            assert was.text and was.html
            assert replace(article, text=was.text, html=was.html) == was  # all else kept
        else:
            assert article == was, key
    assert _hashes(store) == hashes
    assert store.prune_articles(before=CUT) == 0  # nothing left to empty
    store.close()


def _feed(items: int, published: datetime) -> str:
    entries = "".join(
        f"""<item><title>Harbour story {i}: the board meets again</title>
<link>https://wire.example.org/{i}</link><guid>wire-{i}</guid>
<pubDate>{format_datetime(published + timedelta(minutes=i))}</pubDate>
<description>The standfirst of story {i}.</description>
<content:encoded><![CDATA[<p>Story {i} goes on.</p>{BODY}]]></content:encoded></item>"""
        for i in range(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Wire</title><link>https://wire.example.org/</link><description>Wire</description>
{entries}</channel></rss>"""


def _project(folder: Path, database: str, *, extra: str = "", edition: str = "") -> Path:
    """A project whose one source is the feed file `wire.xml`, with max_age_hours = 72."""
    sources = '[[sources]]\nname = "Wire"\nurl = "wire.xml"\n'
    config = write_project(folder, database=database, sources=sources, extra=extra)
    text = config.read_text().replace("max_age_hours = 100000", edition or "max_age_hours = 72")
    config.write_text(text)
    return config


def test_a_pruned_article_its_feed_still_carries_is_unchanged_on_the_next_collect(
    tmp_path: Path, db_url: str
) -> None:
    config = _project(tmp_path / "news", db_url)
    feed = config.parent / "wire.xml"
    feed.write_text(_feed(3, OLD - timedelta(hours=2)))
    app = App.from_config(config)
    (first,) = app.collect(now=OLD)
    assert (first.new, first.updated, first.unchanged) == (3, 0, 0)
    assert app.prune(now=NOW).emptied == 3
    # The feed still carries the three, unchanged, and a fourth: it is read again.
    feed.write_text(_feed(4, OLD - timedelta(hours=2)))
    (again,) = app.collect(now=NOW)
    assert not again.not_modified and again.error is None
    assert (again.new, again.updated, again.unchanged) == (1, 0, 3)
    for key in ("guid:wire-0", "guid:wire-1", "guid:wire-2"):
        article = app.store.article(key)
        assert article is not None and article.first_seen == OLD
        assert (article.text, article.html) == ("", "")  # not written again
    fourth = app.store.article("guid:wire-3")
    assert fourth is not None and "Story 3 goes on." in fourth.html
    app.close()


def test_the_archive_page_of_an_old_edition_s_story_still_shows_its_text(tmp_path: Path) -> None:
    from digest.render.stories import story_ref

    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    app = App.from_config(out / "digest.toml")
    own = next(s for s in app.store.edition(1).stories if not s.url)
    article = app.store.article(own.key)
    assert article is not None and article.text
    pruned = app.prune(now=DEMO_AT + timedelta(days=400))
    assert pruned.emptied > 0  # the demo's articles no edition carried
    assert app.store.article(own.key) == article
    with running(out / "digest.toml") as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/1/story/{story_ref(own.key)}")
        assert page.status_code == 200
        last = article.text.split("\n\n")[-1].strip()
        assert html.escape(last, quote=False) in page.text
    app.close()


@pytest.mark.parametrize(
    ("edition", "least"),
    [
        ("max_age_hours = 72", 7),  # 72 + 72 hours: 6 days, and a day more
        ("max_age_hours = 24\ncluster_window_hours = 24", 3),
        ("max_age_hours = 100\ncluster_window_hours = 72", 9),  # 172 hours: 7.2 days
    ],
)
def test_keep_days_shorter_than_a_build_reads_back_is_refused(
    tmp_path: Path, edition: str, least: int
) -> None:
    for days in (least - 1, 1):
        config = _project(
            tmp_path, "sqlite:///digest.db", extra=f"keep_days = {days}", edition=edition
        )
        with pytest.raises(ConfigError) as refused:
            load(config)
        message = str(refused.value)
        assert re.match(
            rf"{re.escape(str(config))}:\d+: database.keep_days = {days} is not", message
        )
        assert f"at least {least} days, or 0 to keep every article's text" in message
        assert "max_age_hours" in message
    for days in (least, 0, 365):
        config = _project(
            tmp_path, "sqlite:///digest.db", extra=f"keep_days = {days}", edition=edition
        )
        assert load(config).keep_days == days


@pytest.mark.parametrize("value", ["-1", '"90"', "1.5", "true", "1_000_001"])
def test_keep_days_is_a_whole_number_of_days(tmp_path: Path, value: str) -> None:
    config = _project(tmp_path, "sqlite:///digest.db", extra=f"keep_days = {value}")
    with pytest.raises(ConfigError, match=r"database\.keep_days = .* is not allowed; .*days"):
        load(config)


def test_keep_days_defaults_to_90_or_what_builds_need_or_everything(tmp_path: Path) -> None:
    settings = load(_project(tmp_path, "sqlite:///digest.db"))
    assert settings.database.keep_days is None and settings.keep_days == 90
    # Builds that read back further keep what they read by default.
    far = load(_project(tmp_path, "sqlite:///digest.db", edition="max_age_hours = 2400"))
    assert far.keep_days == 100 + 3 + 1  # 2,400 + 72 hours: 103 days, and a day more
    # max_age_hours None: any age may run, so nothing is pruned unless asked for.
    anything = replace(settings, edition=replace(settings.edition, max_age_hours=None))
    assert anything.keep_days == 0
    asked = replace(anything, database=replace(settings.database, keep_days=30))
    assert asked.keep_days == 30


@pytest.mark.parametrize(
    "edition",
    [
        EditionSettings(),
        EditionSettings(max_age_hours=24, cluster_window_hours=24),
        EditionSettings(max_age_hours=100, cluster_window_hours=6),
        EditionSettings(max_age_hours=1, cluster_window_hours=200),
    ],
)
def test_the_least_keep_days_is_a_day_before_what_the_build_reads(edition: EditionSettings) -> None:
    """Tied to the build's own reach (digest.build.reach): not a copy of its sum."""
    least = min_keep_days(edition)
    oldest = reach(edition, NOW)
    assert least is not None and oldest is not None
    assert NOW - timedelta(days=least) <= oldest - timedelta(days=1)
    assert NOW - timedelta(days=least - 1) > oldest - timedelta(days=1)


def _old_project(folder: Path, database: str) -> App:
    """A project with three articles collected at OLD (their feed dated just before)."""
    config = _project(folder, database)
    (config.parent / "wire.xml").write_text(_feed(3, OLD - timedelta(hours=2)))
    app = App.from_config(config)
    app.collect(now=OLD)
    return app


def _bodies(app: App) -> list[str]:
    return sorted(a.text for a in app.store.articles())


def test_digest_prune_dry_run_says_what_it_would_do_and_prune_does_it(
    tmp_path: Path, db_url: str
) -> None:
    app = _old_project(tmp_path / "news", db_url)
    config = str(app.settings.path)
    bodies = _bodies(app)
    assert all(bodies)
    at = ["--config", config, "--at", "2026-11-27T06:00:00Z"]
    dry = CliRunner().invoke(main, ["prune", "--dry-run", *at])
    assert dry.exit_code == 0, dry.output
    assert dry.output.strip() == (
        "Would empty the text of 3 articles first seen and published before "
        "2026-08-29T06:00:00Z (keep_days = 90); editions' articles kept; would delete 0 of "
        "the scheduler's records written before 2026-08-29T06:00:00Z (open runs and each "
        "list's latest of each action kept); would delete 0 hosted pictures (0 bytes) that "
        "no edition shows, last hosted before 2026-08-29T06:00:00Z."
    )
    assert _bodies(app) == bodies
    done = CliRunner().invoke(main, ["prune", *at])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Emptied the text of 3 articles first seen and published before")
    assert _bodies(app) == ["", "", ""]
    # As of now (a time with its microseconds), the cut-off is shown to the second.
    later = CliRunner().invoke(main, ["prune", "--dry-run", "--config", config])
    assert re.search(r"before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(keep_days", later.output), (
        later.output
    )
    again = CliRunner().invoke(main, ["prune", "--json", *at])
    assert json.loads(again.output) == {
        "emptied": 0,
        "before": "2026-08-29T06:00:00Z",
        "keep_days": 90,
        "dry_run": False,
        "runs": 0,
        "runs_before": "2026-08-29T06:00:00Z",
        "images": 0,
        "image_bytes": 0,
        "images_before": "2026-08-29T06:00:00Z",
    }
    app.close()


def test_the_scheduler_prunes_once_a_day_not_on_every_tick(tmp_path: Path, db_url: str) -> None:
    app = _old_project(tmp_path / "news", db_url)

    def pruned(scheduler: Scheduler, at: datetime) -> list[str]:
        return [o.detail for o in scheduler.tick(at) if o.action == "prune"]

    scheduler = Scheduler(app)
    noon = NOW + timedelta(hours=6)
    (detail,) = pruned(scheduler, noon)
    assert detail.startswith("emptied the text of 3 articles")
    assert _bodies(app) == ["", "", ""]
    assert pruned(scheduler, noon + timedelta(minutes=1)) == []
    other = Scheduler(app)  # another process's scheduler: the day's run is recorded
    assert pruned(other, noon + timedelta(minutes=2)) == []
    rows = app.store.schedule_runs(action="prune")
    assert [(r.slot, r.status) for r in rows] == [("2026-11-27T00:00:00Z", "done")]
    # The next UTC day, once; `digest run --once` too.
    assert len(pruned(other, noon + timedelta(hours=12, minutes=1))) == 1
    scheduler.close()
    other.close()
    args = ["run", "--once", "--config", str(app.settings.path), "--at", "2026-11-29T06:00:00Z"]
    once = CliRunner().invoke(main, args)
    assert once.exit_code == 0, once.output
    assert "daily prune 2026-11-29T00:00:00Z: done (emptied the text of 0 articles" in once.output
    assert len(app.store.schedule_runs(action="prune")) == 3
    app.close()


def test_a_prune_of_a_project_with_no_database_is_refused_and_creates_none(
    tmp_path: Path,
) -> None:
    """A prune, even a dry run, of a project that has no database yet (or whose `[database]
    url` is misspelt) is refused, naming the file looked for, and leaves no database
    file: a dry run said "Would empty the text of 0 articles" (as if the data were
    gone), a real prune created an empty one, which then looked like a project that had
    been collected."""
    config = _project(tmp_path / "news", "sqlite:///digest.db")
    at = ["--config", str(config), "--at", "2026-11-27T06:00:00Z"]
    for extra in (["--dry-run"], ["--dry-run", "--json"], []):
        result = CliRunner().invoke(main, ["prune", *extra, *at])
        assert result.exit_code == 2, result.output
        assert f"{config.parent / 'digest.db'}: no such database file" in result.output
        assert sorted(p.name for p in config.parent.iterdir()) == ["digest.toml", "subscribers"]
