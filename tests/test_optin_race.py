"""The cap on confirmations holds when sign-ups for one inbox arrive at once.

A pending address gets at most 3 confirmations in 7 days, and so does one inbox across
its `+tags` (tests/test_optin_inbox.py). Before, the check read how many had been sent
and then sent: two `digest serve` processes (or two threads) signing up the same inbox
at the same moment each read "2 sent" and each mailed, and while the mail server took
its time over one message every other sign-up got through too, so anyone could mail a
stranger's inbox as often as they could post at once. Now the store claims the
confirmation first, in one transaction under a lock on the inbox (SQLite: the write
lock; PostgreSQL: an advisory lock keyed by the list and inbox), and only a won claim
sends; a lost one answers as a capped one does.

Real parts: a loopback aiosmtpd server that takes a second over each message (so every
sign-up of a batch has read the count before the first mail is through: the window is
reliable, the store is not touched), threads and OS processes released together by a
barrier, the Flask app, a SQLite file and the local PostgreSQL.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from digest.app import App
from digest.errors import DeliveryError
from digest.subscribers import Added, subscribe
from digest.web import create_app
from tests.conftest import Mailbox, _Handler, free_port
from tests.test_optin_default import _sign_up
from tests.test_optin_inbox import _confirmations_to
from tests.test_web_public import NOW
from tests.test_welcome import BASE, project, settle

#: How long the mail server takes over each message: far longer than a sign-up takes
#: to read what was sent, so a batch released together all read before any mail is in.
SLOW = 1.0


class _SlowHandler(_Handler):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(SLOW)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def slow_smtp(port: int) -> Iterator[Mailbox]:
    """A loopback aiosmtpd server that keeps what it receives, a second per message."""
    box = Mailbox("127.0.0.1", port)
    controller = Controller(_SlowHandler(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def _ready(config: Path) -> App:
    """The project's App with its store migrated and its link keys made, as a server
    has them before it takes a request."""
    app = App.from_config(config)
    app.links  # noqa: B018
    return app


def _at_once(app: App, emails: list[str], now: datetime, start: Any = None) -> list[Added]:
    """Sign each address up on the form's path (a reader's own sign-up), each in its own
    thread, all released together (after `start`, a barrier shared with other
    processes, when given)."""
    gate = threading.Barrier(len(emails) + 1)
    results: dict[str, Added] = {}

    def one(email: str) -> None:
        gate.wait(timeout=60)
        results[email] = subscribe(app, "daily", email, origin="web:subscribe", now=now, form=True)

    threads = [threading.Thread(target=one, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    if start is not None:
        start.wait(timeout=60)
    gate.wait(timeout=60)
    for thread in threads:
        thread.join(timeout=60)
    return [results[e] for e in emails]


def _sign_up_in_process(config: str, emails: list[str], start: Any) -> None:
    """A second process's sign-ups (another `digest serve` on the same database)."""
    _at_once(_ready(Path(config)), emails, NOW, start)


def test_sign_ups_for_one_inbox_at_once_get_three_confirmations(
    tmp_path: Path, db_url: str
) -> None:
    port = free_port()
    app = _ready(project(tmp_path, port, extra="", database=db_url))
    tagged = [f"ann+{i}@example.org" for i in range(1, 7)]
    with slow_smtp(port) as box:
        added = _at_once(app, tagged, NOW)
    assert len(_confirmations_to(box, "ann@example.org")) == 3
    assert len(box.messages) == 3
    # Each sign-up was made and answered; those not mailed say why, as a capped one.
    assert all(a.created and a.subscriber is not None for a in added)
    refused = [a.reason for a in added if not a.confirmation_sent]
    assert len(refused) == 3
    assert all("confirmations sent to ann@example.org in the last 7 days" in r for r in refused)


def test_one_address_typed_in_at_once_gets_one_confirmation(tmp_path: Path, db_url: str) -> None:
    """At most one a ten minutes per address, whoever asks at the same moment."""
    port = free_port()
    app = _ready(project(tmp_path, port, extra="", database=db_url))
    with slow_smtp(port) as box:
        first = subscribe(app, "daily", "bob@example.org", origin="cli", now=NOW, form=True)
        assert first.confirmation_sent
        later = NOW + timedelta(hours=1)
        again = _at_once(app, ["bob@example.org", "Bob@example.org", "BOB@example.org"], later)
    assert [m.recipients for m in box.messages] == [["bob@example.org"]] * 2
    assert sum(a.confirmation_sent for a in again) == 1
    assert [a.reason.endswith("confirmation sent recently") for a in again].count(True) == 2


def test_two_processes_signing_up_one_inbox_get_three_confirmations(
    tmp_path: Path, db_url: str
) -> None:
    port = free_port()
    config = project(tmp_path, port, extra="", database=db_url)
    app = _ready(config)
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    with slow_smtp(port) as box:
        other = spawn.Process(
            target=_sign_up_in_process,
            args=(str(config), [f"ann+{i}@example.org" for i in (4, 5, 6)], start),
        )
        other.start()
        try:
            _at_once(app, [f"ann+{i}@example.org" for i in (1, 2, 3)], NOW, start)
        finally:
            other.join(timeout=120)
    assert other.exitcode == 0
    assert len(_confirmations_to(box, "ann@example.org")) == 3
    assert len(box.messages) == 3
    for i in range(1, 7):  # every sign-up was made, each pending
        sub = app.store.subscriber("daily", f"ann+{i}@example.org")
        assert sub is not None and sub.status == "pending"


def test_two_servers_taking_the_forms_posts_at_once_send_no_more(
    tmp_path: Path, db_url: str
) -> None:
    """Through the form, on two servers: two confirmations sent earlier that day, then
    each server takes a post for the same inbox, one right after the other (within the
    form's limits for the hour), and mails off the request at the same time: one more
    is mailed, not two, and both posts are answered alike. The form's own limit is as
    before: the fourth post for the inbox in an hour is a 429.

    (The posts come one after the other, their mailing at once: two posts that renew
    the form's count at the same instant can have one refused on PostgreSQL by
    ThrottlesMixin.reserve, a spurious 429 left as it is here.)"""
    port = free_port()
    config = project(tmp_path, port, extra="[serve]\nproxies = 1\n", database=db_url)
    app = _ready(config)
    clock = [NOW]
    servers = [
        create_app(app, clock=lambda: clock[0]),
        create_app(_ready(config), clock=lambda: clock[0]),
    ]
    with slow_smtp(port) as box:
        for i, hours in ((1, 0), (2, 2)):
            clock[0] = NOW + timedelta(hours=hours)
            assert _sign_up(servers[0], f"ann+{i}@example.org", **_client(i))[0] == 200
        clock[0] = NOW + timedelta(hours=4)
        answers = [_post(servers[n], f"ann+{3 + n}@example.org", 3 + n) for n in (0, 1)]
        for server in servers:
            settle(server)
        assert [status for status, _ in answers] == [200, 200]
        assert answers[0][1] == answers[1][1]
        assert len(_confirmations_to(box, "ann@example.org")) == 3
        # The form's per-inbox limit: three posts this hour (the two above and this
        # one), then a polite 429, as before.
        assert _sign_up(servers[1], "ann+9@example.org", **_client(9))[0] == 200
        status, page = _sign_up(servers[0], "ann+10@example.org", **_client(10))
        assert status == 429 and "Too many subscription requests" in page
    assert len(box.messages) == 3


def _post(flask_app: Flask, email: str, client: int) -> tuple[int, str]:
    """The form posted, its answer (the address left out), the mailing not waited for."""
    form = flask_app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"',
        form.get("/subscribe", base_url=BASE).get_data(as_text=True),
    )
    assert token
    data = {"list": "daily", "email": email, "csrf_token": unescape(token.group(1))}
    page = form.post("/subscribe", data=data, base_url=BASE, headers=_client(client))
    return page.status_code, page.get_data(as_text=True).replace(email, "ADDRESS")


def _client(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.{n}"}


def test_a_confirmation_the_mail_server_did_not_take_uses_up_none(
    tmp_path: Path, db_url: str
) -> None:
    """The claim is taken back when the mail cannot be handed over, as nothing was
    recorded before: the reader who tries again at once is mailed, and the inbox still
    gets its three."""
    port = free_port()
    app = _ready(project(tmp_path, port, extra="", database=db_url))
    with pytest.raises(DeliveryError):  # nothing listens on the port yet
        subscribe(app, "daily", "ann+1@example.org", origin="cli", now=NOW, form=True)
    with slow_smtp(port) as box:
        added = [
            subscribe(app, "daily", f"ann+{i}@example.org", origin="cli", now=NOW, form=True)
            for i in (1, 2, 3, 4)
        ]
    assert [a.confirmation_sent for a in added] == [True, True, True, False]
    assert _confirmations_to(box, "ann@example.org") == [f"ann+{i}@example.org" for i in (1, 2, 3)]
