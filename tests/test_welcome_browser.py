"""The welcome's HTML part as a new subscriber's phone shows it, beside the first edition.

Before, the welcome's footer links (Preferences, Unsubscribe) were 12 px text in boxes
14 px tall, the size the edition's had before they were made tappable: the first mail
a reader got was the one whose unsubscribe link was hardest to hit, and it did not look
like the editions that followed it.

Real parts: the welcome as a loopback aiosmtpd server received it after a confirmation
through the Flask app's route, the edition as the renderer makes it, real Chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from digest.render import Renderer
from tests.test_email_demo import ARTIFACTS
from tests.test_email_received import TARGET, browser, open_page
from tests.test_render_golden import sample_edition, sample_settings
from tests.test_welcome_mime import html_part, received

__all__ = ["browser"]  # the module's Chromium fixture, shared

#: Each footer link's text, box and colour, and the document's overflow.
MEASURE = """() => ({
    links: [...document.querySelectorAll('.footer a')].map(a => {
        const r = a.getBoundingClientRect(), s = getComputedStyle(a);
        return {text: a.textContent.trim(), width: Math.round(r.width),
                height: Math.round(r.height), size: s.fontSize, color: s.color};
    }),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
})"""


def measured(browser: Any, html: str, width: int, scheme: str, shot: str = "") -> Any:
    page = open_page(browser, html, width, scheme=scheme)
    try:
        if shot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        return page.evaluate(MEASURE)
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_welcomes_footer_links_are_tapped_as_the_editions_are(
    tmp_path: Path, browser: Any, scheme: str
) -> None:
    _, welcome, _, _ = received(tmp_path)
    edition = Renderer(sample_settings(tmp_path)).render(sample_edition()).html
    ours = measured(browser, html_part(welcome), 375, scheme, f"welcome-375-{scheme}.png")
    theirs = measured(browser, edition, 375, scheme)
    assert ours["overflow"] == 0 and theirs["overflow"] == 0
    assert [link["text"] for link in ours["links"]] == ["Preferences", "Unsubscribe"]
    small = [link for link in ours["links"] if min(link["width"], link["height"]) < TARGET]
    assert small == [], f"tap targets under {TARGET} px: {small}"
    # The same links as the edition's: as tall, the same size of text, the same colour.
    (edition_link,) = {(x["height"], x["size"], x["color"]) for x in theirs["links"]}
    assert {(x["height"], x["size"], x["color"]) for x in ours["links"]} == {edition_link}
