"""What the delivery benchmarks share: postfix's smtp-sink on a free loopback port,
and the command line that runs `digest` in a child process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
CLI = "import sys; from digest.cli import main; sys.argv[0] = 'digest'; main()"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sink(*flags: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start smtp-sink (backlog 1000) with `flags`; return the process and its port."""
    if not os.path.exists(SMTP_SINK):
        sys.exit(f"{SMTP_SINK}: not found (Debian: apt-get install postfix)")
    port = free_port()
    args = [SMTP_SINK, *flags]
    if os.geteuid() == 0:
        args += ["-u", "nobody"]  # smtp-sink refuses to run as root without -u
    proc = subprocess.Popen([*args, f"127.0.0.1:{port}", "1000"], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("smtp-sink did not start")
