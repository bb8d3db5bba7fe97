"""Bounces and complaints after the SMTP conversation: VERP tags, reports, the mailbox.

The report samples in tests/data/bounces/ are our own, written from the structure of
RFC 3464 (DSN) and RFC 5965 (ARF) in the shapes Postfix, Exim, Gmail and Outlook use;
`$envelope` and `$recipient` are filled in per test.
"""

from __future__ import annotations

import json
import mailbox
from pathlib import Path
from string import Template

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from digest.app import App
from digest.bounces import process_mailbox
from digest.bounces.reports import classify_status, read_report
from digest.bounces.verp import envelope_sender, find_tag, read_tag
from digest.cli import main
from digest.store import schema as t
from tests.test_send_support import NOW, add_subscribers, build, small_project

DATA = Path(__file__).parent / "data" / "bounces"
RETURN = "bounces@brief.example.org"


def sample(name: str, envelope: str = "", recipient: str = "", reportee: str = "") -> bytes:
    raw = (DATA / name).read_bytes()
    if b"\0" in raw:
        return raw  # binary garbage: as it is
    text = raw.decode("utf-8")
    filled = Template(text).safe_substitute(
        envelope=envelope, recipient=recipient, reportee=reportee or "fbl@example.org"
    )
    return filled.replace("\n", "\r\n").encode()


# -- VERP ---------------------------------------------------------------------------


def test_verp_tag_names_edition_and_subscriber_and_cannot_be_forged() -> None:
    address = envelope_sender(RETURN, 7, 1234567, "k" * 40)
    local = address.split("@")[0]
    assert address.endswith("@brief.example.org") and local.startswith("bounces+")
    assert len(local) <= 64  # RFC 5321
    found = read_tag(address, RETURN, ["k" * 40])
    assert found is not None and (found.edition_id, found.subscriber_id) == (7, 1234567)
    assert read_tag(f"<{address.upper()}>", RETURN, ["k" * 40]) == found  # relays may re-case
    # Another subscriber's id with the same MAC, another key, another domain: nothing.
    forged = address.replace("s1234567x", "s1234568x")
    assert read_tag(forged, RETURN, ["k" * 40]) is None
    assert read_tag(address, RETURN, ["other" * 8]) is None
    assert (
        read_tag(address.replace("brief.example.org", "evil.example"), RETURN, ["k" * 40]) is None
    )
    # An old key still verifies while it is kept for its grace window.
    assert read_tag(address, RETURN, ["new" * 12, "k" * 40]) == found
    assert find_tag(f"To: Someone <{address}>\nX: y", RETURN, ["k" * 40]) == found


# -- reading reports -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "status"),
    [
        ("postfix-hard.eml", "hard", "5.1.1"),
        ("gmail-hard.eml", "hard", "5.1.1"),
        ("exim-soft.eml", "soft", "4.2.2"),
        ("delayed.eml", "delayed", "4.4.1"),
        ("outlook-arf.eml", "complaint", None),
        ("autoreply.eml", "auto_reply", None),
    ],
)
def test_reports_are_understood(name: str, kind: str, status: str | None) -> None:
    envelope = envelope_sender(RETURN, 3, 9, "key" * 12)
    report = read_report(sample(name, envelope, "ann@reader.example"))
    assert report.kind == kind
    if kind != "auto_reply":
        (finding,) = report.findings
        assert finding.status == status
        assert finding.recipient == "ann@reader.example"
    tag = find_tag(report.addressed, RETURN, ["key" * 12])
    assert tag is not None and (tag.edition_id, tag.subscriber_id) == (3, 9)


def test_a_complaint_is_traced_through_the_returned_original_when_the_report_is_not_to_us() -> None:
    envelope = envelope_sender(RETURN, 3, 9, "key" * 12)
    report = read_report(sample("outlook-arf.eml", envelope, "ann@reader.example", "abuse@x.org"))
    assert find_tag(report.addressed, RETURN, ["key" * 12]) is not None


@pytest.mark.parametrize("name", ["truncated.eml", "garbage.eml"])
def test_a_broken_report_is_unknown_never_an_exception(name: str) -> None:
    report = read_report(sample(name, "x@y.example", "a@b.example"))
    assert report.kind in ("unknown", "hard")  # a truncated DSN may still say enough
    assert report.key


def test_status_classes() -> None:
    assert classify_status("5.1.1") == "hard"
    assert classify_status("5.2.1") == "hard"
    assert classify_status("5.2.2") == "soft"  # mailbox full
    assert classify_status("5.7.1") == "soft"  # the message was refused, not the address
    assert classify_status("4.4.7") == "soft"
    assert classify_status("5.0.0", "550 no such user here") == "hard"
    assert classify_status("5.0.0", "550 blocked") == "soft"


# -- the mailbox, end to end ------------------------------------------------------------


def _project(tmp_path: Path, extra: str = "", database: str = "sqlite:///digest.db") -> App:
    box = tmp_path / "bounces"
    mailbox.Maildir(box, create=True).close()
    config = small_project(
        tmp_path / "news",
        2525,
        database=database,
        extra=f'[bounces]\nreturn_path = "{RETURN}"\nmailbox = "maildir:{box}"\n'
        f"soft_limit = 2\n{extra}",
    )
    return App.from_config(config)


def _sent(app: App, edition: int, ids: list[int]) -> None:
    """The ledger says these subscribers' copies of the edition were handed over (signed
    with the project's key, made first as a real send makes it: digest.keyguard)."""
    app.keys  # noqa: B018
    app.store.claim(edition, ids, worker="t", now=NOW)
    app.store.mark(edition, {i: ("sent", None) for i in ids}, now=NOW)


def _deliver(app: App, raw: bytes) -> None:
    spec = app.settings.bounces.mailbox
    assert spec is not None
    box = mailbox.Maildir(spec.removeprefix("maildir:"), create=False)
    box.add(raw)
    box.close()


def _status(app: App, email: str) -> list[str]:
    s = t.subscribers
    with app.store.engine.connect() as conn:
        return list(conn.execute(select(s.c.status).where(s.c.email == email)).scalars())


def test_hard_bounce_complaint_and_forgery_through_the_cli(tmp_path: Path, db_url: str) -> None:
    app = _project(tmp_path, database=db_url)
    edition = build(app)
    emails = add_subscribers(app, 4)
    add_subscribers(app, 1, list_name="weekly")  # reader0 again, on another list
    subs = {s.email: s.id for s in app.store.subscribers("daily")}
    _sent(app, edition, list(subs.values()))
    keys = app.verp_keys()

    def envelope(email: str) -> str:
        return envelope_sender(RETURN, edition, subs[email], keys[0])

    _deliver(app, sample("postfix-hard.eml", envelope(emails[0]), emails[0]))
    _deliver(app, sample("outlook-arf.eml", envelope(emails[1]), emails[1]))
    _deliver(app, sample("autoreply.eml", envelope(emails[2]), emails[2]))
    # A forged DSN: names reader3 but carries no valid tag (an attacker can't make one).
    _deliver(
        app, sample("gmail-hard.eml", "bounces+e1s4xaaaaaaaaaaaa@brief.example.org", emails[3])
    )
    _deliver(app, sample("truncated.eml", "nobody@x.example", "a@b.example"))
    _deliver(app, sample("garbage.eml"))

    runner = CliRunner()
    config = str(app.settings.path)
    result = runner.invoke(main, ["bounces", "--config", config, "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["read"] == 6
    assert counts["hard"] == 2 and counts["complaints"] == 1 and counts["auto_replies"] == 1
    assert counts["unverified"] == 1 and counts["suppressed"] == 2, counts
    assert any("unreadable" in p or "neither" in p for p in counts["problems"])
    # The hard bounce suppresses the address on every list; the complaint its own list.
    assert _status(app, emails[0]) == ["bounced", "bounced"]
    assert _status(app, emails[1]) == ["complained"]
    assert _status(app, emails[2]) == ["active"]
    assert _status(app, emails[3]) == ["active"]  # the forgery changed nothing
    # Processed messages were moved, not deleted; a second run reads nothing.
    box = mailbox.Maildir(app.settings.bounces.mailbox.removeprefix("maildir:"))  # type: ignore[union-attr]
    assert len(box) == 0 and len(box.get_folder("Processed")) == 6
    again = runner.invoke(main, ["bounces", "--config", config, "--json"])
    assert json.loads(again.output)["read"] == 0
    shown = runner.invoke(main, ["editions", "--config", config, "--json"])
    (row,) = json.loads(shown.output)
    assert (row["delivered"], row["bounced_hard"], row["complained"]) == (4, 1, 1)
    assert row["complaint_rate"] == 0.25 and row["complaint_warning"] is True
    table = runner.invoke(main, ["editions", "--config", config])
    assert "complaints at 25.00% of delivered" in table.output


def test_the_same_report_twice_changes_nothing(tmp_path: Path) -> None:
    app = _project(tmp_path, extra='processed = "flag"\n')
    edition = build(app)
    (email,) = add_subscribers(app, 1)
    sub = app.store.subscriber("daily", email)
    assert sub is not None
    _sent(app, edition, [sub.id])
    raw = sample("exim-soft.eml", app.envelope_sender(edition, sub.id), email)
    _deliver(app, raw)
    _deliver(app, raw)  # the same report delivered twice (same Message-ID)
    first = process_mailbox(app.store, app.settings.bounces, keys=app.verp_keys(), now=NOW)
    assert first.read == 2 and first.repeated == 1
    second = process_mailbox(app.store, app.settings.bounces, keys=app.verp_keys(), now=NOW)
    assert second.read == 0  # flagged as seen
    assert app.store.soft_streak(sub.id) == 1
    with app.store.engine.connect() as conn:
        assert conn.execute(select(t.bounce_reports.c.id)).all().__len__() == 1


def test_soft_bounces_suppress_only_after_the_limit_in_a_row(tmp_path: Path) -> None:
    app = _project(tmp_path)  # soft_limit = 2
    first = build(app)
    (email,) = add_subscribers(app, 1)
    sub = app.store.subscriber("daily", email)
    assert sub is not None
    editions = [first]
    for _ in range(3):
        edition = app.store.save_edition(app.store.edition(first), now=NOW)
        assert edition.id is not None
        editions.append(edition.id)
    for e in editions:
        _sent(app, e, [sub.id])

    def soft(edition: int, n: int) -> None:
        raw = sample("exim-soft.eml", app.envelope_sender(edition, sub.id), email)
        _deliver(app, raw.replace(b"E1vQx7M-000Abc-2x", f"soft-{n}".encode()))
        process_mailbox(app.store, app.settings.bounces, keys=app.verp_keys(), now=NOW)

    soft(editions[0], 0)  # an old soft bounce, then a good edition breaks the run
    soft(editions[2], 1)
    assert _status(app, email) == ["active"]
    soft(editions[3], 2)  # two editions in a row: suppressed
    assert _status(app, email) == ["bounced"]
    events = app.store.events(sub.id)
    assert events[-1].origin == "bounce" and "in a row" in (events[-1].detail or "")


def test_an_unreadable_mailbox_is_a_clear_error(tmp_path: Path) -> None:
    app = _project(tmp_path)
    app.store  # noqa: B018 - the project's database (a command on a missing one is refused)
    app.close()
    result = CliRunner().invoke(
        main,
        ["bounces", "--config", str(app.settings.path), "--mailbox", f"maildir:{tmp_path}/nope"],
    )
    assert result.exit_code == 2
    assert "not a maildir" in result.output and "Traceback" not in result.output


# -- IMAP, against a real Dovecot ----------------------------------------------------------


@pytest.mark.parametrize("scheme", ["imaps", "imap"])
def test_imap_mailbox_over_tls_moves_processed_reports(tmp_path: Path, scheme: str) -> None:
    import imaplib
    import ssl

    from tests.imapserver import dovecot

    with dovecot() as server:
        port = server.imaps_port if scheme == "imaps" else server.imap_port
        url = f"{scheme}://{server.user}@{server.host}:{port}/INBOX"
        app = _project(tmp_path, extra=f'ca_file = "{server.ca_file}"\n')
        edition = build(app)
        (email,) = add_subscribers(app, 1)
        sub = app.store.subscriber("daily", email)
        assert sub is not None
        _sent(app, edition, [sub.id])
        context = ssl.create_default_context(cafile=str(server.ca_file))
        client = imaplib.IMAP4_SSL(server.host, server.imaps_port, ssl_context=context)
        client.login(server.user, server.password)
        bounce = sample("gmail-hard.eml", app.envelope_sender(edition, sub.id), email)
        client.append("INBOX", None, None, bounce)
        client.append("INBOX", None, None, sample("autoreply.eml", "x@y.example", email))

        settings = app.settings.bounces
        run = process_mailbox(
            app.store, settings, keys=app.verp_keys(), now=NOW, spec=url, password=server.password
        )
        assert (run.read, run.kinds["hard"], run.kinds["auto_reply"]) == (2, 1, 1)
        assert _status(app, email) == ["bounced"]
        client.select("INBOX")
        assert client.uid("SEARCH", "ALL")[1] == [b""]  # moved, not left behind
        client.select('"Processed"')
        assert len(client.uid("SEARCH", "ALL")[1][0].split()) == 2  # and not deleted
        client.logout()
        # A wrong password is a clear error naming the mailbox, never the password.
        from digest.bounces.mailbox import BounceMailboxError

        with pytest.raises(BounceMailboxError) as caught:
            process_mailbox(
                app.store, settings, keys=app.verp_keys(), now=NOW, spec=url, password="wrong"
            )
        assert server.host in str(caught.value) and "wrong" not in str(caught.value)


def test_the_scheduler_reads_the_mailbox_once_per_poll_period(tmp_path: Path) -> None:
    from datetime import timedelta

    from digest.schedule.scheduler import Scheduler

    app = _project(tmp_path, extra="poll_minutes = 15\n")
    edition = build(app)
    (email,) = add_subscribers(app, 1)
    sub = app.store.subscriber("daily", email)
    assert sub is not None
    _sent(app, edition, [sub.id])
    _deliver(app, sample("postfix-hard.eml", app.envelope_sender(edition, sub.id), email))
    at = NOW.replace(minute=1)
    first = [o for o in Scheduler(app).tick(at) if o.action == "bounces"]
    assert [(o.status, o.detail.split(":")[0]) for o in first] == [("done", "1 read")]
    assert _status(app, email) == ["bounced"]
    # Another scheduler in the same period does not read again; the next period does.
    _deliver(app, sample("autoreply.eml", "x@y.example", email))
    assert [
        o for o in Scheduler(app).tick(at + timedelta(minutes=5)) if o.action == "bounces"
    ] == []
    later = [o for o in Scheduler(app).tick(at + timedelta(minutes=16)) if o.action == "bounces"]
    assert [o.detail.split(":")[0] for o in later] == ["1 read"]


def test_the_outbox_shows_each_copys_signed_bounce_address(tmp_path: Path) -> None:
    from email import message_from_bytes, policy

    from digest.deliver.run import send_edition

    box = tmp_path / "bounces"
    mailbox.Maildir(box, create=True).close()
    config = small_project(tmp_path / "news", 2525, extra=f'[bounces]\nreturn_path = "{RETURN}"\n')
    text = config.read_text().replace('kind = "smtp"', 'kind = "outbox"\npath = "outbox/"')
    config.write_text(text.replace('host = "127.0.0.1"\nport = 2525\n', ""))
    app = App.from_config(config)
    edition = build(app)
    add_subscribers(app, 3)
    send_edition(app, edition, clock=lambda: NOW)
    files = sorted((config.parent / "outbox").glob("*.eml"))
    assert len(files) == 3
    for path in files:
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        tag = read_tag(str(msg["Return-Path"]), RETURN, app.verp_keys())
        sub = app.store.subscriber("daily", str(msg["To"].addresses[0].addr_spec))
        assert tag is not None and sub is not None
        assert (tag.edition_id, tag.subscriber_id) == (edition, sub.id)


def test_the_desk_shows_each_editions_outcome_and_warns_on_complaints(tmp_path: Path) -> None:
    from tests.test_desk import add_editor, client, login, running

    app = _project(tmp_path)
    edition = build(app)
    emails = add_subscribers(app, 4)
    subs = {s.email: s.id for s in app.store.subscribers("daily")}
    _sent(app, edition, list(subs.values()))
    keys = app.verp_keys()
    _deliver(
        app, sample("postfix-hard.eml", app.envelope_sender(edition, subs[emails[0]]), emails[0])
    )
    _deliver(
        app, sample("outlook-arf.eml", app.envelope_sender(edition, subs[emails[1]]), emails[1])
    )
    process_mailbox(app.store, app.settings.bounces, keys=keys, now=NOW)
    app.store.set_edition_status(edition, "sent", now=NOW)
    add_editor(app.settings.path)
    with running(app.settings.path) as base, client(base) as c:
        assert login(c).status_code == 303
        page = " ".join(c.get("/editions").text.split())
    assert "4 delivered · bounced 1 hard / 0 soft (25.00%) · 1 complaint (25.00%)" in page
    assert "Complaints above 0.1%" in page
