"""A double opt-in confirmation link works for a week, then says it has expired.

Before, a confirmation link never expired: a link mailed to someone whose address a
stranger typed into the form lay in their mailbox for good, and pressing its button
months later made them a subscriber. Now the token carries when it was made (under
its signature) and the page refuses it after `CONFIRM_FOR`, with a 410 that links to
the form, which sends a new link. The real Flask app, SQLite, the outbox transport
and the confirmation mail as it was written to it.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from digest.app import App
from digest.subscribers import subscribe
from digest.subscribers.confirm import CONFIRM_FOR
from digest.tokens import Tokens
from digest.web import create_app
from tests.test_web_public import NOW, newsletter

BASE = "https://brief.example.org"
WEEKLY = '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'


def _pending(tmp_path: Path) -> tuple[Path, App]:
    """A project whose double opt-in list has reader@example.org pending since NOW."""
    config = newsletter(tmp_path, extra=WEEKLY)
    app = App.from_config(config)
    subscribe(app, "weekly", "reader@example.org", origin="web:subscribe", now=NOW)
    return config, app


def _mailed_link(config: Path) -> str:
    """The path of the confirmation link in the one confirmation mail sent."""
    (mail,) = (config.parent / "outbox").glob("confirm-*.eml")
    msg = message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_content()
    assert "The link works for 7 days." in body
    link = re.search(r"https://brief\.example\.org(/c/\S+)", body)
    assert link, body
    return link.group(1)


def test_a_confirmation_link_works_for_a_week_then_sends_the_reader_to_the_form(
    tmp_path: Path,
) -> None:
    config, app = _pending(tmp_path)
    link = _mailed_link(config)
    assert timedelta(days=7) == CONFIRM_FOR

    late = create_app(App.from_config(config), clock=lambda: NOW + timedelta(days=8)).test_client()
    page = late.get(link, base_url=BASE)
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 410 and "This link has expired" in text
    assert '<a href="/subscribe?list=weekly">Subscribe again</a>' in text
    assert "<form" not in text.split("<main", 1)[-1]  # no confirm button
    pressed = late.post(link, base_url=BASE)
    assert pressed.status_code == 410
    sub = app.store.subscriber("weekly", "reader@example.org")
    assert sub is not None and sub.status == "pending"

    # Within the week, the same link confirms.
    in_time = create_app(App.from_config(config), clock=lambda: NOW + timedelta(days=6))
    done = in_time.test_client().post(link, base_url=BASE)
    assert done.status_code == 200 and "Subscription confirmed" in done.get_data(as_text=True)
    sub = app.store.subscriber("weekly", "reader@example.org")
    assert sub is not None and sub.status == "active"
    # Once active, an old link just says so.
    again = late.get(link, base_url=BASE)
    assert again.status_code == 200 and "Already confirmed" in again.get_data(as_text=True)


def test_a_link_without_a_time_or_with_another_keys_signature_confirms_nobody(
    tmp_path: Path,
) -> None:
    config, app = _pending(tmp_path)
    sub = app.store.subscriber("weekly", "reader@example.org")
    assert sub is not None
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    # A link mailed before links carried their time has no age: expired.
    undated = f"/c/{app.tokens.make('confirm', sub.id)}"
    assert client.post(undated, base_url=BASE).status_code == 410
    # A time moved forward would need our key to sign it.
    foreign = Tokens("not-this-newsletters-key-0123456789abcdef")
    forged = f"/c/{foreign.make_dated('confirm', sub.id, NOW + timedelta(days=300))}"
    assert client.post(forged, base_url=BASE).status_code == 404
    # Nor does a dated token of another purpose work here.
    other = f"/c/{app.tokens.make_dated('preferences', sub.id, NOW)}"
    assert client.post(other, base_url=BASE).status_code == 404
    sub = app.store.subscriber("weekly", "reader@example.org")
    assert sub is not None and sub.status == "pending"
