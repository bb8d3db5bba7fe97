"""A date UTC cannot hold once converted (year 1 at +05:00, 9999-12-31 at -05:00) in a
JSON Feed, a Markdown file's front matter, a text file's "Published:" line or a page's
meta tag raised OverflowError out of `digest collect` on both databases: the whole
command stopped with a traceback and no source was stored. Such a date is no date now;
the article is kept. But a folder's file or page whose date is out of range (9999-12-31 at
-05:00) is skipped with a warning naming its line, as any date it gives and cannot be
read (tests/test_collect_folder_dates.py); a year before 1990 is a placeholder for no
date, there as on web pages. Real files, the real command, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.conftest import write_project

AT = "2026-11-27T06:00:00+00:00"
LATE = "9999-12-31T23:59:59-05:00"
EARLY = "0001-01-01T00:00:00+05:00"
BODY = "Something happened in the harbour today, told in one plain sentence."


def _feed(folder: Path) -> Path:
    items = [
        {"id": "late", "url": "https://e.example/late", "title": "Late", "content_text": BODY}
        | {"date_published": LATE},
        {"id": "early", "url": "https://e.example/early", "title": "Early", "content_text": BODY}
        | {"date_published": EARLY, "date_modified": "Fri, 31 Dec 9999 23:59:59 -0500"},
    ]
    path = folder / "feed.json"
    path.write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}))
    return path


def _files(folder: Path) -> Path:
    files = folder / "files"
    files.mkdir()
    (files / "front.md").write_text(f"---\ntitle: Front\ndate: {LATE}\ntags: 5\n---\n{BODY}\n")
    (files / "quoted.md").write_text(f"---\ntitle: Quoted\ndate: '{EARLY}'\n---\n{BODY}\n")
    (files / "line.txt").write_text(f"Line\n\nPublished: {LATE}\n\n{BODY}\n")
    (files / "page.html").write_text(
        '<html><head><title>Page</title><meta property="article:published_time" '
        f'content="{LATE}"></head><body><article><h1>Page</h1><p>{BODY}</p></article>'
        "</body></html>"
    )
    return files


def test_a_date_utc_cannot_hold_is_no_date_and_the_collect_goes_on(
    tmp_path: Path, db_url: str
) -> None:
    sources = (
        f'[[sources]]\nname = "Feed"\nurl = "{_feed(tmp_path)}"\n\n'
        f'[[sources]]\nname = "Files"\npath = "{_files(tmp_path)}"\n'
    )
    config = write_project(tmp_path / "news", sources=sources, database=db_url)
    result = CliRunner().invoke(
        main, ["collect", "--config", str(config), "--at", AT], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    output = " ".join(result.output.split())
    for where in ("front.md:3", "line.txt:3", "page.html:1"):
        assert f"{where}: skipped: its date" in output
    articles = {a.title: a for a in App.from_config(config).store.articles()}
    assert set(articles) == {"Late", "Early", "Quoted"}
    assert articles["Late"].published is None and articles["Early"].published is None
