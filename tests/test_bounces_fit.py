"""A report holding what PostgreSQL's text cannot (NUL) or no UTF-8 can (a lone
surrogate) is stored and acted on like any other. On PostgreSQL a DSN with a NUL in its
Diagnostic-Code failed `digest bounces` with a DataError, and as the report stayed in
the mailbox every later run failed too, so no bounce was processed again; a Mailgun
event with one was answered with a 500 (the provider retries it for days). Real
maildir, real Flask app, SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.bounces.verp import envelope_sender
from digest.cli import main
from digest.web import create_app
from tests.test_bounces import RETURN, _deliver, _project, _sent, _status, sample
from tests.test_send_support import add_subscribers, build

MAILGUN_KEY = "key-test-signing-0123456789abcdef"


def _mailgun(event: dict[str, Any]) -> str:
    stamp, token = str(int(time.time())), secrets.token_hex(20)
    signature = hmac.new(MAILGUN_KEY.encode(), (stamp + token).encode(), hashlib.sha256)
    return json.dumps(
        {
            "signature": {"timestamp": stamp, "token": token, "signature": signature.hexdigest()},
            "event-data": event,
        }
    )


def _mailed(
    tmp_path: Path, db_url: str, readers: int
) -> tuple[App, list[str], Callable[[str], bytes]]:
    """A project whose edition went to `readers` new subscribers, and a hard bounce
    (postfix's DSN, VERP-tagged) for any of them."""
    app = _project(tmp_path, database=db_url)
    edition = build(app)
    emails = add_subscribers(app, readers)
    subs = {s.email: s.id for s in app.store.subscribers("daily")}
    _sent(app, edition, list(subs.values()))
    key = app.verp_keys()[0]

    def dsn(email: str) -> bytes:
        return sample("postfix-hard.eml", envelope_sender(RETURN, edition, subs[email], key), email)

    return app, emails, dsn


def test_a_report_with_nul_or_a_lone_surrogate_is_processed_like_any_other(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_MAILGUN_SIGNING_KEY", MAILGUN_KEY)
    app, emails, dsn = _mailed(tmp_path, db_url, 5)

    _deliver(app, dsn(emails[0]).replace(b"User unknown in", b"User \x00unknown in"))
    _deliver(app, dsn(emails[1]).replace(b"Message-Id: <", b"Message-Id: <\x00"))
    _deliver(app, dsn(emails[2]))
    config = str(app.settings.path)
    result = CliRunner().invoke(main, ["bounces", "--config", config, "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert (counts["read"], counts["hard"], counts["suppressed"]) == (3, 3, 3), counts
    assert [_status(app, e) for e in emails[:3]] == [["bounced"]] * 3
    again = CliRunner().invoke(main, ["bounces", "--config", config, "--json"])
    assert json.loads(again.output)["read"] == 0

    client = create_app(App.from_config(app.settings.path), clock=lambda: datetime.now(UTC))
    web = client.test_client()
    failed = {"event": "failed", "severity": "permanent", "recipient": emails[3]}
    for n, event in enumerate(
        [
            {"id": "mg-nul", "delivery-status": {"enhanced-code": "5.1.1", "message": "No\x00"}},
            {"id": "mg-\ud800", "delivery-status": {"enhanced-code": "5.1.1", "message": "\udc00"}},
            {"id": "mg-\x00", "recipient": "a\x00b@example.org"},
            # Members of shapes the reader did not expect are read as absent, not a 500.
            {"id": ["x"], "delivery-status": "550", "envelope": "x", "recipient": emails[4]},
        ]
    ):
        response = web.post(
            "/hooks/mailgun",
            data=_mailgun({**failed, **event}),
            content_type="application/json",
        )
        assert response.status_code == 200, (n, response.get_data(as_text=True)[:300])
    assert _status(app, emails[3]) == ["bounced"]
    assert _status(app, emails[4]) == ["bounced"]


def test_reports_whose_ids_are_longer_than_the_column_are_told_apart(
    tmp_path: Path, db_url: str
) -> None:
    """A report's key is its Message-ID, its recipient and a number. It was cut at the
    column's 400 characters, so two reports for two readers, under one Message-ID
    longer than that, had one key: the second was taken for a repeat and its reader
    was mailed again. A key too long for the column is now its start and a SHA-256."""
    app, emails, dsn = _mailed(tmp_path, db_url, 2)
    for email in emails:
        _deliver(app, dsn(email).replace(b"Message-Id: <", b"Message-Id: <" + b"x" * 420))
    config = str(app.settings.path)
    result = CliRunner().invoke(main, ["bounces", "--config", config, "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert (counts["hard"], counts["repeated"], counts["suppressed"]) == (2, 0, 2), counts
    assert [_status(app, e) for e in emails] == [["bounced"]] * 2
