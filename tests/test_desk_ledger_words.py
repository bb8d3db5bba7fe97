"""The desk's delivery counts in an editor's words, not the ledger's row statuses.

"claimed" is how the ledger marks a copy handed to a sending worker and not yet
answered. While the edition is being sent that is a copy "being sent"; once the send
stopped (paused, killed) it is a copy the next send finishes. "failed" copies are tried
again by the next send, and "unsendable" ones (an internationalised address, a server
without SMTPUTF8) were not sent at all and were missing from the live counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.app import App
from tests.test_desk import NOW, add_editor, build, editor_client, running
from tests.test_web_public import newsletter


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, int]:
    config = newsletter(tmp_path)
    add_editor(config)
    return config, build(config)


def _words(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", w).strip() for w in re.findall(r"<span>([^<]*)</span>", html)]


def test_the_live_frame_says_being_sent_and_counts_every_outcome(desk: tuple[Path, int]) -> None:
    config, eid = desk
    app = App.from_config(config)
    app.keys  # noqa: B018 -- the project's key, which the send below signs with
    store = app.store
    subs = store.subscribers("daily")
    store.set_edition_status(eid, "sending", now=NOW)
    store.claim(eid, [s.id for s in subs[:6]], worker="w", now=NOW)
    store.mark(eid, {subs[0].id: ("sent", None), subs[1].id: ("failed", "451 try later")}, now=NOW)
    store.mark(eid, {subs[2].id: ("unsendable", "553 5.6.7 no SMTPUTF8")}, now=NOW)
    with running(config) as base, editor_client(base) as c:
        frame = c.get(f"/editions/{eid}/ledger").text
        words = _words(frame)
        assert "being sent" in words and "claimed" not in words, words
        assert "to retry" in words and "failed" not in words, words
        assert re.search(r'id="ledger-claimed">3<', frame)  # ids stay for tools
        assert re.search(r'id="ledger-unsendable">1<', frame), frame
        store.set_edition_status(eid, "paused", now=NOW)
        paused = _words(c.get(f"/editions/{eid}/ledger").text)
        assert "unfinished" in paused and "being sent" not in paused, paused
        listing = c.get("/editions").text
        assert "claimed" not in listing and "3 unfinished" in listing, listing
        page = c.get(f"/editions/{eid}").text
        assert ">claimed<" not in page and " claimed" not in page


def _counts(frame: str) -> dict[str, int]:
    """The frame's numbers by the words under them (the status cell left out)."""
    cells = re.findall(r"<b[^>]*>([^<]*)</b><span>([^<]*)</span>", frame)
    return {words: int(n) for n, words in cells if n.isdigit()}


def test_the_live_counts_add_up_to_the_readers(desk: tuple[Path, int]) -> None:
    """Each reader is counted once in the live frame. Before, a copy being sent (or
    to retry) was also "still due": with 7 readers, one sent and six handed to the
    sender, the frame read "1 sent · 6 being sent · 6 still due", thirteen copies."""
    config, eid = desk
    app = App.from_config(config)
    app.keys  # noqa: B018 -- the project's key, which the send below signs with
    store = app.store
    subs = store.subscribers("daily")
    store.set_edition_status(eid, "sending", now=NOW)
    store.claim(eid, [s.id for s in subs[:6]], worker="w", now=NOW)
    store.mark(eid, {subs[0].id: ("sent", None), subs[1].id: ("failed", "451 try later")}, now=NOW)
    with running(config) as base, editor_client(base) as c:
        counts = _counts(c.get(f"/editions/{eid}/ledger").text)
        assert counts == {
            "sent": 1,
            "being sent": 4,
            "to retry": 1,
            "bounced": 0,
            "still due": len(subs) - 6,
        }, counts
        assert sum(counts.values()) == len(subs)
        # What `digest send` would still send (tools read it) is unchanged.
        assert c.get(f"/editions/{eid}/ledger.json").json()["due"] == len(subs) - 1
