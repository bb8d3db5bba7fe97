"""`straße@` and `strasse@` are two mailboxes: a subscriber's key lower-cases an
address, it does not case-fold it.

The key (digest.records.email_key) folded a Unicode local part's case in full, which
also maps `ß` to `ss`, a final `ς` to `σ`, `ﬁ` to `fi`: two people collapsed into one
subscriber. Importing both kept one; unsubscribing, a bounce or `forget` of one
stopped mail to the other. The key now lower-cases (`Straße@` is still `straße@`) and
the upgrade recomputes stored keys and gives back the subscriptions revision 0009
merged into another mailbox's.

Real parts: SQLite and PostgreSQL, the command line, the Flask app's links, the
Alembic chain (revision 0009 run with the key it had then).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import insert, select

import digest.records
from digest.app import App
from digest.cli import main
from digest.records import address_key, email_key
from digest.store import Store
from digest.store import schema as t
from digest.subscribers import normalise_email
from digest.web import create_app
from tests.test_send_support import NOW, small_project
from tests.test_upgrade import OLD_SUBSCRIBERS, migrate_to

BASE = "https://brief.example.org"


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def _on(app: App, list_name: str = "daily") -> dict[str, str]:
    return {s.email: s.status for s in app.store.subscribers(list_name)}


def casefold_key(email: str) -> str:
    """The key as digest computed it before (revision 0009 to 0012): full case folding."""
    stored = address_key(email)
    local, at, domain = stored.rpartition("@")
    if not at or local.isascii():
        return stored
    folded = unicodedata.normalize("NFC", local.casefold())
    if folded.isascii():
        return address_key(f"{folded}@{domain}")
    return f"{folded}@{domain}"


def test_the_key_lower_cases_and_keeps_sharp_s_final_sigma_and_ligatures() -> None:
    assert email_key("Straße@example.org") == "straße@example.org"
    assert email_key("straße@example.org") != email_key("strasse@example.org")
    assert email_key("ﬁnn@example.org") != email_key("finn@example.org")
    assert email_key("ΟΔΥΣΣΕΑΣ@example.gr") == email_key("οδυσσεας@example.gr")
    # Case variants stay one key, ASCII ones as always.
    assert email_key("STRAẞE@example.org") == email_key("straße@example.org")  # capital ß
    assert email_key(normalise_email("José@Example.com")) == email_key("JOSÉ@example.com")
    assert email_key(normalise_email("Ann@Example.ORG")) == email_key("ann@example.org")


def test_importing_both_spellings_keeps_two_subscribers_and_one_leaving_keeps_the_other(
    tmp_path: Path, db_url: str
) -> None:
    config = small_project(tmp_path / "news", 2525, database=db_url)
    people = config.parent / "people.csv"
    people.write_text(
        "email,name\nstraße@example.org,Gerd\nstrasse@example.org,Stefan\n"
        "Ann@example.org,Ann\nann@EXAMPLE.org,Ann B.\n"
    )
    r = _run(config, "subscribers", "import", str(people), "--list", "daily")
    assert r.exit_code == 0 and "3 added" in r.output, r.output
    assert "people.csv:5: ann@example.org: duplicate of line 4, merged" in r.output, r.output
    app = App.from_config(config)
    assert _on(app) == {
        "straße@example.org": "active",
        "strasse@example.org": "active",
        "ann@example.org": "active",
    }
    r = _run(config, "subscribers", "remove", "STRASSE@example.org", "--list", "daily")
    assert r.exit_code == 0 and "is now unsubscribed" in r.output, r.output
    assert _on(app) == {
        "straße@example.org": "active",
        "strasse@example.org": "unsubscribed",
        "ann@example.org": "active",
    }
    r = _run(config, "subscribers", "add", "Straße@example.org", "--list", "daily")
    assert r.exit_code == 0 and "already active" in r.output, r.output
    r = _run(config, "subscribers", "remove", "ANN@example.org", "--list", "daily")
    assert r.exit_code == 0 and "is now unsubscribed" in r.output, r.output
    assert _on(app)["ann@example.org"] == "unsubscribed"
    assert len(app.store.subscribers("daily")) == 3


def test_the_upgrade_rekeys_and_gives_back_subscriptions_merged_into_another_mailbox(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database the previous digest filled and upgraded: revision 0009 (with full
    case folding) merged `strasse@` (Stefan) into `Straße@` (Gerd), and rightly
    `JOSÉ@` into `José@`. After this upgrade Stefan is his own subscriber again, under
    his old id (his links reach him), paused until he resumes; José stays one."""
    config = small_project(tmp_path / "news", 2525, database=db_url)
    migrate_to(db_url, "0008")
    old = App.from_config(config)
    old.__dict__["store"] = Store(db_url)  # that digest's store: no migration to run
    daily = old.store.list_id("daily")
    old.close()
    person = {"list_id": daily, "timezone": None, "format": "html", "paused": False}
    rows = [  # address, name, status, sections
        ("Straße@example.de", "Gerd", "active", []),
        ("strasse@example.de", "Stefan", "active", ["world"]),
        ("ΟΔΥΣΣΕΑΣ@example.gr", "Odysseas", "active", []),
        ("José@example.com", "José", "active", []),
        ("JOSÉ@example.com", "", "active", []),
    ]
    store = Store(db_url)
    ids: dict[str, int] = {}
    with store.engine.begin() as conn:
        for day, (email, name, status, sections) in enumerate(rows):
            when = NOW - timedelta(days=30 - day)
            values = {**person, "email": email, "name": name, "status": status}
            values |= {"sections": sections, "created_at": when, "updated_at": when}
            ids[email] = conn.execute(
                insert(OLD_SUBSCRIBERS).values(values).returning(OLD_SUBSCRIBERS.c.id)
            ).scalar_one()
    store.close()
    with monkeypatch.context() as patched:  # revision 0009 as the previous digest ran it
        patched.setattr(digest.records, "email_key", casefold_key)
        migrate_to(db_url, "0012")
    store = Store(db_url)
    with store.engine.connect() as conn:
        before = {r.email: r.email_key for r in conn.execute(select(t.subscribers))}
    store.close()
    assert before == {
        "Straße@example.de": "strasse@example.de",
        "ΟΔΥΣΣΕΑΣ@example.gr": "οδυσσεασ@example.gr",
        "José@example.com": "josé@example.com",
    }

    app = App.from_config(config)  # the upgrade
    stefan = app.store.subscriber("daily", "STRASSE@example.de")
    assert stefan is not None and stefan.id == ids["strasse@example.de"]
    assert (stefan.email, stefan.name, stefan.status) == ("strasse@example.de", "Stefan", "active")
    assert stefan.sections == ("world",)
    assert app.store.is_paused(stefan.id)  # no mail starts until he resumes
    gerd = app.store.subscriber("daily", "straße@example.de")
    assert gerd is not None and gerd.id == ids["Straße@example.de"]
    assert not app.store.is_paused(gerd.id)
    odysseas = app.store.subscriber("daily", "οδυσσεας@example.gr")
    assert odysseas is not None and odysseas.id == ids["ΟΔΥΣΣΕΑΣ@example.gr"]
    assert _on(app) == {
        "Straße@example.de": "active",
        "strasse@example.de": "active",
        "ΟΔΥΣΣΕΑΣ@example.gr": "active",
        "José@example.com": "active",
    }
    split = [e for e in app.store.events(stefan.id) if e.origin == "split"]
    assert len(split) == 1 and f"#{gerd.id}" in split[0].detail, split
    assert any(e.origin == "split" for e in app.store.events(gerd.id))

    # Stefan's links reach Stefan; José's merged spelling's links still reach José.
    web = create_app(App.from_config(config)).test_client()
    done = web.post(
        f"/u/{app.tokens.make('unsubscribe', stefan.id)}",
        data={"List-Unsubscribe": "One-Click"},
        base_url=BASE,
    )
    assert done.status_code == 200
    assert _on(app)["strasse@example.de"] == "unsubscribed"
    assert _on(app)["Straße@example.de"] == "active"
    page = web.get(f"/p/{app.tokens.make('preferences', ids['JOSÉ@example.com'])}", base_url=BASE)
    assert page.status_code == 200 and "José@example.com" in page.get_data(as_text=True)
