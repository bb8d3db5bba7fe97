"""A sign-up on the public form waits for its confirmation unless the list says otherwise.

Before, `[[lists]] double_opt_in` was false unless set, so on a default project (and
`digest demo`) anyone who typed an address into `/subscribe` made it an active
subscriber at once and had a welcome mailed to it: a stranger (or thousands of them)
could be signed up, with no proof of consent. Now a list that does not set it asks a
form sign-up to confirm (pending, one confirmation mail, the welcome only after the
link); `double_opt_in = false`, written, keeps the old single opt-in; `double_opt_in =
true` keeps meaning what it meant (every add confirms). `digest subscribers add` and
`import` on a list that does not set it are the operator's record of consent given
elsewhere, as before: active at once, nobody mailed. Repeated sign-ups of one address
are bounded (a politely worded 429; at most one confirmation per ten minutes, three
a week).

Real parts: `digest serve` and the Flask app, a loopback aiosmtpd server or the outbox,
SQLite, the CLI.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html import unescape
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from flask import Flask

from digest.app import App
from digest.cli import main
from digest.config import load as load_settings
from digest.errors import ConfigError
from digest.web import create_app
from tests.conftest import Mailbox, free_port, write_project
from tests.test_web_public import (
    NOW,
    _eventually,
    _form,
    build_and_send,
    cli,
    local,
    serving,
    statuses,
)
from tests.test_welcome import BASE, message, project, settle, smtp_on, text_of

READER = "reader@example.org"
LURKER = "lurker@example.org"


def _set(config: Path, line: str) -> Path:
    """`line` added to the project's [[lists]] "daily" table."""
    text = config.read_text()
    config.write_text(text.replace('name = "daily"\n', f'name = "daily"\n{line}\n', 1))
    return config


def _mails_to(box: Mailbox, email: str) -> list[str]:
    """The subjects of what the server received for `email`, in order."""
    return [str(message(m)["Subject"]) for m in box.messages if email in m.recipients]


def _confirm_link(box: Mailbox, email: str) -> str:
    (mail,) = [m for m in box.messages if email in m.recipients]
    found = re.search(r"(https://brief\.example\.org/c/\S+)", text_of(message(mail)))
    assert found
    return found.group(1)


def test_a_default_lists_form_sign_up_waits_for_the_confirm_link(tmp_path: Path) -> None:
    port = free_port()
    config = project(tmp_path, port, extra="")  # "daily" does not set double_opt_in
    app = App.from_config(config)
    with smtp_on(port) as box:
        # The operator's import: active at once, nobody mailed (consent given elsewhere).
        imported = cli(config, "subscribers", "import", "--list", "daily")
        assert "36 added" in imported and "confirmation" not in imported
        assert box.messages == []
        with serving(config) as base, httpx.Client(follow_redirects=False) as c:
            url = f"{base}/subscribe"
            for email in (READER, LURKER):
                csrf, cookie = _form(c, url)
                r = c.post(
                    url,
                    data={"list": "daily", "email": email, "csrf_token": csrf},
                    headers={"Cookie": cookie},
                )
                assert r.status_code == 200 and "Check your inbox" in r.text
                assert "Nothing is sent until you confirm" in r.text
            assert _eventually(lambda: len(box.messages) >= 2)
            time.sleep(0.5)  # a welcome would have followed by now
            # One confirmation each, no welcome; both pending.
            assert _mails_to(box, READER) == ["Confirm your subscription to The Test Brief"]
            assert _mails_to(box, LURKER) == ["Confirm your subscription to The Test Brief"]
            assert statuses(config)[READER]["status"] == "pending"
            assert statuses(config)[LURKER]["status"] == "pending"

            # A GET (a link scanner) confirms nothing; the reader's button does.
            link = local(_confirm_link(box, READER), base)
            assert "Confirm subscription" in c.get(link).text
            assert statuses(config)[READER]["status"] == "pending"
            r = c.post(link)
            assert r.status_code == 200 and "Subscription confirmed" in r.text
            welcome = "Welcome to The Test Brief"
            assert _eventually(lambda: welcome in _mails_to(box, READER))
        assert statuses(config)[READER]["status"] == "active"
        # The next edition reaches the confirmed reader and the imported ones; the one
        # who never confirmed gets nothing but the confirmation.
        build_and_send(config, NOW)
        edition = [
            to
            for m in box.messages
            if not str(message(m)["Subject"]).startswith(("Confirm your", "Welcome to"))
            for to in m.recipients
        ]
    assert READER in edition and LURKER not in edition
    assert len(set(edition) - {READER}) == 36
    assert len(_mails_to(box, READER)) == 3  # the confirmation, the welcome, the edition
    assert _mails_to(box, LURKER) == ["Confirm your subscription to The Test Brief"]
    sub = app.store.subscriber("daily", READER)
    assert sub is not None
    assert [e.origin for e in app.store.events(sub.id)][:3] == [
        "web:subscribe",
        "web:subscribe",  # the confirmation sent
        "confirm",
    ]


def _sign_up(flask_app: Flask, email: str, **headers: str) -> tuple[int, str]:
    client = flask_app.test_client()
    form = client.get("/subscribe", base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    data = {"list": "daily", "email": email, "csrf_token": unescape(token.group(1))}
    page = client.post("/subscribe", data=data, base_url=BASE, headers=headers)
    settle(flask_app)
    return page.status_code, page.get_data(as_text=True)


def test_an_explicit_false_keeps_the_single_opt_in(tmp_path: Path) -> None:
    port = free_port()
    config = _set(project(tmp_path, port, extra=""), "double_opt_in = false")
    app = App.from_config(config)
    with smtp_on(port) as box:
        status, page = _sign_up(create_app(app, clock=lambda: NOW), READER)
        assert status == 200 and "Thank you" in page and "Check your inbox" not in page
        assert _mails_to(box, READER) == ["Welcome to The Test Brief"]
    sub = app.store.subscriber("daily", READER)
    assert sub is not None and sub.status == "active"


@pytest.mark.parametrize(
    ("line", "status", "mails"),
    [
        ("", "active", []),  # unset: the operator's add is consent given elsewhere
        ("double_opt_in = false", "active", []),
        ("double_opt_in = true", "pending", ["Confirm your subscription to The Test Brief"]),
    ],
)
def test_an_operators_add_and_import_are_as_before(
    tmp_path: Path, line: str, status: str, mails: list[str]
) -> None:
    port = free_port()
    config = _set(project(tmp_path, port, extra=""), line)
    with smtp_on(port) as box:
        added = cli(config, "subscribers", "add", READER, "--list", "daily")
        assert (f"({status})" if status == "active" else "as pending") in added
        people = tmp_path / "people.csv"
        people.write_text("email,name\nimported@example.org,Imp\n")
        imported = cli(config, "subscribers", "import", str(people), "--list", "daily")
        # Only a list that says double_opt_in = true is told that an import confirms nothing.
        assert ("no confirmation" in imported) == (line == "double_opt_in = true")
        assert "0 sent" in cli(config, "subscribers", "welcome", "--list", "daily")
        assert _mails_to(box, READER) == mails
        assert _mails_to(box, "imported@example.org") == []
    assert statuses(config)[READER]["status"] == status
    assert statuses(config)["imported@example.org"]["status"] == "active"


def test_signing_up_one_address_again_and_again_is_bounded(tmp_path: Path) -> None:
    port = free_port()
    config = project(tmp_path, port, extra="[serve]\nproxies = 1\n")
    app = App.from_config(config)
    clock = [NOW]
    with smtp_on(port) as box:
        flask_app = create_app(app, clock=lambda: clock[0])
        answers = [
            _sign_up(flask_app, READER, **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(6)
        ]
        # Three posts an hour per address: the same page each time (it tells nobody
        # whether the address was known), then a polite 429.
        assert [s for s, _ in answers] == [200, 200, 200, 429, 429, 429]
        assert len({page for s, page in answers if s == 200}) == 1
        assert all("Too many subscription requests" in p for s, p in answers if s == 429)
        # Of the three accepted, one confirmation went out.
        assert len(_mails_to(box, READER)) == 1
        # An hour later the reader who lost it can ask again: one more.
        clock[0] = NOW + timedelta(hours=1, minutes=1)
        assert _sign_up(flask_app, READER)[0] == 200
        assert _sign_up(flask_app, READER)[0] == 200
        assert len(_mails_to(box, READER)) == 2
        # Asked again every hour (a stranger's address kept on signing up): a third, and
        # then no more that week. Before there was one each ten minutes, for ever.
        for hours in range(2, 8):
            clock[0] = NOW + timedelta(hours=hours, minutes=1)
            assert _sign_up(flask_app, READER)[0] == 200
        assert len(_mails_to(box, READER)) == 3
        # A week after the first, the links sent have expired: one more may go.
        clock[0] = NOW + timedelta(days=7, minutes=2)
        assert _sign_up(flask_app, READER)[0] == 200
        assert len(_mails_to(box, READER)) == 4
    sub = app.store.subscriber("daily", READER)
    assert sub is not None and sub.status == "pending"


def test_the_setting_is_unset_true_or_false(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    assert load_settings(config).list("daily").double_opt_in is None
    for value, read in (("true", True), ("false", False)):
        _set(config, f"double_opt_in = {value}")
        assert load_settings(config).list("daily").double_opt_in is read
        config.write_text(config.read_text().replace(f"double_opt_in = {value}\n", ""))
    _set(config, 'double_opt_in = "yes"')
    with pytest.raises(ConfigError, match="double_opt_in"):
        load_settings(config)


def test_the_demos_form_asks_for_a_confirmation(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())  # the console wraps long lines
    assert "subscribers imported: 36" in said and "(36 messages)" in said
    app = App.from_config(out / "digest.toml")
    flask_app = create_app(app, clock=lambda: NOW)
    status, page = _sign_up(flask_app, READER)
    assert status == 200 and "Check your inbox" in page
    sub = app.store.subscriber("daily", READER)
    assert sub is not None and sub.status == "pending"
    assert len(list((out / "outbox").glob("confirm-*.eml"))) == 1
    assert not list((out / "outbox").glob("welcome-*.eml"))


def test_the_desk_says_which_lists_confirm(tmp_path: Path) -> None:
    from tests.test_desk import add_editor, client, login

    extra = (
        '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'
        '[[lists]]\nname = "open"\ntitle = "The Open Letter"\ndouble_opt_in = false\n'
    )
    config = write_project(tmp_path / "news", extra=extra)
    add_editor(config)
    with serving(config) as base, client(base) as c:
        login(c)
        page = " ".join(c.get("/lists").text.split())
    assert "The Test Brief · double opt-in for form sign-ups" in page
    assert "The Weekly · double opt-in<" in page
    assert "The Open Letter<" in page
