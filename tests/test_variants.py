"""A selection per variant: subscribers who chose sections get those sections' best
stories, ranked for them, from the same edition; nobody gets a story twice."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from digest.app import App
from digest.deliver.run import send_edition
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def _titles(eml: Path) -> str:
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    part = msg.get_body(("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def test_a_culture_reader_gets_the_best_culture_stories(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    stamp = NOW.timestamp() - 8 * 3600
    for f in (tmp_path / "sources" / "articles").iterdir():
        os.utime(f, (stamp, stamp))
    app = App.from_config(config)
    app.collect(now=NOW)
    app.store.write_subscribers(
        "daily",
        [
            {"email": "all@example.com", "status": "active"},
            {"email": "culture@example.com", "status": "active", "sections": ["Culture"]},
        ],
        origin="test",
        now=NOW,
    )
    edition = app.build(now=NOW)
    assert edition.id is not None
    general_culture = [s for s in edition.stories if s.section == "Culture"]
    assert len(general_culture) < 6  # the general cut has no room for all the culture
    culture = [s for s in edition.reserve if s.section == "Culture"]
    assert culture and all(s.section == "Culture" for s in edition.reserve)
    variant = app.variant_for(app.store.subscriber("daily", "culture@example.com"))[0]  # type: ignore[arg-type]
    view = variant.apply(edition)
    assert len(view.stories) == 6  # every Culture Wire item, leads first
    assert {s.section for s in view.stories} == {"Culture"}
    assert [s.score for s in view.leads] == sorted((s.score for s in view.leads), reverse=True)

    send_edition(app, edition.id, clock=lambda: NOW)
    by_reader = {p.stem.split("-")[1]: p for p in (tmp_path / "outbox").glob("*.eml")}
    assert len(by_reader) == 2
    texts = {_titles(p) for p in by_reader.values()}
    general = next(t for t in texts if edition.leads[0].title in t)
    culture_text = next(t for t in texts if t != general)
    for story in view.stories:
        assert story.title in culture_text
    for story in edition.reserve:
        assert story.title not in general
    app.store.set_edition_status(edition.id, "sent", now=NOW)

    # Nothing the edition carried (reserve included) comes back the next day.
    carried = {k for s in edition.carried for k in s.keys}
    nxt = app.build(now=NOW + timedelta(hours=1))
    assert not carried & {k for s in nxt.carried for k in s.keys}


def test_section_quotas_from_the_config_cap_an_edition(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    config.write_text(
        config.read_text().replace("[[lists]]", "[edition.quotas]\nDenmark = 2\n\n[[lists]]", 1)
    )
    app = App.from_config(config)
    assert app.settings.edition.quotas == {"Denmark": 2}
    app.collect(now=NOW)
    edition = app.build(now=NOW)
    sections = [s.section for s in edition.stories]
    assert sections.count("Denmark") == 2
    assert len(edition.stories) == 11  # the other sections fill the places
