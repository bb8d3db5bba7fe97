"""A welcome message after a subscriber's first confirmation (double opt-in).

Before, confirming sent nothing: a new reader waited for the next edition without
knowing when it would come, and that edition was the first mail their client saw from
the sender. Now the first confirmation sends one welcome, in the newsletter's
language, with the edition's From / Reply-To, one-click unsubscribe headers, the
list's schedule on its clock and the latest edition in the archive; a second click, a
second server and a welcome turned off send none; an SMTP server that is down never
fails the confirmation, and `digest subscribers welcome` sends what it could not.

Real parts: a loopback aiosmtpd server, a SQLite file, the Flask app's confirm route.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from flask import Flask

from digest.app import App
from digest.cli import main
from digest.config import Settings
from digest.errors import DeliveryError
from digest.subscribers import subscribe
from digest.web import create_app
from tests.conftest import Mailbox, Received, _Handler, free_port, write_project
from tests.test_web_public import NOW, ONE_CLICK, build_and_send, cli, date_articles

BASE = "https://brief.example.org"
WEEKLY = (
    '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'
    'timezone = "Europe/Copenhagen"\nschedule = "30 7 * * mon,wed,fri"\n'
)
READER = "reader@example.org"
LATER = NOW + timedelta(hours=1)


@contextmanager
def smtp_on(port: int, box: Mailbox | None = None) -> Iterator[Mailbox]:
    """An aiosmtpd server on loopback `port` that keeps what it receives in `box`."""
    box = box or Mailbox("127.0.0.1", port)
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def project(
    tmp_path: Path,
    port: int,
    *,
    extra: str = WEEKLY,
    newsletter: str = "",
    database: str = "sqlite:///digest.db",
) -> Path:
    """A project whose mail goes over SMTP to loopback `port` (retried quickly)."""
    config = write_project(
        tmp_path / "news",
        database=database,
        transport=(
            f'kind = "smtp"\nhost = "127.0.0.1"\nport = {port}\ntimeout = 5\n'
            "retries = 1\nretry_delay = 0.05"
        ),
        extra=extra,
    )
    if newsletter:
        text = config.read_text()
        config.write_text(text.replace('address = "1 Test', f'{newsletter}\naddress = "1 Test', 1))
    date_articles(config.parent, NOW)
    return config


def message(received: Received) -> EmailMessage:
    msg = message_from_bytes(received.data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def text_of(msg: EmailMessage) -> str:
    """The plain text of a message (the welcome's first part, the confirmation's only)."""
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def confirm_link(box: Mailbox) -> str:
    """The path of the link in the (only) confirmation message received."""
    (mail,) = [m for m in box.messages if "/c/" in text_of(message(m))]
    found = re.search(r"https://brief\.example\.org(/c/\S+)", text_of(message(mail)))
    assert found
    return found.group(1)


def web(config: Path) -> Flask:
    """The subscriber endpoints of a fresh App (another server process, as it were)."""
    return create_app(App.from_config(config), clock=lambda: LATER)


def settle(flask_app: Flask) -> None:
    """Wait until the confirm route's work off the request is done."""
    assert flask_app.extensions["digest.subscribe_jobs"].wait(timeout=30)


def welcomes(box: Mailbox) -> list[EmailMessage]:
    return [message(m) for m in box.messages if "/c/" not in text_of(message(m))]


def test_the_first_confirmation_sends_one_welcome_and_a_second_click_none(
    tmp_path: Path,
) -> None:
    port = free_port()
    config = project(tmp_path, port, newsletter='reply_to = "The Desk <desk@example.org>"')
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, "Reader", origin="web:subscribe", now=NOW)
        link = confirm_link(box)
        flask_app = web(config)
        page = flask_app.test_client().post(link, base_url=BASE)
        assert page.status_code == 200 and "Subscription confirmed" in page.get_data(as_text=True)
        settle(flask_app)
        (welcome,) = welcomes(box)
        # The second click, on this server or on another: confirmed already, no mail.
        again = flask_app.test_client().post(link, base_url=BASE)
        assert again.status_code == 200 and "Already confirmed" in again.get_data(as_text=True)
        other = web(config)
        other.test_client().post(link, base_url=BASE)
        settle(flask_app)
        settle(other)
        assert len(welcomes(box)) == 1

    (received,) = [m for m in box.messages if b"Welcome to" in m.data]
    assert received.recipients == [READER]
    assert welcome["From"] == "The Test Brief <brief@example.org>"
    assert welcome["Reply-To"] == "The Desk <desk@example.org>"
    assert welcome["To"].addresses[0].addr_spec == READER
    assert welcome["Subject"] == "Welcome to The Weekly"
    assert "<weekly.example.org>" in welcome["List-Id"]
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert welcome["Message-ID"] and welcome["Date"]
    unsub = re.fullmatch(
        r"<(https://brief\.example\.org/u/\S+)>", welcome["List-Unsubscribe"].strip()
    )
    assert unsub
    sub = app.store.subscriber("weekly", READER)
    assert sub is not None and sub.status == "active"
    body = text_of(welcome)
    said = " ".join(body.split())  # sentences, whatever the wrapping
    assert welcome.get_content_type() == "multipart/alternative"
    # What they signed up for, when it comes on the list's clock, and how to leave.
    assert "The Weekly" in body and READER in body
    assert "every Monday, Wednesday, and Friday at 07:30 (Europe/Copenhagen time)" in said
    assert "The next edition is due Monday, November 30, 2026 at 07:30." in said
    assert unsub.group(1) in body  # the visible unsubscribe link is the header's
    prefs = re.search(r"https://brief\.example\.org/p/(\S+)", body)
    assert prefs and app.tokens.read("preferences", prefs.group(1)) == sub.id
    token = unsub.group(1).rsplit("/", 1)[1]
    assert app.tokens.read("unsubscribe", token) == sub.id
    assert "/archive/" not in body  # nothing sent on this list yet
    # It is on the record, once.
    history = [e.detail for e in app.store.events(sub.id)]
    assert history.count("welcome sent") == 1

    # The one-click header works as an edition's does.
    client = flask_app.test_client()
    assert client.post(f"/u/{token}", data=ONE_CLICK, base_url=BASE).status_code == 200
    left = app.store.subscriber("weekly", READER)
    assert left is not None and left.status == "unsubscribed"


def test_a_danish_newsletter_welcomes_in_danish(tmp_path: Path) -> None:
    port = free_port()
    config = project(tmp_path, port, newsletter='language = "da"')
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        flask_app = web(config)
        assert flask_app.test_client().post(confirm_link(box), base_url=BASE).status_code == 200
        settle(flask_app)
        (welcome,) = welcomes(box)
    assert welcome["Subject"] == "Velkommen til The Weekly"
    body = " ".join(text_of(welcome).split())
    assert "hver mandag, onsdag og fredag kl. 07.30 (tidszone Europe/Copenhagen)" in body
    assert "Næste udgave kommer mandag den 30. november 2026 kl. 07.30." in body
    assert "Afmeld" in body and "Welcome" not in body


def test_a_list_with_the_welcome_turned_off_sends_none(tmp_path: Path) -> None:
    port = free_port()
    config = project(tmp_path, port, extra=WEEKLY + "welcome = false\n")
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        flask_app = web(config)
        page = flask_app.test_client().post(confirm_link(box), base_url=BASE)
        assert page.status_code == 200 and "Subscription confirmed" in page.get_data(as_text=True)
        settle(flask_app)
        time.sleep(0.3)
        assert welcomes(box) == []
    sub = app.store.subscriber("weekly", READER)
    assert sub is not None and sub.status == "active"


def test_smtp_down_still_confirms_logs_the_list_and_the_command_sends_it_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    config = project(tmp_path, port)
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        link = confirm_link(box)
    # The server is gone: the confirmation must still succeed.
    flask_app = web(config)
    with caplog.at_level(logging.WARNING):
        page = flask_app.test_client().post(link, base_url=BASE)
        assert page.status_code == 200 and "Subscription confirmed" in page.get_data(as_text=True)
        settle(flask_app)
    sub = app.store.subscriber("weekly", READER)
    assert sub is not None and sub.status == "active"
    logged = [r.getMessage() for r in caplog.records if "welcome" in r.getMessage()]
    assert logged and "list weekly" in logged[0], caplog.text
    assert "digest subscribers welcome" in logged[0]
    assert not any("secret" in m.lower() for m in logged)
    history = [e.detail or "" for e in app.store.events(sub.id)]
    assert any(d.startswith("welcome not sent") for d in history), history

    with smtp_on(port, box) as box:
        box.messages.clear()
        out = cli(config, "subscribers", "welcome", "--list", "weekly")
        assert "1 sent" in out, out
        assert len(welcomes(box)) == 1
        again = cli(config, "subscribers", "welcome", "--list", "weekly")
        assert "0 sent" in again, again
        assert len(welcomes(box)) == 1


def test_the_welcome_links_the_latest_edition_in_the_archive(tmp_path: Path) -> None:
    port = free_port()
    config = project(tmp_path, port)
    app = App.from_config(config)
    with smtp_on(port) as box:
        edition = build_and_send(config, NOW, "weekly")
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        flask_app = web(config)
        flask_app.test_client().post(confirm_link(box), base_url=BASE)
        settle(flask_app)
        (welcome,) = welcomes(box)
    assert f"{BASE}/archive/{edition}" in text_of(welcome)
    html = welcome.get_body(("html",))
    assert html is not None and f'href="{BASE}/archive/{edition}"' in html.get_content()
    eml = tmp_path / "welcome.eml"
    eml.write_bytes(next(m for m in box.messages if b"Welcome to" in m.data).data)
    linted = CliRunner().invoke(main, ["lint", str(eml)])
    # Nothing: not even the warning of a plain-text message (no HTML part).
    assert linted.exit_code == 0, linted.output
    assert [x for x in linted.output.splitlines() if not x.endswith(": ok")] == []


def retitled(settings: Settings, title: str) -> Settings:
    lists = tuple(replace(x, title=title) if x.name == "weekly" else x for x in settings.lists)
    return replace(settings, lists=lists)


def test_a_line_break_in_a_configured_value_adds_no_header(tmp_path: Path) -> None:
    from digest.subscribers.welcome import send_welcome, welcome_message

    port = free_port()
    config = project(tmp_path, port)
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        box.messages.clear()
        sub = app.store.subscriber("weekly", READER)
        assert sub is not None
        assert app.store.confirm(sub.id, welcome=True, now=LATER)
        news = app.settings.newsletter
        injected = "\r\nBcc: evil@example.net"
        for settings in (
            retitled(app.settings, "The Weekly" + injected),
            replace(  # a list without a title is named by the newsletter
                retitled(app.settings, ""), newsletter=replace(news, name="Brief" + injected)
            ),
            replace(app.settings, newsletter=replace(news, reply_to="d@example.org" + injected)),
            replace(app.settings, newsletter=replace(news, sender="b@example.org" + injected)),
        ):
            with pytest.raises(DeliveryError, match="line break"):
                welcome_message(App(settings), sub, now=LATER)
        bad = retitled(app.settings, "The Weekly" + injected)
        assert send_welcome(App(bad), sub.id, now=LATER) == "failed"
        assert box.messages == []
    history = [e.detail or "" for e in app.store.events(sub.id)]
    assert any(d.startswith("welcome not sent") and "line break" in d for d in history)


def test_senders_racing_for_one_welcome_send_it_once(tmp_path: Path, db_url: str) -> None:
    from digest.subscribers.welcome import send_welcome

    port = free_port()
    config = project(tmp_path, port, database=db_url)
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        box.messages.clear()
        sub = app.store.subscriber("weekly", READER)
        assert sub is not None
        assert app.store.confirm(sub.id, welcome=True, now=LATER)
        assert not app.store.confirm(sub.id, welcome=True, now=LATER)  # a second click
        servers = [App.from_config(config) for _ in range(6)]
        with ThreadPoolExecutor(len(servers)) as pool:
            done = list(pool.map(lambda a: send_welcome(a, sub.id, now=LATER), servers))
        assert sorted(done) == ["none"] * 5 + ["sent"]
        assert len(box.messages) == 1
        for server in servers:
            server.close()
    app.close()


def test_the_schedule_is_told_as_a_rhythm_only_when_it_is_one() -> None:
    from digest.config import ListSettings
    from digest.render.language import Strings
    from digest.render.welcome_strings import WELCOME_STRINGS
    from digest.subscribers.cadence import cadence, cadence_lines

    t = Strings("en", WELCOME_STRINGS)

    def told(lst: ListSettings, zone: str | None = None) -> str:
        return " ".join(cadence_lines(cadence(lst, zone, now=LATER), t, "The List"))

    daily = ListSettings("daily", schedule="0 7,18 * * *", timezone="Europe/Copenhagen")
    assert told(daily) == (
        "The List comes every day at 07:00 and 18:00 (Europe/Copenhagen time). "
        "The next edition is due Friday, November 27, 2026 at 18:00."
    )
    monthly = ListSettings("monthly", schedule="0 9 1 * *", timezone="America/New_York")
    assert told(monthly) == (
        "The List comes on a schedule of its own (America/New_York time). "
        "The next edition is due Tuesday, December 1, 2026 at 09:00."
    )
    # Delivered at each reader's local hour: on the reader's clock; else the list's.
    local = replace(daily, schedule="0 7 * * *", delivery="local")
    assert "every day at 07:00 (Asia/Tokyo time)" in told(local, "Asia/Tokyo")
    assert "(Europe/Copenhagen time)" in told(replace(local, delivery="list"), "Asia/Tokyo")
    # A send window moves the sends, and the reader is told the moved time.
    windowed = replace(daily, schedule="0 6 * * *", send_window="08:00-20:00")
    assert "every day at 08:00" in told(windowed)


def test_every_language_has_every_welcome_string_with_the_same_fields() -> None:
    from digest.render.welcome_strings import WELCOME_STRINGS

    english = WELCOME_STRINGS["en"]
    for language, table in WELCOME_STRINGS.items():
        assert set(table) == set(english), language
        for key, text in table.items():
            fields = set(re.findall(r"\{(\w+)\}", text))
            assert fields <= set(re.findall(r"\{(\w+)\}", english[key])), (language, key)


def test_the_welcome_writes_the_clock_as_the_language_does() -> None:
    """A Danish editor writes "kl. 07.00" (the Danish clock has a full stop, as Babel's
    Danish time format has); German keeps "07:00 Uhr", English "07:00"."""
    from digest.config import ListSettings
    from digest.render.language import Strings
    from digest.render.welcome_strings import WELCOME_STRINGS
    from digest.subscribers.cadence import cadence, cadence_lines

    daily = ListSettings("daily", schedule="0 7,18 * * *", timezone="Europe/Copenhagen")
    weekly = ListSettings("weekly", schedule="30 7 * * 1,3", timezone="Europe/Copenhagen")

    def told(lst: ListSettings, language: str) -> str:
        lines = cadence_lines(
            cadence(lst, None, now=LATER), Strings(language, WELCOME_STRINGS), "L"
        )
        return " ".join(lines).replace("\u00a0", " ")

    assert told(daily, "da") == (
        "L udkommer hver dag kl. 07.00 og 18.00 (tidszone Europe/Copenhagen). "
        "Næste udgave kommer fredag den 27. november 2026 kl. 18.00."
    )
    assert "hver mandag og onsdag kl. 07.30" in told(weekly, "da")
    assert told(daily, "de") == (
        "L erscheint täglich um 07:00 und 18:00 Uhr (Zeitzone Europe/Copenhagen). "
        "Die nächste Ausgabe erscheint am Freitag, 27. November 2026 um 18:00 Uhr."
    )
    assert "every day at 07:00 and 18:00" in told(daily, "en")
