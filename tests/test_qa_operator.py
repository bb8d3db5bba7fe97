"""A newsroom's operator in their first hour: what `digest demo` and `digest init` do to
a folder that already holds a newsletter, what a mistake in `digest.toml` is told as,
and where `digest serve` says the editor's desk is.
"""

from __future__ import annotations

import os
import re
import selectors
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli import main
from tests.conftest import Mailbox

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})


def active_subscribers(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT email FROM subscribers WHERE status = 'active'").fetchall()
    return sorted(r[0] for r in rows)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newsroom's own newsletter: scaffolded, its config edited, its readers imported."""
    monkeypatch.chdir(tmp_path)
    assert cli("init", "news").exit_code == 0
    news = tmp_path / "news"
    config = news / "digest.toml"
    config.write_text(config.read_text().replace("The Copenhagen Brief", "Valley Courier"))
    (news / "readers.csv").write_text("email,name\nreader@courier.example,Reader\n")
    res = cli(
        "subscribers", "import", str(news / "readers.csv"), "--list", "daily",
        "--config", str(config),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return news


def test_demo_into_a_project_leaves_its_database_and_config_alone(project: Path) -> None:
    """`digest demo --out DIR` deleted DIR/digest.db (every subscriber's record of
    consent, the send ledger) and overwrote DIR/digest.toml without a word, when DIR
    was the operator's own project rather than a demo folder."""
    config = (project / "digest.toml").read_text()
    res = cli("demo", "--out", str(project))
    assert res.exit_code == 2, res.output
    flat = " ".join(res.output.split())
    assert str(project) in flat and "--out" in flat, flat
    assert "Traceback" not in res.output
    assert (project / "digest.toml").read_text() == config
    assert active_subscribers(project / "digest.db") == ["reader@courier.example"]
    assert not (project / "outbox").exists()


def test_demo_still_starts_afresh_in_its_own_folder(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    for _ in range(2):
        res = cli("demo", "--out", str(out))
        assert res.exit_code == 0, res.output
        assert len(list((out / "outbox").glob("*.eml"))) == 36
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("demo", "--out", str(empty)).exit_code == 0


def test_init_keeps_the_subscriber_files_and_templates_a_folder_already_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`digest init DIR` refused only when DIR/digest.toml existed: a folder holding the
    newsroom's own subscribers/daily.csv, sources or templates/email.html had them
    replaced by the samples."""
    monkeypatch.chdir(tmp_path)
    own = tmp_path / "news"
    (own / "subscribers").mkdir(parents=True)
    (own / "templates").mkdir()
    (own / "subscribers" / "daily.csv").write_text("email,name\nmine@courier.example,Mine\n")
    (own / "templates" / "email.html").write_text("<p>our own theme</p>\n")
    res = cli("init", "--theme", "news")
    assert res.exit_code == 2, res.output
    flat = " ".join(res.output.split())
    assert "subscribers/daily.csv" in flat and "templates/email.html" in flat, flat
    assert (own / "subscribers" / "daily.csv").read_text().endswith("Mine\n")
    assert (own / "templates" / "email.html").read_text() == "<p>our own theme</p>\n"
    assert not (own / "digest.toml").exists()
    # A folder with other things in it (a git checkout) is still fine.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert cli("init", "repo").exit_code == 0
    assert (repo / "digest.toml").is_file() and (repo / "subscribers" / "daily.csv").is_file()


def config_error(project: Path, old: str, new: str) -> str:
    config = project / "digest.toml"
    config.write_text(config.read_text().replace(old, new, 1))
    res = cli("editions", "--config", str(config))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    return " ".join(res.output.split())


def line_of(project: Path, text: str) -> int:
    lines = (project / "digest.toml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_a_misspelt_key_is_told_with_its_line_and_the_key_meant(project: Path) -> None:
    """An unknown key was named without its line, and the right spelling was left to
    be found in a list of twelve."""
    flat = config_error(project, "teasers = 8", "teasrs = 8")
    line = line_of(project, "teasrs = 8")
    assert f"digest.toml:{line}: unknown key 'edition.teasrs'" in flat, flat
    assert "did you mean 'teasers'?" in flat, flat


def test_a_wrong_value_in_the_second_source_is_told_with_its_line(project: Path) -> None:
    flat = config_error(project, "weight = 0.9", 'weight = "high"')
    line = line_of(project, 'weight = "high"')
    assert f"digest.toml:{line}: sources[1].weight = 'high' is not allowed" in flat, flat
    flat = config_error(project, 'timezone = "Europe/Copenhagen"', 'timezone = "Europe/Copenhagn"')
    line = line_of(project, "Europe/Copenhagn")
    assert f"digest.toml:{line}: lists[0].timezone = 'Europe/Copenhagn'" in flat, flat


def test_a_misspelt_table_is_told_with_its_line(project: Path) -> None:
    flat = config_error(project, "[edition]", "[editon]")
    line = line_of(project, "[editon]")
    assert f"digest.toml:{line}: unknown key 'editon'" in flat, flat
    assert "did you mean 'edition'?" in flat, flat


def read_until_quiet(proc: subprocess.Popen[bytes], quiet: float = 5.0) -> str:
    """What the process printed until it said nothing more for `quiet` seconds (read
    from the pipe itself: a buffered readline would keep lines that arrived together
    where the selector cannot see them)."""
    assert proc.stdout is not None
    out = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while sel.select(timeout=quiet if out else 30):
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
    return out.decode("utf-8", "replace")


def serve_banner(project: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "digest", "serve", "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--config", str(project / "digest.toml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        return read_until_quiet(proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_says_where_the_desk_is(project: Path) -> None:
    """`digest serve` announced http://127.0.0.1:PORT/, a page that does not exist, and
    never said where editors log in, nor that there is no editor to log in yet."""
    text = serve_banner(project)
    assert re.search(r"Desk: +http://127\.0\.0\.1:\d+/login", text), text
    assert "no editor yet: digest editors add" in text, text
    add = ["editors", "add", "ed@courier.example", "--password-stdin"]
    res = CliRunner().invoke(
        main, [*add, "--config", str(project / "digest.toml")], input="a long passphrase 1\n"
    )
    assert res.exit_code == 0, res.output
    text = serve_banner(project)
    assert "/login" in text and "no editor yet" not in text, text


def test_demo_still_empties_a_demo_folder_an_earlier_release_made(tmp_path: Path) -> None:
    out = tmp_path / "digest-demo"
    assert cli("demo", "--out", str(out)).exit_code == 0
    (out / ".digest-demo").unlink()  # releases before the mark left none
    res = cli("demo", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert len(list((out / "outbox").glob("*.eml"))) == 36


def smtp_project(project: Path, box: Mailbox) -> Path:
    config = project / "digest.toml"
    text = config.read_text().replace('kind = "outbox"', 'kind = "smtp"')
    text = text.replace('host = "localhost"', 'host = "127.0.0.1"')
    config.write_text(text.replace("port = 25 ", f"port = {box.port} "))
    res = cli("build", "--at", "2026-11-27T07:00:00Z", "--config", str(config))
    assert res.exit_code == 0, res.output
    return config


def test_sending_for_real_with_the_samples_example_domains_is_warned(
    project: Path, smtp_server: Mailbox
) -> None:
    """A scaffolded project keeps the sample's base_url (https://brief.example.org) and
    sender until the operator changes them: `digest send` through a real relay mailed
    every subscriber unsubscribe links to a domain reserved for examples (RFC 2606),
    links that reach nobody, without a word."""
    config = smtp_project(project, smtp_server)
    res = cli("send", "1", "--send-stale", "--config", str(config))  # an archive edition by now
    assert res.exit_code == 0, res.output
    assert len(smtp_server.messages) == 1  # still sent: a rehearsal on a loopback relay
    flat = " ".join(res.output.split())
    assert f"warning: {config}" in flat, flat
    assert "base_url 'https://brief.example.org'" in flat and "unsubscribe" in flat, flat
    assert "sender" in flat, flat
    # The scheduler says so too, in its log, when it starts.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    once = [sys.executable, "-m", "digest", "run", "--once", "--config", str(config)]
    done = subprocess.run(once, capture_output=True, text=True, env=env, timeout=120)
    assert "WARNING" in done.stderr and "brief.example.org" in done.stderr, done.stderr


def test_a_newsletter_with_its_own_domains_sends_without_the_warning(
    project: Path, smtp_server: Mailbox
) -> None:
    config = smtp_project(project, smtp_server)
    text = config.read_text().replace("brief.example.org", "news.courier.org")
    config.write_text(text.replace("brief@example.org", "brief@courier.org"))
    res = cli("send", "1", "--send-stale", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert len(smtp_server.messages) == 1
    assert "example domain" not in res.output, res.output
