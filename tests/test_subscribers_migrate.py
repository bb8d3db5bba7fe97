"""A newsroom's first day: moving its list from another tool with `digest subscribers
import`. The people who left the old tool arrive as unsubscribed and are never mailed;
re-running an import says it changed nothing; spreadsheets' encodings are read or
refused with the line to fix. Real SQLite and PostgreSQL, through the command line."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from tests.conftest import write_project


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def _import(config: Path, name: str, content: bytes, *args: str, lst: str = "daily") -> Result:
    path = config.parent / name
    path.write_bytes(content)
    return _run(config, "subscribers", "import", str(path), "--list", lst, *args)


def _people(config: Path, lst: str = "daily") -> dict[str, str]:
    r = _run(config, "subscribers", "list", "--list", lst, "--json")
    assert r.exit_code == 0, r.output
    return {p["email"]: p["status"] for p in json.loads(r.output)}


def _exported(config: Path, lst: str = "daily") -> list[str]:
    """Who the next edition goes to: the export has the active subscribers."""
    r = _run(config, "subscribers", "export", "--list", lst)
    assert r.exit_code == 0, r.output
    return sorted(line.split(",")[0] for line in r.output.splitlines()[1:])


# Mailchimp's three files, cut to the two columns digest reads (docs/subscribers.md).
SUBSCRIBED = b"email,name\r\nann@example.org,Ann Holm\r\nbo@example.org,Bo Berg\r\n"
UNSUBSCRIBED = b"email,name\r\ncat@example.org,Cat Left\r\nbo@example.org,Bo Berg\r\n"
CLEANED = b"email,name\r\ndead@example.org,Dee Box\r\n"


def test_people_who_left_the_old_tool_are_imported_as_unsubscribed(db_url: str, tmp_path: Path):
    config = write_project(tmp_path / "news", database=db_url)
    # The subscribed file first (Bo is in it: the old tool's export was a day stale).
    r = _import(config, "subscribed.csv", SUBSCRIBED)
    assert r.exit_code == 0, r.output
    r = _import(config, "unsubscribed.csv", UNSUBSCRIBED, "--status", "unsubscribed")
    assert r.exit_code == 0, r.output
    assert "1 added as unsubscribed, 1 newly unsubscribed" in r.output
    r = _import(config, "cleaned.csv", CLEANED, "--status", "bounced")
    assert r.exit_code == 0, r.output
    assert "1 added as bounced" in r.output
    # A stale copy of the subscribed list, imported again, revives nobody.
    stale = SUBSCRIBED + b"cat@example.org,Cat\r\ndead@example.org,Dee\r\n"
    r = _import(config, "subscribed-old.csv", stale)
    assert r.exit_code == 0, r.output
    assert "3 left alone" in r.output
    assert _people(config) == {
        "ann@example.org": "active",
        "bo@example.org": "unsubscribed",
        "cat@example.org": "unsubscribed",
        "dead@example.org": "bounced",
    }
    assert _exported(config) == ["ann@example.org"]
    # A bounced mailbox is not added to another list either.
    config.write_text(
        config.read_text().replace("[transport]", '[[lists]]\nname = "weekly"\n\n[transport]')
    )
    r = _import(config, "other.csv", b"email\ndead@example.org\nann@example.org\n", lst="weekly")
    assert r.exit_code == 0, r.output
    assert "1 added, 0 updated, 0 unchanged, 1 left alone" in r.output
    assert _people(config, "weekly") == {"ann@example.org": "active"}


def test_reimporting_a_file_reports_it_as_unchanged(project: Path) -> None:
    content = b"email,name,timezone\nann@example.org,Ann,Europe/Paris\nbo@example.org,Bo,\n"
    first = _import(project, "list.csv", content)
    assert first.exit_code == 0, first.output
    assert "2 added, 0 updated, 0 unchanged" in first.output
    again = _import(project, "list.csv", content)
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 2 unchanged" in again.output
    changed = _import(project, "list.csv", content.replace(b"Bo,", b"Bo Berg,"))
    assert "0 added, 1 updated, 1 unchanged" in changed.output
    # Nothing was written for the unchanged rows: their history is one event.
    app = App.from_config(project)
    ann = app.store.subscriber("daily", "ann@example.org")
    assert ann is not None and len(app.store.events(ann.id)) == 1


def test_a_double_opt_in_list_is_told_that_an_import_sends_no_confirmation(
    tmp_path: Path,
) -> None:
    config = write_project(tmp_path / "news")
    config.write_text(
        config.read_text().replace(
            'timezone = "Europe/Copenhagen"\n',
            'timezone = "Europe/Copenhagen"\ndouble_opt_in = true\n',
        )
    )
    r = _import(config, "list.csv", b"email\nann@example.org\n")
    assert r.exit_code == 0, r.output
    assert "no confirmation email was sent" in r.output
    assert not (config.parent / "outbox").exists() or not any((config.parent / "outbox").iterdir())
    assert _people(config) == {"ann@example.org": "active"}


def test_excel_unicode_text_in_utf16_is_read(project: Path) -> None:
    content = "email\tname\r\némile@example.org\tÉmile Zola\r\n".replace("é", "e", 1)
    r = _import(project, "unicode.txt", content.encode("utf-16"))
    assert r.exit_code == 0, r.output
    app = App.from_config(project)
    sub = app.store.subscriber("daily", "emile@example.org")
    assert sub is not None and sub.name == "Émile Zola"


def test_a_windows_1252_file_is_refused_naming_the_line_to_fix(project: Path) -> None:
    content = "email,name\r\nann@example.org,Ann\r\nrene@example.org,René Café\r\n"
    r = _import(project, "excel.csv", content.encode("cp1252"))
    assert r.exit_code == 2
    assert "excel.csv:3: not UTF-8" in r.output
    assert "CSV UTF-8" in r.output
    assert _people(project) == {}


def test_a_mailchimp_zip_is_refused_with_what_to_do(project: Path) -> None:
    path = project.parent / "audience.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("subscribed_members_export_1a2b.csv", '"Email Address"\r\n"a@example.org"\r\n')
    r = _run(project, "subscribers", "import", str(path), "--list", "daily")
    assert r.exit_code == 2
    assert "audience.zip: a zip archive" in r.output
    assert "docs/subscribers.md" in r.output


MAILCHIMP_HEAD = (
    '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","OPTIN_IP",'
    '"CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC",'
    '"REGION","LAST_CHANGED","LEID","EUID","NOTES","TAGS"'
)


def _mailchimp_row(email: str, first: str, last: str, tz: str = "") -> str:
    cells = [email, first, last, "2", "2024-03-01 09:12:00", "", "2024-03-01 09:15:03"]
    cells += ["203.0.113.5", "", "", "", "", tz, "DK", "", "2025-01-02 10:00:00", "1", "a", "", ""]
    return ",".join(f'"{c}"' for c in cells)


def test_the_docs_script_moves_a_mailchimp_audience(project: Path, tmp_path: Path) -> None:
    """docs/subscribers.md's script and commands, on an audience export zip."""
    import re
    import subprocess
    import sys

    doc = (Path(__file__).resolve().parents[1] / "docs" / "subscribers.md").read_text()
    match = re.search(r"```python\n(.*?)```", doc, re.S)
    assert match is not None
    script = tmp_path / "to-digest.py"
    script.write_text(match.group(1))
    export = tmp_path / "audience.zip"
    with zipfile.ZipFile(export, "w") as z:
        for name, rows in (
            ("subscribed", [("Ann@Example.org", "Ann", "Holm", "Europe/Copenhagen")]),
            ("unsubscribed", [("cat@example.org", "Cat", "Left", "")]),
            ("cleaned", [("dead@example.org", "Dee", "Box", "")]),
        ):
            text = "\r\n".join([MAILCHIMP_HEAD, *(_mailchimp_row(*r) for r in rows)]) + "\r\n"
            z.writestr(f"{name}_members_export_1a2b3c.csv", text)
    out = tmp_path / "moved"
    done = subprocess.run(
        [sys.executable, str(script), "mailchimp", str(export), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "1 active" in done.stdout and "1 bounced" in done.stdout
    for file, status in (("unsubscribed", "unsubscribed"), ("bounced", "bounced")):
        r = _run(
            project,
            *("subscribers", "import", str(out / f"{file}.csv"), "--list", "daily"),
            *("--status", status),
        )
        assert r.exit_code == 0, r.output
    r = _run(project, "subscribers", "import", str(out / "active.csv"), "--list", "daily")
    assert r.exit_code == 0, r.output
    assert _people(project) == {
        "ann@example.org": "active",
        "cat@example.org": "unsubscribed",
        "dead@example.org": "bounced",
    }
    app = App.from_config(project)
    ann = app.store.subscriber("daily", "ann@example.org")
    assert ann is not None and (ann.name, ann.timezone) == ("Ann Holm", "Europe/Copenhagen")
    # Mailchimp's CONFIRM_TIME is kept in her history.
    (event,) = app.store.events(ann.id)
    assert event.detail == "consented 2024-03-01T09:15:03Z (as the import says)"


def test_the_old_tools_consent_time_goes_into_the_new_subscriptions_history(
    project: Path,
) -> None:
    """Before, the consent time could not be imported (an unknown column stops the
    import), so every history began at the import, and the evidence of when someone
    subscribed was only in the old tool's files."""
    rows = (
        b"email,name,consented_at\r\n"
        b"ann@example.org,Ann,2024-03-01 09:15:03\r\n"
        b"bo@example.org,Bo,2023-11-05T10:00:00+01:00\r\n"
        b"cy@example.org,Cy,2022-07-14\r\n"
        b"dee@example.org,Dee,\r\n"
        b"eve@example.org,Eve,last spring\r\n"
        b"fay@example.org,Fay,2099-01-01\r\n"
    )
    r = _import(project, "moved.csv", rows)
    assert r.exit_code == 1, r.output  # two bad rows, named; the good ones imported
    assert "moved.csv:6: eve@example.org: consented_at 'last spring' is not an ISO 8601" in (
        r.output
    )
    assert "moved.csv:7: fay@example.org: consented_at 2099-01-01T00:00:00Z is in the future" in (
        r.output
    )
    app = App.from_config(project)
    notes = {}
    for email in ("ann", "bo", "cy", "dee"):
        sub = app.store.subscriber("daily", f"{email}@example.org")
        assert sub is not None and sub.status == "active"
        (event,) = app.store.events(sub.id)
        notes[email] = (event.origin, event.detail)
    assert notes == {
        "ann": ("import:moved.csv", "consented 2024-03-01T09:15:03Z (as the import says)"),
        "bo": ("import:moved.csv", "consented 2023-11-05T09:00:00Z (as the import says)"),
        "cy": ("import:moved.csv", "consented 2022-07-14T00:00:00Z (as the import says)"),
        "dee": ("import:moved.csv", None),
    }
    # Again, with another time: nothing changes for the people already here.
    again = _import(project, "again.csv", b"email,consented_at\r\nann@example.org,2020-01-01\r\n")
    assert again.exit_code == 0 and "0 added, 0 updated, 1 unchanged" in again.output
    ann = app.store.subscriber("daily", "ann@example.org")
    assert ann is not None and len(app.store.events(ann.id)) == 1
