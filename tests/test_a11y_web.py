"""The web pages as a reader with low vision, a keyboard or a screen reader meets them, in
Chromium against a running `digest serve`: the archive, the subscriber pages and the
editor desk, in light and dark mode."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.test_desk import PASSWORD, add_editor
from tests.test_preferences_browser import chromium
from tests.test_web_public import NOW, build_and_send, local, newsletter, outbox, serving

pytestmark = pytest.mark.browser

EDITOR = "a11y.editor@example.org"

#: Every text on the page whose colour is below WCAG 2.2 AA against the background it is
#: painted on (4.5:1, or 3:1 for large text), measured from the computed styles.
LOW_CONTRAST = """() => {
    const rgb = c => c.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => {
        v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = el => {
        for (let e = el; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
        }
        return matchMedia('(prefers-color-scheme: dark)').matches ? [18, 18, 18] : [255, 255, 255];
    };
    const low = [];
    for (const el of document.querySelectorAll('body *')) {
        const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        const style = getComputedStyle(el);
        if (!text || !el.getClientRects().length || style.visibility === 'hidden') continue;
        const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
        const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
        if (ratio < needed) {
            low.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" `
                + `${style.color} on rgb(${background(el)}): ${ratio.toFixed(2)}`);
        }
    }
    return low;
}"""


@dataclass
class Site:
    base: str
    browser: Any
    edition: int
    preferences: str
    unsubscribe: str

    def page(self, scheme: str = "light", *, editor: bool = False) -> Any:
        context = self.browser.new_context(
            viewport={"width": 1280, "height": 900}, color_scheme=scheme
        )
        page = context.new_page()
        if editor:
            page.goto(self.base + "/login")
            page.fill("#email", EDITOR)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
        return page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One sent edition, one editor, `digest serve` and Chromium, shared by the module."""
    config = newsletter(tmp_path_factory.mktemp("a11y"))
    edition = build_and_send(config, NOW)
    message = next(iter(outbox(config, edition).values()))
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    links = re.findall(r'href="(https://brief\.example\.org/[pu]/[^"]+)"', html.get_content())
    add_editor(config, EDITOR, PASSWORD)
    with chromium() as browser, serving(config) as base:
        prefs = next(local(u, base) for u in links if "/p/" in u)
        unsub = next(local(u, base) for u in links if "/u/" in u)
        yield Site(base, browser, edition, prefs, unsub)


PUBLIC = ["/archive", "/archive/{edition}", "/subscribe", "{unsubscribe}", "{preferences}"]
DESK = ["/login", "/editions", "/editions/{edition}", "/sources", "/lists"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_and_button_is_readable_in_light_and_dark_mode(site: Site, scheme: str) -> None:
    """Before, in dark mode every button (Subscribe, Unsubscribe, Save preferences, Log in,
    Send test) was white on #f08a6c, 2.45:1, and the desk's "sent" badge #2a5599 on
    #222222, 2.17:1."""
    fields = {"edition": site.edition, "unsubscribe": site.unsubscribe}
    fields["preferences"] = site.preferences
    low: dict[str, list[str]] = {}
    public, desk = site.page(scheme), site.page(scheme, editor=True)
    try:
        for pages, page in ((PUBLIC, public), (DESK, desk)):
            for path in pages:
                url = path.format(**fields)
                page.goto(url if url.startswith("http") else site.base + url)
                found = page.evaluate(LOW_CONTRAST)
                if found:
                    low[url] = found
    finally:
        public.context.close()
        desk.context.close()
    assert low == {}


FOCUSED = """() => {
    const e = document.activeElement;
    const box = e.getBoundingClientRect();
    return {
        tag: e.tagName, text: e.textContent.trim().slice(0, 40),
        inMain: !!e.closest('main'), inNav: !!e.closest('nav'),
        visible: box.width > 1 && box.height > 1 && box.top >= 0 && box.left >= 0
            && box.bottom <= innerHeight && getComputedStyle(e).outlineStyle !== 'none',
    };
}"""


def test_a_keyboard_user_skips_the_desk_navigation(site: Site) -> None:
    """The first Tab on a desk page shows a "Skip to content" link; Enter on it and the
    next Tab is in the page's content. Before, the first Tab went to the navigation and
    every page made a keyboard user pass Editions, Sources, Lists, Archive and Log out."""
    page = site.page(editor=True)
    try:
        page.goto(f"{site.base}/editions/{site.edition}")
        page.keyboard.press("Tab")
        first = page.evaluate(FOCUSED)
        assert (first["tag"], first["text"]) == ("A", "Skip to content"), first
        assert first["visible"], first
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        after = page.evaluate(FOCUSED)
        assert after["inMain"] and not after["inNav"], after
    finally:
        page.context.close()


def test_a_refused_address_is_announced_on_the_email_field(site: Site) -> None:
    """After "Subscribe" refuses an address, the focus is back on the field, which a screen
    reader announces as invalid with the reason. Before, the reason was only in a list
    above the form: the field said nothing (no aria-invalid, no description) and the focus
    was at the top of the page."""
    from playwright.sync_api import expect

    page = site.page()
    try:
        page.goto(site.base + "/subscribe")
        page.fill("#email", "reader@localhost")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        field = page.get_by_role("textbox", name="Email address")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile("It should have a period"))
        expect(field).to_be_focused()
    finally:
        page.context.close()


def test_a_preferences_error_is_tied_to_the_sections_it_is_about(site: Site) -> None:
    """Unticking every section is refused; the Sections group now carries the reason as
    its description (before: only in a list above the form)."""
    from playwright.sync_api import expect

    page = site.page()
    try:
        page.goto(site.preferences)
        sections = page.get_by_role("group", name="Sections")
        for box in sections.get_by_role("checkbox").all():
            box.uncheck()
        with page.expect_navigation():
            page.get_by_role("button", name="Save preferences").click()
        sections = page.get_by_role("group", name="Sections")
        expect(sections).to_have_accessible_description(re.compile("at least one section"))
        expect(sections.get_by_role("checkbox").first).to_be_focused()
    finally:
        page.context.close()
