"""`digest subscribers import` of the files operators really have: files that leave a
column out, rows with more cells than the header, and semicolon-separated exports
(Excel's CSV in most European locales). Real SQLite, through the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _import(config: Path, content: bytes, name: str = "people.csv") -> Result:
    path = config.parent / name
    path.write_bytes(content)
    return CliRunner().invoke(
        main, ["subscribers", "import", str(path), "--list", "daily", "--config", str(config)]
    )


def test_an_import_without_names_keeps_the_names_stored(project: Path) -> None:
    first = _import(project, b"email,name,timezone\nann@example.org,Ann Holm,Europe/Paris\n")
    assert first.exit_code == 0, first.output
    # Later: a file of addresses only, and one whose name cell is blank.
    again = _import(project, b"email\nann@example.org\n", "addresses.csv")
    assert again.exit_code == 0, again.output
    blank = _import(project, b"email,name\nann@example.org,\n", "blank.csv")
    assert blank.exit_code == 0, blank.output
    # Within one file, a later duplicate with a blank name does not erase the first's.
    dup = _import(project, b"email,name\nbob@example.org,Bob\nBOB@example.org,\n", "dup.csv")
    assert dup.exit_code == 0, dup.output
    app = App.from_config(project)
    ann = app.store.subscriber("daily", "ann@example.org")
    bob = app.store.subscriber("daily", "bob@example.org")
    assert ann is not None and bob is not None
    assert (ann.name, ann.timezone) == ("Ann Holm", "Europe/Paris")
    assert bob.name == "Bob"


def test_a_row_with_more_cells_than_the_header_is_a_bad_row(project: Path) -> None:
    r = _import(
        project,
        b"email,name\n"  # 1
        b"ann@example.org,Holm, Ann\n"  # 2: an unquoted comma in the name
        b'bob@example.org,"Berg, Bob"\n'  # 3: quoted: fine
        b"cat@example.org,Cat,\n",  # 4: a trailing empty cell: fine
    )
    assert r.exit_code == 1, r.output
    assert "people.csv:2: ann@example.org: 3 cells where the header has fewer" in r.output
    assert "2 added" in r.output and "1 bad rows" in r.output
    app = App.from_config(project)
    assert app.store.subscriber("daily", "ann@example.org") is None  # not stored as "Holm"
    bob = app.store.subscriber("daily", "bob@example.org")
    assert bob is not None and bob.name == "Berg, Bob"
    assert app.store.subscriber("daily", "cat@example.org") is not None


def test_a_semicolon_separated_file_with_a_bom_is_read(project: Path) -> None:
    r = _import(
        project,
        "\ufeffEmail;Name;Sections;Format\r\n"
        'ann@example.org;"Holm, Ann";"Culture;Business";text\r\n'
        "not-an-address;Bad;;\r\n"
        "bob@example.org;Bob;;\r\n".encode(),
    )
    assert r.exit_code == 1, r.output
    assert "people.csv:3: not-an-address:" in r.output
    assert "2 added" in r.output and "1 bad rows" in r.output
    app = App.from_config(project)
    ann = app.store.subscriber("daily", "ann@example.org")
    assert ann is not None
    assert (ann.name, ann.sections, ann.format) == ("Holm, Ann", ("Business", "Culture"), "text")
    tabs = _import(project, b"email\tname\ncat@example.org\tCat\n", "tabs.tsv")
    assert tabs.exit_code == 0, tabs.output
    cat = app.store.subscriber("daily", "cat@example.org")
    assert cat is not None and cat.name == "Cat"


def test_an_address_that_bounced_is_not_made_active_on_another_list(tmp_path: Path) -> None:
    from tests.conftest import write_project

    config = write_project(tmp_path / "news", extra='[[lists]]\nname = "weekly"\n')
    assert _import(config, b"email,name\nhb@example.org,Hal\nok@example.org,Ok\n").exit_code == 0
    runner = CliRunner()
    args = ["--list", "daily", "--status", "bounced", "--config", str(config)]
    r = runner.invoke(main, ["subscribers", "remove", "hb@example.org", *args])
    assert r.exit_code == 0, r.output
    weekly = config.parent / "weekly.csv"
    weekly.write_bytes(b"email\nHB@example.org\nok@example.org\n")
    r = runner.invoke(
        main, ["subscribers", "import", str(weekly), "--list", "weekly", "--config", str(config)]
    )
    assert r.exit_code == 0, r.output
    assert "1 added" in r.output and "1 left alone" in r.output
    r = runner.invoke(
        main, ["subscribers", "add", "hb@example.org", "--list", "weekly", "--config", str(config)]
    )
    assert r.exit_code != 0 and "bounced" in r.output
    app = App.from_config(config)
    assert app.store.subscriber("weekly", "hb@example.org") is None
    ok = app.store.subscriber("weekly", "ok@example.org")
    assert ok is not None and ok.status == "active"
