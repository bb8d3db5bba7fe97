"""The confirmation's and the welcome's signature separator is "-- " (RFC 3676, 4.3).

Before, both mails had a line "--" above the newsletter's name and address: mail
clients recognise only "-- " (dash dash space) and so showed the signature as text.
Now that line is "-- ", and nothing else of the text part moved. The edition's text
part has no signature: its footer (the unsubscribe links, which a client would fold
away with a signature) follows a "---" rule. Real parts: a loopback aiosmtpd server, a
SQLite file, the Flask app's confirm route, a real build and send.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from digest.app import App
from digest.lint import lint_message
from digest.subscribers import subscribe
from tests.conftest import free_port
from tests.test_web_public import NOW, build_and_send, newsletter, outbox
from tests.test_welcome import (
    BASE,
    READER,
    confirm_link,
    message,
    project,
    settle,
    smtp_on,
    web,
    welcomes,
)
from tests.test_welcome import text_of as plain


def text_of(mail: EmailMessage) -> str:
    """The plain text part as sent (flowed, not joined), its lines ended by LF."""
    return plain(mail).replace("\r\n", "\n")


def _signature(text: str) -> list[str]:
    """The lines from the signature separator on (none: [])."""
    lines = text.split("\n")
    return lines[lines.index("-- ") :] if "-- " in lines else []


def test_the_confirmation_and_the_welcome_sign_with_dash_dash_space(tmp_path: Path) -> None:
    port = free_port()
    config = project(tmp_path, port)
    app = App.from_config(config)
    with smtp_on(port) as box:
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        flask_app = web(config)
        assert flask_app.test_client().post(confirm_link(box), base_url=BASE).status_code == 200
        settle(flask_app)
        (welcome,) = welcomes(box)
        (confirmation,) = [message(m) for m in box.messages if "/c/" in plain(message(m))]
    for mail in (confirmation, welcome):
        text = text_of(mail)
        assert "--" not in text.split("\n"), text
        # The separator, then the newsletter's name and address: what clients grey.
        assert _signature(text.rstrip("\n")) == [
            "-- ",
            "The Test Brief",
            "1 Test Street, Copenhagen",
        ]
        # Above it: the links a reader needs are not folded away.
        assert "/c/" in text.split("-- \n")[0] or "/u/" in text.split("-- \n")[0]


def test_the_editions_text_part_has_no_signature_above_its_footer(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    edition = build_and_send(config, NOW)
    mail = next(iter(outbox(config, edition).values()))
    text = text_of(mail)
    assert _signature(text) == []
    assert "---" in text.split("\n")  # the footer's rule
    assert "text-signature-hides-unsubscribe" not in [f.code for f in lint_message(mail.as_bytes())]
