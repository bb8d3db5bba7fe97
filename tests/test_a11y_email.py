"""The email as a screen-reader user meets it: link names that say where each link goes
(the links list a reader pulls up), and the language and direction of the text kept when
a webmail client drops the <html> element (Gmail keeps only what is inside <body>)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from digest.render import Renderer
from tests.test_email_demo import _html_message, _parts, browser, demo  # noqa: F401 (fixtures)
from tests.test_render_golden import sample_edition, sample_settings


def _links(html: str) -> list[tuple[str, str, str]]:
    """(accessible name, href, class of the paragraph/heading) of every link a screen
    reader lists: the aria-label when there is one, the link's text otherwise."""
    doc = lxml.html.fromstring(html)
    out = []
    for a in doc.iter("a"):
        if a.get("aria-hidden") == "true":
            continue
        name = a.get("aria-label") or a.text_content()
        parent = a.getparent()
        out.append((" ".join(name.split()), a.get("href", ""), parent.get("class", "")))
    return out


def test_every_read_more_link_names_its_story(demo: Path) -> None:  # noqa: F811
    """A reader tabbing or listing links hears which story a "Read more" link opens: before,
    each lead's was only "Read more at Harbour Herald →", the same for every story of a
    source, and the headline it belongs to was nowhere in its name."""
    links = _links(_parts(_html_message(demo))["text/html"])
    headlines = {href: name for name, href, cls in links if cls == "lead-title"}
    more = [(name, href) for name, href, cls in links if cls == "more"]
    assert len(more) == 3
    for name, href in more:
        assert name.startswith("Read more at "), name  # the visible words come first
        assert headlines[href] in name, (name, headlines[href])


def test_an_also_in_link_names_the_article_it_opens(tmp_path: Path) -> None:
    """ "Also in: Harbour Herald" lists a link named just "Harbour Herald" (before): the
    outlet, not its article. The name now carries the article's headline after it."""
    html = Renderer(sample_settings(tmp_path)).render(sample_edition()).html
    also = [(name, href) for name, href, cls in _links(html) if cls == "also"]
    assert also == [("Harbour Herald: Tunnel", "https://herald.example.org/tunnel")]


def test_links_that_sound_the_same_go_to_the_same_page(tmp_path: Path) -> None:
    """Two leads from one outlet (and their "also in" links) no longer give two links of
    the same name that open different pages."""
    edition = sample_edition()
    second = replace(edition.leads[2], source="Nordic Ledger", also=edition.leads[0].also)
    edition = replace(edition, leads=(edition.leads[0], edition.leads[1], second))
    html = Renderer(sample_settings(tmp_path)).render(edition).html
    targets: dict[str, set[str]] = {}
    for name, href, _ in _links(html):
        targets.setdefault(name, set()).add(href)
    same_name = {name: hrefs for name, hrefs in targets.items() if len(hrefs) > 1}
    assert same_name == {}


# -- language and direction inside a webmail page ----------------------------------------

HOST = """<!DOCTYPE html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"></head>
<body><div class="client-ui">{body}</div></body></html>"""

# The newsletter's own text (its name, in the h1): a story carries its own text's
# direction (tests/test_scripts_editions.py), so an English headline in an Arabic
# edition rightly reads left to right.
MEASURE = """() => {
    const h1 = document.querySelector('h1');
    return {
        direction: getComputedStyle(h1).direction,
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
    lang and dir were only on <html>, which the client drops: the English edition ran
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
