"""Copies of an edition recorded not sent (`unsendable`: an internationalised address,
a relay without SMTPUTF8): `digest send` says so and exits 1, and once the relay offers
SMTPUTF8, `digest send ID --retry-unsendable` sends exactly those copies, once each,
never one already delivered.

Real parts: aiosmtpd on loopback, first without SMTPUTF8, then restarted on the same
port with it (the operator fixed the relay); SQLite and PostgreSQL; the command line in
its own process; `--workers 2`; `digest worker`s over Celery kept running across the
relay's restart.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from tests.conftest import free_port
from tests.test_eai_send import AJAY, JOSE, _subscribe_all
from tests.test_send_support import DIGEST, FaultyHandler, build, small_project, smtp_server


def _send(config: Path, edition: int, *args: str) -> Result:
    return CliRunner().invoke(main, ["send", str(edition), *args, "--config", str(config)])


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_send_that_left_copies_unsent_exits_1_and_names_them(tmp_path: Path) -> None:
    """The command in its own process, as cron runs it: exit 1, and a line on stderr
    with how many copies were not sent, why, to whom, and the command that sends them.
    Running it again changes nothing and says the same."""
    handler = FaultyHandler()
    with smtp_server(handler, enable_SMTPUTF8=False) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        _subscribe_all(app)
        app.store.close()
        args = [*DIGEST, "send", str(edition), "--config", str(config)]
        first = subprocess.run(args, capture_output=True, text=True, timeout=120)
        tried = list(handler.rcpts)
        again = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert "Sent 12, bounced 0, deferred 0, failed 2," in first.stdout, first.stdout
    for done in (first, again):
        assert done.returncode == 1, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        err = _flat(done.stderr)
        assert (
            f"2 copies of edition {edition} not sent: the relay 127.0.0.1:{port} does not "
            "offer SMTPUTF8 (RFC 6531), which an address that is not ASCII needs" in err
        ), err
        assert f"{JOSE}, {AJAY}" in err, err
        assert f"`digest send {edition} --retry-unsendable` sends them" in err, err
    assert "Sent 0," in again.stdout and handler.rcpts == tried  # nothing asked again
    assert App.from_config(config).store.ledger(edition) == {"sent": 12, "unsendable": 2}


def test_retry_unsendable_sends_them_once_the_relay_offers_smtputf8(
    tmp_path: Path, db_url: str
) -> None:
    before = FaultyHandler()
    with smtp_server(before, enable_SMTPUTF8=False) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        ascii_emails = _subscribe_all(app)
        first = _send(config, edition)
        assert first.exit_code == 1, first.output
        sent_at = app.store.edition_info(edition).sent_at
        assert sent_at is not None
        # Tried again through the same relay, still without SMTPUTF8: nothing goes, the
        # copies stay not sent, and the command still says so.
        tried = list(before.rcpts)
        unfixed = _send(config, edition, "--retry-unsendable")
        assert unfixed.exit_code == 1, unfixed.output
        assert "Sent 0, bounced 0, deferred 0, failed 2, skipped 12" in unfixed.output
        assert before.rcpts == tried
        assert app.store.ledger(edition) == {"sent": 12, "unsendable": 2}
    assert sorted(before.per_recipient().items()) == sorted((e, 1) for e in ascii_emails)

    # The operator turns SMTPUTF8 on (the same relay, restarted).
    after = FaultyHandler()
    with smtp_server(after, port=port, enable_SMTPUTF8=True):
        plain = _send(config, edition)  # a plain run leaves them alone, as documented
        assert plain.exit_code == 1 and after.rcpts == [], plain.output
        listed = _send(config, edition, "--retry-unsendable", "--dry-run")
        assert listed.exit_code == 0, listed.output
        assert "Dry run: 2 messages would be sent" in listed.output, listed.output
        assert f"  {JOSE}\n" in listed.output and f"  {AJAY}\n" in listed.output
        retried = _send(config, edition, "--retry-unsendable")
        assert retried.exit_code == 0, retried.output
        assert "Sent 2, bounced 0, deferred 0, skipped 12 (already delivered)" in retried.output
        assert "--retry-unsendable" not in retried.output  # nothing left to say about them
        # Once more, either way: nothing is left, nothing is sent.
        for args in (("--retry-unsendable",), ()):
            done = _send(config, edition, *args)
            assert done.exit_code == 0 and "Sent 0," in done.output, done.output
    assert after.per_recipient() == {JOSE: 1, AJAY: 1}
    assert {g.recipient: g.options for g in after.got} == {JOSE: ("SMTPUTF8",), AJAY: ("SMTPUTF8",)}
    assert app.store.ledger(edition) == {"sent": 14}
    info = app.store.edition_info(edition)
    assert info.status == "sent" and info.sent_at == sent_at  # when it went out, unchanged
    app.store.close()


def test_retry_unsendable_with_worker_processes(tmp_path: Path) -> None:
    with smtp_server(FaultyHandler(), enable_SMTPUTF8=False) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        _subscribe_all(app)
        first = _send(config, edition, "--workers", "2")
        assert first.exit_code == 1, first.output
        assert "Sent 12, bounced 0, deferred 0, failed 2," in first.output
    after = FaultyHandler()
    with smtp_server(after, port=port, enable_SMTPUTF8=True):
        retried = _send(config, edition, "--retry-unsendable", "--workers", "2")
    assert retried.exit_code == 0, retried.output
    assert "Sent 2, bounced 0, deferred 0, skipped 12" in retried.output, retried.output
    assert after.per_recipient() == {JOSE: 1, AJAY: 1}
    assert app.store.ledger(edition) == {"sent": 14}


def test_digest_workers_retry_them_once_the_relay_offers_smtputf8(tmp_path: Path) -> None:
    """The queue path: the same `digest worker` sends the first run and the retry, the
    relay restarted with SMTPUTF8 in between (the worker keeps its connection between
    batches: what the old one said must not decide the retry)."""
    from tests.databases import postgres_database
    from tests.test_workers_support import queue_config, redis_broker, workers

    before, after = FaultyHandler(), FaultyHandler()
    port = free_port()
    with postgres_database() as db, redis_broker() as url:
        config = small_project(tmp_path / "news", port, extra=queue_config(url), database=db)
        app = App.from_config(config)
        edition = build(app)
        ascii_emails = _subscribe_all(app)
        with workers(config, tmp_path, "a", args=("--concurrency", "1")):
            with smtp_server(before, port=port, enable_SMTPUTF8=False):
                first = _send(config, edition)
                assert first.exit_code == 1, first.output
                assert "Sent 12, bounced 0, deferred 0, failed 2," in first.output, first.output
                assert f"2 copies of edition {edition} not sent" in _flat(first.output)
                unfixed = _send(config, edition, "--retry-unsendable")
                assert unfixed.exit_code == 1, unfixed.output
                assert "Sent 0, bounced 0, deferred 0, failed 2," in unfixed.output
            with smtp_server(after, port=port, enable_SMTPUTF8=True):
                retried = _send(config, edition, "--retry-unsendable")
                assert retried.exit_code == 0, retried.output
                assert "Sent 2, bounced 0, deferred 0, skipped 12" in retried.output
        assert sorted(before.per_recipient().items()) == sorted((e, 1) for e in ascii_emails)
        assert after.per_recipient() == {JOSE: 1, AJAY: 1}
        assert app.store.ledger(edition) == {"sent": 14}
        assert app.store.edition(edition).status == "sent"
        app.store.close()


def test_the_note_names_the_first_five_and_how_to_list_the_rest() -> None:
    from digest.deliver.replies import no_smtputf8
    from digest.deliver.unsent import unsent_note
    from digest.records import Delivery

    emails = [f"jos{'é' * i}@example.com" for i in range(1, 7)]
    listed = [
        Delivery(7, i, e, "unsendable", 1, str(no_smtputf8(e, "relay.example:25")))
        for i, e in enumerate(emails)
    ]
    note = unsent_note(7, 9, listed[:5])
    assert note.startswith(
        "9 copies of edition 7 not sent: the relay relay.example:25 does not offer SMTPUTF8"
    )
    assert f"({', '.join(emails[:5])} and 4 more: " in note
    assert "`digest send 7 --retry-unsendable --dry-run` lists them all)" in note
    assert note.endswith("`digest send 7 --retry-unsendable` sends them")
    one = unsent_note(7, 1, listed[:1], named=False)
    assert one.startswith("1 copy not sent: the relay") and one.endswith("sends it")
