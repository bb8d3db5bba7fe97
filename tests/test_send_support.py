"""Shared parts of the send tests (no tests here): a small project, bulk subscribers and
a real SMTP server (aiosmtpd) on loopback whose faults a test chooses."""

from __future__ import annotations

import asyncio
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert

from digest.app import App
from digest.store import schema as t
from tests.conftest import free_port, write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
#: Runs the `digest` command line in a fresh interpreter (for kills and real signals).
DIGEST = [sys.executable, "-c", "import sys; from digest.cli import main; main(prog_name='digest')"]
_MSGID = re.compile(rb"^Message-ID: <digest\.(\d+)\.(\d+)\.[0-9a-f]{16}@", re.M | re.I)

ARTICLES = {
    "harbour-bath.txt": (
        "Harbour bath opens for winter swimmers\n\n"
        "The city keeps the Islands Brygge bath open all winter for the first time.\n\n"
        "Swimmers queued before sunrise on Monday. The sauna stays open until ten.\n"
    ),
    "bike-bridge.txt": (
        "New bicycle bridge links two harbour districts\n\n"
        "Cyclists save ten minutes a day on the new crossing, the city says.\n\n"
        "The bridge opened on Tuesday after two years of work on the harbour.\n"
    ),
}


def small_project(
    folder: Path,
    port: int,
    transport: str = "",
    extra: str = "",
    database: str = "sqlite:///digest.db",
) -> Path:
    """A project with two short articles (small messages: the SMTP server keeps up)."""
    articles = folder / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    sources = '[[sources]]\nname = "City Desk"\npath = "articles/"\nsection = "City"\n'
    return write_project(
        folder,
        sources=sources,
        transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {port}\n{transport}',
        extra=extra,
        database=database,
    )


def build(app: App) -> int:
    """Collect and rank the project's articles into an edition; its id."""
    app.collect(now=NOW)
    edition = app.build(now=NOW)
    assert edition.id is not None and edition.leads
    return edition.id


def add_subscribers(
    app: App, count: int, *, start: int = 0, list_name: str = "daily", **values: Any
) -> list[str]:
    """Bulk-insert active subscribers reader{start}@example.net ...; their addresses."""
    list_id = app.store.list_id(list_name)
    rows = [
        {
            "list_id": list_id,
            "email": f"reader{i}@example.net",
            "name": f"Reader {i}",
            "status": "active",
            "sections": [],
            "timezone": None,
            "format": "html",
            "paused": False,
            "created_at": NOW,
            "updated_at": NOW,
            **values,
        }
        for i in range(start, start + count)
    ]
    with app.store.engine.begin() as conn:
        conn.execute(insert(t.subscribers), rows)
    return [r["email"] for r in rows]


@dataclass
class Got:
    """One message the server accepted."""

    run: int  # which `digest send` run delivered it (the test counts runs)
    recipient: str
    edition: int
    subscriber: int
    data: bytes
    options: tuple[str, ...] = ()  # the MAIL command's parameters (SMTPUTF8, ...)


@dataclass
class FaultyHandler:
    """An aiosmtpd handler that keeps what it accepts and misbehaves on request.

    `temporary` answers 451 to that share of messages at random (seeded); `refuse`
    maps an address to its RCPT answer; `drop_at` closes the connection mid-DATA
    (without an answer) at those DATA commands (0-based); `all_temporary` answers
    451 to every message; `pipelining` offers PIPELINING (RFC 2920) and counts the
    transactions whose RCPT and DATA arrived with their MAIL; `stall_after`: once
    that many messages are taken, MAIL gets no answer until it is set back to None
    (`stalled` tells that a client waits).
    """

    temporary: float = 0.0
    refuse: dict[str, str] = field(default_factory=dict)
    drop_at: set[int] = field(default_factory=set)
    all_temporary: bool = False
    pipelining: bool = False
    seed: int = 7
    run: int = 0
    stall_after: int | None = None  # once this many are taken, MAIL waits (unanswered)
    stalled: bool = False
    got: list[Got] = field(default_factory=list)
    rcpts: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    datas: int = 0
    dropped: int = 0
    temporaries: int = 0
    pipelined: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        while self.stall_after is not None and self.count() >= self.stall_after:
            self.stalled = True
            await asyncio.sleep(0.02)
        if bytes(server._reader._buffer).startswith(b"RCPT TO:"):  # sent in one go
            with self.lock:
                self.pipelined += 1
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            self.rcpts.append(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            n, self.datas = self.datas, self.datas + 1
            if n in self.drop_at:
                self.dropped += 1
                server.transport.abort()  # mid-DATA: no answer, the message is not taken
                return "421 dropped"
            if self.all_temporary or self.rng.random() < self.temporary:
                self.temporaries += 1
                return "451 4.3.0 Temporary failure, try again later"
            data = envelope.original_content or envelope.content
            found = _MSGID.search(data)
            assert found, data[:500]
            options = tuple(envelope.mail_options)
            for rcpt in envelope.rcpt_tos:
                self.got.append(Got(self.run, rcpt, int(found[1]), int(found[2]), data, options))
            self.times.append(time.monotonic())
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.got)

    def per_recipient(self) -> Counter[str]:
        with self.lock:
            return Counter(g.recipient for g in self.got)


@contextmanager
def smtp_server(handler: Any, port: int | None = None, **kwargs: Any) -> Iterator[int]:
    """Run `handler` in a real aiosmtpd server on a free loopback port (or on `port`: the
    same relay restarted with other settings); yields the port."""
    port = free_port() if port is None else port
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@dataclass
class RefusedSend:
    """What :func:`send_to_ten` did: the project, its edition, the send and the server."""

    app: App
    config: Path
    edition: int
    summary: Any  # digest.deliver.run.SendSummary
    handler: FaultyHandler


def send_to_ten(
    tmp_path: Path, refuse: dict[str, str], database: str = "sqlite:///digest.db"
) -> RefusedSend:
    """Build the small edition and send it to reader0..reader9@example.net through a
    real SMTP server that answers `refuse`'s addresses at RCPT as given."""
    from digest.deliver.run import send_edition

    handler = FaultyHandler(refuse=refuse)
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n", database=database)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 10)
        summary = send_edition(app, edition, clock=lambda: NOW)
    return RefusedSend(app, config, edition, summary, handler)
