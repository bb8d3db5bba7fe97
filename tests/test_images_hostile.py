"""A hostile feed's pictures against the copies digest hosts: bytes that are a picture
by their header and a page or a script after it, opened by a real Chromium from
`digest serve`'s own origin (the real Flask app under werkzeug)."""

from __future__ import annotations

import hashlib
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
