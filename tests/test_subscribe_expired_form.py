"""A subscribe form that went stale (left open past its token's age, or its browser lost
the session cookie) keeps what the reader typed and asks them to press Subscribe again.

Before, the reader got a bare 400 page ("This form has expired. Reload the page…") and
reloading cleared the address and name they had typed. The form now comes back with the
typed values, the reason, and a fresh token; nothing is subscribed until the reader
sends it again (the CSRF check still holds). The real Flask app, SQLite, the outbox.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from digest.app import App
from digest.web import create_app
from tests.test_web_public import NOW, _eventually, newsletter

BASE = "https://brief.example.org"
TYPED = {"list": "daily", "email": "late.reader@example.org", "name": "Late Reader"}


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return html.unescape(found.group(1))


def test_a_stale_form_comes_back_filled_in_and_then_subscribes(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    app = App.from_config(config)
    web = create_app(App.from_config(config), clock=lambda: NOW)
    old = web.test_client()
    stale = _token(old.get("/subscribe", base_url=BASE).get_data(as_text=True))

    reader = web.test_client()  # the browser was restarted: its session cookie is gone
    r = reader.post("/subscribe", data={**TYPED, "csrf_token": stale}, base_url=BASE)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'value="late.reader@example.org"' in page, page
    assert 'value="Late Reader"' in page
    assert "Reload the page" not in page  # the form is here: nothing to reload
    assert "expired" in page.lower()
    assert app.store.subscriber("daily", "late.reader@example.org") is None

    again = reader.post("/subscribe", data={**TYPED, "csrf_token": _token(page)}, base_url=BASE)
    assert again.status_code == 200, again.get_data(as_text=True)
    sub = _eventually(lambda: app.store.subscriber("daily", "late.reader@example.org"))
    assert sub is not None


def test_a_forged_token_still_subscribes_nobody(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    app = App.from_config(config)
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    client.get("/subscribe", base_url=BASE)
    r = client.post("/subscribe", data={**TYPED, "csrf_token": "forged.token"}, base_url=BASE)
    assert r.status_code == 400
    assert app.store.subscriber("daily", "late.reader@example.org") is None
