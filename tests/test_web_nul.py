"""A NUL in a query or form value is a 400 naming the field on the desk and the
archive (the public pages clean what a visitor types: test_security_public). On
PostgreSQL, whose text cannot hold NUL, the desk's list and subscriber filters, its
test send, its story added by hand and the login form each answered a 500 (DataError)
for one; SQLite looked the value up or stored it. The real Flask app, a real desk,
SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from pathlib import Path

from werkzeug.test import TestResponse

from digest.app import App
from digest.web import create_app
from tests.test_desk import EDITOR, PASSWORD, add_editor, payload
from tests.test_web_public import NOW, newsletter

BASE = "https://brief.example.org"


def _token(response: TestResponse) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert found, "no CSRF token in the page"
    return html.unescape(found.group(1))


def _refused(response: TestResponse, field: str) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert f"The field {field!r} holds a NUL character" in html.unescape(
        response.get_data(as_text=True)
    )


def test_a_nul_in_a_query_or_a_form_is_a_400_naming_the_field(tmp_path: Path, db_url: str) -> None:
    config = newsletter(tmp_path, database=db_url)
    add_editor(config)
    app = App.from_config(config)
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    before = payload(config, edition.id or 0)
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()

    visitor = client.get("/login", base_url=BASE)
    _refused(
        client.post(
            "/login",
            base_url=BASE,
            data={"csrf_token": _token(visitor), "email": "a\x00b@example.org", "password": "x"},
        ),
        "email",
    )
    _refused(client.get("/archive?list=da%00ily", base_url=BASE), "list")
    signed_in = client.post(
        "/login",
        base_url=BASE,
        data={"csrf_token": _token(visitor), "email": EDITOR, "password": PASSWORD},
    )
    assert signed_in.status_code == 303
    page = f"/editions/{edition.id}"
    for query, field in (
        ("/editions?list=da%00ily", "list"),
        (f"{page}?subscriber=a%00b@example.org", "subscriber"),
        (f"{page}/preview.html?subscriber=a%00b@example.org", "subscriber"),
    ):
        _refused(client.get(query, base_url=BASE), field)
    token = _token(client.get(page, base_url=BASE))
    _refused(
        client.post(
            f"{page}/test", base_url=BASE, data={"csrf_token": token, "subscriber": "a\x00b@x.org"}
        ),
        "subscriber",
    )
    _refused(
        client.post(
            f"{page}/add",
            base_url=BASE,
            data={"csrf_token": token, "how": "hand", "title": "Nul\x00here", "url": ""},
        ),
        "title",
    )
    assert payload(config, edition.id or 0) == before  # nothing was added or changed
    assert client.get(page, base_url=BASE).status_code == 200
