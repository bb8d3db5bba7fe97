"""`digest prune`: empty the text of old articles and delete the scheduler's old
records and the hosted pictures no edition shows ([database] keep_days)."""

from __future__ import annotations

import json

import click

from digest.cli.common import at_time, config_option, console, open_app
from digest.codec import iso


@click.command()
@config_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say how many articles would be emptied, records and pictures deleted; change nothing.",
)
@click.option(
    "--at",
    "at",
    help="Prune as of this time (ISO 8601; without an offset, UTC); default: now.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help=(
        "Print JSON: {emptied, before, keep_days, dry_run, runs, runs_before, images, "
        "image_bytes, images_before}."
    ),
)
def prune(config: str, dry_run: bool, at: str | None, as_json: bool) -> None:
    """Empty the text and HTML of articles older than [database] keep_days.

    An article first seen and published more than keep_days ago (default 90) loses its
    body; its link, headline, standfirst, dates and content hash stay, so a feed that
    still carries it never brings it back as new. Articles an edition carries keep
    everything. The scheduler's records (what `digest run` did for each slot) written
    that long ago are deleted too, but for runs still open and each list's latest of
    each action; the last seven days' are always kept. So are the pictures digest hosts
    (`[newsletter] images = "hosted"`) that no stored edition shows any more (a rebuild
    replaced their story, a build stored nothing) and that were last hosted that long
    ago, and at least seven days ago: every edition kept, sent (the archive shows it) or
    draft, keeps its pictures. `digest run` does this once a day.

    SQLite reuses the freed space for new articles where a body took pages of its own
    (full-text feeds); the file itself only shrinks, and the space of short bodies only
    comes back, with VACUUM, run while no digest process writes:
    sqlite3 digest.db 'VACUUM'. PostgreSQL's autovacuum reuses it; VACUUM FULL returns it.
    """
    app = open_app(config)
    pruned = app.prune(now=at_time(at), dry_run=dry_run)
    if as_json:
        out = {
            "emptied": pruned.emptied,
            "before": iso(pruned.before),
            "keep_days": pruned.keep_days,
            "dry_run": pruned.dry_run,
            "runs": pruned.runs,
            "runs_before": iso(pruned.runs_before),
            "images": pruned.images,
            "image_bytes": pruned.image_bytes,
            "images_before": iso(pruned.images_before),
        }
        click.echo(json.dumps(out))
        return
    line = pruned.summary()
    console.print(line[0].upper() + line[1:] + ".", markup=False, soft_wrap=True)


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (prune,)
