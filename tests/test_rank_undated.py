"""An undated item counts from first sight only when first sight says something.

A feed's first collect hands us everything it still holds: heise's 2016 items and
UOL's 2018 election coverage carry no date at all, and the day we first read them says
nothing of their age. They must not run as today's news (reason ``undated``). An
undated item that turns up in a *later* collect was not in the feed before: it is new,
and its first sight bounds its age. Real SQLite files, real feeds (the shared corpus,
read in place, and feeds written here); nothing mocked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.app import App
from tests.corpus import require_corpus

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def project(folder: Path, sources: dict[str, Path], *, edition: str = "") -> App:
    """A project of `sources` (name -> feed file) with its SQLite file in `folder`."""
    lines = [
        "[newsletter]",
        'name = "Test Brief"',
        'sender = "Test Brief <brief@example.org>"',
        'base_url = "https://brief.example.org"',
    ]
    for name, path in sources.items():
        kind = "path" if path.is_dir() else "url"
        lines += ["[[sources]]", f'name = "{name}"', f'{kind} = "{path}"']
    lines += ["[edition]", "max_age_hours = 72", edition]
    lines += ["[[lists]]", 'name = "daily"', 'schedule = "0 7 * * *"', 'timezone = "UTC"']
    lines += ["[transport]", 'kind = "outbox"', 'path = "outbox/"']
    lines += ["[database]", f'url = "sqlite:///{folder / "digest.db"}"']
    config = folder / "digest.toml"
    config.write_text("\n".join(lines) + "\n")
    return App.from_config(config)


def rss(items: list[tuple[str, str]]) -> str:
    """An RSS 2.0 feed of undated items (title, description), each with a link."""
    body = "".join(
        f"<item><title>{title}</title><link>https://news.example/{n}</link>"
        f"<description>{text}</description></item>"
        for n, (title, text) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Undated News</title><link>https://news.example/</link>{body}</channel></rss>"
    )


STORIES = [
    ("Harbour bath opens for winter swimmers", "The harbour bath stays open all winter."),
    ("Cycle bridge closes for repairs", "The bridge closes for three weeks from Monday."),
    ("City library extends its opening hours", "Libraries stay open until midnight."),
]


def test_undated_items_of_a_feeds_first_collect_are_not_todays_news(tmp_path: Path) -> None:
    corpus = require_corpus() / "feeds"
    app = project(
        tmp_path,
        {
            "heise": corpus / "news-heise-online-2016.rdf",
            "UOL": corpus / "news-uol-noticias-latin1-nodecl.rss",
            "Guardian": corpus / "news-guardian-intl.rss",
            "Macworld": corpus / "news-macworld.rss",
        },
    )
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None] * 4
    built = app.draft(now=NOW, reports=reports)
    # Nothing in these feeds is dated within 72 hours of NOW, and nothing undated
    # can be shown to be: there is no edition, and the build says why.
    runs = [] if built.edition is None else built.edition.stories
    assert [(s.source, s.title) for s in runs] == []
    assert built.dropped["undated"] == 60  # heise's: no dates at all
    # The Guardian's and Macworld's 85, and UOL's 15 (dated "Seg, 24 Set 2018 …": in
    # Portuguese, they were read as undated until tests/test_collect_foreign_dates.py).
    assert built.dropped["too_old"] == 100
    assert "60 undated" in built.summary()


def test_an_undated_item_new_in_a_later_collect_runs(tmp_path: Path) -> None:
    feed = tmp_path / "undated.rss"
    feed.write_text(rss(STORIES[:2]))
    app = project(tmp_path, {"Undated News": feed})
    app.collect(now=NOW - timedelta(hours=6))  # the first collect: a backlog of two
    feed.write_text(rss(STORIES))  # one more item since
    app.collect(now=NOW - timedelta(hours=2))
    built = app.draft(now=NOW)
    assert built.edition is not None
    (story,) = built.edition.stories
    assert story.title == "City library extends its opening hours" and story.published is None
    assert story.why["recency"] == round(0.5 ** (2 / 24), 4)  # counted from first sight
    assert built.dropped["undated"] == 2


def test_a_feed_whose_first_collect_failed_has_its_backlog_on_its_first_success(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "undated.rss"  # not there yet: the first collect fails
    app = project(tmp_path, {"Undated News": feed})
    (failed,) = app.collect(now=NOW - timedelta(hours=6))
    assert failed.error is not None
    feed.write_text(rss(STORIES[:2]))
    app.collect(now=NOW - timedelta(hours=4))
    feed.write_text(rss(STORIES))
    app.collect(now=NOW - timedelta(hours=1))
    built = app.draft(now=NOW)
    assert built.edition is not None
    assert [s.title for s in built.edition.stories] == ["City library extends its opening hours"]


def test_a_pinned_undated_item_runs_as_undated(tmp_path: Path) -> None:
    """An editor may still run an item of unknown age: as undated (recency 0.5)."""
    from dataclasses import replace

    from digest.build import rank_options
    from digest.rank import rank

    feed = tmp_path / "undated.rss"
    feed.write_text(rss(STORIES[:1]))
    app = project(tmp_path, {"Undated News": feed})
    app.collect(now=NOW - timedelta(hours=1))
    (article,) = app.store.articles()
    options = replace(rank_options(app.settings, frozenset()), pinned=(article.key,))
    (story,) = rank([article], now=NOW, options=options).stories
    assert story.pinned and story.why["recency"] == 0.5


def test_a_folder_of_undated_files_still_builds(tmp_path: Path) -> None:
    """A folder's file is dated by its modification time; one written after the `now`
    collected for is undated, and still runs from first sight (the editor's own desk,
    not a feed's backlog)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, (title, text) in enumerate(STORIES):
        (folder / f"story-{n}.txt").write_text(f"{title}\n\n{text}\n\nMore of it, in a body.\n")
    app = project(tmp_path, {"Desk": folder})
    past = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # before the files were written
    app.collect(now=past)
    built = app.draft(now=past)
    assert built.edition is not None
    assert len(built.edition.stories) == 3
    assert all(s.published is None for s in built.edition.stories)
    assert built.dropped["undated"] == 0
