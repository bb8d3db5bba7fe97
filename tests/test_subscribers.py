"""Subscriber lists and consent: import rules, add/remove/forget, double opt-in by CLI."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from digest.records import Edition
from digest.subscribers import import_csv
from tests.conftest import Mailbox, write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

# Line numbers matter: the report must point at them.
MESSY_CSV = (
    b"email,name,sections,timezone,format\r\n"  # 1
    b"ann@example.org,Ann,,Europe/Copenhagen,html\r\n"  # 2 good
    b"not-an-address,Bad,,,\r\n"  # 3 bad address
    b"bob@example.org,Bob,Culture;Business,,text\r\n"  # 4 good
    b'"eve@example.org\r\nBcc: victim@example.net",Eve,,,\r\n'  # 5-6 CR/LF in the address
    b'mallory@example.org,"Mallory\r\nBcc: x@example.net",,,\r\n'  # 7-8 CR/LF in the name: joined
    b"ANN@Example.ORG,Ann Again,,,\r\n"  # 9 duplicate of line 2
    b"carol@example.org,Carol,,Mars/Olympus,html\r\n"  # 10 bad time zone
    b"gone@example.org,Gone Again,,,\r\n"  # 11 unsubscribed before: stays so
    b"\r\n"  # 12 blank: skipped
    b"dave@example.org,Dave,,,pdf\r\n"  # 13 bad format
    b"erased@example.org,Erased,,,\r\n"  # 14 forgotten before: not re-added
    b",No Address,,,\r\n"  # 15 no address
    b"bounced@example.org,B,,,\r\n"  # 16 bounced before: stays so
    b"complained@example.org,C,,,\r\n"  # 17 complained before: stays so
)


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def _statuses(app: App, list_name: str = "daily") -> dict[str, str]:
    return {s.email: s.status for s in app.store.subscribers(list_name)}


def _seed(app: App) -> None:
    """Earlier history: one active, one unsubscribed, bounced, complained, one erased."""
    rows = [
        {"email": e, "name": e.split("@")[0], "status": "active"}
        for e in (
            "keep@example.org",
            "gone@example.org",
            "bounced@example.org",
            "complained@example.org",
            "erased@example.org",
        )
    ]
    app.store.write_subscribers("daily", rows, origin="test", now=NOW)
    for email, status in (
        ("gone@example.org", "unsubscribed"),
        ("bounced@example.org", "bounced"),
        ("complained@example.org", "complained"),
    ):
        sub = app.store.subscriber("daily", email)
        assert sub is not None
        assert app.store.set_status(sub.id, status, origin="test", now=NOW)
    assert app.store.forget("erased@example.org", now=NOW) == 1


def test_an_import_reports_bad_rows_by_line_and_never_revives_anyone(project: Path) -> None:
    app = App.from_config(project)
    _seed(app)
    before = _statuses(app)
    csv_file = project.parent / "messy.csv"
    csv_file.write_bytes(MESSY_CSV)

    dry = import_csv(app.store, "daily", csv_file, now=NOW, dry_run=True)
    assert _statuses(app) == before  # a dry run writes nothing
    assert (dry.added, dry.updated) == (3, 0)

    result = import_csv(app.store, "daily", csv_file, now=NOW)

    problems = {p.line: p for p in result.problems}
    assert sorted(problems) == [3, 5, 10, 13, 15]
    assert "@" in problems[3].reason
    assert "line break" in problems[5].reason and problems[5].email.startswith("eve@")
    # A name on two lines is one line, as the subscribe form makes it: a note, not an error.
    assert [(n.line, n.email) for n in result.notes] == [(7, "mallory@example.org")]
    assert "line breaks were joined" in result.notes[0].reason
    assert "time zone" in problems[10].reason and "Mars/Olympus" in problems[10].reason
    assert "html or text" in problems[13].reason
    assert "no address" in problems[15].reason
    assert [(m.line, m.first_line, m.email) for m in result.merged] == [(9, 2, "ann@example.org")]
    assert (result.added, result.updated, result.duplicates) == (3, 0, 1)
    assert result.kept_suppressed == 4  # gone, erased, bounced, complained

    after = _statuses(app)
    assert after == {
        **before,
        "ann@example.org": "active",
        "bob@example.org": "active",
        "mallory@example.org": "active",
    }
    assert "erased@example.org" not in after
    assert not any("eve" in e or "victim" in e for e in after)
    mallory = app.store.subscriber("daily", "mallory@example.org")
    assert mallory is not None and mallory.name == "Mallory Bcc: x@example.net"
    ann = app.store.subscriber("daily", "ann@example.org")
    bob = app.store.subscriber("daily", "bob@example.org")
    assert ann is not None and bob is not None
    assert ann.name == "Ann Again"  # the later duplicate's values win
    assert bob.sections == ("Business", "Culture") and bob.format == "text"
    gone = app.store.subscriber("daily", "gone@example.org")
    assert gone is not None and gone.name == "gone"  # left entirely alone
    assert [(e.status, e.origin) for e in app.store.events(ann.id)] == [
        ("active", "import:messy.csv")
    ]

    # The command line says the same, with file:line, and exits 1.
    r = _run(project, "subscribers", "import", str(csv_file), "--list", "daily", "--dry-run")
    assert r.exit_code == 1
    for line in (3, 5, 7, 10, 13, 15):
        assert f"messy.csv:{line}:" in r.output
    assert "messy.csv:9: ann@example.org: duplicate of line 2, merged" in r.output
    assert "messy.csv:7: mallory@example.org: note: the name's line breaks" in r.output
    # The file was imported just now: its three good rows would change nothing.
    assert "0 added, 0 updated, 3 unchanged" in r.output and "5 bad rows" in r.output


def test_an_unusable_file_is_refused_with_its_name(project: Path) -> None:
    for content, expected in (
        (b"name,mail\nA,a@example.org\n", ":1: the header must have an 'email' column"),
        (b"email,name,shoe_size\na@example.org,A,44\n", ":1: unknown column 'shoe_size'"),
        (b"email,name\n\xff\xfe@example.org,A\n", "not UTF-8"),
    ):
        bad = project.parent / "bad.csv"
        bad.write_bytes(content)
        r = _run(project, "subscribers", "import", str(bad), "--list", "daily")
        assert r.exit_code == 2, r.output
        assert "bad.csv" in r.output and expected in r.output


def test_add_remove_forget_and_list(project: Path) -> None:
    app = App.from_config(project)
    r = _run(project, "subscribers", "add", "Lena@Example.ORG", "--list", "daily", "--name", "Lena")
    assert r.exit_code == 0, r.output
    assert "Added lena@example.org to daily (active)" in r.output

    r = _run(project, "subscribers", "list", "--list", "daily", "--json")
    (row,) = json.loads(r.output)
    assert {k: row[k] for k in ("email", "name", "status", "paused")} == {
        "email": "lena@example.org",
        "name": "Lena",
        "status": "active",
        "paused": False,
    }

    r = _run(project, "subscribers", "remove", "lena@example.org", "--list", "daily")
    assert r.exit_code == 0 and "is now unsubscribed" in r.output
    r = _run(project, "subscribers", "remove", "LENA@example.org", "--list", "daily")
    assert r.exit_code == 0 and "was already unsubscribed" in r.output
    r = _run(project, "subscribers", "add", "lena@example.org", "--list", "daily")
    assert r.exit_code == 2 and "not reactivated" in r.output
    r = _run(project, "subscribers", "remove", "nobody@example.org", "--list", "daily")
    assert r.exit_code == 2 and "nobody@example.org" in r.output

    # Export carries active subscribers only.
    _run(project, "subscribers", "add", "max@example.org", "--list", "daily")
    r = _run(project, "subscribers", "export", "--list", "daily")
    assert r.output.splitlines() == [
        "email,name,sections,timezone,format",
        "max@example.org,,,,html",
    ]
    r = _run(project, "subscribers", "remove", "max@example.org", "--list", "daily", "--status",
             "complained")  # fmt: skip
    assert r.exit_code == 0

    lena = app.store.subscriber("daily", "lena@example.org")
    assert lena is not None
    assert [(e.status, e.origin) for e in app.store.events(lena.id)] == [
        ("active", "cli"),
        ("unsubscribed", "cli"),
    ]


def test_forget_erases_a_person_everywhere_and_keeps_only_a_hash(tmp_path: Path) -> None:
    config = write_project(
        tmp_path / "news", extra='[[lists]]\nname = "weekly"\nschedule = "0 8 * * 1"\n'
    )
    app = App.from_config(config)
    address = "forget.me@example.org"
    for lst in ("daily", "weekly"):
        app.store.write_subscribers(
            lst,
            [{"email": address, "name": "Forget Me", "status": "active"}],
            origin="test",
            now=NOW,
        )
    app.store.write_subscribers(
        "daily", [{"email": "stays@example.org", "status": "active"}], origin="test", now=NOW
    )
    sub = app.store.subscriber("daily", address)
    stays = app.store.subscriber("daily", "stays@example.org")
    assert sub is not None and stays is not None
    edition = app.store.save_edition(Edition("daily", NOW, (), ()), now=NOW)
    assert edition.id is not None
    app.store.claim(edition.id, [sub.id, stays.id], worker="t", now=NOW)
    app.store.mark(edition.id, {sub.id: ("sent", None), stays.id: ("sent", None)}, now=NOW)

    r = _run(config, "subscribers", "forget", "Forget.Me@example.org")
    assert r.exit_code == 0, r.output
    assert "Erased 2 subscription(s)" in r.output

    assert app.store.subscriber("daily", address) is None
    assert app.store.subscriber("weekly", address) is None
    assert app.store.events(sub.id) == []
    assert app.store.ledger(edition.id) == {"sent": 1}  # only the other person's row
    # No table holds the address, in any spelling; the hash is there.
    db = sqlite3.connect(config.parent / "digest.db")
    tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
    for table in tables:
        for row in db.execute(f'select * from "{table}"'):
            assert not any(isinstance(v, str) and "forget.me" in v.lower() for v in row), table
    assert db.execute("select count(*) from suppressions").fetchone() == (1,)
    assert db.execute(
        "select origin, subscriber_id from subscriber_events where status='forgotten'"
    ).fetchall() == [("forget", None)]
    db.close()

    # No import, add or form brings the person back.
    again = tmp_path / "again.csv"
    again.write_text(f"email,name\n{address.upper()},Forget Me\n")
    r = _run(config, "subscribers", "import", str(again), "--list", "weekly")
    assert r.exit_code == 0 and "0 added" in r.output
    r = _run(config, "subscribers", "add", address, "--list", "daily")
    assert r.exit_code == 2 and "forget" in r.output
    assert app.store.subscriber("weekly", address) is None
    # A new subscriber never takes an erased id (a signed link must not move to them).
    app.store.write_subscribers(
        "daily", [{"email": "new@example.org", "status": "active"}], origin="test", now=NOW
    )
    new = app.store.subscriber("daily", "new@example.org")
    assert new is not None and new.id > max(sub.id, stays.id)


def test_double_opt_in_by_cli_sends_one_confirmation_over_smtp(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = write_project(
        tmp_path / "news",
        transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}',
        extra='[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n',
    )
    app = App.from_config(config)

    r = _run(config, "subscribers", "add", "new@example.org", "--list", "weekly", "--name", "Né")
    assert r.exit_code == 0, r.output
    assert "pending; confirmation sent" in r.output
    sub = app.store.subscriber("weekly", "new@example.org")
    assert sub is not None and sub.status == "pending"
    (got,) = smtp_server.messages
    msg = got.message
    assert got.recipients == ["new@example.org"]
    assert got.envelope_from == "brief@example.org"
    # Until the address is confirmed, the mail carries no name (see confirmation_message);
    # the name is kept for the editions that follow.
    assert str(msg["To"]) == "new@example.org" and sub.name == "Né"
    assert msg["Subject"] == "Confirm your subscription to The Weekly"
    assert msg["Date"] is not None and msg["Message-ID"].startswith("<digest.confirm.")
    assert msg["List-Unsubscribe"] is None and msg["Auto-Submitted"] == "auto-generated"
    body = msg.get_content()
    link = re.search(r"https://brief\.example\.org/c/(\S+)", body)
    assert link and app.tokens.read_dated("confirm", link.group(1))[0] == sub.id

    # Asking again straight away does not flood the inbox.
    r = _run(config, "subscribers", "add", "new@example.org", "--list", "weekly")
    assert r.exit_code == 0 and "already pending" in r.output
    assert len(smtp_server.messages) == 1

    # A name that tries to add a header is refused; nothing is stored or sent.
    r = _run(config, "subscribers", "add", "x@example.org", "--list", "weekly", "--name",
             "X\r\nBcc: evil@example.net")  # fmt: skip
    assert r.exit_code == 2 and "line break" in r.output
    assert app.store.subscriber("weekly", "x@example.org") is None
    assert len(smtp_server.messages) == 1

    # Without double opt-in the subscriber is active at once and gets no mail.
    r = _run(config, "subscribers", "add", "now@example.org", "--list", "daily")
    assert r.exit_code == 0 and "(active)" in r.output
    assert len(smtp_server.messages) == 1


def test_consent_rules_hold_on_each_database(db_url: str) -> None:
    """The store's side of consent, on SQLite and on PostgreSQL."""
    from digest.store import Store

    store = Store(db_url)
    store.migrate()
    ids = store.write_subscribers(
        "daily",
        [
            {"email": "a@example.org", "name": "A", "status": "active"},
            {"email": "b@example.org", "name": "B", "status": "pending"},
        ],
        origin="test",
        now=NOW,
    )
    a, b = ids
    # Idempotent unsubscribe; `only_from` keeps a confirmation from reviving anyone.
    assert store.set_status(a, "unsubscribed", origin="web:unsubscribe", now=NOW)
    assert not store.set_status(a, "unsubscribed", origin="web:unsubscribe", now=NOW)
    assert not store.set_status(a, "active", origin="confirm", now=NOW, only_from=("pending",))
    assert store.set_status(b, "active", origin="confirm", now=NOW, only_from=("pending",))
    # A row never overrides a suppressed status.
    store.write_subscribers(
        "daily", [{"email": "a@example.org", "status": "active"}], origin="x", now=NOW
    )
    sub_a = store.subscriber_by_id(a)
    assert sub_a is not None and sub_a.status == "unsubscribed"
    # Preferences are stored and recorded once; saving the same again records nothing.
    for _ in range(2):
        store.set_preferences(
            b,
            sections=["Culture"],
            format="text",
            timezone="Asia/Tokyo",
            paused=True,
            origin="web:preferences",
            now=NOW,
        )
    sub_b = store.subscriber_by_id(b)
    assert sub_b is not None
    assert (sub_b.sections, sub_b.format, sub_b.timezone) == (("Culture",), "text", "Asia/Tokyo")
    assert store.is_paused(b) and store.paused_ids("daily") == {b}
    assert [(e.status, e.origin) for e in store.events(b)] == [
        ("pending", "test"),
        ("active", "confirm"),
        ("active", "web:preferences"),
    ]
    edition = store.save_edition(Edition("daily", NOW, (), ()), now=NOW)
    assert edition.id is not None
    store.claim(edition.id, [b], worker="t", now=NOW)
    assert store.forget("B@example.org", now=NOW) == 1
    assert store.subscriber_by_id(b) is None and store.events(b) == []
    assert store.ledger(edition.id) == {}
    assert store.is_suppressed("b@example.org")
    assert store.write_subscribers(
        "daily", [{"email": "b@example.org", "status": "active"}], origin="x", now=NOW
    ) == [0]
    store.close()
