"""What every `digest` command shares: the consoles, `--config`, the App, `--at`.

A leaf of the command line: the command modules (`digest/cli/NAME.py`) import it, and
:mod:`digest.cli` registers their commands; no command module imports the package.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from digest.codec import parse_iso

if TYPE_CHECKING:
    from digest.app import App

console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)

config_option = click.option(
    "--config",
    "config",
    default="digest.toml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The newsletter's configuration file.",
)


def open_app(config: str) -> App:
    """The project's App, from its configuration file (the application loaded on use)."""
    from digest.app import App

    return App.from_config(config)


def at_time(value: str | None) -> datetime:
    """An `--at` option's time; now when it is not given."""
    if value is None:
        return datetime.now(UTC)
    try:
        when = parse_iso(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--at") from None
    assert when is not None
    return when


def print_table(table: Any) -> None:
    """Print a rich table; into a pipe or a file, at its natural width, so no cell is
    cut to "…" (rich assumes 80 columns when stdout is not a terminal)."""
    from rich.measure import Measurement

    if console.is_terminal:
        console.print(table)
        return
    natural = Measurement.get(console, console.options.update(width=10_000), table).maximum
    wide = Console(file=console.file, width=max(natural, console.width), highlight=False)
    wide.print(table)


def print_plain_table(
    title: str, headers: Sequence[str], right: Collection[int], rows: Sequence[Sequence[str]]
) -> bool:
    """Print a table of plain one-line cells as rich draws it (HEAVY_HEAD box, a space
    each side of a cell, title left) when rich would add nothing to it: no colour, a
    UTF-8 output, no markup and every row fits on its line. 100 rows cost rich 340M
    instructions (callgrind), a tenth of an unchanged `digest collect`; this, 3M.
    False (nothing printed) when rich must draw it; `right` are right-justified columns."""
    from rich.cells import cell_len

    if console.color_system is not None or not console.encoding.lower().startswith("utf"):
        return False
    if not all(_plain(cell) for row in rows for cell in row):
        return False
    widths = [max(map(cell_len, column)) for column in zip(headers, *rows, strict=True)]
    if sum(widths) + 3 * len(widths) + 1 > console.width:
        return False

    def line(cells: Sequence[str], edge: str, inner: str) -> str:
        padded = (
            " " * (w - cell_len(c)) + c if n in right else c + " " * (w - cell_len(c))
            for n, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return edge + inner.join(f" {cell} " for cell in padded) + edge

    def rule(left: str, bar: str, cross: str, end: str) -> str:
        return left + cross.join(bar * (w + 2) for w in widths) + end

    width = sum(widths) + 3 * len(widths) + 1
    text = [title + " " * (width - cell_len(title)), rule("┏", "━", "┳", "┓")]
    text += [line(headers, "┃", "┃"), rule("┡", "━", "╇", "┩")]
    text += [line(row, "│", "│") for row in rows] + [rule("└", "─", "┴", "┘")]
    console.file.write("\n".join(text) + "\n")
    console.file.flush()
    return True


def _plain(cell: str) -> bool:
    """A cell rich prints as it is: printable, one line, no markup or emoji code."""
    return cell.isprintable() and not any(c in cell for c in "[]:\\")


__all__ = [
    "at_time",
    "config_option",
    "console",
    "err",
    "open_app",
    "print_plain_table",
    "print_table",
]
