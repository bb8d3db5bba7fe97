"""`digest collect` on a schedule (cron, a systemd timer) tells success from a collect
that got nothing: every source failing (the network is down, the disk moved) exits 1
with one line saying so; a collect where some sources failed exits 0, their errors in
the table. Real feed files, a real SQLite file, the real command."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from tests.conftest import write_project

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Herald</title>
<item><title>Ferries run all night from March</title><link>https://h.example/1</link>
<pubDate>Fri, 27 Nov 2026 05:00:00 GMT</pubDate>
<description>The harbour ferries will run through the night.</description></item>
</channel></rss>"""


def _sources(*paths: Path) -> str:
    return "".join(f'[[sources]]\nname = "S{n}"\nurl = "{p}"\n\n' for n, p in enumerate(paths))


def _collect(config: Path) -> tuple[int, str]:
    args = ["collect", "--config", str(config), "--at", "2026-11-27T06:00:00+00:00"]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def test_a_collect_where_every_source_failed_exits_1(tmp_path: Path) -> None:
    missing = [tmp_path / "gone-a.xml", tmp_path / "gone-b.xml"]
    config = write_project(tmp_path / "news", sources=_sources(*missing))
    code, output = _collect(config)
    assert code == 1, output
    assert "every source failed (2 of 2)" in output
    assert "gone-a.xml" in output  # the table still names each source's error


def test_a_collect_where_some_sources_failed_exits_0(tmp_path: Path) -> None:
    good = tmp_path / "herald.xml"
    good.write_text(FEED)
    config = write_project(tmp_path / "news", sources=_sources(good, tmp_path / "gone.xml"))
    code, output = _collect(config)
    assert code == 0, output
    assert "gone.xml" in output and "every source failed" not in output


def test_a_collect_with_no_sources_says_how_to_add_one_and_fails(tmp_path: Path) -> None:
    """It printed an empty table and exited 0: cron saw success and nothing ever came in."""
    config = write_project(tmp_path / "news", sources="")
    code, output = _collect(config)
    assert code == 2, output
    assert f"error: {config} has no [[sources]]: there is nothing to collect" in output
    assert 'url = "https://' in output and "path = " in output  # how to add one
    assert "Sources" not in output  # no empty table


def test_the_scheduler_with_no_sources_says_so_at_its_collect(tmp_path: Path) -> None:
    """`digest run` keeps running (an editor may yet add sources, and the rest of its
    work — bounces, retention — goes on), but its collect says why it did nothing."""
    config = write_project(tmp_path / "news", sources="")
    args = ["run", "--once", "--config", str(config), "--at", "2026-11-27T06:00:00Z"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if " collect " in x)
    assert f"skipped ({config} has no [[sources]]: there is nothing to collect" in line


def test_a_build_with_no_sources_says_how_to_add_one(tmp_path: Path) -> None:
    """It printed "No edition: 0 stories…", as if the sources had had nothing to give."""
    config = write_project(tmp_path / "news", sources="")
    for extra in ([], ["--no-collect"], ["--json"]):
        args = ["build", "--config", str(config), "--at", "2026-11-27T06:00:00Z", *extra]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert f"error: {config} has no [[sources]]: there is nothing to build" in result.output
        assert 'url = "https://' in result.output and "path = " in result.output
        assert "No edition" not in result.output and "0 stories" not in result.output
    assert not (tmp_path / "news" / "digest.db").exists()  # nothing was stored
