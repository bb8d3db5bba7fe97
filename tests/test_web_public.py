"""The subscriber endpoints over real HTTP, against a running `digest serve`.

One-click unsubscribe (RFC 8058) from a message in the outbox to the next edition
that skips the address; tampered tokens; the subscribe form with CSRF; double
opt-in confirmation.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.tokens import Tokens
from tests.conftest import free_port, write_project

T = TypeVar("T")
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
NEXT = NOW + timedelta(days=1)
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


# -- helpers shared with test_preferences_browser --------------------------------------
def digest_command() -> list[str]:
    """The installed `digest` script of this interpreter's environment."""
    script = Path(sys.executable).with_name("digest")
    if script.exists():
        return [str(script)]
    found = shutil.which("digest")
    if found:
        return [found]
    return [sys.executable, "-c", "from digest.cli import main; main()"]


@contextmanager
def serving(config: Path) -> Iterator[str]:
    """Run `digest serve --config CONFIG --port N` as a subprocess until the block ends."""
    port = free_port()
    log = open(config.parent / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [*digest_command(), "serve", "--config", str(config), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=config.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(
                    f"digest serve exited with {proc.returncode}: "
                    + (config.parent / "serve.log").read_text()
                )
            try:
                if httpx.get(f"{base}/subscribe", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("digest serve did not answer within 60 s")
            time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def local(url: str, base: str) -> str:
    """A public link (https://brief.example.org/...) rewritten onto the local server."""
    parts = urlsplit(url)
    return base + parts.path + (f"?{parts.query}" if parts.query else "")


def date_articles(folder: Path, when: datetime) -> None:
    stamp = when.timestamp() - 3600
    for f in (folder / "sources" / "articles").iterdir():
        os.utime(f, (stamp, stamp))


def add_article(folder: Path, slug: str, title: str, when: datetime) -> None:
    path = folder / "sources" / "articles" / f"{slug}.txt"
    path.write_text(
        f"{title}\n\nA new standfirst for the next morning, in one sentence.\n\n"
        "The body of the new story goes on for a while, as bodies do, with more sentences.\n",
        encoding="utf-8",
    )
    stamp = when.timestamp() - 1800
    os.utime(path, (stamp, stamp))


def cli(config: Path, *args: str) -> str:
    r = CliRunner().invoke(main, [*args, "--config", str(config)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def build_and_send(config: Path, at: datetime, list_name: str = "daily") -> int:
    at_iso = at.isoformat().replace("+00:00", "Z")
    edition = json.loads(cli(config, "build", "--list", list_name, "--at", at_iso, "--json"))
    cli(config, "send", str(edition["id"]))
    return int(edition["id"])


def statuses(config: Path, list_name: str = "daily") -> dict[str, dict[str, object]]:
    rows = json.loads(cli(config, "subscribers", "list", "--list", list_name, "--json"))
    return {row["email"]: row for row in rows}


def outbox(config: Path, edition_id: int) -> dict[str, EmailMessage]:
    """The edition's messages in the outbox, by recipient."""
    out = {}
    for f in (config.parent / "outbox").glob(f"{edition_id}-*.eml"):
        msg = message_from_bytes(f.read_bytes(), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        out[msg["To"].addresses[0].addr_spec.lower()] = msg
    return out


def newsletter(tmp_path: Path, extra: str = "", database: str = "sqlite:///digest.db") -> Path:
    """The sample newsletter, its articles dated before NOW and its list imported."""
    config = write_project(tmp_path / "news", extra=extra, database=database)
    date_articles(config.parent, NOW)
    cli(
        config,
        "subscribers",
        "import",
        str(config.parent / "subscribers" / "daily.csv"),
        "--list",
        "daily",
    )
    return config


# -- one-click unsubscribe ---------------------------------------------------------------
def test_one_click_unsubscribe_end_to_end(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    first = build_and_send(config, NOW)
    sent = outbox(config, first)
    assert len(sent) == 36
    # Take the links from the messages, as a mail provider does.
    ann, bob = sorted(sent)[:2]
    # Folded after the colon when long: Python's parser keeps the fold's space.
    link = re.fullmatch(
        r"<(https://brief\.example\.org/u/\S+)>", sent[ann]["List-Unsubscribe"].strip()
    )
    link_bob = re.fullmatch(r"<(\S+)>", sent[bob]["List-Unsubscribe"].strip())
    assert link and link_bob
    assert sent[ann]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with serving(config) as base:
        url = local(link.group(1), base)
        # A link scanner's GET changes nothing; the page has one button that POSTs.
        page = httpx.get(url)
        assert page.status_code == 200
        assert len(re.findall(r"<form method=\"post\">", page.text)) == 1
        assert 'name="List-Unsubscribe" value="One-Click"' in page.text
        # Personal pages: never cached, and their token never leaks as a Referer.
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in page.headers
        assert statuses(config)[ann]["status"] == "active"

        # The mail provider's POST: no cookie, no CSRF token, no redirect.
        with httpx.Client(follow_redirects=False) as client:
            r = client.post(url, data=ONE_CLICK)
            assert r.status_code == 200
            assert "location" not in r.headers and "set-cookie" not in r.headers
            assert not client.cookies
            assert "unsubscribed" in r.text
            # Multipart, as some providers send it.
            r2 = client.post(
                local(link_bob.group(1), base), files={"List-Unsubscribe": (None, "One-Click")}
            )
            assert r2.status_code == 200 and "set-cookie" not in r2.headers
            # Again: idempotent.
            again = client.post(url, data=ONE_CLICK)
            assert again.status_code == 200

        after = statuses(config)
        assert after[ann]["status"] == "unsubscribed"
        assert after[bob]["status"] == "unsubscribed"
        assert sum(1 for row in after.values() if row["status"] == "active") == 34

    # The server's request log shows the requests without the tokens.
    served = (config.parent / "serve.log").read_text()
    assert "POST /u/… HTTP/1.1" in served
    assert link.group(1).rsplit("/", 1)[1] not in served

    app = App.from_config(config)
    sub = app.store.subscriber("daily", ann)
    assert sub is not None
    events = [(e.status, e.origin) for e in app.store.events(sub.id)]
    assert events == [("active", "import:daily.csv"), ("unsubscribed", "web:unsubscribe")]

    # The next edition skips both addresses and reaches everyone else.
    add_article(config.parent, "harbour-bath-winter", "Harbour bath stays open all winter", NEXT)
    second = build_and_send(config, NEXT)
    got = outbox(config, second)
    assert ann not in got and bob not in got
    assert set(got) == set(sent) - {ann, bob}


#: Tokens with this newsletter's signature whose subscription is not there (erased with
#: `forget`): a one-click POST of them answers 200, nothing will be sent.
SIGNED_GONE = ("unknown id", "erased subscriber")


def test_a_tampered_or_foreign_token_gets_a_4xx_and_changes_nothing(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    app = App.from_config(config)
    subs = app.store.subscribers("daily")
    a, b = subs[0], subs[1]
    erased = subs[2]
    erased_token = app.tokens.make("unsubscribe", erased.id)
    assert app.store.forget(erased.email, now=NOW) == 1
    good = app.tokens.make("unsubscribe", a.id)
    payload, signature = good.split(".")
    other_payload = app.tokens.make("unsubscribe", b.id).split(".")[0]
    # Change a character in the middle: the last base64 character carries padding bits,
    # so changing it can decode to the very same signature bytes.
    middle = len(signature) // 2
    flipped = (
        signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    )
    bad_tokens = {
        "signature changed": f"{payload}.{flipped}",
        "id swapped, signature kept": f"{other_payload}.{signature}",
        "cut short": good[:-4],
        "preferences token": app.tokens.make("preferences", a.id),
        "confirm token": app.tokens.make("confirm", a.id),
        "other secret": Tokens("not-this-newsletters-key").make("unsubscribe", a.id),
        "unknown id": app.tokens.make("unsubscribe", 10**6),
        "erased subscriber": erased_token,
        "garbage": "not-a-token",
    }
    # The project's theme overrides a bundled page, extending it (as for emails).
    own = config.parent / "templates" / "web" / "unsubscribe.html"
    own.parent.mkdir(parents=True)
    own.write_text(
        '{% extends "default/web/unsubscribe.html" %}{% block brand %}Our own masthead'
        "{% endblock %}"
    )
    before = statuses(config)
    with serving(config) as base, httpx.Client(follow_redirects=False) as client:
        page = client.get(f"{base}/u/{good}")
        assert page.status_code == 200 and "Our own masthead" in page.text
        assert '<form method="post">' in page.text
        for what, token in bad_tokens.items():
            for method in ("GET", "POST"):
                r = client.request(method, f"{base}/u/{token}", data=ONE_CLICK)
                if method == "POST" and what in SIGNED_GONE:
                    # Our own signature for no subscription: RFC 8058's state holds.
                    assert r.status_code == 200, (what, r.status_code)
                    continue
                assert 400 <= r.status_code < 500, (what, method, r.status_code)
        # Foreign tokens on the other endpoints too.
        unsub = app.tokens.make("unsubscribe", a.id)
        for path in (f"/p/{unsub}", f"/c/{unsub}", f"/p/{payload}.{flipped}"):
            for method in ("GET", "POST"):
                r = client.request(method, base + path, data={"delivery": "paused"})
                assert 400 <= r.status_code < 500, (path, method, r.status_code)
        # A POST without the one-click body does nothing either.
        r = client.post(f"{base}/u/{good}", data={"something": "else"})
        assert r.status_code == 400
    assert statuses(config) == before
    for sub in (a, b):
        assert [e.origin for e in app.store.events(sub.id)] == ["import:daily.csv"]


# -- subscribe form, CSRF, double opt-in ----------------------------------------------------
def _form(client: httpx.Client, url: str) -> tuple[str, str]:
    """The form's CSRF token and the session cookie it is bound to."""
    r = client.get(url)
    assert r.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    # The cookie is Secure (the public name is https), so httpx keeps it to itself over
    # plain http: carry it by hand, as a browser on the https site would.
    cookie = re.match(r"(digest_session=[^;]+)", r.headers["set-cookie"])
    assert token and cookie
    assert "Secure" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    return token.group(1), cookie.group(1)


def _eventually(check: Callable[[], T], timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_subscribe_form_with_double_opt_in_and_csrf(tmp_path: Path) -> None:
    config = newsletter(
        tmp_path,
        extra='[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n',
    )
    app = App.from_config(config)
    cli(config, "subscribers", "remove", "mette.holm@example.com", "--list", "daily")
    with serving(config) as base, httpx.Client(follow_redirects=False) as client:
        url = f"{base}/subscribe?list=weekly"
        token, cookie = _form(client, url)
        fields = {"list": "weekly", "email": "Reader@Example.org", "name": "Reader"}

        # Without the token, with a token but no session, with another session's token.
        assert client.post(url, data=fields).status_code == 400
        r = client.post(url, data={**fields, "csrf_token": token})
        assert r.status_code == 400
        other_token, _ = _form(client, url)
        r = client.post(url, data={**fields, "csrf_token": other_token}, headers={"Cookie": cookie})
        assert r.status_code == 400
        # A token made for another form does not pass either.
        assert app.store.subscriber("weekly", "reader@example.org") is None
        assert not (config.parent / "outbox").exists()

        # (A name that tries to smuggle a header: test_security_public.py.)
        r = client.post(url, data={**fields, "csrf_token": token}, headers={"Cookie": cookie})
        assert r.status_code == 200 and "Check your inbox" in r.text
        # The subscription and its mail are made off the request (the same answer and
        # timing for every address): wait for them, as the reader waits for the mail.
        (mail,) = _eventually(lambda: list((config.parent / "outbox").glob("confirm-*.eml")))
        sub = app.store.subscriber("weekly", "reader@example.org")
        assert sub is not None and sub.status == "pending"
        msg = message_from_bytes(mail.read_bytes(), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        assert msg["To"].addresses[0].addr_spec == "reader@example.org"
        body = msg.get_content()
        link = re.search(r"(https://brief\.example\.org/c/\S+)", body)
        assert link

        # Someone else, pending, who never confirms.
        token2, cookie2 = _form(client, url)
        r = client.post(
            url,
            data={**fields, "email": "lurker@example.org", "csrf_token": token2},
            headers={"Cookie": cookie2},
        )
        assert r.status_code == 200
        _eventually(lambda: app.store.subscriber("weekly", "lurker@example.org"))

        # An address that left is not revived by the form, and the answer is the same.
        token3, cookie3 = _form(client, f"{base}/subscribe")
        r = client.post(
            f"{base}/subscribe",
            data={"list": "daily", "email": "mette.holm@example.com", "csrf_token": token3},
            headers={"Cookie": cookie3},
        )
        assert r.status_code == 200
        assert statuses(config)["mette.holm@example.com"]["status"] == "unsubscribed"

        # GET on the confirmation link only shows a button; POST confirms.
        confirm = local(link.group(1), base)
        r = client.get(confirm)
        assert r.status_code == 200 and "Confirm subscription" in r.text
        assert statuses(config, "weekly")["reader@example.org"]["status"] == "pending"
        r = client.post(confirm)
        assert r.status_code == 200 and "Subscription confirmed" in r.text
        assert client.post(confirm).status_code == 200  # again: nothing changes
    weekly = statuses(config, "weekly")
    assert weekly["reader@example.org"]["status"] == "active"
    assert weekly["lurker@example.org"]["status"] == "pending"
    assert [(e.status, e.origin) for e in app.store.events(sub.id)] == [
        ("pending", "web:subscribe"),
        ("pending", "web:subscribe"),  # the confirmation sent
        ("active", "confirm"),
    ]

    # Only the confirmed reader gets the weekly edition; the pending one gets nothing.
    edition = build_and_send(config, NOW, "weekly")
    assert set(outbox(config, edition)) == {"reader@example.org"}


def test_the_forms_background_thread_ends_when_idle_and_a_new_job_starts_another() -> None:
    """The subscribe form's work runs off the request in a thread; an idle server keeps
    none (a process that forks, such as the ranking's workers, must have one thread),
    and a job submitted after it ended still runs."""
    import threading

    from digest.web.background import Background

    def alive() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "digest-subscribe"]

    jobs = Background(idle=0.1)
    done: list[int] = []
    assert jobs.submit(lambda: done.append(1))
    deadline = time.monotonic() + 10
    while (alive() or not done) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert done == [1] and not alive()
    assert jobs.submit(lambda: done.append(2))
    deadline = time.monotonic() + 10
    while len(done) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert done == [1, 2]
