"""One damaged message in the bounce mailbox must not stop bounce handling.

A plain-text "bounce" whose charset parameter holds a NUL byte made Python's decoder
raise ValueError ("embedded null character") out of `read_report`; `digest bounces`
(and the scheduler's poll) stopped at it, left it in the mailbox, and stopped at it
again on every later run, so no real bounce after it was ever read. Anyone can mail
the bounce address: one such message turned bounce handling off for good.
"""

from __future__ import annotations

import json
import mailbox

from click.testing import CliRunner

from digest.bounces.reports import read_report
from digest.bounces.verp import envelope_sender
from digest.cli import main
from tests.test_bounces import RETURN, _deliver, _project, _sent, _status, sample
from tests.test_send_support import add_subscribers, build

POISON = (
    b"From: MAILER-DAEMON@mx.example.net\r\nTo: bounces@brief.example.org\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <poison@mx.example.net>\r\n"
    b'Content-Type: text/plain; charset="utf-\x008"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
    b"<reader1@example.net>: 550 5.1.1 user unknown \xff\xfe\r\n"
)


def test_a_damaged_report_is_unknown_not_an_exception() -> None:
    report = read_report(POISON)
    assert report.kind == "unknown" or report.findings is not None


def test_the_bounce_after_a_damaged_message_is_still_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _project(tmp_path)
    edition = build(app)
    emails = add_subscribers(app, 2)
    subs = {s.email: s.id for s in app.store.subscribers("daily")}
    _sent(app, edition, list(subs.values()))
    keys = app.verp_keys()
    _deliver(app, POISON)
    envelope = envelope_sender(RETURN, edition, subs[emails[0]], keys[0])
    _deliver(app, sample("postfix-hard.eml", envelope, emails[0]))
    config = str(app.settings.path)
    for _ in range(2):  # and the next run does not stop at it either
        result = CliRunner().invoke(main, ["bounces", "--config", config, "--json"])
        assert result.exit_code == 0, result.output
    assert _status(app, emails[0]) == ["bounced"]
    assert _status(app, emails[1]) == ["active"]
    box = mailbox.Maildir(app.settings.bounces.mailbox.removeprefix("maildir:"))  # type: ignore[union-attr]
    assert len(box) == 0, "both messages are done with"
    assert json.loads(result.output)["read"] == 0
