"""`digest demo` runs the bundled newsletter offline: one message per subscriber."""

from __future__ import annotations

import csv
import json
from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from digest.lint import lint_file

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_fills_the_outbox(tmp_path: Path, monkeypatch: object) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "outbox" in result.output and "preview" in result.output
    with open(ROOT / "subscribers" / "daily.csv", encoding="utf-8") as fh:
        addresses = sorted(r["email"].strip().lower() for r in csv.DictReader(fh))
    files = sorted((out / "outbox").glob("*.eml"))
    assert len(files) == len(addresses) == 36
    recipients = []
    for f in files:
        msg = message_from_bytes(f.read_bytes(), policy=policy.default)
        recipients.append(msg["To"].addresses[0].addr_spec.lower())
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["List-Unsubscribe"].strip().startswith("<https://brief.example.org/u/")
    assert sorted(recipients) == addresses
    edition = json.loads((out / "edition.json").read_text())
    assert len(edition["leads"]) == 3 and len(edition["teasers"]) == 8
    assert all(s["error"] is None and s["articles"] > 0 for s in edition["sources"])
    for name in ("html", "txt", "eml"):
        assert (out / "preview" / f"edition-{edition['id']}.{name}").stat().st_size > 1000

    # Every message passes the email lint with no error.
    errors = [(f.name, x) for f in files[:5] for x in lint_file(f) if x.level == "error"]
    assert errors == []

    # A second demo run starts afresh and gives the same edition.
    again = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert again.exit_code == 0
    assert json.loads((out / "edition.json").read_text())["leads"] == edition["leads"]
    assert len(list((out / "outbox").glob("*.eml"))) == 36
