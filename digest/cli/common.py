"""What every `digest` command shares: the consoles, `--config`, the App, `--at`.

A leaf of the command line: the command modules (`digest/cli/NAME.py`) import it, and
:mod:`digest.cli` registers their commands; no command module imports the package.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, cast

import click

from digest.codec import parse_iso

if TYPE_CHECKING:
    from rich.console import Console

    from digest.app import App
    from digest.config import Settings
    from digest.records import Edition


class _LazyConsole:
    """A rich Console made at its first use. Into a pipe or a file, which is how a
    schedule runs `digest collect`, rich would draw no colour and may not be needed at
    all: what it would decide there is answered here without importing it (40 modules,
    a twentieth of an unchanged collect's time). Anything else goes to the Console."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def _made(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    @property
    def file(self) -> IO[str]:
        if self._console is not None:
            return self._console.file
        return sys.stderr if self._stderr else sys.stdout

    @property
    def is_terminal(self) -> bool:
        """rich's answer, asked only of a terminal or where the environment may force one."""
        if self._console is None and not _may_be_terminal(self.file):
            return False
        return self._made().is_terminal

    @property
    def color_system(self) -> str | None:
        return self._made().color_system if self.is_terminal else None

    @property
    def encoding(self) -> str:
        return (getattr(self.file, "encoding", None) or "utf-8").lower()

    @property
    def width(self) -> int:
        """rich's width for an output that is not a terminal: the first terminal among
        the standard streams, else 80; $COLUMNS wins."""
        if self.is_terminal:
            return int(self._made().width)
        width = 0
        for descriptor in (0, 1, 2):
            try:
                width = os.get_terminal_size(descriptor).columns
            except (AttributeError, ValueError, OSError):
                continue
            break
        columns = os.environ.get("COLUMNS", "")
        return int(columns) if columns.isdigit() else width or 80


def _may_be_terminal(stream: IO[str]) -> bool:
    """Whether rich might call `stream` a terminal: it is one, or the environment can
    force the answer (rich's TTY_COMPATIBLE and FORCE_COLOR)."""
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


console = cast("Console", _LazyConsole(stderr=False))
err = cast("Console", _LazyConsole(stderr=True))


def made(out: Console) -> Console:
    """The rich Console itself, for what rich is handed (a Progress, a Measurement):
    rich uses it as a context manager too, which a stand-in cannot forward."""
    return out._made() if isinstance(out, _LazyConsole) else out


def escape(text: str) -> str:
    """rich's markup escape (rich loaded when something is printed through it)."""
    from rich.markup import escape

    return escape(text)


config_option = click.option(
    "--config",
    "config",
    default="digest.toml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The newsletter's configuration file.",
)


def load_settings(config: str) -> Settings:
    """The project's settings, from its configuration file; every command reads the
    file through here (or :func:`open_app`), so each warns of the mistakes the file
    loads with (digest.config.hints), once each time."""
    from digest.config import load

    settings = load(config)
    for warning in settings.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    return settings


def open_app(config: str, *, creates: bool = False) -> App:
    """The project's App, from its configuration file (the application loaded on use).

    Only the commands that start a project (`creates`: demo, collect, build, run,
    subscribers import and add, editors add) make a SQLite database that is not there;
    the others refuse it, naming the file looked for (see App.creates)."""
    from digest.app import App

    app = App(load_settings(config), creates=creates)
    context = click.get_current_context(silent=True)
    if context is not None:  # closed with the command (see App.close)
        context.call_on_close(app.close)
    return app


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
    from rich.console import Console
    from rich.measure import Measurement

    if console.is_terminal:
        console.print(table)
        return
    natural = Measurement.get(made(console), console.options.update(width=10_000), table).maximum
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


COLLECT_COLUMNS = ("source", "new", "updated", "unchanged", "error", "warnings")


def print_collect_table(reports: Sequence[Any]) -> None:
    """`digest collect`'s table of sources: what each gave, its error and warnings."""
    if not any(r.error or r.warnings for r in reports):
        rows = [(r.name, str(r.new), str(r.updated), unchanged_cell(r), "", "") for r in reports]
        if print_plain_table("Sources", COLLECT_COLUMNS, {1, 2, 3}, rows):
            return
    from rich.table import Table

    table = Table(title="Sources", title_justify="left")
    for col in COLLECT_COLUMNS:
        table.add_column(
            col,
            justify="right" if col in ("new", "updated", "unchanged") else "left",
            overflow="fold",
        )
    for r in reports:
        error = f"[red]{escape(r.error)}[/]" if r.error else ""
        counts = (str(r.new), str(r.updated), unchanged_cell(r))
        table.add_row(r.name, *counts, error, warnings_cell(r.warnings))
    console.print(table)


def unchanged_cell(report: Any) -> str:
    """A source's unchanged count, or that the server said nothing changed (304)."""
    return "not modified" if report.not_modified else str(report.unchanged)


def warnings_cell(warnings: tuple[str, ...], shown: int = 5) -> str:
    """A source's warnings, one a line, the first `shown` and then how many more."""
    lines = [escape(w) for w in warnings[:shown]]
    if len(warnings) > shown:
        lines.append(f"and {len(warnings) - shown} more")
    return f"[yellow]{chr(10).join(lines)}[/]" if lines else ""


def example_domains_warning(settings: Settings) -> str | None:
    """Mail going out for real (SMTP, or workers) with the sample's example domains."""
    found = settings.example_domains()
    if found is None or (settings.transport.kind != "smtp" and not settings.queue.broker):
        return None
    return (
        f"{settings.path}: [newsletter] {found}: example domains that reach nobody "
        "(RFC 2606); the unsubscribe, preferences and web-view links in this mail lead "
        "nowhere, and replies bounce. Set the newsletter's own in [newsletter]"
    )


def warn_unhosted(app: App, edition: Edition) -> None:
    """Say so when `edition` goes out without pictures it was built with (built before
    digest hosted them: :func:`digest.images.unhosted_warning`)."""
    from digest.images import unhosted_warning

    if warning := unhosted_warning(edition, app.settings.newsletter.images):
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


__all__ = [
    "COLLECT_COLUMNS",
    "at_time",
    "config_option",
    "console",
    "err",
    "escape",
    "example_domains_warning",
    "load_settings",
    "made",
    "open_app",
    "print_collect_table",
    "print_plain_table",
    "print_table",
    "unchanged_cell",
    "warn_unhosted",
    "warnings_cell",
]
