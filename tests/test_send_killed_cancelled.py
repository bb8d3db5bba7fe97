"""A send killed part way (SIGKILL: a power cut), then cancelled by an editor.

The killed run delivered copies it recorded only in its journal (SQLite: the database
is written every few dozen messages); `digest send` would apply the journal first, but
a cancelled edition is never sent again. Cancelling applies it itself, by the command
line or at the desk, so the edition counts as having reached its readers: the next
edition does not give them its stories again as new (DESIGN invariant 2), and its page
stays in the public archive, where their copy links. One cancelled before any copy
went out stays out of the archive. A real `digest send` process, killed, and a real
SMTP server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import httpx

from digest.app import App
from digest.codec import iso
from tests.test_desk import add_editor, editor_client, post, running
from tests.test_send_stopped import LATER, NIGHT_BUSES, _approved, _build, _cli, _news, _titles
from tests.test_send_support import (
    DIGEST,
    FaultyHandler,
    add_subscribers,
    small_project,
    smtp_server,
)

READERS = 120
DELIVERED = 37  # the server takes this many, then leaves the next MAIL unanswered
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class Killed:
    """A project whose approved edition's `digest send` was killed after DELIVERED copies."""

    config: Path
    app: App
    edition: int
    handler: FaultyHandler


@contextmanager
def killed_send(folder: Path, database: str = "sqlite:///digest.db") -> Iterator[Killed]:
    """`digest send` of an approved edition to READERS readers, killed (SIGKILL) while
    it waits for the server's answer after DELIVERED messages; the server keeps
    running (taking messages again) until the block ends."""
    handler = FaultyHandler(stall_after=DELIVERED)
    with smtp_server(handler) as port:
        config = small_project(folder, port, "retry_delay = 0.01\n", database=database)
        app = App.from_config(config)
        edition = _approved(config)
        add_subscribers(app, READERS)
        args = [*DIGEST, "send", str(edition), "--config", str(config)]
        proc = subprocess.Popen(
            args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while not handler.stalled:
            assert proc.poll() is None and time.monotonic() < deadline, proc.returncode
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        assert handler.count() == DELIVERED
        handler.stall_after, handler.run = None, 1
        yield Killed(config, app, edition, handler)


def _next_edition_reaches_everyone_once(killed: Killed) -> None:
    """The next edition (a new story written meanwhile) leaves the killed edition's
    stories out as already sent; sent to everyone, no reader has any story twice."""
    config, app, first = killed.config, killed.app, killed.edition
    _news(config)
    second, summary = _build(config, iso(LATER))
    assert second is not None, summary
    assert _titles(app, second) == [NIGHT_BUSES], summary
    assert " 2 already sent," in summary, summary
    sent = _cli(config, "send", str(second))
    assert sent.exit_code == 0, sent.output
    stories = {first: _titles(app, first), second: _titles(app, second)}
    got = killed.handler.got
    seen = Counter((g.recipient, title) for g in got for title in stories[g.edition])
    assert set(seen.values()) == {1}, [k for k, n in seen.items() if n > 1][:5]
    assert sum(1 for g in got if g.edition == first) == DELIVERED
    assert sum(1 for g in got if g.edition == second) == READERS


def test_a_killed_send_cancelled_with_digest_cancel_counts_its_delivered_copies(
    tmp_path: Path, db_url: str
) -> None:
    with killed_send(tmp_path / "news", db_url) as killed:
        cancelled = _cli(killed.config, "cancel", str(killed.edition))
        assert cancelled.exit_code == 0, cancelled.output
        ledger = killed.app.store.ledger(killed.edition)
        if db_url.startswith("sqlite"):  # every copy the server took, from the journal
            assert f"Cancelled edition {killed.edition} (sent {DELIVERED}," in cancelled.output
            assert ledger["sent"] == DELIVERED
        else:  # no journal: written every `mark_every` (2) messages
            assert DELIVERED - 1 <= ledger["sent"] <= DELIVERED
        assert "sent again next run" not in cancelled.output  # no run comes after
        assert killed.app.store.edition(killed.edition).status == "cancelled"
        _next_edition_reaches_everyone_once(killed)


def test_a_killed_send_cancelled_at_the_desk_counts_its_delivered_copies(
    tmp_path: Path,
) -> None:
    with killed_send(tmp_path / "news") as killed:
        add_editor(killed.config)
        with running(killed.config) as base, editor_client(base) as c:
            r = post(c, killed.edition, "status", action="cancel", confirm="yes")
            assert "Cancelled: nobody else gets it" in c.get(r.headers["location"]).text
        assert killed.app.store.edition(killed.edition).status == "cancelled"
        assert killed.app.store.ledger(killed.edition)["sent"] == DELIVERED
        _next_edition_reaches_everyone_once(killed)


def test_the_archive_keeps_a_cancelled_edition_that_reached_readers(tmp_path: Path) -> None:
    """Its readers' "View in your browser" link works, and the archive and its feed list
    it with the sent ones; an edition cancelled before its first copy is not public."""
    with killed_send(tmp_path / "news") as killed:
        cancelled = _cli(killed.config, "cancel", str(killed.edition))
        assert cancelled.exit_code == 0, cancelled.output
    config, reached = killed.config, killed.edition
    _news(config)
    unsent, summary = _build(config, iso(LATER))
    assert unsent is not None, summary
    assert _cli(config, "cancel", str(unsent)).exit_code == 0
    with running(config) as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{reached}")
        assert page.status_code == 200
        for title in _titles(killed.app, reached):
            assert title in page.text
        assert c.get(f"/archive/{unsent}").status_code == 404
        index = c.get("/archive").text
        assert f'href="/archive/{reached}"' in index
        assert f'href="/archive/{unsent}"' not in index
        feed = ElementTree.fromstring(c.get("/archive.atom").content)
        ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
        assert ids == [f"https://brief.example.org/archive/{reached}"]
