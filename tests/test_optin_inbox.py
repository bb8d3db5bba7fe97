"""Confirmations are bounded per inbox, whatever the `+tag`.

Each `ann+1@`, `ann+2@`, ... signed up on the form is a subscription of its own, with
its own confirmation; the form's 3 posts an hour per inbox strip the tag, but only
for the hour. Before, someone could send one inbox 3 confirmation mails an hour for
ever (72 a day) by changing the tag. Now one inbox (the address without its `+tag`, as
the form's per-inbox limit compares them) gets at most 3 confirmations in 7 days (the
life of a link) across the list's pending subscriptions, and the page says the same
as ever. One address signed up again and again is bounded as before
(tests/test_optin_default.py).

Real parts: the Flask app, a loopback aiosmtpd server, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from digest.app import App
from digest.web import create_app
from tests.conftest import Mailbox, free_port
from tests.test_optin_default import _sign_up
from tests.test_web_public import NOW
from tests.test_welcome import message, project, smtp_on

CONFIRM = "Confirm your subscription to The Test Brief"


def _confirmations_to(box: Mailbox, inbox: str) -> list[str]:
    """The recipients of the confirmations the server received that reach `inbox`
    (`ann@example.org` is reached by `ann+1@example.org`, `ann+2@...`)."""
    local, _, domain = inbox.partition("@")
    return [
        to
        for m in box.messages
        if str(message(m)["Subject"]) == CONFIRM
        for to in m.recipients
        if to.endswith(f"@{domain}") and to.partition("@")[0].split("+")[0] == local
    ]


def test_one_inbox_gets_at_most_three_confirmations_a_week_whatever_the_tags(
    tmp_path: Path, db_url: str
) -> None:
    port = free_port()
    config = project(tmp_path, port, extra="[serve]\nproxies = 1\n", database=db_url)
    app = App.from_config(config)
    clock = [NOW]
    with smtp_on(port) as box:
        flask_app = create_app(app, clock=lambda: clock[0])

        def sign_up(email: str, hours: float, client: int) -> tuple[int, str]:
            clock[0] = NOW + timedelta(hours=hours)
            ip = {"X-Forwarded-For": f"203.0.113.{client}"}
            status, page = _sign_up(flask_app, email, **ip)
            return status, page.replace(email, "ADDRESS")

        # ann+1 .. ann+6 over a day, from different clients, four hours apart (within
        # the form's limits): every post answered alike ...
        answers = [sign_up(f"ann+{i}@example.org", 4 * (i - 1), i) for i in range(1, 7)]
        assert [s for s, _ in answers] == [200] * 6
        assert len({page for _, page in answers}) == 1
        assert "Check your inbox" in answers[0][1]
        # ... but that inbox got three confirmations, not six.
        assert _confirmations_to(box, "ann@example.org") == [
            "ann+1@example.org",
            "ann+2@example.org",
            "ann+3@example.org",
        ]
        # Another inbox, even at the same domain or with the same name elsewhere, is
        # unaffected: each gets its own.
        for n, other in enumerate(("anna+1@example.org", "ann@example.com", "bob@example.org")):
            assert sign_up(other, 21, 50 + n)[0] == 200
        assert _confirmations_to(box, "anna@example.org") == ["anna+1@example.org"]
        assert _confirmations_to(box, "ann@example.com") == ["ann@example.com"]
        assert _confirmations_to(box, "bob@example.org") == ["bob@example.org"]
        # A week after the first confirmation it has lapsed: one more may go to the
        # inbox (a pending ann+4 signing up again gets hers), and then none that week.
        assert sign_up("ann+4@example.org", 7 * 24 + 0.1, 60)[0] == 200
        assert sign_up("ann+7@example.org", 7 * 24 + 0.2, 61)[0] == 200
        assert _confirmations_to(box, "ann@example.org")[3:] == ["ann+4@example.org"]
    # Every sign-up is pending, the unconfirmed ones too: nothing else was mailed.
    for i in (1, 2, 3, 4, 5, 6, 7):
        sub = app.store.subscriber("daily", f"ann+{i}@example.org")
        assert sub is not None and sub.status == "pending"
    assert len(box.messages) == 3 + 3 + 1


def test_a_confirmed_address_does_not_use_up_its_inboxs_confirmations(tmp_path: Path) -> None:
    """Only pending subscriptions count: the inbox's owner who confirmed `ann+news@`
    and then signs up `ann+more@` is sent its confirmation."""
    port = free_port()
    config = project(tmp_path, port, extra="[serve]\nproxies = 1\n")
    app = App.from_config(config)
    clock = [NOW]
    with smtp_on(port) as box:
        flask_app = create_app(app, clock=lambda: clock[0])
        for i, email in enumerate(("ann+1@example.org", "ann+2@example.org", "ann+3@example.org")):
            clock[0] = NOW + timedelta(hours=2 * i)
            assert _sign_up(flask_app, email, **{"X-Forwarded-For": f"203.0.113.{i}"})[0] == 200
        first = app.store.subscriber("daily", "ann+1@example.org")
        assert first is not None
        assert app.store.confirm(first.id, welcome=False, now=clock[0])
        clock[0] = NOW + timedelta(hours=8)
        assert _sign_up(flask_app, "ann+4@example.org", **{"X-Forwarded-For": "203.0.113.9"})[0]
        assert _confirmations_to(box, "ann@example.org") == [
            f"ann+{i}@example.org" for i in (1, 2, 3, 4)
        ]
