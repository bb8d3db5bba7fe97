"""`digest keys status|rotate|retire|generate`: the secret keys that sign subscriber links.

Rotation has a grace window: `rotate` makes a new signing key and keeps the previous
ones verifying, so links in mail already sent still work; `retire` ends the window.
With `$DIGEST_SECRET_KEY` set the keys live in the environment and these commands say
what to change there. No command prints a key except `generate`, which prints a new
one for the environment and stores nothing.
"""

from __future__ import annotations

import hashlib

import click

from digest import keys as secret_keys
from digest.cli.common import config_option, console
from digest.config import load


def _fingerprint(key: str) -> str:
    """A short, one-way name for a key (never the key)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


@click.group()
def keys() -> None:
    """The secret keys that sign unsubscribe, preferences and confirmation links."""


@keys.command("status")
@config_option
def status(config: str) -> None:
    """Say where the keys come from and how many retired keys still verify."""
    settings = load(config)
    found = secret_keys.load_keys(settings.root, create=False)
    if found is None:
        console.print(
            f"No key yet: the first command that needs one creates "
            f"{secret_keys.key_file(settings.root)}."
        )
        return
    console.print(
        f"Keys from {found.origin}: signing key {_fingerprint(found.current)}, "
        f"{len(found.old)} retired key(s) still verifying"
        + (f" ({', '.join(_fingerprint(k) for k in found.old)})" if found.old else "")
    )


@keys.command("rotate")
@config_option
def rotate(config: str) -> None:
    """Make a new signing key; links signed with the previous keys keep working."""
    settings = load(config)
    found = secret_keys.rotate(settings.root)
    console.print(
        f"Rotated: new signing key {_fingerprint(found.current)} in {found.origin}; "
        f"{len(found.old)} older key(s) still verify links already sent. Restart "
        "`digest serve`, `digest run` and workers; run `digest keys retire` when the "
        "grace window is over."
    )


@keys.command("retire")
@config_option
def retire(config: str) -> None:
    """End the grace window: links signed with retired keys stop working."""
    settings = load(config)
    found, dropped = secret_keys.retire(settings.root)
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
