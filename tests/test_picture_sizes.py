"""A lead's picture is drawn no wider than it is: a 120 x 90 thumbnail that a feed said
was 1200 px wide was stretched to the 536 px column (blurred, four times its size, in
Gmail, Outlook and Apple Mail). The size read from the fetched bytes is the picture's
size, whatever the feed declared; the <img> gets that width (the column at most) and the
height in proportion, and still shrinks on a phone. A picture under 200 px is a
thumbnail beside the headline, not a picture above it.

Must not change: a picture whose size is unknown (images = "remote", nothing declared)
takes the column as before; a big picture takes the column.

Everything runs over real loopback HTTP (tests.feedserver) and in a real Chromium.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from digest.app import App
from digest.render import Renderer
from digest.render.stories import IMAGE_WIDTH
from tests.feedserver import FeedServer, serve_feeds
from tests.test_email_demo import browser  # noqa: F401 (fixture)
from tests.test_images_hosted import NOW, images, png, project

MEDIA = "http://search.yahoo.com/mrss/"


def feed(server: FeedServer, items: list[tuple[str, str, str]]) -> bytes:
    """One item per (headline, picture path, how the item names it: "{url}" in it)."""
    body = "".join(
        f"""<item><title>{title}</title><link>https://harbour.example.org/{n}</link>
<guid>harbour-{n}</guid><pubDate>Thu, 26 Nov 2026 {10 + n:02d}:00:00 +0000</pubDate>
<description>Story {n} about {title.lower()}, with details of its own.</description>
{named.format(url=server.url(path))}</item>"""
        for n, (title, path, named) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="{MEDIA}"><channel><title>Harbour Herald</title>
<link>https://harbour.example.org/</link><description>Test</description>
{body}</channel></rss>""".encode()


def media(width: int | None = None, height: int | None = None) -> str:
    size = f' width="{width}" height="{height}"' if width and height else ""
    return f'<media:content url="{{url}}" medium="image" type="image/png"{size}/>'


ENCLOSURE = '<enclosure url="{url}" type="image/png" length="0"/>'


def edition_html(
    tmp_path: Path, pictures: dict[str, bytes], items: list[tuple[str, str, str]], mode: str = ""
) -> str:
    """The HTML of the edition a feed of `items` makes; built in a thread of its own (a
    test's Playwright runs an event loop in this one, and the fetcher runs its own)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_edition_html, tmp_path, pictures, items, mode).result()


def _edition_html(
    tmp_path: Path, pictures: dict[str, bytes], items: list[tuple[str, str, str]], mode: str
) -> str:
    with serve_feeds(pictures, types=dict.fromkeys(pictures, "image/png")) as server:
        server.feeds["/feed.xml"] = feed(server, items)
        newsletter = f'images = "{mode}"' if mode else ""
        app = App.from_config(project(tmp_path / "news", server, newsletter=newsletter))
        built = app.draft(now=NOW, reports=app.collect(now=NOW))
        assert built.edition is not None and built.images == ()
        return app.renderer.render(built.edition).html


def lead_pictures(html: str) -> dict[str, lxml.html.HtmlElement]:
    """Each lead's <img>, by its headline."""
    doc = lxml.html.document_fromstring(html)
    found = {}
    for cell in doc.find_class("lead"):
        title = cell.find_class("lead-title")[0].text_content().strip()
        for img in cell.iter("img"):
            found[title] = img
    return found


def drawn(chromium: Any, html: str, pictures: dict[str, bytes], width: int) -> dict[str, Any]:
    """Each lead picture's box and its headline's, as Chromium lays `html` out at `width`."""
    by_name = {f"{hashlib.sha256(body).hexdigest()}.png": body for body in pictures.values()}
    context = chromium.new_context(viewport={"width": width, "height": 900})

    def serve(route: Any) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if name in by_name:
            route.fulfill(status=200, content_type="image/png", body=by_name[name])
        else:
            route.abort()

    context.route(re.compile(r"^https?://"), serve)
    page = context.new_page()
    try:
        page.set_content(html, wait_until="load")
        found = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('td.lead')].map(td => {
                const img = td.querySelector('img'), h = td.querySelector('.lead-title');
                const box = e => { const r = e.getBoundingClientRect();
                    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                            width: r.width, height: r.height}; };
                const cell = td.getBoundingClientRect();
                return [h.textContent.trim(), {
                    img: img && img.complete && img.naturalWidth ? box(img) : null,
                    title: box(h), cell: {left: cell.left, right: cell.right},
                    scrollWidth: document.documentElement.scrollWidth}];
            }))"""
        )
        return dict(found)
    finally:
        context.close()


#: Narrower than this, a lead's picture is a thumbnail beside its headline.
THUMBNAIL_BELOW = 200
THUMB = png(120, 90)
FERRY = png(300, 200)
WIDE = png(1200, 675)


def test_a_small_picture_a_feed_declares_large_gets_its_own_width(tmp_path: Path) -> None:
    """media:content said 1200 x 675; the bytes are 120 x 90: the bytes win."""
    pictures = {"/thumb.png": THUMB}
    html = edition_html(tmp_path, pictures, [("Ferry timetable", "/thumb.png", media(1200, 675))])
    img = lead_pictures(html)["Ferry timetable"]
    assert img.get("width") == "120"
    assert img.get("height") == "90"


def test_a_picture_gets_its_width_and_its_height_in_proportion(tmp_path: Path) -> None:
    pictures = {"/ferry.png": FERRY, "/wide.png": WIDE}
    items = [
        ("Ferry timetable", "/ferry.png", ENCLOSURE),  # nothing declared: read from the bytes
        ("Harbour panorama", "/wide.png", media(1200, 675)),
    ]
    found = lead_pictures(edition_html(tmp_path, pictures, items))
    ferry, wide = found["Ferry timetable"], found["Harbour panorama"]
    assert (ferry.get("width"), ferry.get("height")) == ("300", "200")
    assert (wide.get("width"), wide.get("height")) == (str(IMAGE_WIDTH), "302")  # 675 * 536 / 1200
    # Both shrink with a phone's column (width 100% up to their own, height auto).
    for img in (ferry, wide):
        style = re.sub(r"\s+", "", img.get("style") or "")
        assert "width:100%" in style and "height:auto" in style, style
    assert "max-width:300px" in re.sub(r"\s+", "", ferry.get("style") or "")


def test_a_picture_of_unknown_size_takes_the_column_as_before(tmp_path: Path) -> None:
    """images = "remote": nothing fetched, nothing declared, nothing known of its size."""
    pictures = {"/thumb.png": THUMB}
    html = edition_html(tmp_path, pictures, [("Ferry", "/thumb.png", ENCLOSURE)], mode="remote")
    img = lead_pictures(html)["Ferry"]
    assert img.get("width") == str(IMAGE_WIDTH) and img.get("height") is None
    assert "lead-image" in (img.get("class") or "").split()


SIZES = [
    ("Ferry timetable", "/thumb.png", THUMB, 120),
    ("Bridge opening", "/ferry.png", FERRY, 300),
    ("Harbour panorama", "/wide.png", WIDE, 1200),
]


@pytest.mark.browser
@pytest.mark.parametrize("width", [800, 600, 375])
def test_chromium_draws_no_picture_wider_than_it_is(
    tmp_path: Path,
    browser: Any,  # noqa: F811 (fixture)
    width: int,
) -> None:
    pictures = {path: body for _, path, body, _ in SIZES}
    # Each feed says 1200 x 675, as a feed that copies its biggest size's numbers does.
    items = [(title, path, media(1200, 675)) for title, path, _, _ in SIZES]
    html = edition_html(tmp_path, pictures, items)
    found = drawn(browser, html, pictures, width)
    # The lead's column: 536 px, or the screen less a phone's padding (18 px a side).
    column = IMAGE_WIDTH if width > 620 else width - 2 * 18
    for title, _, _, natural in SIZES:
        box = found[title]["img"]
        assert box is not None, (title, found[title])
        assert box["width"] <= min(natural, column) + 0.5, (title, box)
        if natural >= THUMBNAIL_BELOW:  # in proportion, and as wide as it may be
            assert box["width"] >= min(natural, column) - 0.5, (title, box)
        ratio = {120: 90 / 120, 300: 200 / 300, 1200: 675 / 1200}[natural]
        assert abs(box["height"] - box["width"] * ratio) <= 1, (title, box)
    assert found["Ferry timetable"]["scrollWidth"] <= width


@pytest.mark.browser
def test_a_thumbnail_sits_beside_its_headline_not_above_it(
    tmp_path: Path,
    browser: Any,  # noqa: F811 (fixture)
) -> None:
    """A 120 px picture above a headline in a 536 px column is a stamp in a blank row;
    it is drawn beside the headline, at the end of the line, its own size."""
    pictures = {"/thumb.png": THUMB}
    html = edition_html(tmp_path, pictures, [("Ferry timetable", "/thumb.png", ENCLOSURE)])
    for width in (600, 375):
        lead = drawn(browser, html, pictures, width)["Ferry timetable"]
        img, title = lead["img"], lead["title"]
        assert img is not None and img["width"] <= 120 + 0.5, lead
        assert title["top"] < img["bottom"], lead  # beside the headline, not above it
        assert img["right"] >= lead["cell"]["right"] - 40, lead  # at the column's end
        assert title["left"] < img["left"], lead


def test_a_thumbnail_passes_the_lint_and_follows_the_text_direction(tmp_path: Path) -> None:
    """Beside the headline by the align attribute, which every client honours (classic
    Outlook ignores CSS float); at the end of the lines: the left in Arabic."""
    from digest.lint.html import check_html

    html = edition_html(tmp_path, {"/thumb.png": THUMB}, [("Ferry", "/thumb.png", ENCLOSURE)])
    img = lead_pictures(html)["Ferry"]
    assert (img.get("align"), img.get("width"), img.get("height")) == ("right", "120", "90")
    findings = [f"{f.code}: {f.message}" for f in check_html(html, None)]
    assert not [f for f in findings if f.startswith(("css-unsupported", "img-"))], findings

    from digest.records import Image
    from digest.render.pictures import lead_picture
    from tests.test_render_golden import sample_edition, sample_settings

    edition = sample_edition()
    arabic = replace(
        edition.leads[0],
        title="افتتاح جسر الميناء الجديد",
        summary="يفتتح الجسر يوم الجمعة.",
        language="ar",
        image=Image(
            "https://img.example.org/p.png", width=150, hosted="0" * 64 + ".png", height=100
        ),
    )
    assert lead_picture(arabic.image) is not None
    rendered = Renderer(sample_settings(tmp_path)).render(replace(edition, leads=(arabic,)))
    (thumb,) = [i for i in images(rendered.html) if "lead-thumb" in (i.get("class") or "")]
    assert thumb.get("align") == "left"
