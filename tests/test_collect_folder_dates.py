"""A folder file's date is read in the forms editors and site generators write, or the
file is skipped with a warning naming it and the line: never dated "now".

`date: 1 March 2020` was not understood, so the article was dated when collected and
a story from 2020 led the next edition with no warning; so did `date: 03/01/2020` (which
could be either of two days) and a `published:` key. `date: 2026-13-45` was skipped
with a warning: a date given and not understood is now always that."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.collect.folder import read_folder
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
MARCH_1 = datetime(2020, 3, 1, tzinfo=UTC)


def _md(date_line: str, title: str = "Story from March 2020") -> str:
    return f"---\ntitle: {title}\n{date_line}\nauthor: Desk\n---\n\nThe body of the story.\n"


def _read(folder: Path) -> tuple[dict[str, datetime | None], tuple[str, ...]]:
    # Files written "later" than NOW would be undated; older ones take their mtime.
    for f in folder.iterdir():
        os.utime(f, (NOW.timestamp() - 3600, NOW.timestamp() - 3600))
    parsed = read_folder(folder, source="Desk", now=NOW, section=None)
    return {a.key.rsplit("/", 1)[1]: a.published for a in parsed.articles}, parsed.warnings


@pytest.mark.parametrize(
    "line",
    [
        "date: 1 March 2020",
        "date: March 1, 2020",
        "date: Sunday, 1 March 2020",
        "date: 1st March 2020",
        "date: Mar 1 2020",
        "date: 2020-03-01",
        "date: 2020-03-01T00:00:00Z",
        "date: '2020-03-01 01:00:00 +01:00'",
        "date: Sun, 01 Mar 2020 00:00:00 +0000",
        "date: Sun, 01 Mar 2020 00:00:00 GMT",
        "published: 2020-03-01",
        "publishDate: 2020-03-01",
        "pubDate: 1 March 2020",
        "created: 2020-03-01",
        "date: 2020/03/01",
        "date: 15/03/2020",  # day-first: the only reading (there is no 15th month)
        "date: 1 Mars 2020",  # March in French, Swedish, Norwegian: in any language
        "date: dim., 1 mars 2020",
    ],
)
def test_a_markdown_date_in_a_common_form_is_read(tmp_path: Path, line: str) -> None:
    (tmp_path / "old.md").write_text(_md(line))
    dates, warnings = _read(tmp_path)
    expected = MARCH_1 + timedelta(days=14) if "15/03" in line else MARCH_1
    assert dates == {"old.md": expected}
    assert warnings == ()


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (
            "date: 03/01/2020",
            "old.md:3: skipped: its date '03/01/2020' could be 3 January 2020 or "
            "1 March 2020: write it as 2020-01-03 or 2020-03-01",
        ),
        ("date: 2026-13-45", "old.md:3: skipped: its date '2026-13-45' is not a date"),
        ("published: sometime in March", "old.md:3: skipped: its date 'sometime in March'"),
        ("date: 1 Mrch 2020", "old.md:3: skipped: its date '1 Mrch 2020'"),  # no month
        ("date: 30 February 2020", "old.md:3: skipped: its date '30 February 2020'"),
        ("date: [2020, 3, 1]", "old.md:3: skipped: its date [2020, 3, 1]"),
    ],
)
def test_a_date_given_and_not_understood_skips_the_file(
    tmp_path: Path, line: str, why: str
) -> None:
    (tmp_path / "old.md").write_text(_md(line))
    (tmp_path / "fresh.md").write_text(_md("date: 2026-11-26", title="Fresh story"))
    dates, warnings = _read(tmp_path)
    assert list(dates) == ["fresh.md"]
    assert len(warnings) == 1
    assert warnings[0].startswith(why), warnings


def test_a_text_file_date_line_is_read_or_the_file_skipped(tmp_path: Path) -> None:
    """The seed's .txt shape with a "Date:" line near the top."""
    story = "Harbour reopens\n{}\n\nThe standfirst, in one sentence.\n\nThe body.\n"
    (tmp_path / "a.txt").write_text(story.format("Date: 1 March 2020"))
    (tmp_path / "b.txt").write_text(story.format("Published: March 1, 2020 10:30"))
    (tmp_path / "c.txt").write_text(story.format("Date: 03/01/2020"))
    (tmp_path / "d.txt").write_text(story.format("Date: to be announced by the council"))
    (tmp_path / "e.txt").write_text(story.format("Updated: 3 dead after the crash on the E20"))
    dates, warnings = _read(tmp_path)
    assert dates["a.txt"] == MARCH_1
    assert dates["b.txt"] == MARCH_1 + timedelta(hours=10, minutes=30)
    assert "c.txt" not in dates
    assert warnings[0].startswith("c.txt:2: skipped: its date '03/01/2020' could be")
    # A line that says no date at all is the story's text, as before (dated by the file).
    assert dates["d.txt"] == NOW - timedelta(hours=1)
    assert dates["e.txt"] == NOW - timedelta(hours=1)
    assert len(warnings) == 1


def test_the_date_of_a_file_is_read_in_the_source_zone(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    (tmp_path / "old.md").write_text(_md("date: March 1, 2020 08:00"))
    parsed = read_folder(
        tmp_path, source="Desk", now=NOW, section=None, zone=ZoneInfo("Europe/Copenhagen")
    )
    assert parsed.articles[0].published == MARCH_1 + timedelta(hours=7)


def test_an_old_story_does_not_lead_the_next_edition(tmp_path: Path) -> None:
    """The report's case, end to end: `digest collect` then the stored articles."""
    desk = tmp_path / "desk"
    desk.mkdir()
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "Desk"\npath = "{desk}"\n'
    )
    (desk / "old.md").write_text(_md("date: 1 March 2020"))
    (desk / "ambiguous.md").write_text(_md("date: 03/01/2020", title="Which day?"))
    (desk / "today.md").write_text(_md("date: 2026-11-27 05:00", title="Harbour reopens"))
    result = CliRunner().invoke(
        main, ["collect", "--config", str(config), "--at", NOW.isoformat()], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "ambiguous.md:3: skipped: its date '03/01/2020' could be" in output
    stored = {a.title: a.published for a in App.from_config(config).store.articles()}
    assert set(stored) == {"Story from March 2020", "Harbour reopens"}
    old = stored["Story from March 2020"]
    assert old is not None and old.replace(tzinfo=UTC) < datetime(2020, 3, 2, tzinfo=UTC)


def _page(date: str, title: str) -> str:
    return (
        f"<html><head><title>{title}</title>\n"
        f'<meta property="article:published_time" content="{date}"></head>\n'
        f"<body><article><h1>{title}</h1><p>The council met on the harbour today and "
        "agreed to reopen the old ferry route for the summer.</p></article></body></html>"
    )


def test_a_saved_page_is_read_by_its_declared_date_or_skipped(tmp_path: Path) -> None:
    """A page's text was searched for a date when its meta tag's could not be read:
    "03/01/2020" became 3 January, "2026-13-45" 1 January 2026, "sometime" now."""
    (tmp_path / "words.html").write_text(_page("1 March 2020", "Words"))
    (tmp_path / "iso.html").write_text(_page("2020-03-01T00:00:00Z", "Iso"))
    (tmp_path / "ambiguous.html").write_text(_page("03/01/2020", "Ambiguous"))
    (tmp_path / "no-day.html").write_text(_page("2026-13-45", "No day"))
    (tmp_path / "sometime.html").write_text(_page("sometime", "Sometime"))
    dates, warnings = _read(tmp_path)
    assert dates == {"iso.html": MARCH_1, "words.html": MARCH_1}
    assert warnings[0].startswith("ambiguous.html:2: skipped: its date '03/01/2020' could be")
    assert warnings[1].startswith("no-day.html:2: skipped: its date '2026-13-45' is not")
    assert warnings[2].startswith("sometime.html:2: skipped: its date 'sometime' is not")


def test_a_placeholder_year_is_no_date(tmp_path: Path) -> None:
    """Hugo writes 0001-01-01 for no date, as pages do (pages.EARLIEST_YEAR): the file
    is dated as one without a date (its time), not skipped."""
    (tmp_path / "zero.md").write_text(_md("date: 0001-01-01", title="Zero"))
    (tmp_path / "zero.html").write_text(_page("0001-01-01T00:00:00Z", "Zero page"))
    dates, warnings = _read(tmp_path)
    assert dates == {"zero.md": NOW - timedelta(hours=1), "zero.html": NOW - timedelta(hours=1)}
    assert warnings == ()
