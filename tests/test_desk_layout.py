"""The desk at a phone's width in real Chromium: no page is wider than the screen.

An editor approving from a phone must not have to scroll the whole page sideways: wide
tables scroll inside their card, and the 375 px phone preview shrinks to fit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_desk import EDITOR, PASSWORD, add_editor, build, running
from tests.test_preferences_browser import chromium
from tests.test_web_public import newsletter

pytestmark = pytest.mark.browser

PHONE = 390


def test_no_desk_page_is_wider_than_a_390px_screen(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    with chromium() as browser, running(config) as base:
        context = browser.new_context(viewport={"width": PHONE, "height": 844})
        page = context.new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Email address").fill(EDITOR)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        widths = {}
        for path in ("/editions", "/sources", "/lists", f"/editions/{eid}"):
            page.goto(base + path)
            page.wait_for_load_state("load")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        assert all(w <= PHONE for w in widths.values()), widths
        # The tables are still whole: they scroll inside their cards.
        page.goto(f"{base}/sources")
        assert page.locator("table").first.is_visible()
        context.close()
