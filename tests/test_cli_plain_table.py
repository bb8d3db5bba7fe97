"""`digest collect`'s table printed without rich when rich would add nothing: the same
characters as rich draws, and rich itself whenever a cell needs it (an error, markup,
a line too long for the output)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console
from rich.table import Table

import digest.cli as cli
from digest.cli import common
from digest.records import SourceReport


@pytest.fixture
def output(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, highlight=False)  # a pipe: no colour
    monkeypatch.setattr(common, "console", console)
    monkeypatch.setattr(cli, "console", console)
    yield buffer


def _rich(reports: list[SourceReport], width: int = 120) -> str:
    """What rich alone prints for these reports (the table as print_collect_table builds it)."""
    buffer = io.StringIO()
    table = Table(title="Sources", title_justify="left")
    for col in common.COLLECT_COLUMNS:
        right = col in ("new", "updated", "unchanged")
        table.add_column(col, justify="right" if right else "left", overflow="fold")
    for r in reports:
        error = f"[red]{r.error}[/]" if r.error else ""
        counts = (str(r.new), str(r.updated), common.unchanged_cell(r))
        table.add_row(r.name, *counts, error, common.warnings_cell(r.warnings))
    Console(file=buffer, width=width, highlight=False).print(table)
    return buffer.getvalue()


CASES = {
    "unchanged": [SourceReport(f"Outlet {n}", not_modified=True) for n in range(100)],
    "counts": [
        SourceReport("Politiken — Kultur", new=12, updated=3, unchanged=40),
        SourceReport("Ærø Avis", new=0, updated=0, unchanged=7),
        SourceReport("日本経済新聞", new=1234, updated=0, unchanged=0),  # wide characters
        SourceReport("x", not_modified=True),
    ],
    "one": [SourceReport("Solo", new=1)],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_plain_table_is_what_rich_prints(case: str, output: io.StringIO) -> None:
    reports = CASES[case]
    rows = [(r.name, str(r.new), str(r.updated), common.unchanged_cell(r), "", "") for r in reports]
    assert common.print_plain_table("Sources", common.COLLECT_COLUMNS, {1, 2, 3}, rows)
    assert output.getvalue() == _rich(reports)
    output.truncate(0)
    output.seek(0)
    common.print_collect_table(reports)
    assert output.getvalue() == _rich(reports)


@pytest.mark.parametrize(
    "reports",
    [
        [SourceReport("Broken", error="Broken: HTTP 500 (https://example.org/feed)")],
        [SourceReport("Warned", new=1, warnings=("a date in the future",))],
        [SourceReport("[bold]Marked[/bold]", new=1)],  # markup: rich's to interpret
        [SourceReport("Emoji :smile: desk", new=1)],
        [SourceReport("A name far too long for the output " * 4, new=1)],  # rich wraps it
    ],
)
def test_rich_draws_what_needs_it(reports: list[SourceReport], output: io.StringIO) -> None:
    rows = [(r.name, str(r.new), str(r.updated), common.unchanged_cell(r), "", "") for r in reports]
    if not (reports[0].error or reports[0].warnings):
        assert not common.print_plain_table("Sources", common.COLLECT_COLUMNS, {1, 2, 3}, rows)
        assert output.getvalue() == ""
    common.print_collect_table(reports)
    assert output.getvalue() == _rich(reports)


def test_a_terminal_gets_rich_s_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=True, color_system="standard")
    monkeypatch.setattr(common, "console", console)
    rows = [("Outlet 1", "0", "0", "not modified", "", "")]
    assert not common.print_plain_table("Sources", common.COLLECT_COLUMNS, {1, 2, 3}, rows)
    assert buffer.getvalue() == ""
