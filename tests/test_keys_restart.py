"""A key rotation reaches `digest serve` only when it restarts: say so, and lose no
unsubscribe meanwhile.

QA rotated as documented (the old key into $DIGEST_SECRET_KEY_OLD, the new one into
$DIGEST_SECRET_KEY) and sent: a `digest serve` not yet restarted answered the new
mail's links, the RFC 8058 one-click POST too, 404 "This link is not valid", and the
unsubscribe was lost (a provider does not retry a 404). Such a process now notices that
the database's signing key is one it does not hold and answers 503 with Retry-After (a
sender of one-click POSTs retries; the reader is told to try again shortly), and the
unsubscribe is done once it is restarted. `digest keys status` right after the
environment's rotation said "NOT a key the database knows … signs nothing", though the
next command that signs adopts it; `digest keys rotate` says to restart every process
now.

Real parts: SQLite, the outbox transport's .eml files, the CLI, the Flask app.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.app import App
from digest.config import SECRET_ENV
from digest.web import create_app
from tests.test_keys_guard import KEY_B, NOW, OLD_ENV, first_machine, run, sent_tokens

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture(autouse=True)
def _no_environment_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(OLD_ENV, raising=False)


def _status(config: Path, email: str) -> str:
    app = App.from_config(config)
    try:
        found = app.store.subscriber("daily", email)
        assert found is not None
        return found.status
    finally:
        app.close()


def test_a_serve_not_restarted_answers_new_links_503_and_loses_no_unsubscribe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = first_machine(tmp_path / "news", "sqlite:///digest.db")
    old_links = sent_tokens(config)
    stale = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    assert stale.get(f"/u/{old_links[0]}").status_code == 200  # it works before

    # The documented rotation; the next process that signs records it and sends.
    filed = (config.parent / ".digest-secret").read_text().strip()
    monkeypatch.setenv(SECRET_ENV, KEY_B)
    monkeypatch.setenv(OLD_ENV, filed)
    sender = App.from_config(config)
    first = sender.store.subscribers("daily")[0]
    new_link = sender.tokens.make("unsubscribe", first.id)
    sender.close()

    posted = stale.post(f"/u/{new_link}", data=ONE_CLICK)
    said = posted.get_data(as_text=True)
    assert posted.status_code == 503, said[-800:]
    assert posted.headers.get("Retry-After"), posted.headers
    assert "try again" in said and "not valid" not in said, said[-800:]
    assert stale.get(f"/u/{new_link}").status_code == 503
    assert _status(config, first.email) == "active"  # nothing done yet, nothing lost
    # Links it can read still work meanwhile.
    assert stale.post(f"/u/{old_links[1]}", data=ONE_CLICK).status_code == 200

    restarted = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    assert restarted.post(f"/u/{new_link}", data=ONE_CLICK).status_code == 200
    assert _status(config, first.email) == "unsubscribed"


def test_a_tampered_link_is_still_404_for_a_serve_that_holds_the_signing_key(
    tmp_path: Path,
) -> None:
    # Guard: no key was rotated, so a link that does not verify is simply not valid.
    config, _ = first_machine(tmp_path / "news", "sqlite:///digest.db")
    token = sent_tokens(config)[0]
    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for answer in (client.post(f"/u/{tampered}", data=ONE_CLICK), client.get(f"/p/{tampered}")):
        assert answer.status_code == 404
        assert "This link is not valid" in answer.get_data(as_text=True)


def test_keys_status_after_the_environments_rotation_says_the_next_command_adopts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = first_machine(tmp_path / "news", "sqlite:///digest.db")
    filed = (config.parent / ".digest-secret").read_text().strip()
    monkeypatch.setenv(SECRET_ENV, KEY_B)
    monkeypatch.setenv(OLD_ENV, filed)
    code, out = run("keys", "status", "--config", str(config))
    assert code == 0, out
    assert "NOT a key the database knows" not in out and "signs nothing" not in out, out
    assert "the next command that signs records it as the signing key" in out.lower(), out
    assert "restart every `digest serve`" in out.lower(), out
    # Guard: a key that is really unknown (no rotation from the recorded one) still says so.
    monkeypatch.delenv(OLD_ENV)
    code, out = run("keys", "status", "--config", str(config))
    assert code == 0 and "NOT a key the database knows" in out, out


def test_keys_rotate_says_to_restart_every_process_now(tmp_path: Path) -> None:
    config, _ = first_machine(tmp_path / "news", "sqlite:///digest.db")
    code, out = run("keys", "rotate", "--config", str(config))
    assert code == 0, out
    assert "Restart every `digest serve`" in out and "now" in out, out
    assert "503" in out or "try again" in out, out
