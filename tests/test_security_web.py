"""The web side as someone on the internet attacks it, through the real Flask app.

The subscribe form used to mail one victim many times (the victim's `+tag`s and Gmail
dots, posted from the many addresses of one IPv6 /64), and the archive's shared-cache
header on a response that carries an editor's session cookie.
"""

from __future__ import annotations

import time
from pathlib import Path

from flask.testing import FlaskClient

from digest.app import App
from digest.web import create_app
from tests.test_desk import EDITOR, PASSWORD, add_editor, token
from tests.test_security_public import WEEKLY, eventually
from tests.test_web_public import NOW, newsletter


def _confirmations(config: Path) -> list[Path]:
    return sorted((config.parent / "outbox").glob("confirm-*.eml"))


def _post(browser: FlaskClient, email: str, client: str) -> int:
    page = browser.get("/subscribe?list=weekly").get_data(as_text=True)
    r = browser.post(
        "/subscribe?list=weekly",
        data={"list": "weekly", "email": email, "csrf_token": token(page)},
        headers={"X-Forwarded-For": client},
    )
    return r.status_code


def test_one_inbox_gets_no_more_confirmations_through_tags_dots_or_ipv6(tmp_path: Path) -> None:
    config = newsletter(
        tmp_path,
        extra=WEEKLY
        + "[serve]\nproxies = 1\nsubscribe_address_limit = 2\nsubscribe_client_limit = 3\n",
    )
    web = create_app(App.from_config(config), clock=lambda: NOW)
    # One inbox, many spellings: plus tags, and dots Gmail ignores; each from a fresh
    # client address of the same IPv6 /64, which one attacker's machine holds whole.
    tagged = [f"victim+{i}@example.net" for i in range(6)]
    dotted = ["v.ictim@gmail.com", "vi.ctim@gmail.com", "victim+x@gmail.com", "v.i.ctim@gmail.com"]
    codes = [
        _post(web.test_client(), email, f"198.51.100.{i}")
        for i, email in enumerate(tagged + dotted)
    ]
    assert codes == [200, 200, 429, 429, 429, 429, 200, 200, 429, 429], codes
    eventually(lambda: len(_confirmations(config)) >= 4)
    # The per-client limit holds for a whole /64, whatever address of it is used.
    rotated = [
        _post(web.test_client(), f"stranger{i}@example.org", f"2001:db8:1:2::{i + 1:x}")
        for i in range(6)
    ]
    assert rotated == [200, 200, 200, 429, 429, 429], rotated
    # Another network still gets through.
    assert _post(web.test_client(), "someone@example.org", "2001:db8:9:9::1") == 200
    eventually(lambda: len(_confirmations(config)) >= 8)
    time.sleep(0.5)
    assert len(_confirmations(config)) == 8  # 2 + 2 to the two victims, 3 + 1 strangers


def test_one_yahoo_inbox_gets_no_more_confirmations_through_its_disposable_addresses(
    tmp_path: Path,
) -> None:
    """Yahoo's disposable addresses (`base-keyword@yahoo.com`) all reach one inbox: they
    count as one address, as `+tags` do. Before, each keyword got its own two."""
    config = newsletter(
        tmp_path,
        extra=WEEKLY
        + "[serve]\nproxies = 1\nsubscribe_address_limit = 2\nsubscribe_client_limit = 50\n",
    )
    web = create_app(App.from_config(config), clock=lambda: NOW)
    spellings = [f"victim-{word}@yahoo.com" for word in ("news", "shop", "bank", "x")]
    spellings += ["victim-y@ymail.com", "victim-z@ymail.com", "victim-a@yahoo.co.uk"]
    codes = [
        _post(web.test_client(), email, f"198.51.100.{i}") for i, email in enumerate(spellings)
    ]
    assert codes == [200, 200, 429, 429, 200, 200, 200], codes


def test_an_editors_session_cookie_is_never_in_a_publicly_cacheable_answer(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    web = create_app(App.from_config(config), clock=lambda: NOW)
    anonymous = web.test_client()
    r = anonymous.get("/archive")
    # A visitor without a cookie gets a page a shared cache may keep.
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in r.headers
    editor = web.test_client()
    form = editor.get("/login").get_data(as_text=True)
    r = editor.post(
        "/login", data={"csrf_token": token(form), "email": EDITOR, "password": PASSWORD}
    )
    assert r.status_code == 303
    for path in ("/archive", "/archive.atom", "/subscribe"):
        r = editor.get(path)
        assert r.status_code == 200, path
        if "Set-Cookie" in r.headers:
            # A proxy that keeps this answer would hand the editor's login to everyone.
            cache = r.headers.get("Cache-Control", "")
            assert "public" not in cache and ("private" in cache or "no-store" in cache), (
                path,
                cache,
            )


def test_one_eai_inbox_gets_no_more_confirmations_through_the_case_of_its_letters(
    tmp_path: Path,
) -> None:
    """`José@`, `JOSÉ@`, `josé@`… reach one inbox at virtually every server: the
    per-inbox limit counts them as one address, as it does `Ann@` and `ann@`, and they
    are one subscriber (mailed as first typed), whose confirmation is not sent again
    within minutes. Before, each case variant (16 for `josé`) got its own two
    confirmations. Lower-casing, not case folding (revision 0013): `σίσυφοσ`, its final
    letter a medial sigma, is another spelling than `σίσυφος`, as `strasse` is not
    `straße`, so it is a second inbox with its own limit."""
    config = newsletter(
        tmp_path,
        extra=WEEKLY
        + "[serve]\nproxies = 1\nsubscribe_address_limit = 2\nsubscribe_client_limit = 50\n",
    )
    web = create_app(App.from_config(config), clock=lambda: NOW)
    spellings = ["josé@example.net", "José@example.net", "JOSÉ@example.net", "JoSé@example.net"]
    spellings += ["ΣΊΣΥΦΟΣ@example.net", "σίσυφος@example.net", "σίσυφοσ@example.net"]
    codes = [
        _post(web.test_client(), email, f"198.51.100.{i}") for i, email in enumerate(spellings)
    ]
    assert codes == [200, 200, 429, 429, 200, 200, 200], codes
    eventually(lambda: len(_confirmations(config)) >= 3)
    time.sleep(0.5)
    assert len(_confirmations(config)) == 3  # one per inbox
    app = App.from_config(config)
    assert [s.email for s in app.store.subscribers("weekly")] == [
        "josé@example.net",
        "ΣΊΣΥΦΟΣ@example.net",
        "σίσυφοσ@example.net",
    ]
