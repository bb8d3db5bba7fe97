"""`digest keys status|rotate|retire|generate`: the secret keys that sign subscriber links.

Rotation has a grace window: `rotate` makes a new signing key and keeps the previous
ones verifying, so links in mail already sent still work; `retire` ends the window.
With `$DIGEST_SECRET_KEY` set the keys live in the environment and these commands say
what to change there. No command prints a key except `generate`, which prints a new
one for the environment and stores nothing. The database records each key's
fingerprint (digest.keyguard): `rotate` and `retire` record theirs, and `status` says
whether the database knows the key here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from digest import keyguard
from digest import keys as secret_keys
from digest.app import App, missing_database
from digest.cli.common import config_option, console, load_settings


def _fingerprint(key: str) -> str:
    """A short, one-way name for a key (never the key): what the database records."""
    return secret_keys.fingerprint(key)[:12]


#: What a rotation asks of the operator, said by `rotate` and by `status` before the
#: environment's rotation is recorded: a process reads its keys once, at its start.
RESTART = (
    "Restart every `digest serve`, `digest run` and `digest worker` now, on every machine "
    "(each with the new key): until it restarts, a process cannot read links signed "
    "with the new key (`digest serve` answers them 503, try again, so one-click "
    "unsubscribes are retried, not lost)."
)


def _recorded(app: App, key: str, old: tuple[str, ...] = ()) -> str:
    """What the database says of `key` (with `old`, the keys that still verify here),
    as a sentence (it reads, records nothing)."""
    if missing_database(app.settings):
        return "No database yet: the first key used is recorded in it."
    roles = app.store.key_roles()
    role = roles.get(secret_keys.fingerprint(key))
    if role is not None:
        said = {"current": "the signing key", "old": "an old key (still verifies)"}
        kind = said.get(role.role, "RETIRED: it signs nothing")
        return f"The database records this key as {kind}."
    if not roles:
        return "The database has recorded no key yet: the first command that signs records it."
    newest = next((r.fingerprint for r in roles.values() if r.role == "current"), "")
    current = newest[:12] or "?"
    if newest and newest in {secret_keys.fingerprint(k) for k in old}:
        # A rotation made in the environment: admit_key records it at the next start.
        return (
            f"Not recorded yet: a rotation from the database's signing key ({current}, "
            "an old key here). The next command that signs records it as the signing key, "
            f"and {current} as an old key that still verifies. {RESTART}"
        )
    return (
        f"NOT a key the database knows (its signing key is {current}): this machine signs "
        f"nothing until it has that key (copy `{secret_keys.KEY_FILE}` from where it is)."
    )


@click.group()
def keys() -> None:
    """The secret keys that sign unsubscribe, preferences and confirmation links."""


@keys.command("status")
@config_option
def status(config: str) -> None:
    """Say where the keys come from, how many older keys still verify, and what the
    database records of the signing key."""
    settings = load_settings(config)
    found = secret_keys.load_keys(settings.root, create=False)
    if found is None:
        console.print(
            f"No key yet: the first command that needs one creates "
            f"{secret_keys.key_file(settings.root)}."
        )
        return
    console.print(
        f"Keys from {found.origin}: signing key {_fingerprint(found.current)}, "
        f"{len(found.old)} older key(s) still verifying"
        + (f" ({', '.join(_fingerprint(k) for k in found.old)})" if found.old else "")
    )
    app = App(settings, creates=False)
    try:
        console.print(_recorded(app, found.current, found.old))
    finally:
        app.close()


@keys.command("rotate")
@config_option
def rotate(config: str) -> None:
    """Make a new signing key; links signed with the previous keys keep working."""
    settings = load_settings(config)
    secret_keys.refuse_environment("rotate")  # before the database is opened
    app = App(settings, creates=False)
    try:
        found = keyguard.rotate(settings.root, app.store, now=datetime.now(UTC))
    finally:
        app.close()
    console.print(
        f"Rotated: new signing key {_fingerprint(found.current)} in {found.origin}; "
        f"{len(found.old)} older key(s) still verify links already sent. {RESTART} "
        "Run `digest keys retire` when the grace window is over."
    )


@keys.command("retire")
@config_option
def retire(config: str) -> None:
    """End the grace window: links signed with retired keys stop working."""
    settings = load_settings(config)
    secret_keys.refuse_environment("retire")  # before the database is opened
    app = App(settings, creates=False)
    try:
        found, dropped = keyguard.retire(settings.root, app.store, now=datetime.now(UTC))
    finally:
        app.close()
    console.print(
        f"Retired {dropped} key(s) from {found.origin}; only {_fingerprint(found.current)} "
        "verifies now. Restart `digest serve`, `digest run` and workers."
    )


@keys.command("generate")
def generate() -> None:
    """Print a new random key for $DIGEST_SECRET_KEY (stores nothing)."""
    click.echo(secret_keys.new_key())


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (keys,)
