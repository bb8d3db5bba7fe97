"""A test send shows a subscriber's view, never their identity.

QA opened `/editions/N?subscriber=mette.holm@example.com` on the desk and sent a test
to outsider@example.com: it arrived `To: Mette Holm <outsider@example.com>`. The copy
must keep what she sees (her sections, her plain-text format) but carry nothing of
hers: the recipient's own address with no name, not her address, and not her signed
unsubscribe/preferences links (with those the outsider could unsubscribe her or see
and change her preferences). Its links are inert test links (they are signed for no
subscription: row ids start at 1) and say so when opened.

The real Flask app, a real desk login, SQLite, and a real aiosmtpd server on loopback.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from email.message import EmailMessage
from pathlib import Path

from digest.app import App
from digest.web import create_app
from tests.test_deliver_envelope import EnvelopeHandler
from tests.test_desk import EDITOR, PASSWORD, add_editor
from tests.test_send_support import NOW, add_subscribers, build, small_project, smtp_server

BASE = "https://brief.example.org"
METTE = "mette.holm@example.com"
OUTSIDER = "outsider@example.com"


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return html.unescape(found.group(1))


def _send_test(tmp_path: Path, to: str, subscriber: str) -> tuple[App, bytes, str]:
    """Log in to the desk and "Send a test" of the edition as `subscriber` sees it, to
    `to`; the app, the message the SMTP server took, and the desk's answer."""
    handler = EnvelopeHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        add_editor(config)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 1, email=METTE, name="Mette Holm", sections=["City"], format="text")
        client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
        login = client.get("/login", base_url=BASE).get_data(as_text=True)
        signed_in = client.post(
            "/login",
            base_url=BASE,
            data={"csrf_token": _token(login), "email": EDITOR, "password": PASSWORD},
        )
        assert signed_in.status_code == 303
        page = f"/editions/{edition}"
        shown = client.get(f"{page}?subscriber={subscriber}", base_url=BASE)
        assert shown.status_code == 200
        sent = client.post(
            f"{page}/test",
            base_url=BASE,
            data={
                "csrf_token": _token(shown.get_data(as_text=True)),
                "to": to,
                "subscriber": subscriber,
            },
            follow_redirects=True,
        )
    answer = html.unescape(sent.get_data(as_text=True))
    assert to in handler.messages, answer[:2000]
    return app, handler.messages[to], answer


def _parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_test_as_a_subscriber_carries_her_view_but_not_her_name_address_or_links(
    tmp_path: Path,
) -> None:
    app, data, answer = _send_test(tmp_path, OUTSIDER, METTE)
    assert f"Test sent to {OUTSIDER}" in answer
    message = _parsed(data)
    assert message["To"] == OUTSIDER  # no name: not "Mette Holm <outsider@example.com>"
    assert message["Subject"].startswith("[TEST] ")
    # Her view: plain text only, as she asked.
    assert message.get_content_type() == "text/plain"
    # Nothing of hers: not her name, not her address, not her signed links.
    mette = app.store.subscriber("daily", METTE)
    assert mette is not None
    flat = data.replace(b"=\r\n", b"").replace(b"=\n", b"")
    for secret in (b"Mette", METTE.encode(), *app.links.urls(mette.id)):
        assert secret not in flat, secret
    for token in (
        app.tokens.make("unsubscribe", mette.id),
        app.tokens.make("preferences", mette.id),
    ):
        assert token.encode() not in flat


def test_the_test_copys_links_are_test_links_that_change_nothing(tmp_path: Path) -> None:
    app, data, _ = _send_test(tmp_path, OUTSIDER, METTE)
    message = _parsed(data)
    header = str(message["List-Unsubscribe"])
    unsubscribe = re.search(r"<(https://[^>]+/u/[^>]+)>", header)
    assert unsubscribe, header
    body = message.get_content()
    preferences = re.search(r"https://\S+/p/\S+", body)
    assert preferences, body
    client = create_app(app, clock=lambda: NOW).test_client()
    path = unsubscribe[1].removeprefix(BASE)
    one_click = client.post(path, base_url=BASE, data={"List-Unsubscribe": "One-Click"})
    opened = client.get(path, base_url=BASE)
    prefs = client.get(preferences[0].removeprefix(BASE), base_url=BASE)
    for answer in (one_click, opened, prefs):
        said = html.unescape(answer.get_data(as_text=True))
        assert "test copy" in said and "changes no subscription" in said, said[:1500]
        assert METTE not in said
    # A provider's one-click POST gets a state that holds (nothing to unsubscribe).
    assert one_click.status_code == 200
    mette = app.store.subscriber("daily", METTE)
    assert mette is not None and mette.status == "active"


def test_a_test_to_the_subscriber_herself_still_has_no_name_and_no_real_links(
    tmp_path: Path,
) -> None:
    # Guard: even sent to her own address, a test is no edition copy of hers.
    app, data, _ = _send_test(tmp_path, METTE, METTE)
    assert _parsed(data)["To"] == METTE
    mette = app.store.subscriber("daily", METTE)
    assert mette is not None
    flat = data.replace(b"=\r\n", b"").replace(b"=\n", b"")
    assert app.tokens.make("unsubscribe", mette.id).encode() not in flat
