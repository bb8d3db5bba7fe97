"""`digest worker`: a Celery worker that sends queued batches, in the foreground.

Needs `[queue] broker`; every worker machine has the same digest.toml (and the same
$DIGEST_SECRET_KEY). The logic lives in :mod:`digest.worker`.
"""

from __future__ import annotations

import sys

import click

from digest.cli.common import config_option, load_settings
from digest.errors import ConfigError


@click.command()
@config_option
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Batches sent at once (processes, each with its own SMTP connection).",
)
@click.option(
    "--pool",
    type=click.Choice(["prefork", "solo"]),
    default="prefork",
    show_default=True,
    help="prefork: child processes (a killed child's batch is redelivered at once); "
    "solo: in this process (--concurrency 1).",
)
@click.option(
    "--queues",
    default=None,
    help="Comma-separated queues to consume (default: [queue] name, 'digest').",
)
@click.option(
    "--name",
    default="digest@%h",
    show_default=True,
    help="This worker's node name (%h: the host name), shown in logs and the ledger. "
    "Any name works: a claim also records this machine's host name and the process, "
    "which tell a killed worker whatever its name.",
)
@click.option(
    "--loglevel",
    default="INFO",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    help="The least severe log messages shown (Celery's and digest's).",
)
def worker(
    config: str, concurrency: int, pool: str, queues: str | None, name: str, loglevel: str
) -> None:
    """Run a Celery worker that renders, personalises and sends queued batches.

    `digest send ID` enqueues an edition's batches when `[queue] broker` is set; run
    as many workers, on as many machines, as the SMTP relay accepts connections.
    SIGTERM lets the running batches finish; a killed worker's batch is sent by
    another one (rows already sent are skipped).
    """
    from digest.app import App
    from digest.deliver.queue import run

    settings = load_settings(config)
    if not settings.queue.broker:
        raise ConfigError(
            f"{settings.path}: [queue] broker is not set; `digest worker` needs one, "
            'e.g. broker = "redis://127.0.0.1:6379/0"'
        )
    from digest.deliver.transports import check_login

    check_login(settings)  # before taking a batch (it would pause the edition)
    if pool == "solo" and concurrency != 1:
        raise click.BadParameter(
            "the solo pool runs one batch at a time", param_hint="--concurrency"
        )
    app = App(settings, creates=False)  # its queue's editions are in a database already
    app.keys  # noqa: B018 -- a key the database does not know takes no batch (digest.keyguard)
    app.store.close()  # migrated; no connection may cross into a pool process
    names = [q.strip() for q in (queues or settings.queue.name).split(",") if q.strip()]
    sys.exit(
        run(
            settings,
            concurrency=concurrency,
            pool=pool,
            queues=names,
            loglevel=loglevel.upper(),
            name=name,
        )
    )


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (worker,)
