"""`digest build` says what it kept and dropped, and never stores an empty edition.

The sample project as `digest init` makes it, built on 3 December 2026: its feeds are
from late November, so most articles are too old for `max_age_hours = 72`.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.app import App
from digest.build import candidates
from digest.cli import main
from digest.subscribers import import_csv

AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
AT_ISO = "2026-12-03T08:00:00Z"
NOVEMBER = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


def cli(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def sample(folder: Path, *, fresh: int = 1, edition: str = "") -> Path:
    """`digest init`, with `fresh` of the folder's .txt articles filed just before AT
    (a .txt file is dated by its modification time) and the rest in late November."""
    res = CliRunner().invoke(main, ["init", str(folder)])
    assert res.exit_code == 0, res.output
    for i, file in enumerate(sorted((folder / "sources" / "articles").glob("*.txt"))):
        stamp = (AT - timedelta(hours=2) if i < fresh else NOVEMBER).timestamp()
        os.utime(file, (stamp, stamp))
    config = folder / "digest.toml"
    if edition:
        text = config.read_text()
        config.write_text(text.replace("[edition]\n", f"[edition]\n{edition}\n", 1))
    return config


@pytest.fixture
def news(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return sample(tmp_path / "news")


def stored(config: Path) -> int:
    return len(App.from_config(config).store.articles())


def editions(config: Path) -> list[dict[str, object]]:
    res = cli(config, "editions", "--json")
    assert res.exit_code == 0, res.output
    found: list[dict[str, object]] = json.loads(res.output)
    return found


def test_build_prints_one_line_saying_what_it_kept_and_dropped(news: Path) -> None:
    res = cli(news, "build", "--at", AT_ISO)
    assert res.exit_code == 0, res.output
    total = stored(news)
    assert total > 20  # the three sample feeds and the folder
    expected = (
        f"Edition 1: 1 lead, 0 teasers from {total} articles; dropped {total - 1} too old "
        "(max_age_hours = 72), 0 already sent, 0 from the future"
    )
    assert expected in res.output.replace("\n", " ")


def test_build_counts_what_it_did_not_send_again(news: Path) -> None:
    first = cli(news, "build", "--at", AT_ISO, "--json")
    assert first.exit_code == 0, first.output
    App.from_config(news).store.set_edition_status(1, "sent", now=AT)
    later = (AT + timedelta(hours=1)).isoformat()
    res = cli(news, "build", "--at", later, "--json", "--no-collect")
    assert res.exit_code != 0
    data = json.loads(res.stdout)
    total = stored(news)
    assert data["id"] is None and data["leads"] == [] and data["teasers"] == []
    assert data["dropped"]["already_sent"] == 1
    assert data["dropped"]["too_old"] == total - 1
    assert [e["id"] for e in editions(news)] == [1]


def test_json_keeps_its_shape_and_adds_the_drop_counts(news: Path) -> None:
    res = cli(news, "build", "--at", AT_ISO, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {"id", "list", "leads", "teasers", "sources"} <= set(data)
    assert data["id"] == 1 and len(data["leads"]) == 1
    assert data["dropped"] == {
        "excluded": 0,
        "future": 0,
        "too_old": stored(news) - 1,
        "undated": 0,
        "other_section": 0,
        "empty": 0,
        "already_sent": 0,
        "queued": 0,
        "advert": 0,
        "same_headline": 0,
        "no_room": 0,
    }


def test_a_build_with_no_story_stores_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = sample(tmp_path / "news", fresh=0)
    res = cli(config, "build", "--at", AT_ISO)
    assert res.exit_code == 1, res.output
    out = res.output.replace("\n", " ")
    total = stored(config)
    assert re.search(rf"No edition: 0 stories from {total} articles; dropped {total} too old", out)
    assert "digest build --at" in out and "max_age_hours" in out  # how to build from an archive
    assert "Draft edition" not in out
    assert editions(config) == []


def test_a_build_below_min_stories_is_stored_for_the_editor_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = sample(tmp_path / "news", fresh=2, edition="min_stories = 3")
    res = cli(config, "build", "--at", AT_ISO)
    assert res.exit_code == 1, res.output
    out = res.output.replace("\n", " ")
    # One outlet of the four has news: its two stories both lead (no other outlet has a
    # story left, so its cap gives way to stories with text: digest.diversity).
    assert "Edition 1: 2 leads, 0 teasers" in out, out
    assert "min_stories = 3" in out and "only 2" in out
    (edition,) = editions(config)
    assert (edition["status"], edition["stories"]) == ("draft", 2)


def test_articles_older_than_the_cut_off_are_counted_not_loaded(news: Path) -> None:
    app = App.from_config(news)
    app.collect(now=AT)
    built = app.draft(now=AT)
    total = stored(news)
    assert built.articles == total
    assert built.dropped["too_old"] == total - 1
    # the store still filters them out itself
    assert len(candidates(app.store, app.settings.edition, AT)) == 1


def test_every_stored_article_is_in_the_edition_or_counted_as_dropped(news: Path) -> None:
    app = App.from_config(news)
    app.collect(now=AT)
    # Subscribers who chose sections get stories of theirs beyond the general cut.
    import_csv(app.store, "daily", news.parent / "subscribers" / "daily.csv", now=AT)
    morning = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # the sample's own morning
    built = app.draft(now=morning)
    assert built.edition is not None and built.edition.reserve != ()
    kept = {k for story in built.edition.carried for k in story.keys}
    assert built.articles == stored(news)
    assert len(kept) + sum(built.dropped.values()) == built.articles
    assert built.dropped["future"] == 1 and built.dropped["no_room"] > 0
