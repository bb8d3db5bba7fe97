"""`digest editors add|list|remove`: who may log in to the editor desk (`digest serve`).

The password is read from standard input (`--password-stdin`, for scripts and
secret stores) or asked for twice without echo; it is never taken from an argument
(shell history, `ps`) and never printed. The store keeps only a salted hash.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from digest.cli.common import config_option, console, open_app
from digest.errors import DigestError


@click.group()
def editors() -> None:
    """Editors who may log in to the desk served by `digest serve`."""


@editors.command("add")
@config_option
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (its first line) instead of asking.",
)
def add(config: str, email: str, password_stdin: bool) -> None:
    """Create an editor, or reset an editor's password."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():  # getpass would warn, then abort or echo a piped line
        raise DigestError(
            f"{email}: standard input is not a terminal, so the password cannot be asked "
            "for; give it on standard input with --password-stdin, e.g. "
            f"`printf '%s\\n' \"$PASSWORD\" | digest editors add {email} --password-stdin`"
        )
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise DigestError(f"{email}: no password given")
    app = open_app(config, creates=True)
    created = app.store.add_editor(email, password, now=datetime.now(UTC))
    who = email.strip().lower()
    if created:
        console.print(f"Added editor {who}; they can log in at /login on `digest serve`.")
    else:
        console.print(f"Reset the password of editor {who}; their open sessions end.")


@editors.command("list")
@config_option
def list_(config: str) -> None:
    """Print the address of every editor who may log in."""
    for editor in open_app(config).store.editors():
        click.echo(editor.email)


@editors.command("remove")
@config_option
@click.argument("email")
def remove(config: str, email: str) -> None:
    """Remove an editor: they can no longer log in, and their open sessions end."""
    if not open_app(config).store.remove_editor(email):
        raise DigestError(f"{email}: no such editor")
    console.print(f"Removed editor {email.strip().lower()}.")


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (editors,)
