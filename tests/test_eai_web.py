"""Internationalised addresses (EAI) on the web: the subscribe form takes one (in a real
browser too: an `<input type="email">` refuses a local part that is not ASCII before
anything is posted), and the links in an edition to such a subscriber work: the
preferences page and a one-click unsubscribe POST, as a mail provider sends it.

Real parts: `digest serve` as a subprocess, Chromium through Playwright, the outbox.
"""

from __future__ import annotations

import re
from email import message_from_string, policy
from pathlib import Path

import httpx
import pytest

from digest.app import App
from tests.test_preferences_browser import chromium
from tests.test_web_public import (
    NOW,
    ONE_CLICK,
    _eventually,
    build_and_send,
    cli,
    local,
    newsletter,
    serving,
    statuses,
)

JOSE = "josé@example.com"
WEEKLY = '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'


def _copy_to(config: Path, edition: int, email: str) -> str:
    """The edition's message to `email` in the outbox, as text (its To: is UTF-8)."""
    (found,) = [
        data
        for f in (config.parent / "outbox").glob(f"{edition}-*.eml")
        if f" <{email}>\r\n".encode() in (data := f.read_bytes()).split(b"\r\n\r\n")[0]
    ]
    return found.decode("utf-8")


@pytest.mark.browser
def test_the_subscribe_form_in_chromium_takes_an_eai_address(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra=WEEKLY)
    app = App.from_config(config)
    with chromium() as browser, serving(config) as base:
        page = browser.new_page()
        page.goto(f"{base}/subscribe?list=weekly")
        page.get_by_label("Email address").fill(JOSE)
        page.get_by_label("Name (optional)").fill("José")
        page.get_by_role("button", name="Subscribe").click()
        assert "Check your inbox" in page.content()
        page.close()
        (mail,) = _eventually(lambda: list((config.parent / "outbox").glob("confirm-*.eml")))
    sub = app.store.subscriber("weekly", JOSE)
    assert sub is not None and (sub.status, sub.name) == ("pending", "José")
    msg = message_from_string(mail.read_bytes().decode("utf-8"), policy=policy.SMTPUTF8)
    assert msg["To"].addresses[0].addr_spec == JOSE


def test_an_eai_subscribers_preferences_and_one_click_unsubscribe_work(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    cli(config, "subscribers", "add", "José@example.com", "--list", "daily", "--name", "José")
    # Stored as typed (its case kept, NFC): see digest.subscribers.normalise_email.
    email = "José@example.com"
    first = build_and_send(config, NOW)
    msg = message_from_string(_copy_to(config, first, email), policy=policy.SMTPUTF8)
    assert msg["To"].addresses[0].addr_spec == email
    link = re.fullmatch(r"<(https://brief\.example\.org/u/\S+)>", msg["List-Unsubscribe"].strip())
    html = msg.get_body(preferencelist=("html",))
    assert link and html is not None
    prefs = re.search(r'href="(https://brief\.example\.org/p/[^"]+)"', html.get_content())
    assert prefs

    with serving(config) as base, httpx.Client(follow_redirects=False) as client:
        page = client.get(local(prefs.group(1), base))
        assert page.status_code == 200 and f"For {email} on" in page.text
        url = local(link.group(1), base)
        assert client.get(url).status_code == 200  # a link scanner's GET changes nothing
        assert statuses(config)[email]["status"] == "active"
        r = client.post(url, data=ONE_CLICK)  # the mail provider's POST
        assert r.status_code == 200 and "unsubscribed" in r.text
    assert statuses(config)[email]["status"] == "unsubscribed"
    app = App.from_config(config)
    sub = app.store.subscriber("daily", email)
    assert sub is not None
    assert [(e.status, e.origin) for e in app.store.events(sub.id)] == [
        ("active", "cli"),
        ("unsubscribed", "web:unsubscribe"),
    ]
