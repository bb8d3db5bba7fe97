"""A hostile feed's pictures against the copies digest hosts: bytes that are a picture
by their header and a page or a script after it, opened by a real Chromium from
`digest serve`'s own origin (the real Flask app under werkzeug)."""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.app import App
from digest.imagebytes import recognise
from tests.conftest import write_project
from tests.test_desk import running
from tests.test_preferences_browser import chromium

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)

#: A 1x1 GIF by its header, then a page that would retitle itself.
GIF_PAGE = b"GIF89a\x01\x00\x01\x00<html><script>document.title='owned'</script></html>"
#: A WebP by its header (RIFF, WEBP, VP8X, 100 x 100) that is also JavaScript:
#: `RIFF=1/*...*/;window.owned=1;`
WEBP_SCRIPT = (
    b"RIFF=1/*WEBPVP8X" + b"\x0a\x00\x00\x00" + b"\x00" * 4 + b"\x63\x00\x00\x63\x00\x00"
    b"*/;window.owned=1;"
)


def hosted(app: App, body: bytes) -> str:
    picture = recognise(body)
    assert picture is not None, body
    sha256 = hashlib.sha256(body).hexdigest()
    app.store.keep_image(sha256, picture, body, source_url="https://x.example/p", now=NOW)
    return f"/images/{sha256}.{picture.extension}"


@pytest.mark.browser
def test_a_picture_that_is_also_a_page_or_a_script_never_runs(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    app = App.from_config(config)
    page_path, script_path = hosted(app, GIF_PAGE), hosted(app, WEBP_SCRIPT)
    with running(config) as base, chromium() as browser:
        page = browser.new_page()
        # Opened as a page: shown as a picture (or not at all), never as HTML.
        page.goto(base + page_path)
        assert page.title() != "owned"
        assert page.evaluate("document.querySelector('script') === null")
        # Loaded as a script by a page of digest's own origin: refused.
        page.route(
            base + "/probe",
            lambda route: route.fulfill(body="<!doctype html><title>probe</title>", status=200),
        )
        page.goto(base + "/probe")
        outcome = page.evaluate(
            """src => new Promise(done => {
                const s = document.createElement('script');
                s.src = src;
                s.onload = () => done('loaded');
                s.onerror = () => done('refused');
                document.head.appendChild(s);
            })""",
            script_path,
        )
        assert outcome == "refused"
        assert page.evaluate("window.owned") is None


def flat_png(width: int, height: int) -> bytes:
    """A real PNG of one grey, however large, in few bytes (its rows made as they are
    packed, never held whole)."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    packer = zlib.compressobj(9)
    row = bytes(1 + width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_a_picture_of_a_hundred_million_pixels_in_few_bytes_is_left_out(tmp_path: Path) -> None:
    """10,000 x 10,000 px of one grey is a PNG of 100 KB, under every cap; each reader's
    phone would decode it into 400 MB. It is left out, and the build says so."""
    from tests.feedserver import serve_feeds
    from tests.test_images_hosted import feed, project

    bomb = flat_png(10_000, 10_000)
    assert len(bomb) < 200_000
    bodies = {"/img/bomb.png": bomb, "/img/photo.png": flat_png(6_000, 4_000)}
    stories = [("Harbour at night", "/img/bomb.png"), ("Harbour by day", "/img/photo.png")]
    with serve_feeds(bodies, types=dict.fromkeys(bodies, "image/png")) as server:
        server.feeds["/feed.xml"] = feed(server, stories)
        app = App.from_config(project(tmp_path / "news", server))
        built = app.draft(now=NOW, reports=app.collect(now=NOW))
    assert built.edition is not None
    pictures = {s.title: s.image for s in built.edition.leads}
    assert pictures["Harbour at night"] is None
    kept = pictures["Harbour by day"]
    assert kept is not None and kept.hosted is not None
    (said,) = built.images
    assert "Harbour at night" in said and "10,000 x 10,000 pixels" in said, said


def test_a_picture_address_the_fetcher_cannot_parse_leaves_its_story_without_one(
    tmp_path: Path,
) -> None:
    """An octal address (httpx refuses '0177.0.0.1' with an InvalidURL, which is no
    HTTPError) ended the whole build with a traceback; each such picture is left out."""
    from tests.feedserver import serve_feeds
    from tests.test_images_hosted import FERRY, feed, project

    odd = {
        "/odd/octal.jpg": "http://0177.0.0.1/harbour.jpg",
        "/odd/port.jpg": "http://harbour.example.org:99999/harbour.jpg",
        "/odd/bracket.jpg": "http://[::1/harbour.jpg",
    }
    stories = [
        ("Harbour ferry gets an electric twin", "/img/ferry.png"),
        *zip(
            (
                "Zoo welcomes two snow leopards",
                "Library extends winter hours",
                "Bridge tender published",
            ),
            odd,
            strict=True,
        ),
    ]
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        body = feed(server, stories).decode()
        for path, url in odd.items():
            body = body.replace(server.url(path), url)
        server.feeds["/feed.xml"] = body.encode()
        app = App.from_config(project(tmp_path / "news", server))
        built = app.draft(now=NOW, reports=app.collect(now=NOW))
    assert built.edition is not None
    pictures = {s.title: s.image for s in built.edition.leads}
    ferry = pictures.pop("Harbour ferry gets an electric twin")
    assert ferry is not None and ferry.hosted is not None
    assert all(image is None for image in pictures.values()), pictures
    said = "\n".join(built.images)
    assert "not a valid web address (http://0177.0.0.1/harbour.jpg)" in said, said
    assert "http://harbour.example.org:99999/harbour.jpg" in said, said
