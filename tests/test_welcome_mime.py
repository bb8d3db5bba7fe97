"""The welcome and the confirmation as mail clients get them: format=flowed text as the
edition's is, and a welcome with an HTML part too.

Before, both were fixed lines: a long sentence was hard-wrapped (the welcome: a phone
showed ragged half lines) or sent as one over-long line (the confirmation), with no
space-stuffing, so a line beginning "From " reached the reader as ">From " and one
beginning ">" as a quotation. The welcome was plain text only: a reader whose client
shows HTML got a bare text mail, unlike every edition after it, and `digest lint`
warned of it. Now the text part of both is format=flowed, DelSp=no, made by the
edition's own function, and the welcome is multipart/alternative, text then an HTML
part made from the theme, its CSS inlined as the edition's.

Real parts: a loopback aiosmtpd server, a SQLite file, the Flask app's routes, `digest
lint` on the bytes the server received.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from digest.app import App
from digest.cli import main
from digest.subscribers import subscribe
from tests.conftest import free_port
from tests.test_render_text_reading import unflow
from tests.test_web_public import ONE_CLICK, cli
from tests.test_welcome import (
    BASE,
    NOW,
    READER,
    WEEKLY,
    confirm_link,
    message,
    project,
    settle,
    smtp_on,
    web,
)

#: A list title that makes long sentences and starts one of them with "From ", which
#: an unstuffed flowed line may not (RFC 3676, 4.4).
LONG_TITLE = "From the Harbour: the Weekly Letter of the Rowing Club"
LONG = (
    f'[[lists]]\nname = "weekly"\ntitle = "{LONG_TITLE}"\ndouble_opt_in = true\n'
    'timezone = "Europe/Copenhagen"\nschedule = "30 7 * * mon,wed,fri"\n'
)


def plain_part(msg: EmailMessage) -> tuple[EmailMessage, str]:
    """The text/plain part and its decoded text, as it is on the wire (not unflowed)."""
    part = msg.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return part, str(part.get_content()).replace("\r\n", "\n")


def html_part(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    assert isinstance(part, EmailMessage), msg.get_content_type()
    return str(part.get_content())


def assert_flowed(part: EmailMessage, text: str) -> list[str]:
    """The part is format=flowed, DelSp=no, stuffed and within 78 columns (a bare link
    aside); its logical lines."""
    assert part.get_content_type() == "text/plain"
    assert part.get_param("format") == "flowed"
    assert str(part.get_param("delsp", "no")).lower() == "no"
    for line in text.split("\n"):
        assert not line.startswith((">", "From ")), line  # stuffed: " From ..."
        assert len(line) <= 78 or re.fullmatch(r"\S+ ?", line), line
    return unflow(text)


def lint(tmp_path: Path, data: bytes) -> list[str]:
    eml = tmp_path / "mail.eml"
    eml.write_bytes(data)
    linted = CliRunner().invoke(main, ["lint", str(eml)])
    assert linted.exit_code == 0, linted.output
    return [line for line in linted.output.splitlines() if not line.endswith(": ok")]


def received(tmp_path: Path, language: str = "") -> tuple[App, EmailMessage, bytes, bytes]:
    """The app, the welcome (parsed and raw) and the raw confirmation, as the loopback
    server received them, for a subscriber of the long-titled list."""
    port = free_port()
    config = project(
        tmp_path, port, extra=LONG, newsletter=f'language = "{language}"' if language else ""
    )
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        (confirm,) = box.messages
        flask_app = web(config)
        page = flask_app.test_client().post(confirm_link(box), base_url=BASE)
        assert page.status_code == 200
        settle(flask_app)
        (welcome,) = [m for m in box.messages if m is not confirm]
    return app, message(welcome), welcome.data, confirm.data


def test_the_welcomes_text_is_flowed_and_a_long_paragraph_unflows_whole(tmp_path: Path) -> None:
    app, welcome, data, _ = received(tmp_path)
    part, text = plain_part(welcome)
    lines = assert_flowed(part, text)
    # Each sentence, longer than a line, is one paragraph again once unflowed ...
    assert f"thank you for confirming: {READER} now receives {LONG_TITLE}." in lines
    rhythm = f"{LONG_TITLE} comes every Monday, Wednesday, and Friday at 07:30"
    assert f"{rhythm} (Europe/Copenhagen time)." in lines
    # ... and the line that begins "From " was stuffed, not mangled to ">From ".
    assert any(line.startswith(" From the Harbour") for line in text.split("\n")), text
    # A link's label and the link read as one line; the link is whole.
    sub = app.store.subscriber("weekly", READER)
    assert sub is not None
    unsub = app.links.unsubscribe_url(sub.id)
    assert f"Unsubscribe with one click, at any time: {unsub}" in lines
    assert "text-flowed-unstuffed" not in "\n".join(lint(tmp_path, data))


def test_the_confirmation_is_flowed_as_the_edition_is(tmp_path: Path) -> None:
    app, _, _, data = received(tmp_path)
    confirm = message_of(data)
    part, text = plain_part(confirm)
    lines = assert_flowed(part, text)
    asked = f"someone (we hope you) asked to subscribe {READER} to {LONG_TITLE}."
    assert asked in lines  # was one line of 110 characters
    link = next(line for line in lines if "/c/" in line)
    found = re.search(r"https://brief\.example\.org/c/(\S+)", link)
    sub = app.store.subscriber("weekly", READER)
    assert found and sub and app.tokens.read_dated("confirm", found.group(1))[0] == sub.id
    assert confirm["Subject"] == f"Confirm your subscription to {LONG_TITLE}"
    assert confirm["Auto-Submitted"] == "auto-generated" and confirm["List-Unsubscribe"] is None
    assert lint(tmp_path, data) == []


def message_of(data: bytes) -> EmailMessage:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


@pytest.mark.parametrize(
    ("language", "lang", "words"),
    [
        ("", "en", ("Welcome to", "thank you for confirming", "Unsubscribe")),
        ("da", "da", ("Velkommen til", "tak for din bekræftelse", "Afmeld")),
        ("de", "de", ("Willkommen bei", "vielen Dank für Ihre Bestätigung", "Abmelden")),
    ],
)
def test_the_welcome_has_an_html_part_with_the_links_and_lints_clean(
    tmp_path: Path, language: str, lang: str, words: tuple[str, str, str]
) -> None:
    app, welcome, data, _ = received(tmp_path, language)
    assert welcome.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in welcome.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    assert welcome["Subject"].startswith(words[0])
    part, text = plain_part(welcome)
    assert words[1] in " ".join(unflow(text))
    assert_flowed(part, text)
    html = html_part(welcome)
    shown = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert re.search(rf'<html[^>]*\slang="{lang}"', html)
    assert LONG_TITLE in shown and words[1] in shown
    assert "Europe/Copenhagen" in shown  # what to expect: the rhythm on the list's clock
    # The CSS inlined (premailer), as the edition's: in the elements' style attributes.
    assert re.search(r'<h1 class="brand" style=[^>]*font-size:', html)
    # The links: signed for this subscriber, the unsubscribe one the header's.
    sub = app.store.subscriber("weekly", READER)
    assert sub is not None
    hrefs = {
        unescape(h): unescape(re.sub(r"<[^>]+>", "", t)).strip()
        for h, t in re.findall(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    }
    header = welcome["List-Unsubscribe"].strip()[1:-1]
    assert header in hrefs and words[2] in hrefs[header]
    prefs = [h for h in hrefs if h.startswith(f"{BASE}/p/")]
    assert len(prefs) == 1
    assert app.tokens.read("preferences", prefs[0].rsplit("/", 1)[1]) == sub.id
    assert app.tokens.read("unsubscribe", header.rsplit("/", 1)[1]) == sub.id
    # `digest lint`: nothing at all, not even the warning of a text-only message.
    assert lint(tmp_path, data) == []
    # The links work: the preferences page opens, one click unsubscribes.
    client = web(app.settings.path).test_client()
    assert client.get(prefs[0].removeprefix(BASE), base_url=BASE).status_code == 200
    path = header.removeprefix(BASE)
    assert client.post(path, data=ONE_CLICK, base_url=BASE).status_code == 200
    left = app.store.subscriber("weekly", READER)
    assert left is not None and left.status == "unsubscribed"


# -- single opt-in ------------------------------------------------------------------------

SINGLE = WEEKLY.replace("double_opt_in = true", "double_opt_in = false")


def sign_up(flask_app: Flask, email: str) -> None:
    """A reader's sign-up on the subscribe form, its work off the request done."""
    client = flask_app.test_client()
    form = client.get("/subscribe?list=weekly", base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    data = {"list": "weekly", "email": email, "csrf_token": unescape(token.group(1))}
    page = client.post("/subscribe", data=data, base_url=BASE)
    assert page.status_code == 200, page.get_data(as_text=True)
    settle(flask_app)


def test_a_single_opt_in_sign_up_is_welcomed_once_and_an_import_is_not(tmp_path: Path) -> None:
    # Before, only the double opt-in confirmation made a welcome due: a reader who signed
    # up on a list without it heard nothing until the next edition.
    port = free_port()
    config = project(tmp_path, port, extra=SINGLE)
    app = App.from_config(config)
    with smtp_on(port) as box:
        flask_app = web(config)
        sign_up(flask_app, READER)
        sub = app.store.subscriber("weekly", READER)
        assert sub is not None and sub.status == "active"
        (welcome,) = [message(m) for m in box.messages]
        assert welcome["Subject"] == "Welcome to The Weekly"
        assert welcome.get_content_type() == "multipart/alternative"
        sign_up(flask_app, READER)  # again: nothing new, nothing sent
        # An operator's add and an import are the record of consent given elsewhere:
        # nobody in them is mailed, neither now nor by the command that sends the
        # welcomes left due.
        cli(config, "subscribers", "add", "added@example.org", "--list", "weekly")
        csv = tmp_path / "people.csv"
        csv.write_text("email,name\nimported@example.org,Imp\nother@example.org,\n")
        cli(config, "subscribers", "import", str(csv), "--list", "weekly")
        assert "0 sent" in cli(config, "subscribers", "welcome", "--list", "weekly")
        assert [m.recipients for m in box.messages] == [[READER]]
    assert [e.detail for e in app.store.events(sub.id)].count("welcome sent") == 1


def test_a_single_opt_in_list_with_the_welcome_off_sends_none(tmp_path: Path) -> None:
    port = free_port()
    config = project(tmp_path, port, extra=SINGLE + "welcome = false\n")
    app = App.from_config(config)
    with smtp_on(port) as box:
        sign_up(web(config), READER)
        sub = app.store.subscriber("weekly", READER)
        assert sub is not None and sub.status == "active"
        assert box.messages == []


@pytest.mark.parametrize(
    ("language", "thanks", "not_said"),
    [
        ("", "thank you for signing up", "confirm"),
        ("da", "tak for din tilmelding", "bekræft"),
        ("de", "vielen Dank für Ihre Anmeldung", "Bestätigung"),
    ],
)
def test_a_single_opt_in_welcome_thanks_for_signing_up_not_for_confirming(
    tmp_path: Path, language: str, thanks: str, not_said: str
) -> None:
    # Before, it thanked a reader "for confirming", who was asked to confirm nothing.
    port = free_port()
    newsletter = f'language = "{language}"' if language else ""
    config = project(tmp_path, port, extra=SINGLE, newsletter=newsletter)
    with smtp_on(port) as box:
        sign_up(web(config), READER)
        (welcome,) = [message(m) for m in box.messages]
    _, text = plain_part(welcome)
    html = html_part(welcome)
    shown = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    preheader = re.search(r'class="preheader"[^>]*>([^<]*)', html)
    assert preheader and thanks in preheader.group(1)
    for told in (" ".join(unflow(text)), shown):
        assert f"{thanks}: {READER}" in told
        assert not_said.lower() not in told.lower()
