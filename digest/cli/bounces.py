"""`digest bounces`: read the bounce mailbox and act on what came back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from digest.cli.common import config_option, console, open_app


@click.command()
@config_option
@click.option(
    "--mailbox",
    "spec",
    help="Read this mailbox instead of [bounces] mailbox (maildir:PATH, mbox:PATH, "
    "imaps://USER@HOST/FOLDER).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def bounces(config: str, spec: str | None, as_json: bool) -> None:
    """Read bounces and complaints from the bounce mailbox; suppress dead addresses.

    Hard bounces suppress the address; complaints the subscription they came from; soft
    bounces only after `[bounces] soft_limit` editions in a row. Only reports with our
    signed VERP tag act (see `[bounces] return_path`). Processing twice changes nothing.
    """
    from digest.bounces import process_mailbox

    app = open_app(config)
    run = process_mailbox(
        app.store,
        app.settings.bounces,
        keys=app.verp_keys(),
        now=datetime.now(UTC),
        spec=spec,
    )
    if as_json:
        click.echo(json.dumps(run.as_dict()))
        return
    d = run.as_dict()
    console.print(
        f"Read {d['read']} messages: {d['hard']} hard bounces, {d['soft']} soft, "
        f"{d['complaints']} complaints, {d['auto_replies']} auto-replies, "
        f"{d['delayed']} delay warnings, {d['unknown']} not understood; "
        f"{d['suppressed']} subscriptions suppressed, {d['repeated']} already processed, "
        f"{d['unverified']} unverified (no signed tag: recorded, not acted on)."
    )
    for problem in run.problems:
        console.print(f"  {problem}", markup=False)


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (bounces,)
