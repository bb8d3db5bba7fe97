"""`digest editors add ADDRESS` without `--password-stdin` where there is no terminal
to ask on (a script, cron, ssh without -t, a pipe).

It printed getpass's GetPassWarning ("Can not control echo on the terminal") and then
"Aborted!", or took a piped line as the password with that warning. Now it says to use
`--password-stdin`, and no editor is added. The real command in a subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from digest.app import App
from tests.conftest import write_project
from tests.test_send_support import DIGEST


@pytest.mark.parametrize("given", [None, "a long passphrase 1\n"], ids=["nothing", "piped"])
def test_no_terminal_and_no_password_stdin_says_what_to_use(
    tmp_path: Path, given: str | None
) -> None:
    config = write_project(tmp_path / "news")
    args = [*DIGEST, "editors", "add", "ed@example.org", "--config", str(config)]
    result = subprocess.run(
        args,
        input=given,
        stdin=subprocess.DEVNULL if given is None else None,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,  # no controlling terminal: getpass cannot use /dev/tty
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: ed@example.org: standard input is not a terminal" in result.stderr
    assert "--password-stdin" in result.stderr
    assert "GetPassWarning" not in result.stderr and "Aborted" not in result.stderr
    assert App.from_config(config).store.editors() == []
