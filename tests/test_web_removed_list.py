"""Links from a list that has since been removed from `digest.toml` tell the truth.

Before, every page fell back to the newsletter's name for the missing list and spoke
as if it still went out: an old confirmation link confirmed the address and said it
"will receive The Test Brief from the next edition", an unsubscribed reader could
"subscribe again" and was told the same, and the web edition's "Subscribe" link led to
a 404 ("There is no such list."). Nothing of that list is sent any more. The real Flask
app, SQLite and the outbox transport; the links are taken from the messages.
"""

from __future__ import annotations

import html
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from werkzeug.test import TestResponse

from digest.app import App
from digest.subscribers import subscribe
from digest.web import create_app
from tests.test_web_public import NOW, ONE_CLICK, build_and_send, newsletter, outbox

BASE = "https://brief.example.org"
WEEKLY = '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'


def _text(response: TestResponse) -> str:
    page = re.sub(r"<style.*?</style>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _status(config: Path, email: str) -> str:
    sub = App.from_config(config).store.subscriber("weekly", email)
    assert sub is not None
    return sub.status


def _confirm_link(config: Path, email: str) -> str:
    for path in (config.parent / "outbox").glob("confirm-*.eml"):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        if msg["To"] == email:
            found = re.search(r"https://brief\.example\.org(/c/\S+)", msg.get_content())
            assert found
            return found.group(1)
    raise AssertionError(f"no confirmation mail to {email}")


def test_links_of_a_removed_list_never_say_it_will_come(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra=WEEKLY)
    app = App.from_config(config)
    for email in ("reader@example.org", "leaver@example.org", "late@example.org"):
        subscribe(app, "weekly", email, origin="web:subscribe", now=NOW)
    confirm = {e: _confirm_link(config, e) for e in ("reader@example.org", "leaver@example.org")}
    late = _confirm_link(config, "late@example.org")
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    for link in confirm.values():
        assert client.post(link, base_url=BASE).status_code == 200
    edition = build_and_send(config, NOW, "weekly")
    sent = outbox(config, edition)
    leaver = sent["leaver@example.org"]["List-Unsubscribe"].strip()[1:-1].removeprefix(BASE)
    assert client.post(leaver, data=ONE_CLICK, base_url=BASE).status_code == 200
    part = sent["leaver@example.org"].get_body(preferencelist=("html",))
    assert part is not None
    prefs = re.search(r'href="https://brief\.example\.org(/p/[^"]+)"', part.get_content())
    assert prefs
    # (The page's form, kept open in a tab while the list is removed.)
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', _html(client.get(prefs.group(1), base_url=BASE))
    )
    cookie = client.get_cookie("digest_session", domain="brief.example.org")
    assert token and cookie

    # The newsroom stops the weekly.
    text = config.read_text()
    config.write_text(text.replace(WEEKLY, ""))
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    client.set_cookie("digest_session", cookie.value, domain="brief.example.org")

    # Someone pending finds their confirmation link: it confirms nothing, promises nothing.
    page = client.get(late, base_url=BASE)
    assert "Confirm subscription" not in _text(page)
    assert "no longer sent" in _text(page), _text(page)
    done = client.post(late, base_url=BASE)
    assert "will receive" not in _text(done) and "confirmed" not in _text(done), _text(done)
    assert _status(config, "late@example.org") == "pending"

    # A subscriber opens their old confirmation link.
    again = client.get(confirm["reader@example.org"], base_url=BASE)
    assert "will receive" not in _text(again), _text(again)
    assert "no longer sent" in _text(again)

    # The reader who left is not offered to come back to a list that is gone.
    page = client.get(prefs.group(1), base_url=BASE)
    assert "Subscribe again" not in _text(page), _text(page)
    assert "no longer sent" in _text(page)
    data = {"csrf_token": html.unescape(token.group(1)), "action": "rejoin"}
    back = client.post(prefs.group(1), data=data, base_url=BASE)
    shown = client.get(back.headers["Location"], base_url=BASE)
    assert "You are subscribed again" not in _text(shown)
    assert _status(config, "leaver@example.org") == "unsubscribed"

    # The web edition stays public, and its Subscribe link leads to a form, not a 404.
    web_edition = client.get(f"/archive/{edition}", base_url=BASE)
    assert web_edition.status_code == 200
    subscribe_link = re.search(r'href="(/subscribe[^"]*)">Subscribe<', _html(web_edition))
    assert subscribe_link, _html(web_edition)
    form = client.get(html.unescape(subscribe_link.group(1)), base_url=BASE)
    assert form.status_code == 200, _text(form)


def _html(response: TestResponse) -> str:
    return response.get_data(as_text=True)
