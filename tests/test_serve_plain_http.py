"""`digest serve` on a non-loopback address over plain HTTP.

QA ran `digest serve --host 192.0.2.2` with the usual https base_url and no proxy:
the desk's session cookie is marked Secure (base_url is https), browsers drop a Secure
cookie that arrives over plain HTTP from any host but localhost, and every login
answered "This form has expired or your browser did not keep its session cookie.
Reload the page and try again." forever; reloading never helps. Now `digest serve`
warns at start when it listens beyond loopback with no `[serve] proxies`, and that
refusal says the desk must be reached over HTTPS (or through its TLS proxy) when the
request came over plain HTTP to a host other than loopback.

The real Flask app, and the real `digest serve` as a subprocess.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.app import App
from digest.web import create_app
from tests.conftest import write_project
from tests.test_desk import EDITOR, PASSWORD, add_editor

NOW_HTTPS = "reached over HTTPS"
SERVE = [sys.executable, "-c", "from digest.cli import main; main()", "serve"]


def _login_without_the_cookie(config: Path, base: str, **environ: str) -> tuple[int, str]:
    """Open /login at `base`, then post it as a browser that did not keep the Secure
    session cookie does: with the form's token and no cookie."""
    web = create_app(App.from_config(config))
    page = web.test_client().get("/login", base_url=base, environ_base=environ)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found
    fresh = web.test_client()  # no cookie jar: the browser dropped the cookie
    posted = fresh.post(
        "/login",
        base_url=base,
        environ_base=environ,
        data={"csrf_token": html.unescape(found[1]), "email": EDITOR, "password": PASSWORD},
    )
    return posted.status_code, html.unescape(posted.get_data(as_text=True))


def test_a_login_over_plain_http_to_another_host_says_to_use_https(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    add_editor(config)
    code, said = _login_without_the_cookie(config, "http://192.0.2.2:8000", REMOTE_ADDR="192.0.2.9")
    assert code == 400
    assert NOW_HTTPS in said and "TLS proxy" in said, said[-1500:]
    assert "https://brief.example.org" in said  # where the desk is reached


@pytest.mark.parametrize(
    ("base", "remote"),
    [("https://brief.example.org", "192.0.2.9"), ("http://127.0.0.1:8000", "127.0.0.1")],
)
def test_over_https_or_on_loopback_the_refusal_is_as_before(
    tmp_path: Path, base: str, remote: str
) -> None:
    # Guard: there the cookie is kept, so a missing one means an expired form.
    config = write_project(tmp_path / "news")
    add_editor(config)
    code, said = _login_without_the_cookie(config, base, REMOTE_ADDR=remote)
    assert code == 400
    assert "did not keep its session cookie" in said and NOW_HTTPS not in said


def _serve_output(config: Path, *args: str) -> str:
    """Start `digest serve --port 0 ARGS`, wait for its "Serving" line, stop it; what it
    printed (stdout and stderr)."""
    add_editor(config)  # makes the database, as an operator's first step does
    log = config.parent / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*SERVE, "--config", str(config), "--port", "0", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            deadline = time.monotonic() + 60
            while "Serving" not in log.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.05)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return log.read_text()


def test_serve_on_a_network_address_without_a_proxy_warns(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    said = _serve_output(config, "--host", "0.0.0.0")
    assert "Serving" in said
    assert "Warning:" in said and "plain HTTP" in said, said
    assert "HTTPS" in said and "[serve] proxies" in said, said


@pytest.mark.parametrize(
    ("extra", "host"), [("", "127.0.0.1"), ("\n[serve]\nproxies = 1\n", "0.0.0.0")]
)
def test_serve_on_loopback_or_behind_a_proxy_does_not_warn(
    tmp_path: Path, extra: str, host: str
) -> None:
    config = write_project(tmp_path / "news", extra=extra)
    said = _serve_output(config, "--host", host)
    assert "Serving" in said and "Warning" not in said, said
