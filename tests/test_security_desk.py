"""The editor desk under attack and under load, over real HTTP.

Login guessing in parallel (the attempt is reserved before the password hash), a
reverse proxy in front (X-Forwarded-For trusted only when configured), two `digest
serve` processes curating one edition at once (row versions: every edit is stored or
answered 409, none silently lost), a session cookie replayed after logout, and "add a
story by URL" pointed at loopback and private addresses (SSRF).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from digest.app import App
from tests.test_desk import (
    ARTICLE,
    EDITOR,
    PASSWORD,
    Clock,
    add_editor,
    build,
    client,
    login,
    payload,
    running,
    story_keys,
    token,
)
from tests.test_web_public import NOW, newsletter, serving


def _login_with(
    c: httpx.Client, headers: dict[str, str], email: str = EDITOR, password: str = PASSWORD
) -> httpx.Response:
    form = c.get("/login", headers=headers)
    assert form.status_code == 200
    return c.post(
        "/login",
        data={"csrf_token": token(form.text), "email": email, "password": password},
        headers=headers,
    )


# -- login throttling ---------------------------------------------------------------------
def test_forty_parallel_guesses_reach_the_password_check_at_most_five_times(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path, extra="[serve]\nlogin_window_seconds = 60\n")
    add_editor(config)
    clock = Clock(NOW)
    with running(config, clock) as base:
        guessers = [client(base) for _ in range(40)]
        forms = [token(g.get("/login").text) for g in guessers]
        start = threading.Barrier(40)

        def guess(i: int) -> int:
            start.wait()
            r = guessers[i].post(
                "/login",
                data={"csrf_token": forms[i], "email": EDITOR, "password": f"guess {i}"},
            )
            return r.status_code

        with ThreadPoolExecutor(40) as pool:
            codes = list(pool.map(guess, range(40)))
        for g in guessers:
            g.close()
        # 401: the guess reached the password check. 429: refused before it.
        assert set(codes) <= {401, 429}, codes
        assert codes.count(401) <= 5, codes
        assert codes.count(429) >= 35, codes
        # The editor is locked out for the (short) window, then logs in as usual.
        with client(base) as c:
            assert login(c).status_code == 429
        clock.now = NOW + timedelta(seconds=61)
        with client(base) as c:
            assert login(c).status_code == 303
            assert c.get("/editions").status_code == 200


def test_behind_a_proxy_each_client_has_its_own_limit(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra="[serve]\nproxies = 1\nlogin_client_limit = 3\n")
    add_editor(config)
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    with running(config) as base, client(base) as c:
        # One client sprays guesses over many addresses: its own limit stops it.
        for i in range(3):
            assert _login_with(c, attacker, f"guess{i}@example.org", "x" * 12).status_code == 401
        assert _login_with(c, attacker, "guess9@example.org", "x" * 12).status_code == 429
        assert _login_with(c, attacker).status_code == 429  # even with the right password
        # The editor comes through the same proxy (the same peer address), from elsewhere.
        with client(base) as editor:
            ok = _login_with(editor, {"X-Forwarded-For": "198.51.100.7"})
            assert ok.status_code == 303
            assert editor.get("/editions").status_code == 200


def test_without_a_proxy_configured_x_forwarded_for_is_not_trusted(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra="[serve]\nlogin_client_limit = 3\n")
    add_editor(config)
    with running(config) as base, client(base) as c:
        for i in range(3):
            spoof = {"X-Forwarded-For": f"203.0.113.{i}"}
            assert _login_with(c, spoof, f"guess{i}@example.org", "x" * 12).status_code == 401
        # A new X-Forwarded-For each time does not make a new client.
        spoof = {"X-Forwarded-For": "203.0.113.77"}
        assert _login_with(c, spoof, "guess7@example.org", "x" * 12).status_code == 429


# -- curation from two processes -------------------------------------------------------------
def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "no version field in the edition page"
    return found.group(1)


def _cookie_of(c: httpx.Client) -> str:
    """The session cookie as the browser holds it (with its CSRF id, made by a page)."""
    assert c.get("/editions").status_code == 200
    r = c.get("/editions")
    assert r.status_code == 200
    return str(r.request.headers["Cookie"])


def test_two_serve_processes_lose_no_curation_edit(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    keys = story_keys(config, eid)
    with serving(config) as one, serving(config) as two:
        bases = [one, two]
        cookies = []
        for base in bases:
            with client(base) as c:
                assert login(c).status_code == 303
                cookies.append(_cookie_of(c))
        start = threading.Barrier(20)
        outcomes: dict[int, list[int]] = {i: [] for i in range(20)}

        def edit(i: int) -> None:
            base = bases[i % 2]
            with httpx.Client(base_url=base, headers={"Cookie": cookies[i % 2]}, timeout=60) as c:
                page = c.get(f"/editions/{eid}")
                start.wait()
                for _ in range(60):
                    assert page.status_code == 200
                    r = c.post(
                        f"/editions/{eid}/stories",
                        data={
                            "csrf_token": token(page.text),
                            "version": _version(page.text),
                            "action": "edit",
                            "key": keys[i % len(keys)],
                            "title": f"Edit number {i}",
                        },
                    )
                    outcomes[i].append(r.status_code)
                    if r.status_code == 303:
                        return
                    assert r.status_code == 409, r.text
                    # One editor, logged in twice: their own other session.
                    assert "You changed edition" in html.unescape(r.text)
                    page = c.get(f"/editions/{eid}")  # the losing editor reloads and retries

        with ThreadPoolExecutor(20) as pool:
            list(pool.map(edit, range(20)))
    stored = App.from_config(config).store.overrides(eid)["operations"]
    titles = sorted(op["title"] for op in stored if op["op"] == "edit")
    told_stored = sorted(f"Edit number {i}" for i, codes in outcomes.items() if 303 in codes)
    # Every edit answered "stored" is stored, exactly once; every other one was told so.
    assert titles == told_stored
    assert len(titles) == 20, outcomes
    # All twenty loaded the same version: one wins each round, the others are told.
    assert sum(codes.count(409) for codes in outcomes.values()) >= 19


def test_a_stale_form_gets_a_409_and_changes_nothing(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    keys = story_keys(config, eid)
    with running(config) as base, client(base) as a, client(base) as b:
        assert login(a).status_code == 303
        assert login(b).status_code == 303
        page_a = a.get(f"/editions/{eid}").text
        page_b = b.get(f"/editions/{eid}").text
        assert _version(page_a) == _version(page_b)
        fields = {"action": "drop", "key": keys[0]}
        r = a.post(
            f"/editions/{eid}/stories",
            data={"csrf_token": token(page_a), "version": _version(page_a), **fields},
        )
        assert r.status_code == 303
        after_a = payload(config, eid)
        # B still looks at the page from before A's drop: B's undo would take back A's work.
        r = b.post(
            f"/editions/{eid}/undo",
            data={"csrf_token": token(page_b), "version": _version(page_b)},
        )
        assert r.status_code == 409
        assert "You changed edition" in html.unescape(r.text)  # A and B: one editor
        assert f"/editions/{eid}" in r.text  # a way back to the fresh page
        assert payload(config, eid) == after_a
        # After a reload, B's undo goes through.
        fresh = b.get(f"/editions/{eid}").text
        r = b.post(
            f"/editions/{eid}/undo", data={"csrf_token": token(fresh), "version": _version(fresh)}
        )
        assert r.status_code == 303
        assert story_keys(config, eid)[0] == keys[0]


# -- sessions ---------------------------------------------------------------------------------
def test_a_cookie_replayed_after_logout_is_logged_out(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    with running(config) as base, client(base) as c:
        assert login(c).status_code == 303
        stolen = _cookie_of(c)
        page = c.get("/editions")
        assert c.post("/logout", data={"csrf_token": token(page.text)}).status_code == 303
        with httpx.Client(base_url=base, headers={"Cookie": stolen}) as thief:
            r = thief.get("/editions")
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
        # Logging in again works, with a new cookie.
        assert login(c).status_code == 303
        assert c.get("/editions").status_code == 200
        with httpx.Client(base_url=base, headers={"Cookie": stolen}) as thief:
            assert thief.get("/editions").status_code == 303


def test_an_editor_stays_logged_in_through_a_key_rotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = "o" * 20 + "ld-signing-key-0123456789", "n" * 20 + "ew-signing-key-0123456789"
    monkeypatch.setenv("DIGEST_SECRET_KEY", old)
    config = newsletter(tmp_path)
    add_editor(config)
    with running(config) as base, client(base) as c:
        assert login(c).status_code == 303
        cookie = _cookie_of(c)
    monkeypatch.setenv("DIGEST_SECRET_KEY", new)
    monkeypatch.setenv("DIGEST_SECRET_KEY_OLD", old)
    with running(config) as base, httpx.Client(base_url=base, headers={"Cookie": cookie}) as c:
        assert c.get("/editions").status_code == 200  # the retired key still verifies
    monkeypatch.delenv("DIGEST_SECRET_KEY_OLD")
    with running(config) as base, httpx.Client(base_url=base, headers={"Cookie": cookie}) as c:
        assert c.get("/editions").status_code == 303  # retired for good: log in again


# -- add a story by URL: no fetches of private addresses ---------------------------------------
class _Counting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    body = ARTICLE
    redirect: str | None = None

    def do_GET(self) -> None:
        type(self).hits.append(f"{self.server.server_address[0]}{self.path}")
        if self.redirect and self.path == "/hop":
            self.send_response(302)
            self.send_header("Location", self.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _pages(host: str = "127.0.0.1") -> Iterator[int]:
    server = ThreadingHTTPServer((host, 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_add_by_url_refuses_loopback_and_private_addresses(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    before = payload(config, eid)
    _Counting.hits = []
    with _pages() as port, running(config) as base, client(base) as c:
        assert login(c).status_code == 303
        for url in (
            f"http://127.0.0.1:{port}/ferry",
            f"http://localhost:{port}/ferry",  # a name that resolves to loopback
            f"http://[::1]:{port}/ferry",
            f"http://2130706433:{port}/ferry",  # 127.0.0.1 as one number
            "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
            "http://10.0.0.1/",
            "http://192.168.1.1/",
            "http://[fd00::1]/",
            "http://224.0.0.1/",
            "http://0.0.0.0/",
        ):
            page = c.get(f"/editions/{eid}")
            r = c.post(
                f"/editions/{eid}/add",
                data={"csrf_token": token(page.text), "how": "url", "url": url},
            )
            assert r.status_code == 303, url
            shown = html.unescape(c.get(r.headers["location"]).text)
            assert "not a public address" in shown, url
    assert _Counting.hits == []
    assert payload(config, eid) == before


def test_add_by_url_is_allowed_to_private_hosts_when_configured(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra="[serve]\nallow_private_fetch = true\n")
    add_editor(config)
    eid = build(config)
    _Counting.hits = []
    with _pages() as port, running(config) as base, client(base) as c:
        assert login(c).status_code == 303
        page = c.get(f"/editions/{eid}")
        r = c.post(
            f"/editions/{eid}/add",
            data={
                "csrf_token": token(page.text),
                "how": "url",
                "url": f"http://127.0.0.1:{port}/x",
            },
        )
        assert r.status_code == 303
    assert _Counting.hits == ["127.0.0.1/x"]
    data = payload(config, eid)
    assert data["teasers"][0]["title"] == "Ferry to Bornholm doubles its winter sailings"  # type: ignore[index]


def test_each_redirect_is_checked_again() -> None:
    from digest.web.fetch_guard import PrivateAddress, fetch_page

    # The policy here allows 127.0.0.1 (the first hop) but not 127.0.0.2: the redirect
    # to 127.0.0.2 is refused before any connection is made to it.
    def allowed(address: str) -> bool:
        return address == "127.0.0.1"

    _Counting.hits = []
    try:
        second = _pages("127.0.0.2")
        second_port = second.__enter__()
    except OSError:  # pragma: no cover - a system without all of 127/8 on loopback
        pytest.skip("127.0.0.2 is not a loopback address here")
    try:
        with _pages() as port:
            _Counting.redirect = f"http://127.0.0.2:{second_port}/ferry"
            with pytest.raises(PrivateAddress, match=r"127\.0\.0\.2"):
                fetch_page(f"http://127.0.0.1:{port}/hop", allowed=allowed)
            _Counting.redirect = f"http://127.0.0.1:{port}/ferry"
            got = fetch_page(f"http://127.0.0.1:{port}/hop", allowed=allowed)
            assert got.url.endswith("/ferry") and b"Bornholm" in got.body
    finally:
        _Counting.redirect = None
        second.__exit__(None, None, None)
    assert all(not h.startswith("127.0.0.2") for h in _Counting.hits)


def test_what_counts_as_public() -> None:
    from digest.web.fetch_guard import is_public

    for address in ("93.184.216.34", "2606:4700::1111", "8.8.8.8"):
        assert is_public(address), address
    for address in (
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "fe80::1",
        "fd12::1",
        "224.0.0.251",
        "0.0.0.0",
        "100.64.0.1",  # carrier-grade NAT
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "240.0.0.1",
        "255.255.255.255",
    ):
        assert not is_public(address), address


def test_reservations_are_atomic_on_both_databases(db_url: str) -> None:
    """Forty reservations at once, from forty connections: exactly the limit succeed,
    and a new window starts after the old one ends."""
    from digest.store import Store

    store = Store(db_url)
    store.migrate()
    window = timedelta(minutes=1)
    start = threading.Barrier(40)

    def one(_: int) -> bool:
        start.wait()
        return store.reserve("login:address", EDITOR, limit=5, window=window, now=NOW)

    try:
        with ThreadPoolExecutor(40) as pool:
            got = list(pool.map(one, range(40)))
        assert got.count(True) == 5
        assert not store.reserve("login:address", EDITOR, limit=5, window=window, now=NOW)
        assert store.reserve("login:client", EDITOR, limit=5, window=window, now=NOW)
        later = NOW + window + timedelta(seconds=1)
        assert store.reserve("login:address", EDITOR, limit=5, window=window, now=later)
    finally:
        store.close()
