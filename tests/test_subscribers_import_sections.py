"""The `sections` column of an import is read against the configured sections, and a
name that spans lines is imported as the subscribe form stores it.

Before, `"Denmark, Business"`, `denmark` and `Sport` were stored as typed: those
readers got "Little news in your sections today: here is the whole edition." on a day
of Denmark stories, and their preferences page showed no box ticked. Now an import
matches a section in any case, with `;` or `,` between sections, stores the configured
spelling, and reports a section no source has as a bad row (FILE:LINE), leaving what
is stored for that address as it was. Subscribers stored with another spelling before
are served their sections all the same. Real SQLite, the real command line, the real
Flask app and a real build and send into the outbox.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.web import create_app
from tests.conftest import write_project
from tests.test_web_public import NOW, build_and_send, newsletter, outbox

BASE = "https://brief.example.org"
FALLBACK = "Little news in your sections today"


def _import(config: Path, body: str, name: str = "people.csv") -> tuple[int, str, str]:
    path = config.parent / name
    path.write_text(body, encoding="utf-8")
    r = CliRunner().invoke(
        main, ["subscribers", "import", str(path), "--list", "daily", "--config", str(config)]
    )
    # The terminal wraps the report: its lines joined again.
    return r.exit_code, " ".join(r.stdout.split()), " ".join(r.stderr.split())


def _sections(config: Path, email: str) -> tuple[str, ...]:
    sub = App.from_config(config).store.subscriber("daily", email)
    assert sub is not None, email
    return sub.sections


def test_sections_are_matched_in_any_case_and_an_unknown_one_is_a_bad_row(
    tmp_path: Path,
) -> None:
    config = write_project(tmp_path / "news")
    code, out, _ = _import(config, "email,name,sections\nf2@example.org,F,Culture\n", "first.csv")
    assert code == 0, out
    code, out, err = _import(
        config,
        "email,name,sections\n"  # 1
        'x1@example.org,X,"Denmark, Business"\n'  # 2: a comma between sections
        "x2@example.org,X,denmark\n"  # 3: another case
        "f2@example.org,F,Sport\n"  # 4: no source has it
        "x3@example.org,X,CULTURE;business\n"  # 5: the documented separator
        "x4@example.org,X,Denmark;Sport\n",  # 6: one of two unknown
    )
    assert code == 1, out
    path = config.parent / "people.csv"
    said = "the list's sections are: Denmark, Business, Culture"
    assert f"{path}:4: f2@example.org: unknown section 'Sport'; {said}" in err, err
    assert f"{path}:6: x4@example.org: unknown section 'Sport'; {said}" in err, err
    assert "3 added, 0 updated" in out and "2 bad rows" in out, out
    assert _sections(config, "x1@example.org") == ("Business", "Denmark")
    assert _sections(config, "x2@example.org") == ("Denmark",)
    assert _sections(config, "x3@example.org") == ("Business", "Culture")
    # A bad row changes nothing of what was stored for its address, nor adds one.
    assert _sections(config, "f2@example.org") == ("Culture",)
    assert App.from_config(config).store.subscriber("daily", "x4@example.org") is None


def test_an_export_imports_again_unchanged(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    code, out, _ = _import(
        config, "email,sections\na@example.org,Culture;Business\nb@example.org,\n"
    )
    assert code == 0, out
    exported = config.parent / "out.csv"
    r = CliRunner().invoke(
        main,
        [
            "subscribers",
            "export",
            "--list",
            "daily",
            "--out",
            str(exported),
            "--config",
            f"{config}",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "a@example.org,,Business;Culture," in exported.read_text(encoding="utf-8")
    code, out, _ = _import(config, exported.read_text(encoding="utf-8"), "again.csv")
    assert code == 0 and "0 added, 0 updated, 2 unchanged" in out, out


def test_a_name_on_two_lines_is_imported_joined_with_a_note(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    code, out, err = _import(
        config,
        "email,name\n"  # 1
        'ann@example.org,"Ann\r\nHolm"\n'  # 2-3
        "bob@example.org,Bob\n",  # 4
    )
    assert code == 0, out + err
    assert "2 added" in out and "0 bad rows" in out, out
    path = config.parent / "people.csv"
    assert f"{path}:2: ann@example.org: note: the name's line breaks were joined" in err, err
    sub = App.from_config(config).store.subscriber("daily", "ann@example.org")
    assert sub is not None and sub.name == "Ann Holm"
    # What the subscribe form stores of the same name.
    from digest.web.public import visitor_name

    assert visitor_name("Ann\r\nHolm") == sub.name


def test_a_subscriber_stored_in_another_spelling_gets_their_sections(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    app = App.from_config(config)
    # Stored before imports checked sections: as typed.
    rows = [
        {"email": "lower@example.org", "name": "L", "sections": ["denmark"], "status": "active"},
        {"email": "comma@example.org", "name": "C", "status": "active"}
        | {"sections": ["Denmark, Business"]},
    ]
    app.store.write_subscribers("daily", rows, origin="test", now=NOW - timedelta(days=1))
    lower = app.store.subscriber("daily", "lower@example.org")
    assert lower is not None and lower.sections == ("denmark",)

    # The preferences page shows the box ticked.
    client = create_app(app, clock=lambda: NOW).test_client()
    page = client.get("/p/" + app.tokens.make("preferences", lower.id), base_url=BASE)
    ticked = re.findall(r'name="section" value="([^"]+)" checked', page.get_data(as_text=True))
    assert ticked == ["Denmark"]

    # The edition: their sections' stories, not the whole edition as a fallback.
    edition = build_and_send(config, NOW)
    mails = outbox(config, edition)
    for email in ("lower@example.org", "comma@example.org"):
        body = mails[email].get_body(("plain",))
        assert body is not None
        assert FALLBACK not in body.get_content(), email
    lower_text = mails["lower@example.org"].get_body(("plain",))
    assert lower_text is not None and "CULTURE" not in lower_text.get_content()


def test_a_sections_column_where_no_source_has_a_section_is_left_out_not_refused(
    tmp_path: Path,
) -> None:
    # A file exported from another tool, into a newsletter without sections: its readers
    # are imported (refusing them would lose them over a column that means nothing here).
    (tmp_path / "news" / "feeds").mkdir(parents=True)
    config = write_project(
        tmp_path / "news",
        sources='[[sources]]\nname = "Folder"\npath = "feeds"\n',
    )
    code, out, err = _import(config, "email,name,sections\nann@example.org,Ann,Sport\n")
    assert code == 0, out + err
    assert "1 added" in out and "0 bad rows" in out, out
    path = config.parent / "people.csv"
    assert f"{path}:2: ann@example.org: note: its sections were left out" in err, err
    assert _sections(config, "ann@example.org") == ()
