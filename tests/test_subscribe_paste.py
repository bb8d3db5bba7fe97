"""An address pasted into the subscribe form with invisible characters around it is taken.

Copying an address from a web page, a chat or a document often brings a zero-width
space, a byte order mark or a direction mark along at either end. Before, the form
refused it ("contains unsafe characters: ZERO WIDTH SPACE"): the reader could not see
what to remove, and the address looked right. Around the address they are dropped, as
spaces are; inside it they are still refused. The real Flask app, SQLite, the outbox.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from digest.app import App
from digest.subscribers import normalise_email
from digest.web import create_app
from tests.test_web_public import NOW, _eventually, newsletter

BASE = "https://brief.example.org"


@pytest.mark.parametrize(
    "pasted",
    [
        "\u200bnew.reader@example.org\u200b",  # zero-width spaces, from a web page
        "\ufeffnew.reader@example.org",  # a byte order mark, from a text file
        " new.reader@example.org\u200e ",  # a left-to-right mark, from a right-to-left text
        "\u00a0New.Reader@Example.org\u2060",  # no-break space, word joiner
    ],
)
def test_invisible_characters_around_a_pasted_address_are_dropped(
    tmp_path: Path, pasted: str
) -> None:
    config = newsletter(tmp_path)
    app = App.from_config(config)
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    form = client.get("/subscribe", base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    data = {"list": "daily", "email": pasted, "csrf_token": html.unescape(token.group(1))}
    r = client.post("/subscribe", data=data, base_url=BASE)
    assert r.status_code == 200, r.get_data(as_text=True)
    # The list does not set double_opt_in: the address is to confirm (test_optin_default).
    assert "Check your inbox" in r.get_data(as_text=True)
    sub = _eventually(lambda: app.store.subscriber("daily", "new.reader@example.org"))
    assert sub is not None and sub.status == "pending"


def test_an_invisible_character_inside_an_address_is_still_refused() -> None:
    with pytest.raises(Exception, match="ZERO WIDTH SPACE"):
        normalise_email("new.\u200breader@example.org")
