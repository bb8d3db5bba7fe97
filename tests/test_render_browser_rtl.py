"""An Urdu story inside an English edition, in Chromium: right to left, and the phone and
dark-mode rules of the theme still apply to it (and to the whole-edition note)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from digest.render import Renderer, Variant
from tests.test_email_demo import ARTIFACTS, browser, png  # noqa: F401 (fixture)
from tests.test_render_golden import sample_edition, sample_settings

URDU = "کراچی میں بارش کے بعد شہر کی سڑکیں پانی میں ڈوب گئیں"
URDU_SUMMARY = "شہر میں دو دن کی بارش کے بعد کئی علاقوں میں بجلی بند رہی۔"


def urdu_html(tmp_path: Path) -> str:
    """The sample edition with its second lead and first teaser in Urdu, rendered for a
    reader of a section with no stories (so the whole-edition note shows too)."""
    edition = sample_edition()
    lead = replace(edition.leads[1], title=URDU, summary=URDU_SUMMARY, language="ur")
    teaser = replace(edition.teasers[0], title=URDU + " (ٹیزر)", language="ur")
    edition = replace(
        edition,
        leads=(edition.leads[0], lead, edition.leads[2]),
        teasers=(teaser, *(s for s in edition.teasers[1:] if s.section)),
    )
    return Renderer(sample_settings(tmp_path)).render(edition, Variant(frozenset({"Sport"}))).html


MEASURE = """() => {
    const block = [...document.querySelectorAll('td.lead')].find(td => td.lang === 'ur');
    const english = document.querySelector('td.lead');
    const title = block.querySelector('.lead-title');
    const range = document.createRange();
    range.selectNodeContents(title);
    const text = range.getBoundingClientRect();
    const cell = block.getBoundingClientRect();
    const style = getComputedStyle(block);
    return {
        direction: style.direction,
        englishDirection: getComputedStyle(english).direction,
        paddingLeft: style.paddingLeft,
        titleColour: getComputedStyle(title).color,
        noticeBackground: getComputedStyle(document.querySelector('.notice')).backgroundColor,
        gapRight: cell.right - parseFloat(style.paddingRight) - text.right,
        gapLeft: text.left - cell.left - parseFloat(style.paddingLeft),
        scrollWidth: document.documentElement.scrollWidth,
    };
}"""


@pytest.mark.browser
@pytest.mark.parametrize(
    ("width", "scheme", "padding", "title", "notice"),
    [
        (375, "dark", "18px", "rgb(242, 242, 242)", "rgb(42, 42, 42)"),
        (800, "light", "32px", "rgb(27, 27, 27)", "rgb(243, 241, 236)"),
    ],
)
def test_an_urdu_story_reads_right_to_left_on_a_phone_and_in_dark_mode(
    tmp_path: Path,
    browser: Any,  # noqa: F811
    width: int,
    scheme: str,
    padding: str,
    title: str,
    notice: str,
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, java_script_enabled=True
    )
    context.route("**/*", lambda route: route.fulfill(status=200, body=png(8, 8, (90, 90, 90))))
    page = context.new_page()
    try:
        page.set_content(urdu_html(tmp_path), wait_until="load")
        found = page.evaluate(MEASURE)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"urdu-{width}-{scheme}.png"), full_page=True)
    finally:
        context.close()
    assert found["direction"] == "rtl" and found["englishDirection"] == "ltr", found
    # The headline starts at the right edge of its cell, not the left.
    assert abs(found["gapRight"]) < 2 and found["gapLeft"] > 2, found
    assert found["paddingLeft"] == padding, found  # the phone rule (or the desktop one)
    assert found["titleColour"] == title, found  # the dark-mode rule (or the light one)
    assert found["noticeBackground"] == notice, found
    assert found["scrollWidth"] <= width, found
