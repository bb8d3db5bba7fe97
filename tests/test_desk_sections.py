"""The stories only subscribers of some sections get, on the desk.

An edition carries, beyond its leads and teasers, the stories a subscriber who chose
sections gets in place of those of the sections they left out (the edition's
reserve). They go out in real messages, so the editor must see them on the edition
page and be able to drop one, rewrite it, or pin it for everyone, and what is sent
must follow. A real `digest serve` app on 127.0.0.1, the sample newsletter, and the
outbox `digest send` writes.
"""

from __future__ import annotations

import html
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from digest.app import App
from tests.test_desk import add_editor, build, editor_client, payload, post, running
from tests.test_web_public import NOW, cli, newsletter, outbox

REWRITTEN = "Repair café week: bring a broken chair and leave with a mended one"


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def _gets(app: App, eid: int, email: str) -> str:
    """The plain-text part of the message `email` would get now."""
    preview = app.preview(eid, email=email, now=NOW)
    msg = message_from_bytes(preview.message, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return _text(msg)


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, int]:
    config = newsletter(tmp_path)
    add_editor(config)
    return config, build(config)


def test_an_editor_sees_drops_rewrites_and_pins_a_sections_only_story(
    desk: tuple[Path, int],
) -> None:
    config, eid = desk
    app = App.from_config(config)
    edition = app.store.edition(eid)
    culture = [s for s in edition.reserve if s.section == "Culture"]
    business = [s for s in edition.reserve if s.section == "Business"]
    assert len(culture) >= 2 and business, "the sample edition has a reserve for sections"
    drop, rewrite, pin = culture[-1], culture[-2], business[0]
    # Anna chose Culture only: her message carries the two Culture stories.
    anna = "anna.kowalski@example.com"
    assert drop.title in _gets(app, eid, anna) and rewrite.title in _gets(app, eid, anna)

    with running(config) as base, editor_client(base) as c:
        page = c.get(f"/editions/{eid}").text
        for story in edition.reserve:  # every story some subscriber gets is on the page
            assert f"Drop “{html.escape(story.title)}”" in page, story.title
        assert "subscribers of some sections" in page
        r = post(c, eid, "stories", action="drop", key=drop.key)
        assert r.status_code == 303
        r = post(c, eid, "stories", action="edit", key=rewrite.key, title=REWRITTEN, summary="")
        assert r.status_code == 303
        r = post(c, eid, "stories", action="pin", key=pin.key)
        assert r.status_code == 303
        page = c.get(r.headers["location"]).text
        assert "has no story" not in page
        history = page[page.index('id="history-h"') :]
        assert f"Dropped “{html.escape(drop.title)}”" in history
        assert f"Pinned “{html.escape(pin.title)}”" in history

        # Ranked again, the changes are made again: on the reserve too.
        assert post(c, eid, "rebuild").status_code == 303

    curated = payload(config, eid)
    assert curated["leads"][0]["key"] == pin.key  # type: ignore[index]
    reserve = {s["key"]: s["title"] for s in curated["reserve"]}  # type: ignore[attr-defined]
    assert drop.key not in reserve and pin.key not in reserve
    assert reserve[rewrite.key] == REWRITTEN

    cli(config, "send", str(eid))
    sent = outbox(config, eid)
    assert len(sent) == 36
    for address, msg in sent.items():
        text = _text(msg)
        assert drop.title not in text, address  # dropped: nobody gets it
        assert rewrite.title not in text, address  # only in its new words
        sections = app.store.subscriber("daily", address).sections  # type: ignore[union-attr]
        if not sections or "Business" in sections:  # pinned: all who read Business, once
            assert text.count(pin.title) == 1, address
        if not sections:  # and first: the subject is its headline
            assert str(msg["Subject"]).startswith(pin.title[:30]), address
    assert REWRITTEN in _text(sent[anna])
