"""A reader's own choices outlive the operator's next import.

Before, running the list's import again (the documented command, or a nightly sync
from a CRM) put back the file's sections, format and time zone over what a reader had
chosen on their preferences page, and reported it as "1 updated". Now a choice the
reader made themselves stays theirs: the import leaves it, says so ("kept the reader's
own choices for N", in a dry run too), and still updates what the reader never
touched. A real SQLite file, the real preferences page (Flask test client) and the
real command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient

from digest.app import App
from digest.cli import main
from digest.records import Subscriber
from digest.web import create_app
from tests.conftest import write_project
from tests.test_web_public import NOW, ONE_CLICK

BASE = "https://brief.example.org"
ANNA = "anna.kowalski@example.com"  # daily.csv: Culture, Europe/Copenhagen, html
METTE = "mette.holm@example.com"  # daily.csv: every section, Europe/Copenhagen, html
LISE = "lise.brandt@example.org"


def _import(config: Path, *args: str) -> Imported:
    """`digest subscribers import [FILE] --list daily ...`: the list's CSV without FILE."""
    result = CliRunner().invoke(
        main, ["subscribers", "import", *args, "--list", "daily", "--config", str(config)]
    )
    # The terminal wraps the report: its lines joined again.
    return Imported(result.exit_code, " ".join(result.output.split()))


@dataclass(frozen=True)
class Imported:
    exit_code: int
    output: str


def _sub(config: Path, email: str) -> Subscriber:
    sub = App.from_config(config).store.subscriber("daily", email)
    assert sub is not None
    return sub


def _choose(client: FlaskClient, config: Path, email: str, **form: str | list[str]) -> None:
    """Save the preferences page of `email` as the reader would, with the page's other
    fields as the page shows them."""
    app = App.from_config(config)
    url = "/p/" + app.tokens.make("preferences", _sub(config, email).id)
    page = client.get(url, base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page
    shown: dict[str, str | list[str]] = {
        "section": re.findall(r'name="section" value="([^"]+)" checked', page),
        "timezone": (re.findall(r"<option selected>([^<]+)</option>", page) or [""])[0],
        "delivery": "paused" if re.search(r'value="paused" checked', page) else "active",
    }
    if re.search(r'name="format" value="text" checked', page):
        shown["format"] = "text"
    saved = client.post(url, data={**shown, **form, "csrf_token": token.group(1)}, base_url=BASE)
    assert saved.status_code == 303, saved.get_data(as_text=True)


def _choices(config: Path, email: str) -> tuple[tuple[str, ...], str, str | None, bool]:
    sub = _sub(config, email)
    paused = App.from_config(config).store.is_paused(sub.id)
    return sub.sections, sub.format, sub.timezone, paused


def test_a_readers_own_choices_survive_importing_the_list_again(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    first = _import(config)
    assert first.exit_code == 0 and "36 added" in first.output, first.output
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()

    # Anna changes everything the page offers; Mette only asks for plain text.
    _choose(
        client,
        config,
        ANNA,
        section=["Business", "Denmark"],
        format="text",
        timezone="Asia/Tokyo",
        delivery="paused",
    )
    _choose(client, config, METTE, format="text")
    anna = (("Business", "Denmark"), "text", "Asia/Tokyo", True)
    assert _choices(config, ANNA) == anna
    assert _choices(config, METTE) == ((), "text", "Europe/Copenhagen", False)

    # The operator runs the setup's import again, first as a dry run.
    for args, verb in ((["--dry-run"], "would import"), ([], "imported")):
        again = _import(config, *args)
        assert again.exit_code == 0, again.output
        assert f"{verb}: 0 added, 0 updated, 36 unchanged" in again.output, again.output
        assert "kept the reader's own choices for 2" in again.output, again.output
        assert _choices(config, ANNA) == anna
        assert _choices(config, METTE) == ((), "text", "Europe/Copenhagen", False)

    # The CRM changes Mette's time zone (she never touched it) and her format (she did),
    # and Lise's format (she never saved the page): those she did not choose change.
    csv = (config.parent / "subscribers" / "daily.csv").read_text(encoding="utf-8")
    csv = csv.replace(f"{METTE},Mette Holm,,Europe/Copenhagen,html", f"{METTE},Mette H.,,UTC,html")
    csv = csv.replace(f"{LISE},Lise Brandt,,Europe/Copenhagen,html", f"{LISE},Lise,,,text")
    crm = config.parent / "crm.csv"
    crm.write_text(csv, encoding="utf-8")
    synced = _import(config, str(crm))
    assert synced.exit_code == 0, synced.output
    assert "0 added, 2 updated, 34 unchanged" in synced.output, synced.output
    assert "kept the reader's own choices for 2" in synced.output, synced.output
    assert _choices(config, METTE) == ((), "text", "UTC", False)
    assert _sub(config, METTE).name == "Mette H."  # not a choice the page offers
    assert _choices(config, LISE) == ((), "text", "Europe/Copenhagen", False)
    assert _choices(config, ANNA) == anna


def test_statuses_keep_their_rules_for_a_reader_who_chose(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    assert _import(config).exit_code == 0
    app = App.from_config(config)
    client = create_app(app, clock=lambda: NOW).test_client()
    _choose(client, config, ANNA, section=["Business"], format="text")
    # Anna then leaves with the one-click link; Mette's address bounces.
    anna = _sub(config, ANNA)
    left = client.post(
        "/u/" + app.tokens.make("unsubscribe", anna.id), data=ONE_CLICK, base_url=BASE
    )
    assert left.status_code == 200
    bounced = CliRunner().invoke(
        main,
        [
            "subscribers",
            "remove",
            METTE,
            "--list",
            "daily",
            "--status",
            "bounced",
            "--config",
            str(config),
        ],
    )
    assert bounced.exit_code == 0, bounced.output

    again = _import(config)
    assert again.exit_code == 0, again.output
    assert "2 left alone" in again.output and "0 updated" in again.output, again.output
    assert _sub(config, ANNA).status == "unsubscribed"
    assert _sub(config, METTE).status == "bounced"
    assert _choices(config, ANNA)[:2] == (("Business",), "text")

    # Who left another tool may still be moved to unsubscribed by an import; the
    # reader's own choices stay as they set them.
    _choose(client, config, LISE, section=["Culture"])
    left_csv = config.parent / "left.csv"
    left_csv.write_text(f"email,sections\n{LISE},Business\n", encoding="utf-8")
    moved = _import(config, str(left_csv), "--status", "unsubscribed")
    assert moved.exit_code == 0, moved.output
    assert "1 newly unsubscribed" in moved.output, moved.output
    assert "kept the reader's own choices for 1" in moved.output, moved.output
    lise = _sub(config, LISE)
    assert (lise.status, lise.sections) == ("unsubscribed", ("Culture",))
