"""One mailbox, one subscriber: the case variants of an internationalised address
(`José@example.com`, `JOSÉ@example.com`, `josé@example.com`) are the same subscriber.

An ASCII local part was always matched without its case; a Unicode one was kept as
typed and matched exactly, so each spelling was a subscriber of its own: one person
was mailed an edition twice, a bounce of one spelling left the other mailed, and
`forget` left the other spelling subscribed. Now every door matches an address by
its key (NFC, a Unicode local part lower-cased), while mail still goes to the
address as it was first typed. A database with such twins is merged by the upgrade
without losing the consent record or the ledger.

Real parts: SQLite and PostgreSQL, the command line, aiosmtpd with SMTPUTF8, the
Flask app (subscribe form, confirmation, links, webhook), `digest bounces` over a
maildir, the Alembic chain.
"""

from __future__ import annotations

import json
import re
import socket
import time
from datetime import timedelta
from email import message_from_string, policy
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import insert, update

from digest.app import App
from digest.bounces.verp import envelope_sender
from digest.cli import main
from digest.deliver.run import send_edition
from digest.keys import new_key
from digest.records import address_key
from digest.store import Store
from digest.store import schema as t
from digest.subscribers import add_subscriber, normalise_email
from digest.web import create_app
from tests.conftest import write_project
from tests.test_bounces import RETURN, _deliver, _project, _sent, _status
from tests.test_bounces_webhooks import MAILGUN_KEY, _mailgun
from tests.test_eai_bounces import report
from tests.test_send_support import NOW, FaultyHandler, build, small_project, smtp_server
from tests.test_upgrade import OLD_SUBSCRIBERS, articles_as_today, gone_pid, migrate_to

BASE = "https://brief.example.org"
WEEKLY = '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def _add(app: App, email: str, list_name: str = "daily", name: str = "") -> int:
    added = add_subscriber(
        app.store, list_name, email, name, double_opt_in=False, origin="cli", now=NOW
    )
    assert added.subscriber is not None and added.created, added.reason
    return added.subscriber.id


def _on(app: App, list_name: str) -> dict[str, str]:
    return {s.email: s.status for s in app.store.subscribers(list_name)}


# -- the key ------------------------------------------------------------------------------
def test_the_key_lower_cases_a_unicode_local_part_and_leaves_ascii_ones_as_they_were() -> None:
    from digest.records import email_key

    for spelling in ("José@Example.com", "JOSÉ@example.com", "jose\u0301@EXAMPLE.com"):
        assert email_key(normalise_email(spelling)) == "josé@example.com"
    assert email_key("ΟΔΥΣΣΕΑΣ@example.gr") == email_key("οδυσσεας@example.gr")  # final sigma
    # Lower-casing, not full case folding: ß stays ß, so `Straße@` is not the mailbox
    # `strasse@` (tests/test_address_key.py); the capital ẞ is its case variant.
    assert email_key("STRAẞE@bücher.de") == email_key("Straße@bücher.de")
    assert email_key("Straße@bücher.de") == "straße@bücher.de"
    assert email_key("Straße@bücher.de") != email_key("STRASSE@bücher.de")
    # Stored (and mailed) as typed, as before.
    assert normalise_email("JOSÉ@example.com") == "JOSÉ@example.com"
    for ascii in ("Ann@Example.org", "ann+news@x.org", "ajay@डाटा.भारत", "a.b@xn--bcher-kva.de"):
        assert email_key(ascii) == address_key(ascii)  # ASCII local parts: unchanged
    for key in ("josé@example.com", "straße@bücher.de", "अजय@डाटा.भारत"):
        assert email_key(key) == key


# -- every door ----------------------------------------------------------------------------
def test_case_variants_are_one_subscriber_at_every_door_and_get_one_message(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler()
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        people = config.parent / "people.csv"
        people.write_text("email,name\nJosé@example.com,José\nann@example.org,Ann\n")
        r = _run(config, "subscribers", "import", str(people), "--list", "daily")
        assert r.exit_code == 0 and "2 added" in r.output, r.output

        r = _run(config, "subscribers", "add", "JOSÉ@example.com", "--list", "daily")
        assert r.exit_code == 0, r.output
        assert (
            "JOSÉ@example.com is already active on list 'daily', as José@example.com" in r.output
        ), r.output

        again = config.parent / "again.csv"
        again.write_text(
            "email,name\njosé@example.com,José Ørsted\n"
            "ÉLODIE@example.org,Élodie\nélodie@example.org,Élodie Roux\n"
        )
        r = _run(config, "subscribers", "import", str(again), "--list", "daily")
        assert r.exit_code == 0, r.output
        assert "1 added, 1 updated" in r.output and "1 duplicates merged" in r.output, r.output
        assert "again.csv:4: élodie@example.org: duplicate of line 3, merged" in r.output

        app = App.from_config(config)
        assert [(s.email, s.name) for s in app.store.subscribers("daily")] == [
            ("José@example.com", "José Ørsted"),  # the spelling first typed is kept
            ("ann@example.org", "Ann"),
            ("ÉLODIE@example.org", "Élodie Roux"),
        ]
        stored = app.store.subscriber("daily", "jOsÉ@example.com")
        assert stored is not None and stored.email == "José@example.com"

        edition = build(app)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 3
    assert handler.per_recipient() == {
        "José@example.com": 1,
        "ann@example.org": 1,
        "ÉLODIE@example.org": 1,
    }
    r = _run(config, "subscribers", "remove", "élodie@EXAMPLE.org", "--list", "daily")
    assert r.exit_code == 0 and "is now unsubscribed" in r.output, r.output
    assert _on(app, "daily")["ÉLODIE@example.org"] == "unsubscribed"
    r = _run(config, "subscribers", "add", "Élodie@example.org", "--list", "daily")
    assert r.exit_code == 2 and "unsubscribed on list 'daily', as ÉLODIE" in r.output, r.output
    assert len(app.store.subscribers("daily")) == 3


def test_the_subscribe_form_and_its_confirmation_know_the_other_spellings(
    tmp_path: Path,
) -> None:
    config = write_project(tmp_path / "news", extra=WEEKLY)  # mail goes to the outbox
    app = App.from_config(config)
    web = create_app(App.from_config(config)).test_client()
    outbox = config.parent / "outbox"

    def post(email: str) -> None:
        page = web.get("/subscribe?list=weekly", base_url=BASE).get_data(as_text=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found
        fields = {"list": "weekly", "email": email, "csrf_token": found.group(1)}
        answer = web.post("/subscribe", data=fields, base_url=BASE)
        assert answer.status_code == 200 and "Check your inbox" in answer.get_data(as_text=True)

    def confirmations() -> list[str]:
        """Who the confirmations went to, once the form's work (off the request) is done."""
        deadline = time.monotonic() + 20
        while not outbox.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a second one would be written by now
        mails = sorted(outbox.glob("confirm-*.eml"))
        return [
            message_from_string(m.read_bytes().decode(), policy=policy.SMTPUTF8)["To"]
            .addresses[0]
            .addr_spec
            for m in mails
        ]

    post("José@example.com")
    assert confirmations() == ["José@example.com"]
    post("JOSÉ@example.com")  # a second try, in capitals: the request is the same
    assert confirmations() == ["José@example.com"]
    assert _on(app, "weekly") == {"José@example.com": "pending"}

    body = message_from_string(
        next(outbox.glob("confirm-*.eml")).read_bytes().decode(), policy=policy.SMTPUTF8
    )
    link = re.search(
        r"https://brief\.example\.org(/c/\S+)", body.get_body(("plain",)).get_content()
    )
    assert link
    done = web.post(link.group(1), base_url=BASE)
    assert done.status_code == 200 and "Subscription confirmed" in done.get_data(as_text=True)
    post("josé@example.com")
    assert confirmations() == ["José@example.com"]
    assert _on(app, "weekly") == {"José@example.com": "active"}


# -- bounces ----------------------------------------------------------------------------------
def test_a_bounce_of_one_spelling_suppresses_the_mailbox_on_every_list(
    tmp_path: Path, db_url: str
) -> None:
    app = _project(tmp_path, extra="trust_unsigned = true\n", database=db_url)
    edition = build(app)
    jose = _add(app, "José@example.com")
    _add(app, "JOSÉ@example.com", "weekly")  # the same mailbox on another list
    elodie = _add(app, "Élodie@example.org")
    _add(app, "ÉLODIE@example.org", "weekly")
    ann = _add(app, "ann@example.org")
    _sent(app, edition, [jose, elodie, ann])
    # An unsigned report (a relay that rewrites the envelope) naming a third spelling;
    # a signed one (our VERP tag) about Élodie's daily copy.
    _deliver(app, report("postfix-utf8-xtext.eml", "josé@example.com"))
    tag = envelope_sender(RETURN, edition, elodie, app.verp_keys()[0])
    _deliver(app, report("postfix-global-hard.eml", "Élodie@example.org", tag))
    result = CliRunner().invoke(main, ["bounces", "--config", str(app.settings.path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["suppressed"] == 2, result.output  # one per report
    assert _on(app, "daily") == {
        "José@example.com": "bounced",
        "Élodie@example.org": "bounced",
        "ann@example.org": "active",
    }
    assert _on(app, "weekly") == {"JOSÉ@example.com": "bounced", "ÉLODIE@example.org": "bounced"}
    # The form and `add` then refuse every spelling, on any list.
    for spelling, lst in (("JOSÉ@example.com", "daily"), ("josé@example.com", "monthly")):
        added = add_subscriber(
            app.store, lst, spelling, double_opt_in=False, origin="web:subscribe", now=NOW
        )
        assert not added.created and "bounced" in added.reason, added
    assert _status(app, "josé@example.com") == []


def test_a_webhook_naming_another_spelling_suppresses_the_subscriber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_MAILGUN_SIGNING_KEY", MAILGUN_KEY)
    app = _project(tmp_path, extra="trust_unsigned = true\n")
    ids = [_add(app, "Åse@example.no"), _add(app, "ØYVIND@example.no")]
    _sent(app, build(app), ids)
    web = create_app(App.from_config(app.settings.path)).test_client()
    failed = {
        "event": "failed",
        "id": "mg-ase",
        "severity": "permanent",
        "recipient": "ÅSE@example.no",
        "delivery-status": {"code": 550, "enhanced-code": "5.1.1", "message": "No such user"},
    }
    complained = {"event": "complained", "id": "mg-oyvind", "recipient": "øyvind@example.no"}
    for event in (failed, complained):
        answer = web.post("/hooks/mailgun", json=_mailgun(event), base_url=BASE)
        assert answer.status_code == 200 and answer.get_json()["suppressed"] == 1, answer.data
    assert _on(app, "daily") == {"Åse@example.no": "bounced", "ØYVIND@example.no": "complained"}


# -- forget ---------------------------------------------------------------------------------
def test_forget_erases_every_spelling_and_keeps_them_all_out(tmp_path: Path, db_url: str) -> None:
    config = small_project(tmp_path / "news", 2525, database=db_url)
    app = App.from_config(config)
    _add(app, "José@example.com")
    _add(app, "JOSÉ@example.com", "weekly")
    _add(app, "ann@example.org")
    r = _run(config, "subscribers", "forget", "josé@example.com")
    assert r.exit_code == 0 and "Erased 2 subscription(s)" in r.output, r.output
    assert _on(app, "daily") == {"ann@example.org": "active"}
    assert _on(app, "weekly") == {}
    r = _run(config, "subscribers", "add", "JOSÉ@example.com", "--list", "daily")
    assert r.exit_code == 2 and "erased with `forget`" in r.output, r.output
    people = config.parent / "people.csv"
    people.write_text("email,name\nJosé@EXAMPLE.com,José\n")
    r = _run(config, "subscribers", "import", str(people), "--list", "daily")
    assert r.exit_code == 0 and "0 added" in r.output and "1 left alone" in r.output, r.output

    # Each case of an erased ß or final sigma finds the erasure; `strasse@`, another
    # mailbox, is not erased with `straße@`.
    app.store.forget(normalise_email("Straße@example.de"), now=NOW)
    for spelling in ("STRAẞE@example.de", "straße@example.de"):
        assert app.store.is_suppressed(normalise_email(spelling)), spelling
    assert not app.store.is_suppressed(normalise_email("strasse@example.de"))
    app.store.forget(normalise_email("ΟΔΥΣΣΕΑΣ@example.gr"), now=NOW)
    assert app.store.erased(["Οδυσσεας@example.gr"]) == {"Οδυσσεας@example.gr"}


# -- the upgrade ---------------------------------------------------------------------------
def test_the_upgrade_merges_stored_case_variants_keeping_consent_history_and_ledger(
    tmp_path: Path, db_url: str
) -> None:
    """A database an earlier digest filled: José subscribed three times in three
    spellings (once unsubscribed), Élodie twice, and Élodie's second spelling already
    had the paused edition while her first one's copy failed. After the upgrade each is
    one subscriber (the earliest), the stricter status wins, the history holds every
    event, the links mailed to the merged spellings reach the one kept, and the
    resumed send mails nobody a second time."""
    handler = FaultyHandler()
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        (config.parent / ".digest-secret").write_text(new_key() + "\n")  # the old digest's
        migrate_to(db_url, "0008")
        old = App.from_config(config)
        old.__dict__["store"] = Store(db_url)  # that digest's store: no migration to run
        with articles_as_today(db_url):
            edition = build(old)
        daily, weekly = old.store.list_id("daily"), old.store.list_id("weekly")
        old.close()

        store = Store(db_url)
        person = {"sections": [], "timezone": None, "format": "html", "paused": False}
        rows = [  # (list, address, name, status, created)
            (daily, "José@example.com", "José", "active", 0),
            (daily, "ann@example.org", "Ann", "active", 0),
            (daily, "JOSÉ@example.com", "", "unsubscribed", 1),
            (daily, "josé@example.com", "José Ø.", "active", 2),
            (daily, "bo@example.org", "Bo", "active", 3),
            (weekly, "JOSÉ@example.com", "", "active", 4),
            (daily, "Élodie@example.org", "Élodie", "active", 5),
            (daily, "ÉLODIE@example.org", "Élodie R.", "active", 6),  # the highest id
        ]
        ids: dict[tuple[int, str], int] = {}
        with store.engine.begin() as conn:
            for lst, email, name, status, day in rows:
                when = NOW - timedelta(days=30 - day)
                values = {**person, "list_id": lst, "email": email, "name": name}
                values |= {"status": status, "created_at": when, "updated_at": when}
                sid = conn.execute(
                    insert(OLD_SUBSCRIBERS).values(values).returning(OLD_SUBSCRIBERS.c.id)
                )
                ids[(lst, email)] = sid.scalar_one()
                event = {"subscriber_id": ids[(lst, email)], "origin": "import:old.csv"}
                conn.execute(insert(t.subscriber_events).values(status="active", at=when, **event))
                if status != "active":
                    later = when + timedelta(hours=1)
                    conn.execute(
                        insert(t.subscriber_events).values(
                            status=status,
                            at=later,
                            origin="web:unsubscribe",
                            detail="one click",
                            subscriber_id=ids[(lst, email)],
                        )
                    )
            copy = {"edition_id": edition, "attempts": 1, "claimed_at": NOW}
            conn.execute(
                insert(t.deliveries),
                [
                    {
                        **copy,
                        "subscriber_id": ids[(daily, "ann@example.org")],
                        "status": "sent",
                        "sent_at": NOW,
                        "error": None,
                    },
                    {
                        **copy,
                        "subscriber_id": ids[(daily, "Élodie@example.org")],
                        "status": "failed",
                        "sent_at": None,
                        "error": "451 try again",
                    },
                    {
                        **copy,
                        "subscriber_id": ids[(daily, "ÉLODIE@example.org")],
                        "status": "sent",
                        "sent_at": NOW,
                        "error": None,
                    },
                ],
            )
            conn.execute(
                insert(t.bounce_reports).values(
                    key="mg-1",
                    kind="soft",
                    origin="webhook:mailgun",
                    edition_id=edition,
                    subscriber_id=ids[(daily, "ÉLODIE@example.org")],
                    acted=False,
                    at=NOW,
                )
            )
            conn.execute(
                update(t.editions).where(t.editions.c.id == edition).values(status="paused")
            )
        store.close()

        app = App.from_config(config)  # the upgrade
        summary = send_edition(app, edition, clock=lambda: NOW)
    # Only Bo was still owed the edition: Élodie had it under her other spelling.
    assert handler.per_recipient() == {"bo@example.org": 1}, handler.per_recipient()
    assert summary.sent == 1
    jose, elodie = ids[(daily, "José@example.com")], ids[(daily, "Élodie@example.org")]
    assert [(s.id, s.email, s.name, s.status) for s in app.store.subscribers("daily")] == [
        (jose, "José@example.com", "José", "unsubscribed"),  # the stricter status wins
        (ids[(daily, "ann@example.org")], "ann@example.org", "Ann", "active"),
        (ids[(daily, "bo@example.org")], "bo@example.org", "Bo", "active"),
        (elodie, "Élodie@example.org", "Élodie", "active"),
    ]
    assert _on(app, "weekly") == {"JOSÉ@example.com": "active"}  # another list: its own
    history = app.store.events(jose)
    assert [(e.status, e.origin) for e in history][:4] == [
        ("active", "import:old.csv"),
        ("active", "import:old.csv"),
        ("unsubscribed", "web:unsubscribe"),
        ("active", "import:old.csv"),
    ]
    merges = [e for e in history if e.origin == "merge"]
    assert len(merges) == 2 and merges[-1].status == "unsubscribed"
    assert "JOSÉ@example.com" in merges[0].detail and "josé@example.com" in merges[1].detail
    assert "José Ø." in merges[1].detail  # the merged spelling's name is kept in the record
    assert app.store.soft_streak(elodie) == 1  # its report follows it
    assert app.store.ledger(edition) == {"sent": 3}

    # The links mailed to a merged spelling reach the subscriber kept.
    web = create_app(App.from_config(config)).test_client()
    merged = ids[(daily, "ÉLODIE@example.org")]
    page = web.get(f"/p/{app.tokens.make('preferences', merged)}", base_url=BASE)
    assert page.status_code == 200 and "Élodie@example.org" in page.get_data(as_text=True)
    done = web.post(
        f"/u/{app.tokens.make('unsubscribe', merged)}",
        data={"List-Unsubscribe": "One-Click"},
        base_url=BASE,
    )
    assert done.status_code == 200
    assert _on(app, "daily")["Élodie@example.org"] == "unsubscribed"

    # Nothing adds a spelling back as a second subscriber; ids are never reused.
    assert not add_subscriber(
        app.store, "daily", "josé@EXAMPLE.com", double_opt_in=False, origin="cli", now=NOW
    ).created
    assert _add(app, "new@example.org") > max(ids.values())


def test_a_killed_sends_journal_of_a_merged_spelling_still_counts(tmp_path: Path) -> None:
    """SQLite: a send killed before it wrote its last outcomes leaves them in its
    journal, by subscriber id. Upgraded before the send is resumed, the journal names a
    spelling merged since; the copy it records is still the subscriber's, and the
    resumed send does not mail them again."""
    handler = FaultyHandler()
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        config = small_project(tmp_path / "news", port)
        (config.parent / ".digest-secret").write_text(new_key() + "\n")  # the old digest's
        url = f"sqlite:///{config.parent / 'digest.db'}"
        migrate_to(url, "0008")
        old = App.from_config(config)
        old.__dict__["store"] = Store(url)  # that digest's store: no migration to run
        with articles_as_today(url):
            edition = build(old)
        daily = old.store.list_id("daily")
        old.close()
        person = {"list_id": daily, "name": "", "status": "active", "sections": []}
        person |= {"timezone": None, "format": "html", "paused": False}
        store = Store(url)
        with store.engine.begin() as conn:
            ids = [
                conn.execute(
                    insert(OLD_SUBSCRIBERS)
                    .values(email=email, created_at=when, updated_at=when, **person)
                    .returning(OLD_SUBSCRIBERS.c.id)
                ).scalar_one()
                for email, when in (
                    ("Ørjan@example.no", NOW - timedelta(days=2)),
                    ("ØRJAN@example.no", NOW - timedelta(days=1)),
                )
            ]
            gone = gone_pid()
            claim = {"edition_id": edition, "attempts": 1, "claimed_at": NOW}
            conn.execute(
                insert(t.deliveries).values(
                    subscriber_id=ids[1],
                    status="claimed",
                    worker=f"{socket.gethostname()}:{gone}:0",
                    **claim,
                )
            )
            conn.execute(
                update(t.editions).where(t.editions.c.id == edition).values(status="paused")
            )
        store.close()
        journal = config.parent / "digest.db-sent"
        journal.mkdir(mode=0o700)
        (journal / f"{edition}.{gone}.0a0b0c0d").write_text(f"{ids[1]}\n")

        app = App.from_config(config)  # the upgrade
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert handler.per_recipient() == {}, handler.per_recipient()
    assert summary.sent == 0
    assert app.store.ledger(edition) == {"sent": 1}
    assert [s.id for s in app.store.subscribers("daily")] == ids[:1]
