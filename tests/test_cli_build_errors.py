"""`digest build` names a failing source in the words its server used, whatever they are.

A feed server's status line is the publisher's text, not console markup: a reason
phrase such as `[/x]` must be printed as it is, not crash the command after the
edition was stored. A real HTTP server on loopback and the real command.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from tests.conftest import write_project

REASON = "[/x] Service [bold]Unavailable"


class _Refusing(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.send_response(503, REASON)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def _server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_source_error_that_looks_like_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    with _server() as port:
        config = write_project(tmp_path / "news")
        text = config.read_text()
        head, tail = text.split("[edition]", 1)
        feed = f'[[sources]]\nname = "Down Feed"\nurl = "http://127.0.0.1:{port}/feed"\n\n'
        config.write_text(f"{head}{feed}[edition]{tail}")
        result = CliRunner().invoke(
            main, ["build", "--config", str(config), "--at", "2026-11-27T07:00:00Z"]
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    errors = [line for line in result.output.splitlines() if "source error" in line]
    assert len(errors) == 1 and "Down Feed" in errors[0], result.output
    assert "HTTP 503 [/x] Service [bold]Unavailable" in errors[0], result.output
