"""An edition's outcome counts an address refused during the SMTP conversation as a
hard bounce that was not delivered.

Before, `digest editions` and the desk counted every address the ledger marked
bounced (a 550 5.1.1 at RCPT) as delivered, and not as a bounce at all: an edition
refused for two of ten readers showed "10 delivered, 0 hard (0.00%)". The complaint
rate, measured against the delivered, came out too low as well. A real SMTP server
(aiosmtpd) that refuses two addresses, SQLite, the command and the desk page.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from tests.test_desk import add_editor, client, login, running
from tests.test_send_support import send_to_ten

UNKNOWN = ("reader3@example.net", "reader7@example.net")


def test_refused_addresses_are_hard_bounces_not_deliveries(tmp_path: Path) -> None:
    refuse = {a: f"550 5.1.1 <{a}>: Recipient address rejected: User unknown" for a in UNKNOWN}
    sent = send_to_ten(tmp_path, refuse)
    config = sent.config
    assert (sent.summary.sent, sent.summary.bounced) == (8, 2)
    assert sorted(sent.handler.per_recipient()) == sorted(
        f"reader{i}@example.net" for i in range(10) if f"reader{i}@example.net" not in UNKNOWN
    )

    shown = CliRunner().invoke(main, ["editions", "--config", str(config), "--json"])
    assert shown.exit_code == 0, shown.output
    (row,) = json.loads(shown.output)
    assert (row["delivered"], row["refused"], row["bounced_hard"]) == (8, 2, 2)
    assert row["bounce_rate"] == 0.2
    table = CliRunner().invoke(main, ["editions", "--config", str(config)], env={"COLUMNS": "200"})
    assert "refused" in table.output and "2/0 (20.00%)" in table.output, table.output

    add_editor(config)
    with running(config) as base, client(base) as c:
        assert login(c).status_code == 303
        page = " ".join(c.get("/editions").text.split())
    assert "8 delivered · 2 refused · bounced 2 hard / 0 soft (20.00%)" in page, page
