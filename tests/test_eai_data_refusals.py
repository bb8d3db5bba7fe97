"""A refusal after DATA for want of SMTPUTF8 on the way (RFC 6531's `5.6.9`: "UTF-8
header message cannot be transferred", or `5.6.7`/the words, answered to the message
rather than to RCPT) is judged as the same words at RCPT are: the copy is not sent
(`unsendable`, `digest send --retry-unsendable`), the reader stays active. It had been
recorded `failed`, tried again at every send and refused again, each time counted
towards the run's consecutive failures.

Real parts: aiosmtpd on loopback offering SMTPUTF8, SQLite, the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digest.cli import main
from tests.test_eai_refusals import JOSE, _project
from tests.test_security_sending import _bounce_events
from tests.test_send_support import FaultyHandler, smtp_server


@dataclass
class RefusesContent(FaultyHandler):
    """Refuses the message's content (the reply after DATA) for some recipients."""

    refuse_data: dict[str, str] = field(default_factory=dict)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.refuse_data:
                return self.refuse_data[rcpt]
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize(
    "answer",
    [
        "554 5.6.9 UTF-8 header message cannot be transferred to the next hop",
        "550 Message refused: SMTPUTF8 not supported downstream",
    ],
)
def test_a_content_refusal_for_want_of_smtputf8_is_not_sent(tmp_path: Path, answer: str) -> None:
    handler = RefusesContent(refuse_data={JOSE: answer})
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        app, config, edition = _project(tmp_path, port, JOSE, last=False)
        sent = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
        again = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    flat = " ".join(sent.output.split())
    assert sent.exit_code == 1, sent.output
    assert "Sent 5, bounced 0, deferred 0, failed 1," in flat, sent.output
    assert f"1 copy of edition {edition} not sent" in flat, sent.output
    assert app.store.ledger(edition) == {"sent": 5, "unsendable": 1}
    sub = app.store.subscriber("daily", JOSE)
    assert sub is not None and sub.status == "active"
    assert _bounce_events(app) == 0
    # A plain `digest send` does not knock again; only --retry-unsendable would.
    assert handler.rcpts.count(JOSE) == 1, (handler.rcpts, again.output)


def test_a_content_refusal_of_an_ascii_reader_is_unchanged(tmp_path: Path) -> None:
    """The same words for a reader whose address is ASCII are about the message: still
    failed and tried again (nothing in the envelope needed SMTPUTF8)."""
    handler = RefusesContent(refuse_data={"reader1@example.net": "554 5.6.9 UTF-8 refused"})
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        app, config, edition = _project(tmp_path, port, JOSE, last=False)
        CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    ledger = app.store.ledger(edition)
    assert ledger.get("unsendable", 0) == 0 and ledger.get("failed") == 1, ledger
