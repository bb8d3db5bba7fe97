"""A reader who unsubscribed can subscribe again, through a link we mailed them.

Before, nothing let them back: the subscribe form never revives an address that left
(it cannot tell the visitor owns the address, and an address that left gets no mail,
not even a confirmation), and the preferences page only said "unsubscribed". Now the
page after a one-click unsubscribe links to the preferences page, which has a
"Subscribe again" button for an unsubscribed reader, and the next edition reaches
them. A bounced or complained address, or one that bounced on another list, is never
made active again. The real Flask app, SQLite and the outbox transport.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from flask import session
from werkzeug.test import TestResponse

from digest.app import App
from digest.web import create_app
from digest.web.csrf import csrf_token
from tests.test_web_public import (
    NEXT,
    NOW,
    ONE_CLICK,
    add_article,
    build_and_send,
    newsletter,
    outbox,
    statuses,
)

BASE = "https://brief.example.org"


def _text(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def _rejoin_form(page: TestResponse) -> dict[str, str] | None:
    """The "Subscribe again" form's fields on a preferences page; None without one."""
    text = page.get_data(as_text=True)
    found = re.search(
        r'<form method="post">\s*<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
        r'<input type="hidden" name="action" value="rejoin">\s*'
        r'<button type="submit">Subscribe again</button>',
        text,
    )
    return {"csrf_token": html.unescape(found.group(1)), "action": "rejoin"} if found else None


def test_an_unsubscribed_reader_subscribes_again_and_gets_the_next_edition(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path)
    first = build_and_send(config, NOW)
    sent = outbox(config, first)
    ann, bob = sorted(sent)[:2]
    unsubscribe = re.fullmatch(r"<(\S+)>", sent[ann]["List-Unsubscribe"].strip())
    assert unsubscribe
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()

    # One click in the mail program, then the page the reader sees.
    left = client.post(unsubscribe.group(1).removeprefix(BASE), data=ONE_CLICK, base_url=BASE)
    assert left.status_code == 200 and "You are unsubscribed" in _text(left)
    mistake = r'Unsubscribed by mistake\? <a href="([^"]+)">Subscribe again</a>'
    back = re.search(mistake, _text(left))
    assert back, _text(left)
    assert statuses(config)[ann]["status"] == "unsubscribed"

    page = client.get(back.group(1), base_url=BASE)
    assert page.status_code == 200 and "This address is unsubscribed" in _text(page)
    form = _rejoin_form(page)
    assert form is not None, _text(page)
    # A post without the page's CSRF token changes nothing.
    forged = client.post(back.group(1), data={"action": "rejoin"}, base_url=BASE)
    assert forged.status_code == 400
    assert statuses(config)[ann]["status"] == "unsubscribed"

    done = client.post(back.group(1), data=form, base_url=BASE)
    assert done.status_code == 303
    shown = client.get(done.headers["Location"], base_url=BASE)
    assert "You are subscribed again" in _text(shown)
    assert _rejoin_form(shown) is None
    assert statuses(config)[ann]["status"] == "active"
    app = App.from_config(config)
    sub = app.store.subscriber("daily", ann)
    assert sub is not None
    assert [(e.status, e.origin, e.detail) for e in app.store.events(sub.id)][-2:] == [
        ("unsubscribed", "web:unsubscribe", "List-Unsubscribe=One-Click"),
        ("active", "web:preferences", "subscribed again"),
    ]
    # Bob, who left too and did not come back, stays out.
    client.post(
        re.sub(r"^<|>$", "", sent[bob]["List-Unsubscribe"].strip()).removeprefix(BASE),
        data=ONE_CLICK,
        base_url=BASE,
    )

    add_article(config.parent, "harbour-bath-winter", "Harbour bath stays open all winter", NEXT)
    got = outbox(config, build_and_send(config, NEXT))
    assert ann in got and bob not in got


def test_a_bounced_or_complained_address_is_never_made_active_again(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra='[[lists]]\nname = "weekly"\n')
    app = App.from_config(config)
    carl, dora, emil = app.store.subscribers("daily")[:3]
    app.store.set_status(carl.id, "bounced", origin="smtp", now=NOW)
    app.store.set_status(dora.id, "complained", origin="arf", now=NOW)
    # Emil left this list; his address then bounced on another one.
    app.store.set_status(emil.id, "unsubscribed", origin="web:unsubscribe", now=NOW)
    (other,) = app.store.write_subscribers(
        "weekly", [{"email": emil.email, "name": "", "status": "active"}], origin="cli", now=NOW
    )
    assert other is not None
    app.store.set_status(other, "bounced", origin="smtp", now=NOW)
    web = create_app(App.from_config(config), clock=lambda: NOW)
    client = web.test_client()

    for sub, status in ((carl, "bounced"), (dora, "complained"), (emil, "unsubscribed")):
        url = f"/p/{app.tokens.make('preferences', sub.id)}"
        page = client.get(url, base_url=BASE)
        assert "This address is unsubscribed" in _text(page)
        assert _rejoin_form(page) is None, sub.email
        # The page offers no form at all; a post made by hand, with a CSRF token as
        # valid as a form's would be, changes nothing.
        with client.session_transaction(base_url=BASE) as cookie:
            cookie["csrf"] = "a-session-of-this-browser"
        with web.test_request_context():
            session["csrf"] = "a-session-of-this-browser"
            token = csrf_token(f"preferences:{sub.id}")
        data = {"csrf_token": token, "action": "rejoin"}
        refused = client.post(url, data=data, base_url=BASE)
        assert refused.status_code == 303
        shown = client.get(refused.headers["Location"], base_url=BASE)
        assert "cannot be subscribed again from here" in _text(shown)
        assert statuses(config)[sub.email]["status"] == status
