"""A recipient on an internationalised domain refused at RCPT is judged like any other
(`replies.rcpt_error`): `550 5.1.1` bounces it, and so does a bare `550` once the
server shows it takes mail for that domain; for the run's last recipient that is the
question `RCPT TO:<postmaster@domain>`, asked with the domain as A-labels (before, it
was never asked for a domain that is not ASCII, and the refusal was deferred every
run). A refusal that says the address cannot go that way without SMTPUTF8 (`5.6.7`,
or the words) is neither the address's fault nor the moment's: the copy is not sent
(`unsendable`, `digest send --retry-unsendable`), never a bounce.

Real parts: aiosmtpd on loopback offering SMTPUTF8, SQLite, the command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.deliver.run import send_edition
from digest.deliver.transports import SmtpTransport
from digest.subscribers import add_subscriber
from tests.test_security_sending import _bounce_events
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

JOSE, AJAY = "josé@exämple.dk", "अजय@डाटा.भारत"
POSTMASTER = {JOSE: "postmaster@xn--exmple-cua.dk", AJAY: "postmaster@xn--c2bd1gb.xn--h2brj9c"}


def _project(tmp_path: Path, port: int, email: str, *, last: bool) -> tuple[App, Path, int]:
    """reader0..2, then `email` (EAI), then (unless `last`) reader3..4."""
    config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n")
    app = App.from_config(config)
    edition = build(app)
    add_subscribers(app, 3)
    added = add_subscriber(app.store, "daily", email, double_opt_in=False, origin="t", now=NOW)
    assert added.subscriber is not None and added.subscriber.email == email
    if not last:
        add_subscribers(app, 2, start=3)
    return app, config, edition


@pytest.mark.parametrize("email", [JOSE, AJAY])
@pytest.mark.parametrize(
    "answer", ["550 5.1.1 <{email}>: Recipient address rejected: User unknown", "550 No such user"]
)
def test_a_refused_unicode_domain_recipient_bounces_like_an_ascii_one(
    tmp_path: Path, email: str, answer: str
) -> None:
    """The edition's last recipient: nobody after it is accepted to confirm a bare 550."""
    handler = FaultyHandler(refuse={email: answer.format(email=email)})
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        app, _, edition = _project(tmp_path, port, email, last=True)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert (summary.sent, summary.bounced, summary.deferred, summary.failed) == (3, 1, 0, 0)
    assert app.store.ledger(edition) == {"sent": 3, "bounced": 1}
    assert app.store.edition(edition).status == "sent"
    sub = app.store.subscriber("daily", email)
    assert sub is not None and sub.status == "bounced"
    assert _bounce_events(app) == 1
    if "5.1.1" not in answer:  # asked, with the domain as the DNS knows it; never mailed
        assert handler.rcpts[-1] == POSTMASTER[email]
    assert handler.datas == 3 and email not in handler.per_recipient()


def test_a_bare_refusal_stays_deferred_when_the_server_refuses_the_domains_postmaster_too(
    tmp_path: Path,
) -> None:
    handler = FaultyHandler(
        refuse={JOSE: "550 Unrouteable address", POSTMASTER[JOSE]: "550 Unrouteable address"}
    )
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        app, _, edition = _project(tmp_path, port, JOSE, last=True)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert (summary.sent, summary.bounced, summary.deferred) == (3, 0, 1)
    assert handler.rcpts[-1] == POSTMASTER[JOSE]
    sub = app.store.subscriber("daily", JOSE)
    assert sub is not None and sub.status == "active"
    assert _bounce_events(app) == 0


@pytest.mark.parametrize("last", [False, True], ids=["middle", "last"])
@pytest.mark.parametrize(
    "answer",
    [
        "553 5.6.7 Non-ASCII addresses are not permitted for this recipient",
        "553 SMTPUTF8 is required, but was not offered by the next hop",
    ],
)
def test_a_refusal_for_want_of_smtputf8_is_not_sent_never_a_bounce(
    tmp_path: Path, answer: str, last: bool
) -> None:
    handler = FaultyHandler(refuse={JOSE: answer})
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        app, config, edition = _project(tmp_path, port, JOSE, last=last)
        sent = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    ascii_readers = 3 if last else 5
    flat = " ".join(sent.output.split())
    assert sent.exit_code == 1, sent.output  # a copy left unsent: a script must see it
    assert f"Sent {ascii_readers}, bounced 0, deferred 0, failed 1," in flat, sent.output
    assert f"1 copy of edition {edition} not sent" in flat and answer in flat, sent.output
    assert app.store.ledger(edition) == {"sent": ascii_readers, "unsendable": 1}
    sub = app.store.subscriber("daily", JOSE)
    assert sub is not None and sub.status == "active"
    assert _bounce_events(app) == 0
    assert not any(r.startswith("postmaster@") for r in handler.rcpts)


def test_the_postmaster_question_is_asked_in_ascii(tmp_path: Path) -> None:
    """`accepts` itself: an A-label domain is ASCII, so no SMTPUTF8 is needed to ask."""
    handler = FaultyHandler(refuse={POSTMASTER[AJAY]: "550 no"})
    with smtp_server(handler, enable_SMTPUTF8=False) as port:
        app = App.from_config(small_project(tmp_path / "news", port))
        transport = SmtpTransport(app.settings.transport)
        try:
            assert transport.accepts("brief@example.org", POSTMASTER[JOSE]) is True
            assert transport.accepts("brief@example.org", POSTMASTER[AJAY]) is False
        finally:
            transport.close()
    assert handler.datas == 0
