"""An import's changes to someone's choices and name are in their history.

Before, `digest subscribers import` recorded a status change (a new subscriber, one
moved to unsubscribed) but changed an existing subscriber's sections, format, time zone
or name without a word in `subscriber_events`: the history could not say who set what,
the operator's file or the reader. Now each such change is an event with the import's
origin (`import:FILE`) naming the fields and their new values, written with the change.
The preferences page's rule is untouched: only its own events (`web:preferences`) make a
choice the reader's, so an import's event never stops the next import. A real SQLite
file and the real command line.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.conftest import write_project

ANN = "ann.lee@example.com"
BO = "bo.berg@example.com"


def _import(config: Path, name: str, body: str, *args: str) -> str:
    path = config.parent / name
    path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["subscribers", "import", str(path), "--list", "daily", *args, "--config", str(config)],
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _history(config: Path, email: str) -> list[tuple[str, str, str | None]]:
    app = App.from_config(config)
    sub = app.store.subscriber("daily", email)
    assert sub is not None
    return [(e.status, e.origin, e.detail) for e in app.store.events(sub.id)]


HEADER = "email,name,sections,timezone,format\n"


def test_an_import_that_changes_choices_and_name_records_them(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    _import(
        config,
        "first.csv",
        HEADER + f"{ANN},Ann Lee,Culture,Europe/Copenhagen,html\n{BO},Bo Berg,,,html\n",
    )
    assert _history(config, ANN) == [("active", "import:first.csv", None)]

    # The CRM's next export: Ann's sections, format, time zone and name all differ;
    # Bo's row is as stored, and a blank cell leaves the stored value as it was.
    out = _import(
        config,
        "second.csv",
        HEADER + f"{ANN},Ann L.,Business;Denmark,UTC,text\n{BO},,,,html\n",
    )
    assert "0 added, 1 updated, 1 unchanged" in out, out
    assert _history(config, ANN) == [
        ("active", "import:first.csv", None),
        (
            "active",
            "import:second.csv",
            "sections=Business;Denmark; format=text; timezone=UTC; name=Ann L.",
        ),
    ]
    assert _history(config, BO) == [("active", "import:first.csv", None)]

    # Only what changed is named; the same file again records nothing.
    _import(config, "third.csv", HEADER + f"{ANN},Ann L.,Business,,text\n")
    _import(config, "third.csv", HEADER + f"{ANN},Ann L.,Business,,text\n")
    assert _history(config, ANN)[2:] == [("active", "import:third.csv", "sections=Business")]


def test_an_imports_events_do_not_make_a_choice_the_readers_own(tmp_path: Path) -> None:
    """The next import still sets what an import set: only the preferences page's events
    say a reader chose something."""
    config = write_project(tmp_path / "news")
    _import(config, "first.csv", HEADER + f"{ANN},Ann Lee,Culture,,html\n")
    _import(config, "second.csv", HEADER + f"{ANN},,Business,UTC,text\n")
    out = _import(config, "third.csv", HEADER + f"{ANN},,Denmark,Asia/Tokyo,html\n")
    assert "1 updated" in out and "kept the reader's own choices" not in out, out
    sub = App.from_config(config).store.subscriber("daily", ANN)
    assert sub is not None
    assert (sub.sections, sub.format, sub.timezone) == (("Denmark",), "html", "Asia/Tokyo")
    assert App.from_config(config).store.own_choices([sub.id]) == {}


def test_a_status_import_names_the_choices_it_changed_too(tmp_path: Path) -> None:
    """People who left another tool: the status event says what else the file set."""
    config = write_project(tmp_path / "news")
    _import(config, "first.csv", HEADER + f"{ANN},Ann Lee,,,html\n")
    _import(config, "left.csv", HEADER + f"{ANN},Ann Lee-Berg,,,\n", "--status", "unsubscribed")
    assert _history(config, ANN) == [
        ("active", "import:first.csv", None),
        ("unsubscribed", "import:left.csv", "name=Ann Lee-Berg"),
    ]
