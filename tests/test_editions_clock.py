"""`digest editions` shows each edition's times on its list's clock, zone named.

An editor in Copenhagen who approved an edition at 07:30 must read 07:30 CET in the
table, not 06:30 (UTC), which reads as an hour earlier than it was. `--json` keeps ISO
8601 in UTC for scripts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.test_desk import build
from tests.test_send_support import NOW, small_project

APPROVED = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)  # 07:30 in Copenhagen (CET)
SUMMER = datetime(2026, 7, 1, 21, 45, tzinfo=UTC)  # 23:45 CEST


def _editions(config: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["editions", "--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_table_reads_the_lists_clock_and_names_its_zone(tmp_path: Path) -> None:
    config = small_project(tmp_path / "news", 2525)
    edition = build(config, NOW)
    app = App.from_config(config)
    assert app.store.approve(edition, now=APPROVED)
    table = _editions(config)
    assert "2026-11-27 07:30 CET" in table, table
    assert "06:30" not in table and "times UTC" not in table, table
    rows = json.loads(_editions(config, "--json"))
    assert rows[0]["approved_at"].startswith("2026-11-27T06:30"), rows


def test_a_summer_time_reads_cest(tmp_path: Path) -> None:
    config = small_project(tmp_path / "news", 2525)
    edition = build(config, NOW)
    assert App.from_config(config).store.approve(edition, now=SUMMER)
    assert "2026-07-01 23:45 CEST" in _editions(config)
