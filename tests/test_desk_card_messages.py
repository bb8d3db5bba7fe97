"""What "Add a story" and "Send a test" say is said where the editor is looking.

Both forms sit far down the edition page, and after a submit the page comes back
scrolled to their card (#add, #test). Their answer was printed at the top of the page,
a screen or three above: a refused link or a mistyped test address looked like a
submit that did nothing, and the field came back empty (the default address, for a
test), so the editor had to type it all again to correct one character. In Chromium
against the real app: the answer is visible without scrolling, in the card, once, and
the field keeps what the editor typed; messages of the page's other actions stay at
its top.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from digest.app import App
from tests.test_desk import EDITOR, PASSWORD, add_editor, build, editor_client, post, running
from tests.test_preferences_browser import chromium
from tests.test_web_public import newsletter

pytestmark = pytest.mark.browser

BAD_LINK = "ftp://harbour.example.org/2026/11/27/ferry"
BAD_ADDRESS = "desk.editor@example,org"


def _log_in(page: Any, base: str, eid: int) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/editions/{eid}")


def _in_view(locator: Any) -> bool:
    box = locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    return bool(box)


def _submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("width", [1440, 390])
def test_a_refused_link_is_said_in_the_add_card_and_the_link_is_kept(
    tmp_path: Path, width: int
) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    before = App.from_config(config).store.edition(eid).stories
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": width, "height": 900})
        _log_in(page, base, eid)
        card = page.locator("#add")
        card.get_by_label("From a web page").fill(BAD_LINK)
        _submit(page, card.get_by_role("button", name="Fetch and add"))
        said = card.get_by_role("alert")
        assert said.count() == 1, page.locator("main").inner_text()[:500]
        assert "not added" in said.inner_text() and BAD_LINK in said.inner_text()
        assert _in_view(said), "the refusal is off screen"
        # Said once: not also at the top of the page.
        assert page.get_by_role("alert").count() == 1
        # The link is still there to correct.
        assert card.get_by_label("From a web page").input_value() == BAD_LINK
        # A reload shows neither again.
        page.reload()
        assert page.get_by_role("alert").count() == 0
        assert page.locator("#add").get_by_label("From a web page").input_value() == ""
        page.close()
    assert App.from_config(config).store.edition(eid).stories == before


def test_a_test_send_says_in_its_card_whether_it_went(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _log_in(page, base, eid)
        card = page.locator("#test")
        assert card.get_by_label("To").input_value() == EDITOR  # the editor's own
        card.get_by_label("To").fill(BAD_ADDRESS)
        _submit(page, card.get_by_role("button", name="Send test"))
        said = card.get_by_role("alert")
        assert said.count() == 1 and "Test not sent" in said.inner_text()
        assert _in_view(said), "the refusal is off screen"
        assert page.get_by_role("alert").count() == 1
        assert card.get_by_label("To").input_value() == BAD_ADDRESS  # to correct, not retype

        card.get_by_label("To").fill("desk.editor@example.org")
        _submit(page, card.get_by_role("button", name="Send test"))
        said = card.get_by_role("status")
        assert "Test sent to desk.editor@example.org" in said.inner_text()
        assert _in_view(said), "the confirmation is off screen"
        assert page.get_by_role("alert").count() == 0
        assert card.get_by_label("To").input_value() == EDITOR
        page.close()
    sent = list((config.parent / "outbox").glob("*.eml"))
    assert len(sent) == 1 and "[TEST]" in sent[0].read_text(encoding="utf-8", errors="replace")


def test_the_other_actions_still_answer_at_the_top(tmp_path: Path) -> None:
    """Approve, drop, and a story added by hand answer at the top of the page, as before."""
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _log_in(page, base, eid)
        card = page.locator("#add")
        card.get_by_text("…or write one by hand").click()
        card.get_by_label("Headline").fill("Ferry timetable changes from Monday")
        _submit(page, card.get_by_role("button", name="Add", exact=True))
        top = page.locator("main > p.flash")
        assert top.count() == 1 and "Added “Ferry timetable changes from Monday”" in (
            top.inner_text()
        )
        assert _in_view(top)
        assert card.get_by_role("status").count() == 0
        _submit(page, page.get_by_role("button", name="Approve"))
        top = page.locator("main > p.flash")
        assert top.count() == 1 and top.inner_text().startswith("Approved")
        assert _in_view(top)
        page.close()


def test_a_story_by_hand_refused_for_its_link_keeps_every_word_typed(tmp_path: Path) -> None:
    """Headline, link, summary and source come back in the form, open, beside the reason;
    the corrected link adds the story with the editor's words."""
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    before = App.from_config(config).store.edition(eid).stories
    typed = {
        "Headline": "Harbour baths reopen after winter repairs",
        "Link (optional)": BAD_LINK,
        "Summary": "The baths open again on Saturday after three months of work on the decks.",
        "Source": "Harbour Desk",
    }
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        _log_in(page, base, eid)
        card = page.locator("#add")
        card.get_by_text("…or write one by hand").click()
        for label, value in typed.items():
            card.get_by_label(label, exact=True).fill(value)
        _submit(page, card.get_by_role("button", name="Add", exact=True))
        said = page.get_by_role("alert")
        assert said.count() == 1, page.locator("main").inner_text()[:500]
        assert "not added" in said.inner_text() and BAD_LINK in said.inner_text()
        assert _in_view(said), "the refusal is off screen"
        card = page.locator("#add")
        for label, value in typed.items():
            assert card.get_by_label(label, exact=True).input_value() == value, label
        assert App.from_config(config).store.edition(eid).stories == before

        card.get_by_label("Link (optional)").fill("https://harbour.example.org/baths")
        _submit(page, card.get_by_role("button", name="Add", exact=True))
        assert page.get_by_role("alert").count() == 0
        assert f"Added “{typed['Headline']}”" in page.locator("main").inner_text()
        page.close()
    added = App.from_config(config).store.edition(eid).teasers[0]
    assert (added.title, added.summary, added.source) == (
        typed["Headline"],
        typed["Summary"],
        typed["Source"],
    )
    assert added.url == "https://harbour.example.org/baths"


def test_words_shown_again_are_escaped_and_still_need_the_token(tmp_path: Path) -> None:
    """Guard: the form shown again is text, never markup; a POST without the desk's
    token is refused as before."""
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    before = App.from_config(config).store.edition(eid).stories
    title = '"><script>alert(1)</script>'
    with running(config) as base, editor_client(base) as c:
        r = post(c, eid, "add", how="hand", title=title, url=BAD_LINK, summary="<b>x</b>")
        assert r.status_code == 303
        r = c.get(r.headers["location"])
        assert "<script>alert(1)" not in r.text and "&lt;b&gt;x&lt;/b&gt;" in r.text
        assert html.escape(title, quote=True) in r.text or "&#34;&gt;&lt;script" in r.text
        bare = c.post(f"/editions/{eid}/add", data={"how": "hand", "title": "T", "url": BAD_LINK})
        assert bare.status_code == 400
    assert App.from_config(config).store.edition(eid).stories == before
