"""The benchmark scripts still run: a script that breaks when the code under it changes
measures nothing (benchmarks/rank_same.py called the ranking's `_left_out` without
the options it had come to need). Tiny sizes: this checks that they run, not speed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_rank_same_saves_and_checks_what_the_ranking_decides(tmp_path: Path) -> None:
    script = str(ROOT / "benchmarks" / "rank_same.py")
    saved = tmp_path / "rank.pickle"
    for action in ("save", "check"):
        done = subprocess.run(
            [sys.executable, script, action, str(saved), "--sizes", "300"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("same"), done.stdout


def test_links_times_the_lookups_by_link() -> None:
    small = ("--sources", "3", "--articles", "40", "--links", "6", "--runs", "1")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "links.py"), *small],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "re-issue check, 3 sources x 6 links" in done.stdout, done.stdout
