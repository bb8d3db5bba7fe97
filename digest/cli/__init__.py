"""The `digest` command line: a thin layer over :class:`digest.app.App`.

Every command takes `--config PATH` (default ./digest.toml). Errors that digest
raises on purpose are printed as one clear line (naming the file, line, source or
address) and exit with status 2; nothing here holds logic a library user would miss.

Start-up loads only what the command run needs: the commands that live in their own
modules are imported when they are called (or listed), and the application, the store
and the renderer when a command uses them, so `digest --version` answers at once.
"""

from __future__ import annotations

import gc
import importlib
import json
import shutil
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from digest import __version__
from digest.cli.common import (
    at_time,
    config_option,
    console,
    err,
    escape,
    made,
    open_app,
    print_collect_table,
    warn_unhosted,
)
from digest.codec import edition_to_dict, iso
from digest.errors import ConfigError, DigestError
from digest.records import Edition

if TYPE_CHECKING:
    from digest.app import App

#: The sample newsletter's morning: its sources were published in the day before.
DEMO_AT = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

#: Commands that live in their own modules (digest/cli/NAME.py, each listing them in its
#: `COMMANDS`), by module: imported and registered here when one of them is called. A
#: name not here imports them all.
LAZY_COMMANDS = {
    "bounces": "bounces",
    "database": "database",
    "approve": "editions",
    "unapprove": "editions",
    "editions": "editions",
    "editors": "editors",
    "keys": "keys",
    "schedule": "schedule",
    "run": "schedule",
    "send": "send",
    "pause": "send",
    "prune": "prune",
    "cancel": "send",
    "serve": "serve",
    "subscribers": "subscribers",
    "worker": "worker",
}


class DigestGroup(click.Group):
    """The `digest` group: commands of other modules loaded on demand; errors as one line."""

    _all_loaded = False

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        """Every command (all command modules loaded: for help, docs and tests)."""
        self._load(*sorted(set(LAZY_COMMANDS.values())))
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def _load(self, *modules: str) -> None:
        if self._all_loaded:
            return
        if set(modules) >= set(LAZY_COMMANDS.values()):
            self._all_loaded = True
        for module in modules:
            for command in importlib.import_module(f"digest.cli.{module}").COMMANDS:
                self.add_command(command)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        assert name is not None
        self._commands[name] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._commands:
            if cmd_name in LAZY_COMMANDS:
                self._load(LAZY_COMMANDS[cmd_name])
            else:  # perhaps a command a module registers that the table does not name
                self._load(*sorted(set(LAZY_COMMANDS.values())))
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The process's `digest` (the console script and `python -m digest`; tests call
        `main.main`). When the command is done, the objects left are frozen out of the
        cycle collector: the interpreter's passes over them at exit took 20-30 ms of a
        short command (an unchanged `digest collect` is 0.2 s); the system frees the
        memory. Files and connections are closed by the commands, not left to the
        collector: Python does not promise to finalise objects that live until exit."""
        try:
            return super().__call__(*args, **kwargs)
        finally:
            gc.freeze()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DigestError as exc:
            _fail(str(exc))
        except Exception as exc:
            errors = sys.modules.get("sqlalchemy.exc")
            if errors is None or not isinstance(exc, errors.SQLAlchemyError):
                raise
            # A storage fault the store did not name (it names the ones it knows): still
            # one line naming the database, the driver's words, never the password.
            where = getattr(exc, "digest_database", "the database")
            cause = " ".join(str(getattr(exc, "orig", None) or exc).split("\n")[0].split())
            _fail(f"{where}: database error ({type(exc).__name__}: {cause})")


def _fail(message: str) -> NoReturn:
    """Print one error line (no traceback) and exit with status 2."""
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    sys.exit(2)


@click.group(cls=DigestGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, package_name="digest")
def main() -> None:
    """digest: collect the day's articles, rank them, and deliver one newsletter edition
    to every subscriber of every list, exactly once."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--theme", is_flag=True, help="Copy the bundled theme into templates/, to change it.")
def init(directory: str, theme: bool) -> None:
    """Scaffold a newsletter project in DIRECTORY (config, sample sources, subscribers).

    The theme stays bundled (templates/ holds a note on overriding one file), so that
    an upgrade's templates reach the project; --theme copies it all."""
    target = Path(directory)
    from digest.cli.scaffold import check_new_project, copy_project, write_theme_note

    check_new_project(target, templates=theme)
    copy_project(target, DEMO_AT, templates=theme)
    if not theme:
        write_theme_note(target)
    console.print(f"Created {target}/digest.toml, sources/, subscribers/ and templates/.")
    console.print(
        f"Next: cd {target} && digest build --at 2026-11-27T07:00:00Z\n"
        "(the sample articles are from 26-27 November 2026; for your own sources, "
        "leave out --at)"
    )


@main.command()
@click.option(
    "--out",
    "out",
    default="digest-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the demo project and outputs.",
)
def demo(out: str) -> None:
    """Run the bundled sample newsletter end to end into a local outbox (offline)."""
    from digest.cli.scaffold import DEMO_MARK, check_demo_folder, copy_project
    from digest.deliver.run import SendOptions, send_edition
    from digest.subscribers import import_csv

    target = Path(out).resolve()
    check_demo_folder(target)
    for stale in ("digest.db", "digest.db-wal", "digest.db-shm", "outbox", "preview"):
        path = target / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    copy_project(target, DEMO_AT, templates=False)
    (target / DEMO_MARK).write_text("made by `digest demo`, which may empty this folder again\n")
    app = open_app(str(target / "digest.toml"), creates=True)
    # Offline: the sample's pictures are on example.* hosts that do not exist, so the
    # demo fetches none and shows none ([newsletter] images = "hosted" in its file
    # fetches them when its edition is built by `digest build` or `digest run`).
    news = replace(app.settings.newsletter, images="none")
    app.settings = replace(app.settings, newsletter=news)
    now = DEMO_AT
    reports = app.collect(now=now)
    _print_collect(reports)
    lst, sections = app.settings.lists[0], app.settings.sections
    assert lst.subscribers is not None
    imported = import_csv(app.store, lst.name, lst.subscribers, now=now, sections=sections)
    edition = app.build(list_name=lst.name, now=now, reports=reports)
    assert edition.id is not None
    preview_dir = target / "preview"
    _write_preview(app, edition.id, None, preview_dir, now)
    app.store.set_edition_status(edition.id, "approved", now=now)
    summary = send_edition(app, edition.id, options=SendOptions(), clock=lambda: now)
    (target / "edition.json").write_text(
        json.dumps(edition_to_dict(edition), indent=2, ensure_ascii=False) + "\n"
    )
    console.print(
        f"\nEdition {edition.id} of {lst.name!r} for {iso(now)}: "
        f"{len(edition.leads)} leads, {len(edition.teasers)} teasers."
    )
    console.print(f"  subscribers imported: {imported.added}")
    console.print(f"  edition:  {target / 'edition.json'}")
    console.print(f"  preview:  {preview_dir}/edition-{edition.id}.html (.txt, .eml)")
    console.print(f"  outbox:   {app.settings.transport.path} ({summary.sent} messages)")


def _print_collect(reports: list[Any]) -> None:
    print_collect_table(reports)
    failed = sum(1 for r in reports if r.error)
    if reports and failed == len(reports):  # a scheduler must see that nothing came in
        err.print(
            f"[bold red]error:[/] every source failed ({failed} of {len(reports)}); "
            "nothing was collected (each source's error is in the table)",
            soft_wrap=True,
        )
        sys.exit(1)


@main.command()
@config_option
@click.option(
    "--at",
    "at",
    help="The 'now' to collect for (ISO 8601; a time without an offset is UTC); default: now.",
)
def collect(config: str, at: str | None) -> None:
    """Fetch every source; print a per-source table (new, updated, unchanged, error, warnings).

    Exits 1 when every source failed (nothing came in), 2 when there is no source (the
    error says how to add one), 0 otherwise."""
    app = open_app(config, creates=True)
    if no_sources := app.settings.no_sources():
        raise ConfigError(no_sources)
    if not err.is_terminal:  # a bar is drawn on a terminal only (nor its refresh thread)
        _print_collect(app.collect(now=at_time(at)))
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("collecting"),
        BarColumn(),
        MofNCompleteColumn(),
        console=made(err),
        transient=True,
    ) as bar:
        task = bar.add_task("collect", total=len(app.settings.sources))
        reports = app.collect(now=at_time(at), progress=lambda _r: bar.advance(task))
    _print_collect(reports)


@main.command()
@config_option
@click.option("--list", "list_name", help="The list to build for (default: the first).")
@click.option(
    "--at",
    "at",
    help="The 'now' to build for (ISO 8601; a time without an offset is UTC); default: now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the edition as JSON.")
@click.option("--no-collect", is_flag=True, help="Rank what is stored; fetch nothing.")
def build(
    config: str, list_name: str | None, at: str | None, as_json: bool, no_collect: bool
) -> None:
    """Collect and rank into a draft edition (printed with --json).

    Prints one line saying what was kept and what was left out, and why. Exits 1 when
    no story is left (nothing is stored) or the edition has fewer than
    `[edition] min_stories` (stored as a draft for an editor to complete; `digest send`
    refuses it as it is); 2 when there is no source (the error says how to add one).
    """
    app = open_app(config, creates=True)
    if no_sources := app.settings.no_sources("to build an edition from"):
        raise ConfigError(no_sources)  # before the store is opened: nothing is created
    now = at_time(at)
    reports = None if no_collect else app.collect(now=now)
    built = app.draft(list_name=list_name, now=now, reports=reports)
    edition = built.edition
    if as_json:
        name = app.settings.list(list_name).name
        data = edition_to_dict(edition or Edition(name, now, (), (), built.sources))
        data["dropped"] = dict(built.dropped)
        data["images"] = list(built.images)  # story pictures not hosted, and why
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        if edition is not None:
            console.print(f"Draft edition {edition.id} of {edition.list!r} for {iso(now)}:")
            for label, stories in (("lead", edition.leads), ("teaser", edition.teasers)):
                for story in stories:
                    console.print(
                        f"  {label:6} {story.score:7.3f}  {story.title}  ({story.source})",
                        markup=False,
                    )
            for s in edition.sources:
                if s.error:
                    console.print(f"  [red]source error[/] {escape(s.error)}", soft_wrap=True)
            for line in built.images:  # the story goes without it: never a broken image
                console.print(f"  [yellow]image left out[/] {escape(line)}", soft_wrap=True)
            if pictures := built.pictures():
                console.print(f"  {pictures}", markup=False, soft_wrap=True)
        console.print(built.summary(), markup=False, soft_wrap=True)
    if built.refusal is not None:
        level = "error" if edition is None else "warning"
        err.print(f"[bold yellow]{level}:[/] {escape(built.hint())}", soft_wrap=True)
        sys.exit(1)


def _write_preview(
    app: App, edition_id: int, email: str | None, out: Path, now: datetime
) -> list[Path]:
    """Write the message exactly as the subscriber gets it, and its decoded parts."""
    from email import message_from_bytes, policy

    preview = app.preview(edition_id, email=email, now=now)
    msg = message_from_bytes(preview.message, policy=policy.default)
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"edition-{edition_id}"
    written = []
    for suffix, kind in ((".html", "text/html"), (".txt", "text/plain")):
        if kind in parts:
            path = stem.with_suffix(suffix)
            path.write_text(parts[kind].replace("\r\n", "\n"), encoding="utf-8")
            written.append(path)
    stem.with_suffix(".eml").write_bytes(preview.message)
    return [*written, stem.with_suffix(".eml")]


@main.command()
@config_option
@click.argument("edition_id", type=int)
@click.option("--subscriber", "email", help="Render as this subscriber gets it.")
@click.option(
    "--out",
    "out",
    default="preview",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write edition-ID.html, .txt and .eml into (made if missing).",
)
def preview(config: str, edition_id: int, email: str | None, out: str) -> None:
    """Write the edition's .html, .txt and .eml as a subscriber gets it."""
    app = open_app(config)
    for path in _write_preview(app, edition_id, email, Path(out), datetime.now(UTC)):
        console.print(str(path))
    warn_unhosted(app, app.store.edition(edition_id))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def lint(paths: tuple[str, ...]) -> None:
    """Check messages (.eml files, or folders of them, such as an outbox) against the
    email standards; exit 1 on an error."""
    from digest.lint import format_findings, lint_file

    files: list[str] = []
    for path in paths:
        if not Path(path).is_dir():
            files.append(path)
            continue
        found = sorted(str(f) for f in Path(path).glob("*.eml"))
        if not found:
            _fail(f"{path}: no .eml file in this folder")
        files += found
    failed = False
    for path in files:
        findings = lint_file(Path(path))
        for line in format_findings(findings, name=path):
            click.echo(line)
        failed = failed or any(f.level == "error" for f in findings)
        if not findings:
            click.echo(f"{path}: ok")
    sys.exit(1 if failed else 0)


__all__ = ["LAZY_COMMANDS", "main"]
