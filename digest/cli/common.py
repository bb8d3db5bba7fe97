"""What every `digest` command shares: the consoles, `--config`, the App, `--at`.

A leaf of the command line: the command modules (`digest/cli/NAME.py`) import it, and
:mod:`digest.cli` registers their commands; no command module imports the package.
"""

from __future__ import annotations

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


__all__ = ["at_time", "config_option", "console", "err", "open_app", "print_table"]
