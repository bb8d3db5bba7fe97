"""A folder's article dated without an offset is dated in the newsroom's time zone.

A newsroom writes `date: 2026-11-27 05:30` in its own time. Before, every date without
an offset was read as UTC, so in Tokyo an article written at 05:30 for the 07:00
edition counted as nine hours in the future and was left out ("future"), and a date
alone (`date: 2026-11-27`) was left out until 09:00. Such a date is now read in the
source's `timezone`, by default the lists' zone when they all have one (else UTC),
as static site generators read front matter in the site's zone. A date with an
offset is read as it says. The real collect and build on SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.app import App
from digest.collect.folder import read_folder
from digest.config import load
from digest.errors import ConfigError
from tests.conftest import write_project

# 06:00 in Tokyo on 27 November: the edition is built an hour before its 07:00 slot.
BUILD = datetime(2026, 11, 27, 6, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
ARTICLES = {
    "early.md": "---\ntitle: Fish market opens its new hall\ndate: 2026-11-27 05:30\n---\n",
    "today.md": "---\ntitle: Ward office extends its hours\ndate: 2026-11-27\n---\n",
    "note.txt": "Date: 2026-11-27 05:00\nRail line adds night trains\n",
    "offset.md": "---\ntitle: Harbour bridge repaint ends\ndate: 2026-11-26T10:00:00Z\n---\n",
}
BODY = (
    "\nA standfirst that says what happened, in one sentence.\n\nMore of the story follows here.\n"
)


def _project(tmp_path: Path, *, list_zone: str, source_extra: str = "") -> Path:
    desk = tmp_path / "news" / "desk"
    desk.mkdir(parents=True)
    for name, head in ARTICLES.items():
        (desk / name).write_text(head + BODY, encoding="utf-8")
    sources = f'[[sources]]\nname = "Tokyo Desk"\npath = "desk/"\n{source_extra}\n'
    config = write_project(tmp_path / "news", sources=sources)
    text = config.read_text().replace('"Europe/Copenhagen"', f'"{list_zone}"')
    config.write_text(text)
    return config


def _dates(config: Path) -> dict[str, datetime | None]:
    settings = load(config)
    (source,) = settings.sources
    assert source.path is not None
    read = read_folder(
        source.path,
        source=source.name,
        now=BUILD,
        section=None,
        zone=ZoneInfo(source.timezone),
    )
    return {a.key.rsplit("/", 1)[-1]: a.published for a in read.articles}


def test_a_tokyo_newsrooms_morning_articles_run_in_its_morning_edition(tmp_path: Path) -> None:
    config = _project(tmp_path, list_zone="Asia/Tokyo")
    assert _dates(config) == {
        "early.md": datetime(2026, 11, 26, 20, 30, tzinfo=UTC),
        "today.md": datetime(2026, 11, 26, 15, 0, tzinfo=UTC),  # midnight in Tokyo
        "note.txt": datetime(2026, 11, 26, 20, 0, tzinfo=UTC),
        "offset.md": datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
    }
    app = App.from_config(config)
    reports = app.collect(now=BUILD)
    assert not any(r.warnings for r in reports), [r.warnings for r in reports]
    edition = app.build(now=BUILD, reports=reports)
    headlines = {s.title for s in (*edition.leads, *edition.teasers)}
    assert headlines == {
        "Fish market opens its new hall",
        "Ward office extends its hours",
        "Rail line adds night trains",
        "Harbour bridge repaint ends",
    }


def test_a_sources_own_zone_wins_and_lists_in_several_zones_mean_utc(tmp_path: Path) -> None:
    mine = _project(tmp_path / "a", list_zone="Asia/Tokyo", source_extra='timezone = "UTC"')
    assert _dates(mine)["early.md"] == datetime(2026, 11, 27, 5, 30, tzinfo=UTC)
    several = _project(tmp_path / "b", list_zone="Asia/Tokyo")
    several.write_text(
        several.read_text() + '\n[[lists]]\nname = "evening"\ntimezone = "America/New_York"\n'
    )
    assert load(several).sources[0].timezone == "UTC"
    assert _dates(several)["today.md"] == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


def test_an_unknown_zone_is_named_in_the_error(tmp_path: Path) -> None:
    config = _project(tmp_path, list_zone="Asia/Tokyo", source_extra='timezone = "Tokio"')
    with pytest.raises(ConfigError, match=r"sources\[0\]\.timezone.*IANA time zone"):
        load(config)
