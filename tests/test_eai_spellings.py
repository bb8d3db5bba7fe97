"""One mailbox, several spellings: a report about an internationalised address (a DSN,
RFC 6533, or a Mailgun webhook) may name it decomposed (NFD) or with its domain as
A-labels (`xn--…`) where we stored `josé@bücher.de`, or an ASCII local part's domain
as U-labels where we stored `ann@xn--bcher-kva.de`. Each must still find the
subscriber, or a bounced or complained address is mailed again.

Real SQLite, the `digest bounces` command over a maildir, `digest serve`'s webhook.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.subscribers import add_subscriber
from tests.test_bounces import _deliver, _project, _sent, _status
from tests.test_bounces_webhooks import MAILGUN_KEY, _mailgun
from tests.test_eai_bounces import report
from tests.test_send_support import NOW, build
from tests.test_web_public import serving

JOSE, ANN, AJAY = "josé@bücher.de", "ann@xn--bcher-kva.de", "अजय@डाटा.भारत"


def test_a_report_naming_another_spelling_suppresses_the_subscriber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_MAILGUN_SIGNING_KEY", MAILGUN_KEY)
    app = _project(tmp_path, extra="trust_unsigned = true\n")
    edition = build(app)
    ids = []
    for email in (JOSE, "Ann@Bücher.de", AJAY, "bo@example.org"):
        added = add_subscriber(app.store, "daily", email, double_opt_in=False, origin="t", now=NOW)
        assert added.subscriber is not None
        ids.append(added.subscriber.id)
    assert [s.email for s in app.store.subscribers("daily")] == [JOSE, ANN, AJAY, "bo@example.org"]
    _sent(app, edition, ids)
    # The MTA names José's domain as it looked it up in the DNS, his name decomposed.
    spelled = unicodedata.normalize("NFD", "josé") + "@xn--bcher-kva.de"
    _deliver(app, report("postfix-utf8-xtext.eml", spelled))
    result = CliRunner().invoke(main, ["bounces", "--config", str(app.settings.path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["suppressed"] == 1, result.output
    assert _status(app, JOSE) == ["bounced"]

    failed = {
        "event": "failed",
        "id": "mg-ann",
        "severity": "permanent",
        "recipient": "ann@bücher.de",  # the domain as U-labels
        "delivery-status": {"code": 550, "enhanced-code": "5.1.1", "message": "No such user"},
    }
    ajay = "अजय@xn--c2bd1gb.xn--h2brj9c"  # the domain as A-labels
    complained = {"event": "complained", "id": "mg-ajay", "recipient": ajay}
    with serving(app.settings.path) as base:
        for event in (failed, complained):
            answer = httpx.post(f"{base}/hooks/mailgun", json=_mailgun(event))
            assert answer.status_code == 200 and answer.json()["suppressed"] == 1, answer.text
    assert _status(app, ANN) == ["bounced"]
    assert _status(app, AJAY) == ["complained"]
    assert _status(app, "bo@example.org") == ["active"]
