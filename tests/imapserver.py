"""A real IMAP server for tests: Dovecot (Debian's dovecot-imapd) in a temporary folder.

Started per test on free loopback ports with its own self-signed certificate (IMAPS and
IMAP with STARTTLS), one user with a plain-text password. Skips with a reason where
Dovecot is not installed, except under CI (CI=true), where .ci/run installs it and a
skip would hide a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.certs import self_signed
from tests.conftest import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass(frozen=True)
class Imap:
    host: str
    imaps_port: int
    imap_port: int
    user: str
    password: str
    ca_file: Path


@contextmanager
def dovecot() -> Iterator[Imap]:
    """Dovecot in a fresh folder under /tmp (its unprivileged processes must reach it:
    pytest's own tmp_path is private to root)."""
    if not Path(DOVECOT).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is required under CI (.ci/run installs dovecot-imapd)")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    folder = Path(tempfile.mkdtemp(prefix="digest-dovecot-"))
    folder.chmod(0o755)
    try:
        yield from _run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(folder: Path) -> Iterator[Imap]:
    self_signed(folder)
    (folder / "run").mkdir()
    home = folder / "home"
    home.mkdir()
    uid = os.getuid() or 65534  # Dovecot refuses mail access as root
    os.chown(home, uid, uid if os.getuid() == 0 else os.getgid())
    (folder / "passwd").write_text("bounces:{PLAIN}imap-test-password\n")
    imaps, imap = free_port(), free_port()
    config = folder / "dovecot.conf"
    config.write_text(f"""
base_dir = {folder}/run
state_dir = {folder}/run
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{folder}/cert.pem
ssl_key = <{folder}/key.pem
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid if os.getuid() == 0 else os.getgid()} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""")
    subprocess.run([DOVECOT, "-c", str(config)], check=True, timeout=30)
    try:
        import socket

        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", imaps), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Imap("127.0.0.1", imaps, imap, "bounces", "imap-test-password", folder / "cert.pem")
    finally:
        subprocess.run([DOVECOT, "-c", str(config), "stop"], timeout=30, check=False)
