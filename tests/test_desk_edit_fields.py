"""An editor's edit keeps what they changed, and only that.

The story's edit form sends its headline and its summary together, whichever the
editor touched, and the desk stored both as the editor's words: "Changes" said
"Edited the headline and summary of …" for a one-word fix to the summary, and the
headline as it was then was held over every later rebuild, so a headline the outlet
corrected afterwards never reached the edition, though the editor had never touched
it. In Chromium against the real app: a summary edit is told as one and leaves the
headline to the ranking, and the other way round; a headline made blank is refused
with a message, not kept silently.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from digest.app import App
from tests.test_desk import EDITOR, PASSWORD, add_editor, build, payload, running
from tests.test_preferences_browser import chromium
from tests.test_web_public import NOW, newsletter

pytestmark = pytest.mark.browser

ARTICLE = "amager-vikings-handball-derby.txt"
KEY = f"file:Copenhagen Desk/{ARTICLE}"
SUMMARY = "The Vikings won the derby 31-30 with a goal four seconds from time."
CORRECTED = "Amager Vikings snatch last-second win in handball derby"
HEADLINE = "Vikings win the derby at the buzzer"


def _log_in(page: Any, base: str, eid: int) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/editions/{eid}")


def _edit(
    page: Any, title: str, *, headline: str | None = None, summary: str | None = None
) -> None:
    story = page.locator("li.story").filter(has_text=title)
    story.locator("summary").click()
    if headline is not None:
        story.get_by_label("Headline").fill(headline)
    if summary is not None:
        story.get_by_label("Summary").fill(summary)
    with page.expect_navigation():
        story.get_by_role("button", name=f"Save “{title}”").click()


def _story(config: Path, eid: int) -> dict[str, Any]:
    data = payload(config, eid)
    found = [s for s in [*data["leads"], *data["teasers"]] if s["key"] == KEY]  # type: ignore[misc]
    assert len(found) == 1
    return found[0]  # type: ignore[no-any-return]


def _correct_headline(config: Path) -> None:
    """The outlet corrects the article's headline; collect reads it again."""
    path = config.parent / "sources" / "articles" / ARTICLE
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([CORRECTED, *lines[1:]]), encoding="utf-8")
    stamp = NOW.timestamp() - 1800
    os.utime(path, (stamp, stamp))
    # In a thread of its own: Playwright's loop runs in this one, and collect runs its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: App.from_config(config).collect(now=NOW)).result()


def _rebuild(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Rebuild ranking").click()


def test_a_summary_edit_is_told_as_one_and_leaves_the_headline_to_the_ranking(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    title = _story(config, eid)["title"]
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _log_in(page, base, eid)
        _edit(page, title, summary=SUMMARY)
        changes = page.get_by_role("region", name="Changes").inner_text()
        assert f"Edited the summary of “{title}”" in changes, changes
        assert "headline" not in changes
        _correct_headline(config)
        _rebuild(page)
        story = page.locator("li.story").filter(has_text=CORRECTED)
        assert story.count() == 1, "the outlet's corrected headline did not reach the edition"
        assert SUMMARY in story.inner_text()  # the editor's summary still wins
        page.close()
    assert _story(config, eid)["title"] == CORRECTED
    assert _story(config, eid)["summary"] == SUMMARY


def test_a_headline_edit_is_told_as_one_and_wins_over_a_correction(tmp_path: Path) -> None:
    """Guard: what the editor did change still wins over the ranking."""
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    before = _story(config, eid)
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _log_in(page, base, eid)
        _edit(page, before["title"], headline=HEADLINE)
        changes = page.get_by_role("region", name="Changes").inner_text()
        assert "Edited the headline of “" in changes, changes
        assert "summary" not in changes
        _edit(page, HEADLINE, headline=HEADLINE + " again", summary=SUMMARY)
        changes = page.get_by_role("region", name="Changes").inner_text()
        assert "Edited the headline and summary of" in changes, changes
        _correct_headline(config)
        _rebuild(page)
        page.close()
    after = _story(config, eid)
    assert after["title"] == HEADLINE + " again" and after["summary"] == SUMMARY


def test_saving_an_untouched_form_or_a_blank_headline_changes_nothing_and_says_so(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    before = _story(config, eid)
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _log_in(page, base, eid)
        _edit(page, before["title"], headline="   ")
        said = page.get_by_role("alert")
        assert said.count() == 1 and "headline" in said.inner_text().lower(), page.locator(
            "main"
        ).inner_text()[:400]
        _edit(page, before["title"])
        said = page.get_by_role("status")
        assert said.count() == 1 and "nothing to save" in said.inner_text().lower()
        assert "As ranked" in page.get_by_role("region", name="Changes").inner_text()
        page.close()
    assert _story(config, eid) == before
    assert App.from_config(config).store.overrides(eid).get("operations", []) == []
