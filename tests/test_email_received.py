"""The HTML part as a subscriber's phone shows it with remote images off (Outlook's
default, and Apple Mail's or Gmail's when the reader turns them off), light and dark.

Real Chromium lays out the message `digest preview` writes for an edition of a real feed
from the shared corpus (The Guardian's, whose images are 460 px wide), and of the sample
edition; every request for an image fails, as it does in a client that blocks them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from digest.app import App
from digest.config import load
from digest.render import Renderer
from tests.corpus import require_corpus
from tests.test_email_demo import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _missing, png
from tests.test_render_golden import sample_edition, sample_settings

GUARDIAN = "feeds/news-guardian-intl.rss"  # 55 items, media:content images 460 px wide
GUARDIAN_AT = datetime(2018, 2, 1, 7, tzinfo=UTC)  # the morning after its last item
AA_CONTRAST = 4.5  # WCAG 2.x AA for text under 18 px


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium is not at {CHROMIUM} (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def guardian_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The HTML part of the preview of an edition built from the Guardian's feed."""
    feed = require_corpus() / GUARDIAN
    folder = tmp_path_factory.mktemp("guardian")
    config = folder / "digest.toml"
    config.write_text(
        f"""
[newsletter]
name = "The Guardian Brief"
sender = "The Guardian Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"
images = "remote"  # the feed's pictures are on the Guardian's servers, not fetched here

[[sources]]
name = "The Guardian"
url = "{feed}"

[[lists]]
name = "daily"
timezone = "Europe/London"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "sqlite:///digest.db"
""",
        encoding="utf-8",
    )

    def preview() -> bytes:
        app = App(load(config))
        try:
            edition = app.build(now=GUARDIAN_AT, reports=app.collect(now=GUARDIAN_AT))
            assert edition.id is not None
            return app.preview(edition.id, email=None, now=GUARDIAN_AT).message
        finally:
            app.close()

    # In a thread of its own: collecting runs an event loop, which Playwright's sync API
    # (the browser fixture, when a test asked for it first) does not allow beside its own.
    with ThreadPoolExecutor(1) as pool:
        message = pool.submit(preview).result()
    html = message_from_bytes(message, policy=policy.default).get_body(("html",))
    assert html is not None
    return str(html.get_content())


def open_page(
    browser: Any, html: str, width: int, *, scheme: str = "light", images: bool = False
) -> Any:
    """A page showing `html` `width` px wide; remote images fail unless `images`, when
    each is a PNG as wide as its `?w=` asks (the Guardian's image service does so)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)

    def serve(route: Any) -> None:
        asked = re.search(r"[?&]w=(\d+)", route.request.url)
        if not images or asked is None:
            route.abort()
            return
        body = png(int(asked[1]), 300, (40, 90, 120))
        route.fulfill(status=200, content_type="image/png", body=body)

    context.route(re.compile(r"^https?://"), serve)
    page = context.new_page()
    page.set_content(html, wait_until="load")
    return page


def overflow(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => ({
                scrollWidth: document.documentElement.scrollWidth,
                widest: Math.max(...[...document.querySelectorAll('body *')].map(
                    e => e.getBoundingClientRect().right)),
                images: [...document.images].map(i => Math.round(i.getBoundingClientRect().width)),
            })"""
        )
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 375])
def test_an_edition_of_a_real_feed_fits_a_phone_with_images_off(
    browser: Any, guardian_html: str, width: int
) -> None:
    """Before: each 460 px Guardian image kept its width while it could not load, and
    the whole message was 496 px wide on a 375 px phone (sideways scrolling)."""
    assert 'width="460"' in guardian_html  # the images narrower than the column
    page = open_page(browser, guardian_html, width)
    try:
        found = overflow(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"guardian-{width}-images-off.png"), full_page=True)
    finally:
        page.context.close()
    assert found["scrollWidth"] <= width, found
    assert found["widest"] <= width + 0.5, found


@pytest.mark.browser
@pytest.mark.parametrize(("width", "shown"), [(375, 339), (800, 460)])
def test_an_image_narrower_than_the_column_keeps_its_width_when_it_loads(
    browser: Any, guardian_html: str, width: int, shown: int
) -> None:
    """Loaded, a 460 px image is never stretched to the 536 px column; on a phone it
    shrinks to the column (375 less 2 x 18 px)."""
    page = open_page(browser, guardian_html, width, images=True)
    try:
        found = overflow(page)
    finally:
        page.context.close()
    assert found["scrollWidth"] <= width, found
    assert found["images"] and set(found["images"]) == {shown}, found


CONTRAST = """img => {
    const rgb = c => c.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => {
        v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    let back = null;
    for (let e = img; e && !back; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) back = c;
    }
    const [a, b] = [lum(rgb(getComputedStyle(img).color)), lum(back || [255, 255, 255])];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_alt_text_of_an_image_that_is_off_is_readable(
    tmp_path: Path, browser: Any, scheme: str
) -> None:
    """With images off, the source's description of a lead image stands in its place,
    drawn in the image's colour. Before: dark mode kept the light theme's #5c5c5c on
    the #1e1e1e container, a contrast of 2.6:1."""
    html = Renderer(sample_settings(tmp_path)).render(sample_edition()).html
    assert 'alt="The harbour at dusk"' in html
    page = open_page(browser, html, 375, scheme=scheme)
    try:
        image = page.locator('img[alt="The harbour at dusk"]')
        ratio = image.evaluate(CONTRAST)
        image.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"alt-text-{scheme}.png"))
    finally:
        page.context.close()
    assert ratio >= AA_CONTRAST, f"{scheme}: alt text contrast {ratio:.2f}:1"


TARGET = 24  # px: WCAG 2.2 "Target Size (Minimum)", for links that are not in a sentence


@pytest.mark.browser
def test_the_footer_links_are_big_enough_to_tap_on_a_phone(tmp_path: Path, browser: Any) -> None:
    """Unsubscribe, preferences and the web view sit side by side in the footer, not in
    a sentence. Before: 12 px text in boxes 14 px tall, 10 px apart, so a thumb aiming
    at Preferences could land on Unsubscribe."""
    html = Renderer(sample_settings(tmp_path)).render(sample_edition()).html
    page = open_page(browser, html, 375)
    try:
        boxes = page.locator(".footer a").evaluate_all(
            """links => links.map(a => {
                const r = a.getBoundingClientRect();
                return [a.textContent.trim(), Math.round(r.width), Math.round(r.height)];
            })"""
        )
        page.locator(".footer").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "footer-375.png"))
    finally:
        page.context.close()
    assert [name for name, _, _ in boxes][-2:] == ["Preferences", "Unsubscribe"], boxes
    small = [box for box in boxes if min(box[1], box[2]) < TARGET]
    assert small == [], f"tap targets under {TARGET} px: {small}"
