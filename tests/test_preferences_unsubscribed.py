"""The preferences page of a reader who has unsubscribed offers to subscribe again, and
nothing that reads as if mail were still coming.

Before, under "This address is unsubscribed", the page still showed the whole form with
"Send me every edition" ticked, a "Save preferences" button that answered "Saved.", and
an "Unsubscribe" link: a reader could well believe saving had started mail again. The
real Flask app and SQLite.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from digest.app import App
from digest.web import create_app
from tests.test_web_public import NOW, newsletter

BASE = "https://brief.example.org"


def test_an_unsubscribed_reader_is_offered_to_subscribe_again_and_nothing_else(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path)
    app = App.from_config(config)
    sub = app.store.subscribers("daily")[0]
    app.store.set_status(sub.id, "unsubscribed", origin="test", now=NOW)
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    url = f"/p/{app.tokens.make('preferences', sub.id)}"

    page = client.get(url, base_url=BASE).get_data(as_text=True)
    assert "This address is unsubscribed" in page
    assert "Subscribe again" in page
    for misleading in ("Send me every edition", "Save preferences", "Unsubscribe from"):
        assert misleading not in page, misleading

    # A save sent anyway (a page left open from before): nothing saved, nothing said.
    token = html.unescape(re.findall(r'name="csrf_token" value="([^"]+)"', page)[0])
    form = {"csrf_token": token, "delivery": "active", "format": "text"}
    r = client.post(url, data=form, base_url=BASE, follow_redirects=True)
    assert "Saved." not in r.get_data(as_text=True)
    after = app.store.subscriber("daily", sub.email)
    assert after is not None and after.status == "unsubscribed" and after.format != "text"
