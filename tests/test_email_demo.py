"""The demo's real messages: the lint passes all 36, SpamAssassin scores one at or below
zero, and Chromium lays the HTML part out inside 375 px and 600 px, light and dark.

Screenshots go to tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.lint import lint_file
from digest.render import Renderer
from tests.test_render_golden import sample_edition, sample_settings

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DARK_CONTAINER = "rgb(30, 30, 30)"  # #1e1e1e in email-responsive.css
LIGHT_CONTAINER = "rgb(255, 255, 255)"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `digest demo` run shared by this module's tests: its outbox folder."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "outbox"


def _parts(path: Path) -> dict[str, str]:
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    return {
        part.get_content_type(): part.get_content()
        for part in msg.walk()
        if not part.is_multipart()
    }


def _html_message(outbox: Path) -> Path:
    """The first demo message with an HTML part (some subscribers chose text only)."""
    return next(f for f in sorted(outbox.glob("*.eml")) if "text/html" in _parts(f))


# --- lint --------------------------------------------------------------------------------


def test_every_demo_message_passes_the_lint(demo: Path) -> None:
    files = sorted(demo.glob("*.eml"))
    assert len(files) == 36
    errors, warnings = [], set()
    for file in files:
        text_only = "text/html" not in _parts(file)
        for finding in lint_file(file):
            if finding.level == "error":
                errors.append(f"{file.name}: {finding.code}: {finding.message}")
            else:
                warnings.add((finding.code, text_only))
    assert errors == []
    # The one warning left is by design: subscribers who chose text get no HTML part.
    assert warnings <= {("mime-no-html", True)}


def test_the_cli_exits_zero_on_the_demo_messages(demo: Path) -> None:
    files = [str(f) for f in sorted(demo.glob("*.eml"))]
    result = CliRunner().invoke(main, ["lint", *files])
    assert result.exit_code == 0, result.output
    assert " error " not in result.output


def test_the_cli_lints_a_folder_of_messages(demo: Path, tmp_path: Path) -> None:
    """`digest lint outbox` checks every message in it (before: "is a directory")."""
    result = CliRunner().invoke(main, ["lint", str(demo)])
    assert result.exit_code == 0, result.output
    assert result.output.count(".eml") >= len(list(demo.glob("*.eml"))) > 1
    empty = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert empty.exit_code == 2 and "no .eml file" in empty.output


# --- SpamAssassin ------------------------------------------------------------------------


def spamassassin(data: bytes, home: Path) -> tuple[float, list[str], str]:
    """Score a message locally (-L: no network tests) with Bayes off; (score, rules, report)."""
    binary = shutil.which("spamassassin")
    if binary is None:
        _missing("spamassassin is not installed (Debian package spamassassin)")
    assert binary is not None
    home.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            binary,
            "-L",
            "-t",
            "--cf=use_bayes 0",
            "--cf=bayes_auto_learn 0",
            "--cf=use_auto_whitelist 0",
        ],
        input=data,
        capture_output=True,
        env={**os.environ, "HOME": str(home)},
        timeout=120,
        check=False,
    )
    report = result.stdout.decode("utf-8", "replace")
    match = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", report, re.M)
    assert match, f"no X-Spam-Status in spamassassin's output:\n{report[:2000]}"
    details = report.split("Content analysis details:", 1)[-1]
    rules = re.findall(r"^\s*-?[\d.]+\s+([A-Z][A-Z0-9_]+)\s", details, re.M)
    return float(match[1]), rules, details


def test_spamassassin_scores_the_demo_message_at_or_below_zero(demo: Path, tmp_path: Path) -> None:
    message = _html_message(demo)
    score, rules, details = spamassassin(message.read_bytes(), tmp_path / "home")
    assert score <= 0, details
    assert "HTML_FONT_LOW_CONTRAST" not in rules and "MIME_HTML_ONLY" not in rules


# --- Chromium ----------------------------------------------------------------------------


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, to stand in for a story's image (the page loads nothing remote)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


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


def layout(browser: Any, html: str, width: int, scheme: str, shot: str | None) -> dict[str, Any]:
    """Load `html` at `width` px in `scheme`; measure overflow and the container colour."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, java_script_enabled=True
    )
    images = {"tunnel.jpg": png(1200, 675, (40, 90, 120)), "hall.jpg": png(300, 200, (160, 90, 40))}

    def serve(route: Any) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if name in images:
            route.fulfill(status=200, content_type="image/png", body=images[name])
        else:
            route.abort()

    context.route(re.compile(r"^https?://"), serve)
    page = context.new_page()
    try:
        page.set_content(html, wait_until="load")
        found = page.evaluate(
            """() => ({
                scrollWidth: document.documentElement.scrollWidth,
                container: getComputedStyle(document.querySelector('.container')).backgroundColor,
                widest: Math.max(...[...document.querySelectorAll('body *')].map(
                    e => e.getBoundingClientRect().right)),
            })"""
        )
        if shot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        return dict(found)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("width", "scheme", "background", "shot"),
    [
        (375, "light", LIGHT_CONTAINER, "demo-375-light.png"),
        (600, "light", LIGHT_CONTAINER, "demo-600-light.png"),
        (375, "dark", DARK_CONTAINER, "demo-375-dark.png"),
        (600, "dark", DARK_CONTAINER, None),
    ],
)
def test_the_demo_message_fits_the_screen_in_light_and_dark(
    demo: Path, browser: Any, width: int, scheme: str, background: str, shot: str | None
) -> None:
    html = _parts(_html_message(demo))["text/html"]
    found = layout(browser, html, width, scheme, shot)
    assert found["scrollWidth"] <= width, found
    assert found["widest"] <= width + 0.5, found
    assert found["container"] == background


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 600])
def test_a_long_unbroken_word_wraps_instead_of_widening_the_message(
    tmp_path: Path, browser: Any, width: int
) -> None:
    """A bare URL in a summary and a long compound in a headline (both common in feeds)
    break inside the column: before, every table grew to 749 px and phones zoomed out."""
    edition = sample_edition()
    url = "https://www.example.org/" + "/".join(["a-very-long-path-segment-for-tracking"] * 3)
    compound = "Donaudampfschifffahrtselektrizitaetenhauptbetriebswerkbauunterbeamtengesellschaft"
    leads = (
        replace(edition.leads[0], summary=f"The plan is published in full at {url} today."),
        *edition.leads[1:],
    )
    teasers = (
        replace(edition.teasers[0], title=f"{compound} wins the prize"),
        *edition.teasers[1:],
    )
    html = (
        Renderer(sample_settings(tmp_path))
        .render(replace(edition, leads=leads, teasers=teasers))
        .html
    )
    assert url in html and compound in html
    found = layout(browser, html, width, "light", f"long-words-{width}.png")
    assert found["scrollWidth"] <= width, found
    assert found["widest"] <= width + 0.5, found


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 600])
def test_lead_images_stay_inside_the_screen(tmp_path: Path, browser: Any, width: int) -> None:
    html = Renderer(sample_settings(tmp_path)).render(sample_edition()).html
    found = layout(browser, html, width, "light", f"sample-{width}-light.png")
    assert found["scrollWidth"] <= width, found
    assert found["widest"] <= width + 0.5, found
