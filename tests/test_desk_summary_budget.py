"""An editor's summary over its place's word budget is said at the desk, not cut.

QA rewrote a lead's summary at the desk in 190 words (1,900 characters; `lead_words =
120`): it went out in full, with no word at the desk. An editor's words are theirs:
they still go out whole. But the edition page now says, before approval, which
summaries are over the budget of their place (lead: `lead_words`; teaser:
`teaser_words`) and by how many words. The preheader, a preview line of fixed length
in inboxes, is cut as for any summary.

The real Flask app served on 127.0.0.1, a real desk login, SQLite.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import pytest

from digest.app import App
from digest.codec import story_from_dict
from digest.render import PREHEADER_MAX
from tests.test_desk import add_editor, build, editor_client, payload, post, running
from tests.test_web_public import newsletter

#: 190 words in 19 sentences of ten.
LONG = " ".join(f"The harbour bridge council met on day {i} this month." for i in range(19))


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, int]:
    config = newsletter(tmp_path)
    add_editor(config)
    return config, build(config)


def _page_text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_rewritten_lead_over_its_budget_is_said_before_approval_and_kept_whole(
    desk: tuple[Path, int],
) -> None:
    config, eid = desk
    assert len(LONG.split()) == 190
    data = payload(config, eid)
    lead = data["leads"][0]  # type: ignore[index]
    with running(config) as base, editor_client(base) as c:
        before = _page_text(c.get(f"/editions/{eid}").text)
        assert "over the word budget" not in before.lower()  # built summaries fit
        done = post(
            c, eid, "stories", key=lead["key"], action="edit", title=lead["title"], summary=LONG
        )
        assert done.status_code == 303, done.text[:500]
        page = c.get(f"/editions/{eid}").text
    said = _page_text(page)
    assert "Approve" in said
    assert f"“{lead['title']}” (lead): 190 words, 70 over the lead budget of 120" in said, said[
        -3000:
    ]
    # Kept whole: the editor's words go out as written.
    stored = payload(config, eid)["leads"][0]  # type: ignore[index]
    assert stored["summary"] == LONG


def test_a_teaser_over_its_budget_is_said_with_the_teaser_budget(
    desk: tuple[Path, int],
) -> None:
    config, eid = desk
    teaser = payload(config, eid)["teasers"][0]  # type: ignore[index]
    summary = " ".join(["Fifty words of an editor's own."] * 10)  # 60 words
    with running(config) as base, editor_client(base) as c:
        post(
            c,
            eid,
            "stories",
            key=teaser["key"],
            action="edit",
            title=teaser["title"],
            summary=summary,
        )
        said = _page_text(c.get(f"/editions/{eid}").text)
    assert f"“{teaser['title']}” (teaser): 60 words, 20 over the teaser budget of 40" in said


def test_the_preheader_is_cut_to_its_length_even_from_a_long_rewritten_summary(
    desk: tuple[Path, int],
) -> None:
    # Guard: a lead alone (no other headline for the preview line) gives its summary.
    config, eid = desk
    app = App.from_config(config)
    edition = app.store.edition(eid)
    lead = replace(story_from_dict(payload(config, eid)["leads"][0]), summary=LONG)  # type: ignore[index]
    preheader = app.renderer.preheader(replace(edition, leads=(lead,), teasers=()))
    assert preheader.startswith("The harbour bridge") and len(preheader) <= PREHEADER_MAX
