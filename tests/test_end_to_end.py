"""From sources to inboxes: a real SMTP server on loopback gets one message per subscriber."""

from __future__ import annotations

import csv
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.deliver.run import send_edition
from digest.subscribers import import_csv
from tests.conftest import Mailbox, write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _sample_addresses(config: Path) -> set[str]:
    with open(config.parent / "subscribers" / "daily.csv", encoding="utf-8") as fh:
        return {row["email"].strip().lower() for row in csv.DictReader(fh)}


def _date_articles(folder: Path) -> None:
    stamp = NOW.timestamp() - 3600
    for f in (folder / "sources" / "articles").iterdir():
        os.utime(f, (stamp, stamp))


def test_an_edition_reaches_every_subscriber_once_over_smtp(
    tmp_path: Path, smtp_server: Mailbox, db_url: str
) -> None:
    config = write_project(
        tmp_path / "news",
        database=db_url,
        transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}',
    )
    _date_articles(config.parent)
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    assert all(r.error is None for r in reports), [r.error for r in reports]
    imported = import_csv(app.store, "daily", config.parent / "subscribers" / "daily.csv", now=NOW)
    assert imported.problems == []
    edition = app.build(now=NOW)
    assert edition.id is not None and len(edition.leads) == 3

    summary = send_edition(app, edition.id, clock=lambda: NOW)

    expected = _sample_addresses(config)
    received = smtp_server.by_recipient()
    assert summary.sent == len(expected) == 36
    assert set(received) == expected
    assert all(len(msgs) == 1 for msgs in received.values())
    for address, (got,) in received.items():
        msg = got.message
        assert got.envelope_from == "brief@example.org"
        assert msg["To"].addresses[0].addr_spec.lower() == address
        assert msg["From"] == "The Test Brief <brief@example.org>"
        assert msg["Date"] is not None and msg["Message-ID"].startswith("<digest.")
        unsub = msg["List-Unsubscribe"].strip()  # folded before the URL when long
        head = got.data.split(b"\r\n\r\n")[0].decode()
        raw_unsub = re.search(r"^List-Unsubscribe:(.*(?:\r\n[ \t].*)*)$", head, re.M)
        assert raw_unsub and "=?" not in raw_unsub.group(1)
        match = re.fullmatch(r"<(https://brief\.example\.org/u/[\w.-]+)>", unsub)
        assert match, unsub
        token = match.group(1).rsplit("/", 1)[1]
        sub = app.store.subscriber("daily", address)
        assert sub is not None and app.tokens.read("unsubscribe", token) == sub.id
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        if sub.format == "text":
            assert msg.get_content_type() == "text/plain"
            continue
        assert msg.get_content_type() == "multipart/alternative"
        parts = list(msg.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
        assert all(p["Content-Transfer-Encoding"] == "quoted-printable" for p in parts)
        text, html = parts[0].get_content(), parts[1].get_content()
        # Subscribers who chose sections get those sections' best story as their lead.
        lead_title = app.variant_for(sub)[0].apply(edition).leads[0].title
        assert match.group(1) in text and match.group(1) in html
        assert lead_title in " ".join(text.split())
        assert lead_title.replace("'", "&#39;") in html or lead_title in html
        assert max(len(line) for line in got.data.split(b"\r\n")) <= 998

    # Sending again delivers nothing more: the ledger has everyone.
    again = send_edition(app, edition.id, clock=lambda: NOW)
    assert again.sent == 0 and again.skipped == 36
    assert len(smtp_server.messages) == 36
    assert app.store.ledger(edition.id) == {"sent": 36}


def test_the_cli_send_reports_the_ledger(tmp_path: Path, smtp_server: Mailbox) -> None:
    config = write_project(
        tmp_path / "news", transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}'
    )
    _date_articles(config.parent)
    runner = CliRunner()
    at = "2026-11-27T06:00:00Z"
    r = runner.invoke(
        main,
        [
            "subscribers",
            "import",
            "subscribers/daily.csv",
            "--list",
            "daily",
            "--config",
            str(config),
        ],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["build", "--config", str(config), "--at", at, "--json"])
    assert r.exit_code == 0, r.output
    import json

    edition = json.loads(r.output)
    assert set(edition) >= {"id", "list", "leads", "teasers", "sources"}
    assert {"title", "url", "source", "summary", "score", "also"} <= set(edition["leads"][0])
    assert {s["name"] for s in edition["sources"]} == {
        "Harbour Herald",
        "Nordic Ledger",
        "Culture Wire",
        "Copenhagen Desk",
    }
    r = runner.invoke(main, ["send", str(edition["id"]), "--config", str(config)])
    assert r.exit_code == 0, r.output
    assert "Sent 36" in r.output
    r = runner.invoke(main, ["send", str(edition["id"]), "--config", str(config)])
    assert "Ledger before this run: sent 36" in r.output and "Sent 0" in r.output
    assert len(smtp_server.messages) == 36
