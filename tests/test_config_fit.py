"""A configuration value the database cannot hold is refused when the file is loaded,
naming the file and the key. A source name or section over 200 characters, or a list
name over 100, failed every `digest collect` or `digest build` on PostgreSQL with a
DataError (value too long for type character varying), while SQLite stored them; an
`[edition] max_age_hours` reaching back before year 1 failed `digest build` with an
OverflowError traceback on both. The longest that fit work on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.conftest import write_project

FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "items": [
        {
            "id": "1",
            "url": "https://e.example/1",
            "title": "Ferries run all night",
            "content_text": "The harbour ferries will run through the night from March.",
            "date_published": "2026-11-27T05:00:00Z",
        }
    ],
}
AT = "2026-11-27T06:00:00Z"


def _config(tmp_path: Path, db_url: str, *, source: str, section: str, lst: str) -> Path:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(FEED))
    sources = f'[[sources]]\nname = "{source}"\nsection = "{section}"\nurl = "{feed}"\n'
    config = write_project(tmp_path / "news", sources=sources, database=db_url)
    config.write_text(config.read_text().replace('name = "daily"', f'name = "{lst}"'))
    return config


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--config", str(config), "--at", AT])
    return result.exit_code, result.output


def test_the_longest_names_that_fit_work_on_both_databases(tmp_path: Path, db_url: str) -> None:
    config = _config(tmp_path, db_url, source="S" * 200, section="s" * 200, lst="L" * 100)
    assert _run(config, "collect")[0] == 0
    code, output = _run(config, "build", "--json")
    assert code == 0, output
    assert json.loads(output)["list"] == "L" * 100
    (article,) = App.from_config(config).store.articles()
    assert (article.source, article.section) == ("S" * 200, "s" * 200)


@pytest.mark.parametrize(
    ("source", "section", "lst", "key"),
    [
        ("S" * 201, "s", "daily", "sources[0].name"),
        ("S", "s" * 201, "daily", "sources[0].section"),
        ("S", "s", "L" * 101, "lists[0].name"),
    ],
)
def test_a_name_longer_than_its_column_is_refused_naming_the_key(
    tmp_path: Path, db_url: str, source: str, section: str, lst: str, key: str
) -> None:
    config = _config(tmp_path, db_url, source=source, section=section, lst=lst)
    for command in ("collect", "build"):
        code, output = _run(config, command)
        assert code != 0 and "DataError" not in output and "Traceback" not in output, output
        assert str(config) in output and key in output and "at most" in output, output


def test_an_age_limit_reaching_back_before_year_1_is_refused(tmp_path: Path, db_url: str) -> None:
    config = _config(tmp_path, db_url, source="S", section="s", lst="daily")
    config.write_text(
        config.read_text().replace("max_age_hours = 100000", "max_age_hours = 100000000")
    )
    code, output = _run(config, "build")
    assert code != 0 and "Traceback" not in output and "OverflowError" not in output, output
    assert str(config) in output and "edition.max_age_hours" in output, output
