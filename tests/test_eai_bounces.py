"""Bounces for internationalised addresses (RFC 6533): a delivery status notification
whose Final-Recipient is of the `utf-8` address type, raw UTF-8 in a
message/global-delivery-status part or `\\x{HEX}`-escaped in a plain
message/delivery-status one, names the subscriber as stored (NFC, the case of a
non-ASCII local part kept), so the report maps back to them.

The samples in tests/data/bounces/ follow Postfix's shape (postfix-hard.eml) with the
RFC 6533 address type. Real SQLite and PostgreSQL, the `digest bounces` command.
"""

from __future__ import annotations

import json
from pathlib import Path
from string import Template

import pytest
from click.testing import CliRunner

from digest.bounces.reports import read_report
from digest.bounces.verp import envelope_sender
from digest.cli import main
from digest.subscribers import add_subscriber
from tests.test_bounces import DATA, RETURN, _deliver, _project, _sent, _status
from tests.test_send_support import NOW, build

JOSE, AJAY = "José@example.com", "अजय@डाटा.भारत"


def xtext(address: str) -> str:
    """RFC 6533 utf-8-addr-xtext: each non-ASCII character as `\\x{HEX}`."""
    return "".join(c if c.isascii() else f"\\x{{{ord(c):X}}}" for c in address)


def report(name: str, recipient: str, envelope: str = "nobody@mx.example") -> bytes:
    text = (DATA / name).read_text(encoding="utf-8")
    filled = Template(text).safe_substitute(
        envelope=envelope, recipient=recipient, xtext=xtext(recipient)
    )
    return filled.replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize("name", ["postfix-global-hard.eml", "postfix-utf8-xtext.eml"])
@pytest.mark.parametrize("recipient", [JOSE, AJAY])
def test_a_dsn_names_a_utf8_recipient_as_stored(name: str, recipient: str) -> None:
    found = read_report(report(name, recipient))
    assert found.kind == "hard"
    (finding,) = found.findings
    assert (finding.recipient, finding.status) == (recipient, "5.1.1")


def test_a_utf8_recipients_dsn_suppresses_the_subscriber(tmp_path: Path, db_url: str) -> None:
    """José's report carries our signed VERP tag; Ajay's does not and is trusted by its
    address (`trust_unsigned`, as for a relay that rewrites the envelope)."""
    app = _project(tmp_path, extra="trust_unsigned = true\n", database=db_url)
    edition = build(app)
    ids = {}
    for email in (JOSE, AJAY, "ann@example.org"):
        added = add_subscriber(
            app.store, "daily", email, double_opt_in=False, origin="cli", now=NOW
        )
        assert added.subscriber is not None
        ids[email] = added.subscriber.id
    _sent(app, edition, list(ids.values()))
    tag = envelope_sender(RETURN, edition, ids[JOSE], app.verp_keys()[0])
    _deliver(app, report("postfix-global-hard.eml", JOSE, tag))
    _deliver(app, report("postfix-utf8-xtext.eml", AJAY))

    result = CliRunner().invoke(main, ["bounces", "--config", str(app.settings.path), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert (counts["read"], counts["hard"], counts["suppressed"]) == (2, 2, 2), counts
    assert _status(app, JOSE) == ["bounced"]
    assert _status(app, AJAY) == ["bounced"]
    assert _status(app, "ann@example.org") == ["active"]
