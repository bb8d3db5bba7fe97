"""The database knows which key signed its mail: a second folder, a worker on another
machine or a lost `.digest-secret` never makes a new key that breaks every link
already sent (one-click unsubscribe answering 404), and a key the database does not
know signs nothing; rotation and a brand-new project work as before.

Real parts: SQLite files and the local PostgreSQL, the outbox transport's .eml files,
the CLI, the Flask app's own unsubscribe route.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete

from digest.app import App
from digest.cli import main
from digest.config import SECRET_ENV
from digest.deliver.run import send_edition
from digest.errors import ConfigError
from digest.store import schema as t
from digest.web import create_app
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
OLD_ENV = f"{SECRET_ENV}_OLD"
KEY_B = "b-second-key-that-is-long-enough-0123456789abcdef"
KEY_C = "c-third-key-that-is-long-enough-0123456789abcdefgh"


@pytest.fixture(autouse=True)
def _no_environment_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(OLD_ENV, raising=False)


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, " ".join(r.output.split())


def first_machine(folder: Path, database: str) -> tuple[Path, int]:
    """A project that sent an edition to three readers (outbox): its config, edition id."""
    config = write_project(folder, database=database)
    app = App.from_config(config)
    app.store.write_subscribers(
        "daily",
        [{"email": f"r{i}@example.com", "status": "active"} for i in range(3)],
        origin="test",
        now=NOW,
    )
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.id is not None
    assert send_edition(app, edition.id, clock=lambda: NOW).sent == 3
    app.close()
    return config, edition.id


def sent_tokens(config: Path) -> list[str]:
    """The one-click unsubscribe tokens of the mail in the project's outbox."""
    found = []
    for eml in sorted((config.parent / "outbox").rglob("*.eml")):
        msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
        link = re.search(r"/u/([^>\s]+)>", str(msg["List-Unsubscribe"]))
        assert link is not None, msg["List-Unsubscribe"]
        found.append(link.group(1))
    assert found
    return found


def unsubscribe(config: Path, token: str) -> int:
    app = App.from_config(config)
    client = create_app(app, clock=lambda: NOW).test_client()
    code = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}).status_code
    app.close()
    return code


def late_reader(config: Path) -> None:
    """A subscriber who joined after the send: the edition is due to them."""
    app = App.from_config(config)
    app.store.write_subscribers(
        "daily", [{"email": "late@example.com", "status": "active"}], origin="test", now=NOW
    )
    app.close()


def second_folder(folder: Path, like: Path) -> Path:
    """The same digest.toml (and sources) in another folder, without its key file."""
    shutil.copytree(like.parent, folder, ignore=shutil.ignore_patterns(".digest-secret*", "outbox"))
    return folder / "digest.toml"


def _refused_to_create(message: str, keyfile: Path) -> None:
    assert str(keyfile) in message, message
    assert "copy" in message.lower() and SECRET_ENV in message, message


def test_a_second_folder_with_the_same_database_makes_no_new_key(
    tmp_path: Path, db_url: str
) -> None:
    if db_url.startswith("sqlite"):  # both folders name the one file
        db_url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, edition = first_machine(tmp_path / "first", db_url)
    key = (first.parent / ".digest-secret").read_text().strip()
    second = second_folder(tmp_path / "second", first)
    keyfile = second.parent / ".digest-secret"

    with pytest.raises(ConfigError) as caught:
        App.from_config(second).tokens.make("unsubscribe", 1)
    _refused_to_create(str(caught.value), keyfile)
    assert not keyfile.exists()
    with pytest.raises(ConfigError):  # `digest serve` starts no desk signing with it
        create_app(App.from_config(second))
    assert not keyfile.exists()

    late_reader(first)
    code, out = run("send", str(edition), "--config", str(second))
    assert code != 0 and "Traceback" not in out
    _refused_to_create(out, keyfile)
    assert key not in out
    assert not keyfile.exists() and not (second.parent / "outbox").exists()
    # Reading commands sign nothing: they still work.
    code, out = run("editions", "--config", str(second))
    assert code == 0 and str(edition) in out, out
    assert not keyfile.exists()

    # Copying the first machine's key file is the cure; the old links still work.
    shutil.copy2(first.parent / ".digest-secret", keyfile)
    tokens = sent_tokens(first)
    assert unsubscribe(second, tokens[0]) == 200
    assert unsubscribe(first, tokens[1]) == 200


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "before-the-guard"])
def test_a_lost_key_file_after_a_send_is_not_replaced(tmp_path: Path, recorded: bool) -> None:
    config, edition = first_machine(tmp_path / "news", "sqlite:///digest.db")
    keyfile = config.parent / ".digest-secret"
    kept = keyfile.read_text()
    keyfile.unlink()
    if not recorded:  # a database the key guard has not seen: its deliveries say enough
        app = App.from_config(config)
        with app.store.engine.begin() as conn:
            conn.execute(delete(t.signing_keys))
        app.close()
    code, out = run("preview", str(edition), "--out", str(tmp_path / "p"), "--config", str(config))
    assert code != 0
    _refused_to_create(out, keyfile)
    assert not keyfile.exists()
    keyfile.write_text(kept)  # put back: everything works again, old links too
    assert unsubscribe(config, sent_tokens(config)[0]) == 200


def test_a_key_the_database_does_not_know_signs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    first, edition = first_machine(tmp_path / "first", db)
    # A folder that made its own key before the guard existed.
    second = second_folder(tmp_path / "second", first)
    (second.parent / ".digest-secret").write_text(KEY_C + "\n")
    late_reader(first)
    code, out = run("send", str(edition), "--config", str(second))
    assert code != 0 and "Traceback" not in out and KEY_C not in out
    assert str(second.parent / ".digest-secret") in out and "not the key" in out, out
    assert not (second.parent / "outbox").exists()
    with pytest.raises(ConfigError, match="not the key"):
        create_app(App.from_config(second))
    code, out = run("run", "--once", "--config", str(second))  # the scheduler sends
    assert code != 0 and "not the key" in out, out
    code, out = run("editions", "--config", str(second))
    assert code == 0 and str(edition) in out, out
    code, out = run("keys", "status", "--config", str(second))
    assert code == 0 and "NOT a key the database knows" in out and KEY_C not in out, out
    # An environment key nobody recorded, with no recorded key beside it: refused too.
    monkeypatch.setenv(SECRET_ENV, KEY_B)
    with pytest.raises(ConfigError, match=re.escape(f"${SECRET_ENV}")):
        App.from_config(first).tokens.make("unsubscribe", 1)
    monkeypatch.delenv(SECRET_ENV)
    assert unsubscribe(first, sent_tokens(first)[0]) == 200


def test_rotation_and_retirement_still_work_end_to_end(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    first, _ = first_machine(tmp_path / "first", db)
    old = sent_tokens(first)
    # A second machine with the same key file, not restarted through the rotation.
    lagging = second_folder(tmp_path / "lagging", first)
    shutil.copy2(first.parent / ".digest-secret", lagging.parent / ".digest-secret")

    code, out = run("keys", "rotate", "--config", str(first))
    assert code == 0 and "rotated" in out.lower(), out
    app = App.from_config(first)
    new = app.tokens.make("unsubscribe", 1)
    assert new not in old
    app.close()
    assert unsubscribe(first, old[0]) == 200  # an old mail's link, in the grace window
    App.from_config(lagging).tokens.make("unsubscribe", 2)  # the old key still signs

    code, out = run("keys", "retire", "--config", str(first))
    assert code == 0, out
    assert unsubscribe(first, old[1]) == 404
    assert unsubscribe(first, new) == 200
    with pytest.raises(ConfigError, match="retired"):  # its links would not verify
        App.from_config(lagging).tokens.make("unsubscribe", 2)


def test_rotation_through_the_environment_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = first_machine(tmp_path / "news", "sqlite:///digest.db")
    old = sent_tokens(config)
    filed = (config.parent / ".digest-secret").read_text().strip()
    monkeypatch.setenv(SECRET_ENV, KEY_B)
    monkeypatch.setenv(OLD_ENV, filed)
    assert unsubscribe(config, old[0]) == 200
    monkeypatch.delenv(OLD_ENV)  # the grace window is over
    assert unsubscribe(config, old[1]) == 404
    assert unsubscribe(config, App.from_config(config).tokens.make("unsubscribe", 3)) == 200
    monkeypatch.setenv(SECRET_ENV, KEY_C)  # a second rotation, the same way
    monkeypatch.setenv(OLD_ENV, KEY_B)
    App.from_config(config).tokens.make("unsubscribe", 3)


def test_a_new_project_makes_its_key_silently(tmp_path: Path) -> None:
    code, out = run("init", str(tmp_path / "news"))
    assert code == 0, out
    config = tmp_path / "news" / "digest.toml"
    keyfile = config.parent / ".digest-secret"
    app = App.from_config(config)
    assert app.tokens.read("unsubscribe", app.tokens.make("unsubscribe", 7)) == 7
    assert keyfile.exists()
    code, out = run("keys", "status", "--config", str(config))
    assert code == 0 and "records this key as the signing key" in out, out
