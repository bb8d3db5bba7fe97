"""The email as a screen-reader user meets it: the language and direction of the text kept
when a webmail client drops the <html> element (Gmail keeps only what is inside <body>)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from digest.render import Renderer
from tests.test_email_demo import browser  # noqa: F401 (fixture)
from tests.test_render_golden import sample_edition, sample_settings

# -- language and direction inside a webmail page ----------------------------------------

HOST = """<!DOCTYPE html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"></head>
<body><div class="client-ui">{body}</div></body></html>"""

MEASURE = """() => {
    const h1 = document.querySelector('h1');
    const title = document.querySelector('.lead-title');
    return {
        direction: getComputedStyle(title).direction,
        align: getComputedStyle(h1).textAlign,
        lang: h1.closest('[lang]').getAttribute('lang'),
    };
}"""


def _as_webmail_shows_it(html: str, lang: str, direction: str) -> str:
    """What Gmail's web client keeps of a message: the <style> blocks and the inside of
    <body>, placed in the client's own page (whose lang and dir are the reader's UI's)."""
    styles = "".join(re.findall(r"<style[^>]*>.*?</style>", html, re.S))
    inner = re.search(r"<body[^>]*>(.*)</body>", html, re.S)
    assert inner is not None
    return HOST.format(lang=lang, dir=direction, body=styles + inner[1])


@pytest.mark.browser
@pytest.mark.parametrize(
    ("language", "host_lang", "host_dir", "expected"),
    [("en", "ar", "rtl", "ltr"), ("ar", "en", "ltr", "rtl")],
)
def test_the_message_keeps_its_language_and_direction_inside_a_webmail_page(
    tmp_path: Path,
    browser: Any,  # noqa: F811
    language: str,
    host_lang: str,
    host_dir: str,
    expected: str,
) -> None:
    """An English edition read in a webmail set to Arabic stays left to right and is read
    in an English voice; an Arabic one in an English webmail stays right to left. Before,
    lang and dir were only on <html>, which the client drops: the English headlines ran
    right to left (punctuation at the wrong end) and the screen reader used Arabic."""
    html = Renderer(sample_settings(tmp_path, language=language)).render(sample_edition()).html
    context = browser.new_context(viewport={"width": 600, "height": 900})
    context.route(re.compile(r"^https?://"), lambda route: route.abort())
    page = context.new_page()
    try:
        page.set_content(_as_webmail_shows_it(html, host_lang, host_dir))
        found = page.evaluate(MEASURE)
    finally:
        context.close()
    assert found["direction"] == expected, found
    assert found["lang"] == language, found
