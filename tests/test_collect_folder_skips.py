"""One bad file in a folder source is skipped with a warning; the rest is collected.

A half-saved draft (empty), a file the collect may not read, or a picture saved with a
``.txt`` name failed the whole folder source: none of its other articles came in. Each
is now a warning naming the file and why, and what is already stored is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.conftest import ROOT, write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06" + bytes(
    range(256)
)


def _story(title: str) -> str:
    return f"{title}\n\nA standfirst long enough to read, in one plain sentence.\n\nBody.\n"


def _project(tmp_path: Path) -> tuple[Path, Path]:
    desk = tmp_path / "desk"
    desk.mkdir()
    sources = f'[[sources]]\nname = "Desk"\npath = "{desk}"\n'
    return desk, write_project(tmp_path / "news", sources=sources)


def _collect(config: Path, at: datetime) -> str:
    result = CliRunner().invoke(
        main, ["collect", "--config", str(config), "--at", at.isoformat()], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_an_empty_or_binary_file_is_skipped_and_the_rest_collected(tmp_path: Path) -> None:
    desk, config = _project(tmp_path)
    (desk / "harbour.txt").write_text(_story("Harbour reopens"))
    (desk / "bridge.txt").write_text(_story("Bridge repaired"))
    _collect(config, NOW)
    # An editor's save is half done, a picture lands with a .txt name, a new story is in.
    (desk / "bridge.txt").write_bytes(b"")
    (desk / "photo.txt").write_bytes(PNG)
    (desk / "ferry.md").write_text("---\ntitle: Ferry strike ends\n---\n\nThe crews are back.\n")
    output = _collect(config, NOW + timedelta(hours=1))
    assert "bridge.txt: skipped: the file is empty" in output
    assert "photo.txt: skipped: not text" in output
    app = App.from_config(config)
    titles = sorted(a.title for a in app.store.articles())
    assert titles == ["Bridge repaired", "Ferry strike ends", "Harbour reopens"]
    [health] = app.store.health()
    assert (health.last_error, health.consecutive_failures) == (None, 0)


def test_a_folder_whose_every_file_is_bad_fails_as_a_source(tmp_path: Path) -> None:
    """Nothing readable at all is the source's error (its health row says so, and a
    collect where every source failed exits 1), not a quiet row of warnings."""
    desk, config = _project(tmp_path)
    (desk / "draft.txt").write_text("  \n")
    result = CliRunner().invoke(main, ["collect", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert "draft.txt" in result.output
    [health] = App.from_config(config).store.health()
    assert (
        health.last_error == f"Desk: no file in {desk} could be read (draft.txt: the file is empty)"
    )


def test_a_file_without_read_permission_is_skipped(tmp_path: Path) -> None:
    """Run in a process that may not bypass file permissions (as root: without
    CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH), so a mode-000 file really cannot be read."""
    desk, config = _project(tmp_path)
    (desk / "harbour.txt").write_text(_story("Harbour reopens"))
    (desk / "secret.txt").write_text(_story("Not for the collect"))
    (desk / "secret.txt").chmod(0)
    drop = ["dac_override", "dac_read_search"]
    caps = ",".join(f"-{c}" for c in drop)
    prefix = (
        ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"] if os.geteuid() == 0 else []
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    r = subprocess.run(
        [*prefix, sys.executable, "-m", "digest", "collect", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    output = " ".join(r.stdout.split())
    assert "secret.txt: skipped: cannot read it: Permission denied" in output
    assert [a.title for a in App.from_config(config).store.articles()] == ["Harbour reopens"]
