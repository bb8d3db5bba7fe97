"""`digest serve`: the web app (subscriber endpoints, and the editor desk) over HTTP.

A thin layer: build the Flask app with :func:`digest.web.create_app` and serve it with
werkzeug's threaded server, on 127.0.0.1 unless told otherwise. Request log lines
have the subscriber tokens in `/u/`, `/p/` and `/c/` paths cut out.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import click
from werkzeug.serving import WSGIRequestHandler, make_server

from digest.cli.common import config_option, open_app
from digest.netaddr import is_loopback_host

if TYPE_CHECKING:
    from digest.config import Settings

_TOKEN_PATH = re.compile(r"^(/[upc]/)[^/?#\s]+")


class _RedactingHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The app has read the path already; the log gets it without the token.
        self.path = _TOKEN_PATH.sub(r"\1…", self.path)
        super().log_request(code, size)


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
def serve(config: str, host: str, port: int) -> None:
    """Serve the editor's desk (/login) and the subscriber endpoints (unsubscribe,
    preferences, confirm, /subscribe) and the archive (/archive); / leads readers to the
    archive (to /subscribe before the first edition), never to the desk."""
    from digest.web import create_app
    from digest.web.serving import ServeLease

    app = open_app(config)
    web = create_app(app)
    try:
        server = make_server(host, port, web, threaded=True, request_handler=_RedactingHandler)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    shown = f"[{host}]" if ":" in host else host
    if warning := _plain_http_warning(host, app.settings):
        click.echo(warning, err=True)
    pages = _pages(f"http://{shown}:{server.port}", bool(app.store.editors()))
    click.echo(  # in one piece: whoever reads it sees every address at once
        f"Serving {app.settings.newsletter.name} on http://{shown}:{server.port}/ "
        f"(public links point to {app.settings.newsletter.base_url}); Ctrl+C stops.\n{pages}"
    )
    # Known to the database while it runs: `digest database copy` waits for it to stop.
    lease = ServeLease(app.store)
    lease.start()
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        lease.stop()


def _plain_http_warning(host: str, settings: Settings) -> str | None:
    """What to tell the operator when `host` is not loopback and no `[serve] proxies`
    says a TLS proxy is in front: this server speaks plain HTTP only. With an https
    base_url the desk's session cookie is marked Secure, and browsers keep it only over
    HTTPS or on localhost: every login from another machine would fail as an expired
    form. With an http base_url the passwords would cross the network unencrypted."""
    if is_loopback_host(host) or settings.serve.proxies:
        return None
    base = settings.newsletter.base_url
    if base.startswith("https://"):
        why = (
            f"base_url is {base}, so the desk's session cookie is marked Secure and "
            "browsers keep it only over HTTPS (or on localhost): a login from another "
            "machine over plain HTTP fails, as a form that has expired"
        )
    else:
        why = "editors' passwords and sessions would cross the network unencrypted"
    return (
        f"Warning: listening on {host}, beyond this machine, over plain HTTP, and no "
        f"[serve] proxies says a TLS proxy is in front: {why}. Reach the desk over HTTPS: "
        "put a TLS-terminating reverse proxy in front that serves base_url, and set "
        "[serve] proxies = 1 (docs/deployment.md); or listen on 127.0.0.1."
    )


def _pages(root: str, editors: bool) -> str:
    """Where the pages are: the root is the readers' (it leads to the archive or the
    subscribe form), so the operator is told where the desk is."""
    desk = "" if editors else "  (no editor yet: digest editors add ADDRESS --password-stdin)"
    return (
        f"  Desk:      {root}/login{desk}\n"
        f"  Subscribe: {root}/subscribe\n"
        f"  Archive:   {root}/archive"
    )


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (serve,)
