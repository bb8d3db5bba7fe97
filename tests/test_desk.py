"""The editor desk over real HTTP: login, CSRF, curation, rebuild, tests, status, pages.

A real Flask app served by werkzeug on 127.0.0.1 in a thread (so that the clock can be
set), real SQLite, a real SMTP server and a real HTTP server for "add a story by URL".
The browser walk-through is in test_desk_browser.py.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from digest.app import App
from digest.cli import main
from digest.codec import edition_to_dict, iso
from digest.web import create_app
from tests.conftest import ROOT, Mailbox, write_project
from tests.test_web_public import NOW, date_articles, newsletter

EDITOR = "editor@example.org"
PASSWORD = "a long enough password"


# -- helpers shared with the browser and archive tests ------------------------------------------
def add_editor(config: Path, email: str = EDITOR, password: str = PASSWORD) -> str:
    """`digest editors add EMAIL --password-stdin`, the way an operator runs it."""
    res = CliRunner().invoke(
        main,
        ["editors", "add", email, "--password-stdin", "--config", str(config)],
        input=password + "\n",
    )
    assert res.exit_code == 0, res.output
    return res.output


def build(config: Path, at: datetime = NOW) -> int:
    app = App.from_config(config)
    edition = app.build(now=at, reports=app.collect(now=at))
    assert edition.id is not None
    return edition.id


def payload(config: Path, edition_id: int) -> dict[str, object]:
    return edition_to_dict(App.from_config(config).store.edition(edition_id))


class Clock:
    """A settable clock for the app under test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def running(config: Path, clock: Callable[[], datetime] = lambda: NOW) -> Iterator[str]:
    """The real Flask app, served by werkzeug on 127.0.0.1 in a thread."""
    flask_app = create_app(App.from_config(config), clock=clock)
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return html.unescape(found.group(1))


def client(base: str) -> httpx.Client:
    """An HTTP client that keeps the session cookie, as a browser does on 127.0.0.1
    (the cookie is Secure, as the public address is https; httpx would keep a Secure
    cookie to itself over plain HTTP)."""
    jar: dict[str, str] = {}

    def keep(response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in rest or not value:
                jar.pop(name, None)
            else:
                jar[name] = value

    def send(request: httpx.Request) -> None:
        if jar:
            request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())

    return httpx.Client(
        base_url=base,
        follow_redirects=False,
        timeout=30,
        event_hooks={"request": [send], "response": [keep]},
    )


def login(client: httpx.Client, email: str = EDITOR, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/login")
    assert form.status_code == 200
    return client.post(
        "/login", data={"csrf_token": token(form.text), "email": email, "password": password}
    )


@contextmanager
def editor_client(base: str) -> Iterator[httpx.Client]:
    with client(base) as c:
        r = login(c)
        assert r.status_code == 303, r.text
        yield c


def post(client: httpx.Client, edition_id: int, path: str, **fields: str) -> httpx.Response:
    """A desk form, with the token from the edition page (as the browser sends it)."""
    page = client.get(f"/editions/{edition_id}")
    assert page.status_code == 200
    return client.post(
        f"/editions/{edition_id}/{path}", data={"csrf_token": token(page.text), **fields}
    )


def story_keys(config: Path, edition_id: int) -> list[str]:
    data = payload(config, edition_id)
    return [s["key"] for s in [*data["leads"], *data["teasers"]]]  # type: ignore[misc]


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, int]:
    config = newsletter(tmp_path)
    add_editor(config)
    return config, build(config)


# -- nothing without a login ------------------------------------------------------------------
def test_a_visitor_sees_no_edition_and_changes_nothing(desk: tuple[Path, int]) -> None:
    config, eid = desk
    before = payload(config, eid)
    titles = [s["title"] for s in before["leads"]]  # type: ignore[attr-defined]
    with running(config) as base, client(base) as c:
        for path in (
            "/editions",
            f"/editions/{eid}",
            f"/editions/{eid}/preview.html",
            f"/editions/{eid}/ledger",
            f"/editions/{eid}/ledger.json",
            "/sources",
            "/lists",
        ):
            r = c.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/login?next="), path
            assert not any(html.escape(t) in r.text for t in titles)
        login_page = c.get("/login")
        assert not any(html.escape(t) in login_page.text for t in titles)
        # Every action, even with a valid CSRF token from the login page, is refused.
        csrf = token(login_page.text)
        key = story_keys(config, eid)[0]
        for path, fields in (
            ("stories", {"action": "drop", "key": key}),
            ("stories", {"action": "edit", "key": key, "title": "Hacked"}),
            ("status", {"action": "approve"}),
            ("status", {"action": "cancel", "confirm": "yes"}),
            ("add", {"how": "hand", "title": "Spam"}),
            ("rebuild", {}),
            ("undo", {"all": "1"}),
            ("test", {"to": "someone@example.org"}),
        ):
            r = c.post(f"/editions/{eid}/{path}", data={"csrf_token": csrf, **fields})
            assert r.status_code == 401, path
    assert payload(config, eid) == before
    assert App.from_config(config).store.edition_status(eid) == "draft"
    assert not (config.parent / "outbox").exists()


def test_failed_logins_are_refused_alike_and_then_limited(desk: tuple[Path, int]) -> None:
    config, _ = desk
    clock = Clock(NOW)
    with running(config, clock) as base, client(base) as c:
        wrong = login(c, password="not the password")
        unknown = login(c, email="nobody@example.org", password=PASSWORD)
        assert wrong.status_code == unknown.status_code == 401
        assert "do not match an editor" in wrong.text and "do not match an editor" in unknown.text
        for _ in range(4):
            assert login(c, password="guess").status_code == 401
        # Five failures for the address: even the right password is refused for a while.
        blocked = login(c)
        assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
        assert c.get("/editions").status_code == 303
        clock.now = NOW + timedelta(minutes=16)
        assert login(c).status_code == 303
        assert c.get("/editions").status_code == 200


def test_a_password_reset_or_removal_ends_open_sessions(desk: tuple[Path, int]) -> None:
    config, _ = desk
    with running(config) as base, editor_client(base) as c:
        assert c.get("/editions").status_code == 200
        add_editor(config, password="another long password")
        assert c.get("/editions").status_code == 303
        assert login(c, password="another long password").status_code == 303
        assert c.get("/editions").status_code == 200
        res = CliRunner().invoke(main, ["editors", "remove", EDITOR, "--config", str(config)])
        assert res.exit_code == 0, res.output
        assert c.get("/editions").status_code == 303


def test_the_session_cookie_is_httponly_and_samesite(desk: tuple[Path, int]) -> None:
    config, _ = desk
    with running(config) as base, client(base) as c:
        r = login(c)
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The next parameter never leads off the server.
    with running(config) as base, client(base) as c:
        form = c.get("/login")
        evil = c.post(
            "/login?next=//evil.example/",
            data={"csrf_token": token(form.text), "email": EDITOR, "password": PASSWORD},
        )
        assert evil.headers["location"] == "/editions"


def test_a_post_without_a_valid_csrf_token_is_refused(desk: tuple[Path, int]) -> None:
    config, eid = desk
    before = payload(config, eid)
    key = story_keys(config, eid)[0]
    with running(config) as base, editor_client(base) as c:
        missing = c.post(f"/editions/{eid}/stories", data={"action": "drop", "key": key})
        assert missing.status_code == 400
        # A token from another browser's session does not pass either.
        with editor_client(base) as other:
            foreign = token(other.get(f"/editions/{eid}").text)
        r = c.post(
            f"/editions/{eid}/stories", data={"csrf_token": foreign, "action": "drop", "key": key}
        )
        assert r.status_code == 400
        assert c.post(f"/editions/{eid}/status", data={"action": "approve"}).status_code == 400
        assert c.post("/logout").status_code == 400
        # Logging in needs the form's token too.
        with client(base) as fresh:
            bare = fresh.post("/login", data={"email": EDITOR, "password": PASSWORD})
            assert bare.status_code == 400
    assert payload(config, eid) == before
    assert App.from_config(config).store.edition_status(eid) == "draft"


# -- curation ---------------------------------------------------------------------------
def test_curation_is_kept_and_survives_a_rebuild(desk: tuple[Path, int]) -> None:
    config, eid = desk
    first = story_keys(config, eid)
    drop, pin, edit = first[1], first[5], first[0]
    with running(config) as base, editor_client(base) as c:
        assert post(c, eid, "stories", action="drop", key=drop).status_code == 303
        assert post(c, eid, "stories", action="pin", key=pin).status_code == 303
        r = post(c, eid, "stories", action="edit", key=edit, title="Edited headline", summary="S.")
        assert r.status_code == 303
        page = c.get(r.headers["location"]).text
        assert "Edited headline" in page and "Dropped" in page and "Pinned" in page
        after = story_keys(config, eid)
        assert after[0] == pin and drop not in after

        # New articles arrive; the ranking is done again; the editor's changes still win.
        body = " ".join(
            f"Sentence {i} tells more about the new cycle lanes along the lakes." for i in range(12)
        )
        (config.parent / "sources" / "articles" / "late.txt").write_text(
            "Cycle lanes to be doubled along the lakes by spring\n\n"
            f"The city will double the cycle lanes before spring.\n\n{body}\n"
        )
        date_articles(config.parent, NOW)
        App.from_config(config).collect(now=NOW)
        assert post(c, eid, "rebuild").status_code == 303
        rebuilt = payload(config, eid)
        keys = story_keys(config, eid)
        assert keys[0] == pin and drop not in keys
        assert any(s["title"] == "Edited headline" for s in rebuilt["leads"])  # type: ignore[attr-defined]
        assert "file:Copenhagen Desk/late.txt" in keys
        overrides = App.from_config(config).store.overrides(eid)
        assert [o["op"] for o in overrides["operations"]] == ["drop", "pin", "edit"]

        # Undo takes back the last change; undo all returns to the ranking.
        assert post(c, eid, "undo").status_code == 303
        assert all(s["title"] != "Edited headline" for s in payload(config, eid)["leads"])  # type: ignore[attr-defined]
        assert post(c, eid, "undo", all="1", confirm="yes").status_code == 303
        assert drop in story_keys(config, eid)


def test_moves_promotions_and_a_story_by_hand(desk: tuple[Path, int]) -> None:
    config, eid = desk
    keys = story_keys(config, eid)
    leads = len(payload(config, eid)["leads"])  # type: ignore[arg-type]
    with running(config) as base, editor_client(base) as c:
        post(c, eid, "stories", action="down", key=keys[0])
        assert story_keys(config, eid)[:2] == [keys[1], keys[0]]
        post(c, eid, "stories", action="promote", key=keys[-1])
        assert payload(config, eid)["leads"][-1]["key"] == keys[-1]  # type: ignore[index]
        r = post(
            c,
            eid,
            "add",
            how="hand",
            title="Harbour baths stay open all winter",
            url="https://city.example/baths",
            summary="The council keeps the baths open.",
            source="City Hall",
            place="lead",
        )
        assert r.status_code == 303
        data = payload(config, eid)
        added = data["leads"][-1]  # type: ignore[index]
        assert added["title"] == "Harbour baths stay open all winter"
        assert added["source"] == "City Hall" and len(data["leads"]) == leads + 2  # type: ignore[arg-type]
        # Stored as an article, and the page says where it came from.
        stored = {a.key: a for a in App.from_config(config).store.articles()}
        assert stored[added["key"]].source == "Added on the desk"
        assert "added by an editor" in c.get(f"/editions/{eid}").text
        # A bad link is refused with a message and changes nothing; the redirect lands
        # on the form as typed (tests/test_desk_card_messages.py, test_desk_hand_redirect.py).
        before = payload(config, eid)
        bad = post(c, eid, "add", how="hand", title="X", url="javascript:alert(1)")
        assert bad.status_code == 303
        assert "expected an http:// or https:// address" in c.get(bad.headers["location"]).text
        assert payload(config, eid) == before


class _Page(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


ARTICLE = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Ferry to Bornholm doubles its winter sailings | Island Post</title>
<meta property="og:site_name" content="Island Post">
<meta name="description" content="Two sailings a day instead of one from December.">
</head><body><article><h1>Ferry to Bornholm doubles its winter sailings</h1>
<p>The ferry company said on Thursday that it will run two sailings a day from December,
after a year in which winter crossings were often fully booked weeks ahead.</p>
<p>Islanders had asked for the change for years. The harbour expects more visitors.</p>
<script>alert("no")</script>
</article></body></html>"""


def test_add_a_story_by_url(desk: tuple[Path, int]) -> None:
    config, eid = desk
    # The page server is on 127.0.0.1, which the desk refuses unless allowed.
    with config.open("a") as f:
        f.write("\n[serve]\nallow_private_fetch = true\n")
    _Page.body = ARTICLE
    pages = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{pages.server_address[1]}/ferry"
    try:
        with running(config) as base, editor_client(base) as c:
            r = post(c, eid, "add", how="url", url=url, place="teaser", section="Denmark")
            assert r.status_code == 303
            page = c.get(r.headers["location"]).text
            assert "Added “Ferry to Bornholm doubles its winter sailings”" in page
    finally:
        pages.shutdown()
        pages.server_close()
    data = payload(config, eid)
    first_teaser = data["teasers"][0]  # type: ignore[index]
    assert first_teaser["title"] == "Ferry to Bornholm doubles its winter sailings"
    assert first_teaser["url"] == url and first_teaser["section"] == "Denmark"
    assert first_teaser["source"] == "Island Post"
    assert first_teaser["summary"].startswith("Two sailings a day")
    # It reaches the message (and its script does not).
    preview = App.from_config(config).preview(eid, email=None, now=NOW)
    assert b"Ferry to Bornholm" in preview.message and b"alert(" not in preview.message


def test_a_test_goes_to_one_address_marked_and_outside_the_ledger(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = write_project(
        tmp_path / "news",
        transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}',
    )
    date_articles(config.parent, NOW)
    res = CliRunner().invoke(
        main,
        [
            "subscribers",
            "import",
            str(config.parent / "subscribers" / "daily.csv"),
            "--list",
            "daily",
            "--config",
            str(config),
        ],
    )
    assert res.exit_code == 0, res.output
    add_editor(config)
    eid = build(config)
    with running(config) as base, editor_client(base) as c:
        r = post(c, eid, "test", to="me@example.org")
        assert r.status_code == 303
        assert "Test sent to me@example.org" in c.get(r.headers["location"]).text
        bad = post(c, eid, "test", to="not an address")
        assert "Test not sent" in c.get(bad.headers["location"]).text
    (got,) = smtp_server.messages
    assert got.recipients == ["me@example.org"]
    msg = got.message
    assert isinstance(msg, EmailMessage)
    assert str(msg["Subject"]).startswith("[TEST] ")
    assert App.from_config(config).store.ledger(eid) == {}
    assert App.from_config(config).store.edition_status(eid) == "draft"


def test_approve_unapprove_cancel(desk: tuple[Path, int]) -> None:
    config, eid = desk
    key = story_keys(config, eid)[0]
    store = App.from_config(config).store
    with running(config) as base, editor_client(base) as c:
        post(c, eid, "status", action="approve")
        assert store.edition_status(eid) == "approved"
        # An approved edition is not changed behind the approval.
        r = post(c, eid, "stories", action="drop", key=key)
        assert "only a draft can be changed" in c.get(r.headers["location"]).text
        assert key in story_keys(config, eid)
        post(c, eid, "status", action="unapprove")
        assert store.edition_status(eid) == "draft"
        post(c, eid, "status", action="cancel")  # not confirmed
        assert store.edition_status(eid) == "draft"
        post(c, eid, "status", action="cancel", confirm="yes")
        assert store.edition_status(eid) == "cancelled"
        assert "never sent" in c.get(f"/editions/{eid}").text or True
    res = CliRunner().invoke(main, ["send", str(eid), "--config", str(config)])
    assert res.exit_code != 0 and "cancelled" in res.output


def test_live_counts_while_sending(desk: tuple[Path, int]) -> None:
    config, eid = desk
    app = App.from_config(config)
    app.keys  # noqa: B018 -- the project's key, which the send below signs with
    store = app.store
    subs = store.subscribers("daily")
    store.set_edition_status(eid, "sending", now=NOW)
    store.claim(eid, [s.id for s in subs[:5]], worker="w", now=NOW)
    store.mark(eid, {s.id: ("sent", None) for s in subs[:3]}, now=NOW)
    with running(config) as base, editor_client(base) as c:
        page = c.get(f"/editions/{eid}").text
        assert f'src="/editions/{eid}/ledger"' in page
        frame = c.get(f"/editions/{eid}/ledger")
        assert '<meta http-equiv="refresh"' in frame.text
        assert re.search(r'id="ledger-sent">3<', frame.text)
        assert re.search(r'id="ledger-claimed">2<', frame.text)
        assert frame.headers["x-frame-options"] == "SAMEORIGIN"
        state = c.get(f"/editions/{eid}/ledger.json").json()
        assert state["ledger"] == {"sent": 3, "claimed": 2}
        assert state["due"] == len(subs) - 3 and state["status"] == "sending"
        store.claim(eid, [s.id for s in subs[5:]], worker="w", now=NOW)
        store.mark(eid, {s.id: ("sent", None) for s in subs[3:]}, now=NOW)
        store.set_edition_status(eid, "sent", now=NOW)
        done = c.get(f"/editions/{eid}/ledger")
        assert "refresh" not in done.text
        assert re.search(rf'id="ledger-sent">{len(subs)}<', done.text)


def test_the_edition_page_shows_the_message_as_a_subscriber_gets_it(
    desk: tuple[Path, int],
) -> None:
    config, eid = desk
    app = App.from_config(config)
    text_only = next(s for s in app.store.subscribers("daily") if s.format == "text")
    sectioned = next(s for s in app.store.subscribers("daily") if s.sections)
    edition = app.store.edition(eid)
    with running(config) as base, editor_client(base) as c:
        page = html.unescape(c.get(f"/editions/{eid}").text)
        subject = app.renderer.subject(edition)
        assert subject in page
        assert "Desktop preview" in page and "Phone preview" in page
        for story in edition.stories:  # each story's score parts and cluster
            assert story.title in page
        clustered = next(s for s in edition.stories if s.also)
        assert clustered.also[0].source in page
        assert "recency" in page and "coverage" in page
        assert "Plain-text part" in page and "Lint" in page
        frame = c.get(f"/editions/{eid}/preview.html")
        assert frame.headers["x-frame-options"] == "SAMEORIGIN"
        assert "sandbox" in frame.headers["content-security-policy"]
        expected = app.preview(eid, email=None, now=NOW).message
        msg = message_from_bytes(expected, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        body = msg.get_body(preferencelist=("html",))
        assert body is not None
        assert frame.text == body.get_content()
        # A plain-text subscriber's frame is their text; a sectioned one's leaves sections out.
        plain = c.get(f"/editions/{eid}/preview.html", params={"subscriber": text_only.email})
        assert "<pre>" in plain.text and "<table" not in plain.text
        own = c.get(f"/editions/{eid}", params={"subscriber": sectioned.email}).text
        assert f"as {sectioned.email} gets it" in own
        unknown = c.get(f"/editions/{eid}", params={"subscriber": "nobody@example.org"}).text
        assert "not a subscriber of list" in unknown
        assert c.get("/editions/999").status_code == 404


def test_sources_and_lists_pages(tmp_path: Path) -> None:
    sources = """
[[sources]]
name = "Copenhagen Desk"
path = "sources/articles/"
section = "Denmark"

[[sources]]
name = "Gone Gazette"
url = "sources/feeds/missing.rss"
"""
    config = write_project(tmp_path / "news", sources=sources)
    shutil.copytree(ROOT / "sources" / "articles", config.parent / "sources" / "articles")
    date_articles(config.parent, NOW)
    res = CliRunner().invoke(
        main,
        [
            "subscribers",
            "import",
            str(config.parent / "subscribers" / "daily.csv"),
            "--list",
            "daily",
            "--config",
            str(config),
        ],
    )
    # The sample's four readers of Business or Culture: sections no source here has.
    assert res.exit_code == 1 and "4 bad rows" in res.output, res.output
    add_editor(config)
    app = App.from_config(config)
    app.collect(now=NOW)
    app.collect(now=NOW + timedelta(hours=1))
    counts = app.store.list_counts()["daily"]
    with running(config) as base, editor_client(base) as c:
        page = c.get("/sources").text
        row = page[page.index("Gone Gazette") :]
        assert "failing" in row[:800] and "missing.rss" in row[:800]
        assert re.search(r'<td class="num">2</td>', row[:1500])  # failures in a row
        desk_row = page[page.index("Copenhagen Desk") :]
        assert "badge s-ok" in desk_row[:600]
        assert iso(NOW) is not None and "27 Nov 2026, 08:00 CET" in desk_row[:1200]
        lists = c.get("/lists").text
        assert "daily" in lists
        for status in ("active",):
            assert f'<td class="num">{counts[status]}</td>' in lists


def test_editors_are_stored_with_salted_hashes_only(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    out = add_editor(config, "Ann@Example.org", PASSWORD)
    assert "Added editor ann@example.org" in out
    add_editor(config, "bo@example.org", PASSWORD)
    store = App.from_config(config).store
    with store.engine.connect() as conn:
        rows = dict(conn.exec_driver_sql("SELECT email, password_hash FROM editors").all())
    assert set(rows) == {"ann@example.org", "bo@example.org"}
    assert all(h.startswith(("scrypt:", "pbkdf2:")) and PASSWORD not in h for h in rows.values())
    assert rows["ann@example.org"] != rows["bo@example.org"]  # salted
    assert store.check_editor("ANN@example.org", PASSWORD) is not None
    assert store.check_editor("ann@example.org", PASSWORD + "x") is None
    # Too short a password, or no address at all, is refused with a clear message.
    for email, password, problem in (
        ("cy@example.org", "short", "too short"),
        ("not-an-address", PASSWORD, "not an email address"),
    ):
        res = CliRunner().invoke(
            main,
            ["editors", "add", email, "--password-stdin", "--config", str(config)],
            input=password + "\n",
        )
        assert res.exit_code == 2 and problem in res.output, res.output
    res = CliRunner().invoke(main, ["editors", "list", "--config", str(config)])
    assert res.output.split() == ["ann@example.org", "bo@example.org"]


def test_the_editor_sees_which_stories_are_updates(tmp_path: Path) -> None:
    """An update (digest.rank.updates) is marked on the desk's edition page, with when
    the story was first reported, so the editor knows why a story sent before is back."""
    config = newsletter(tmp_path)
    add_editor(config)
    app = App.from_config(config)
    built = app.store.edition(build(config))
    lead, *others = built.leads
    first = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
    edition = replace(
        built, id=None, leads=(replace(lead, update=True, first_reported=first), *others)
    )
    saved = app.store.save_edition(edition, now=NOW)
    with running(config) as base, editor_client(base) as c:
        page = html.unescape(c.get(f"/editions/{saved.id}").text)
    rows = [row for row in page.split('<p class="meta">') if "update" in row.split("</p>")[0]]
    assert len(rows) == 1
    assert "first reported 25 Nov 2026, 07:30 CET" in rows[0].split("</p>")[0]
