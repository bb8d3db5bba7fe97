"""A feed's items dated in the future are named in its warning, as a folder's files
are: the first three, by title and how many more.
The real command, a real feed file, SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from tests.conftest import write_project

AT = datetime(2026, 11, 27, 6, tzinfo=UTC)


def _item(title: str | None, link: str, when: datetime) -> str:
    head = f"<title>{title}</title>" if title else ""
    date = when.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (
        f"<item>{head}<link>{link}</link><pubDate>{date}</pubDate>"
        "<description>Something happened in the harbour today, told plainly.</description></item>"
    )


def _collect(tmp_path: Path, *items: str) -> str:
    feed = tmp_path / "feed.xml"
    feed.write_text(f"<rss version='2.0'><channel><title>T</title>{''.join(items)}</channel></rss>")
    sources = f'[[sources]]\nname = "Harbour Wire"\nurl = "{feed}"\n'
    config = write_project(tmp_path / "news", sources=sources)
    result = CliRunner().invoke(
        main,
        ["collect", "--config", str(config), "--at", AT.isoformat()],
        env={"COLUMNS": "400"},
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_the_first_three_items_dated_in_the_future_are_named(tmp_path: Path) -> None:
    later = AT + timedelta(days=30)
    output = _collect(
        tmp_path,
        _item("Ferry timetable for spring", "https://e.example/1", later),
        _item("Today's news", "https://e.example/now", AT - timedelta(hours=2)),
        _item("Cruise ship season opens", "https://e.example/2", later),
        _item("Bridge opening planned", "https://e.example/3", later),
        _item("Harbour bath closes", "https://e.example/4", later),
        _item("Library extends hours", "https://e.example/5", later),
    )
    assert (
        "5 items dated in the future (after 2026-11-28 06:00 UTC): kept their dates, not "
        "ranked before then: 'Ferry timetable for spring', 'Cruise ship season opens', "
        "'Bridge opening planned', and 2 more"
    ) in output
    assert "Today's news" not in output and "Library extends hours" not in output


def test_one_item_dated_in_the_future_is_named_alone(tmp_path: Path) -> None:
    output = _collect(
        tmp_path,
        _item("Ferry timetable for spring", "https://e.example/1", AT + timedelta(days=3)),
        _item("Today's news", "https://e.example/now", AT - timedelta(hours=2)),
    )
    assert (
        "1 item dated in the future (after 2026-11-28 06:00 UTC): kept its date, not ranked "
        "before then: 'Ferry timetable for spring'"
    ) in output
    assert "more" not in output.split("Ferry timetable for spring'")[1][:12]


def test_a_feed_without_future_items_gives_no_such_warning(tmp_path: Path) -> None:
    output = _collect(
        tmp_path, _item("Today's news", "https://e.example/now", AT - timedelta(hours=2))
    )
    assert "in the future" not in output
