"""Shared fixtures: a newsletter project in a temp folder and a real SMTP server."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# Under CI the property tests draw the same examples every run (derandomize): a landing
# must not fail on a draw no one can reproduce. A developer's run still explores afresh,
# and what it finds becomes an @example.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the files in tests/golden/ from the current output instead of comparing.",
    )


def write_project(
    folder: Path,
    *,
    database: str = "sqlite:///digest.db",
    sources: str | None = None,
    extra: str = "",
    transport: str = 'kind = "outbox"\npath = "outbox/"',
    images: str = "remote",
) -> Path:
    """A project folder with a digest.toml; the sample sources unless `sources` is given.

    `images` is `[newsletter] images`: "remote" by default, as the sample's pictures are
    on example.* hosts that do not exist (tests/test_images_hosted.py serves its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    if sources is None:
        shutil.copytree(ROOT / "sources", folder / "sources", dirs_exist_ok=True)
        head = (ROOT / "digest.toml").read_text().split("[edition]")[0]
        sources = head[head.index("[[sources]]") :]
    shutil.copytree(ROOT / "subscribers", folder / "subscribers", dirs_exist_ok=True)
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Test Brief"
sender = "The Test Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"
images = "{images}"

{sources}

[edition]
leads = 3
teasers = 8
max_age_hours = 100000

[[lists]]
name = "daily"
subscribers = "subscribers/daily.csv"
timezone = "Europe/Copenhagen"

[transport]
{transport}

[database]
url = "{database}"
{extra}
""")
    return config


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Run a test on SQLite and on the local PostgreSQL (a fresh database each time)."""
    from tests.databases import database_url

    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "news")


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def by_recipient(self) -> dict[str, list[Received]]:
        out: dict[str, list[Received]] = {}
        for m in self.messages:
            for r in m.recipients:
                out.setdefault(r, []).append(m)
        return out


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.box.lock:
            self.box.messages.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content or envelope.content,
                )
            )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
