"""The preferences page, driven in Chromium, changes what the next edition contains."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NoReturn

import pytest

from digest.app import App
from tests.test_web_public import NOW, cli, local, newsletter, outbox, serving, statuses

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true)")
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Any]:
    """Chromium through Playwright (skips, or fails under CI=true, when it is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def _preferences_link(msg: EmailMessage) -> str:
    """The footer's Preferences link, as the subscriber clicks it in the HTML part."""
    html = msg.get_body(preferencelist=("html",))
    assert html is not None
    found = re.search(r'href="(https://brief\.example\.org/p/[^"]+)"', html.get_content())
    assert found, "no preferences link in the message"
    return found.group(1)


def test_preferences_in_chromium_change_the_next_edition(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    app = App.from_config(config)
    sections = {s.section for s in app.settings.sources}
    assert sections == {"Denmark", "Business", "Culture"}
    # A preview of tomorrow's edition, as each subscriber would get it, carries the links.
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.id is not None
    by_section = {s.section for s in edition.stories}
    assert {"Culture", "Denmark"} <= by_section  # so that a choice makes a difference
    everyone = {s.email: s for s in app.store.subscribers("daily")}
    plain = [e for e, s in everyone.items() if not s.sections and s.format == "html"]
    culture_only, text_only, paused, control = plain[:4]
    links = {}
    for email in (culture_only, text_only, paused):
        preview = app.preview(edition.id, email=email, now=NOW)
        msg = message_from_bytes(preview.message, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        links[email] = _preferences_link(msg)

    # (Playwright's loop runs in this thread: collect and build, which use asyncio, first.)
    with chromium() as browser, serving(config) as base:
        page = browser.new_page()

        # Untick every section but Culture.
        page.goto(local(links[culture_only], base))
        for section in sorted(sections - {"Culture"}):
            page.get_by_label(section, exact=True).uncheck()
        assert page.get_by_label("Culture", exact=True).is_checked()
        page.get_by_role("button", name="Save preferences").click()
        assert page.get_by_role("status").inner_text() == "Saved."
        assert not page.get_by_label("Denmark", exact=True).is_checked()

        # Plain text only, and a time zone of their own.
        page.goto(local(links[text_only], base))
        page.get_by_label("Plain text only").check()
        page.locator("select#timezone").select_option("America/New_York")
        page.get_by_role("button", name="Save preferences").click()
        assert page.get_by_role("status").inner_text() == "Saved."
        assert page.get_by_label("Plain text only").is_checked()

        # Pause.
        page.goto(local(links[paused], base))
        page.get_by_label("Pause: send nothing until I resume").check()
        page.get_by_role("button", name="Save preferences").click()
        assert page.get_by_role("status").inner_text() == "Saved."

        # Unticking everything is refused with a message; nothing changes.
        page.goto(local(links[culture_only], base))
        page.get_by_label("Culture", exact=True).uncheck()
        page.get_by_role("button", name="Save preferences").click()
        assert "Choose at least one section" in page.get_by_role("alert").inner_text()
        page.close()

    rows = statuses(config)
    assert rows[culture_only]["sections"] == ["Culture"]
    assert rows[text_only]["format"] == "text"
    assert rows[text_only]["timezone"] == "America/New_York"
    assert rows[paused]["paused"] is True and rows[paused]["status"] == "active"
    sub = everyone[culture_only]
    assert [e.origin for e in app.store.events(sub.id)][-1] == "web:preferences"

    # The next send: what each of them gets follows what they chose.
    cli(config, "send", str(edition.id))
    got = outbox(config, edition.id)
    assert paused not in got
    assert control in got and culture_only in got and text_only in got

    culture_text = _text(got[culture_only])
    culture_titles = [s.title for s in edition.stories if s.section == "Culture"]
    other_titles = [s.title for s in edition.stories if s.section not in (None, "Culture")]
    assert culture_titles and other_titles
    assert all(" ".join(t.split()) in culture_text for t in culture_titles[:1])
    assert not [t for t in other_titles if " ".join(t.split()) in culture_text]
    control_text = _text(got[control])
    assert any(" ".join(t.split()) in control_text for t in other_titles)

    assert got[text_only].get_content_type() == "text/plain"
    assert not got[text_only].is_multipart()
    assert got[control].get_content_type() == "multipart/alternative"
