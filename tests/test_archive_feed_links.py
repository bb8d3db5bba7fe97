"""The archive's Atom feed links every story as the email does: one with no link of its
own (an article from a folder source) to its page in the archive."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.render.stories import story_ref
from tests.test_desk import running

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://brief.example.org"


def _html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no HTML part in the message")


def test_the_feed_links_a_story_with_no_link_of_its_own_to_its_archive_page(
    tmp_path: Path,
) -> None:
    """QA: the feed showed "Amager Vikings snatch late win…" (a folder article) as plain
    text, where the email and the archive page link it to its story page: 9 links in
    the feed against the email's 10."""
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    edition = App.from_config(out / "digest.toml").store.edition(1)
    own = [s for s in edition.stories if not s.url]
    assert own, "the demo edition should hold a story from its folder source"

    with running(out / "digest.toml") as base, httpx.Client(base_url=base) as c:
        feed = c.get("/archive.atom")
    root = ElementTree.fromstring(feed.content)  # still well-formed XML
    (entry,) = root.findall(f"{ATOM}entry")
    content = ElementTree.fromstring(entry.findtext(f"{ATOM}content", ""))  # and its HTML
    items = content.findall("li")
    assert len(items) == len(edition.stories)
    links = {a.text: a.get("href", "") for li in items for a in li.iter("a")}
    for story in own:
        page = f"{BASE}/archive/1/story/{story_ref(story.key)}"
        assert links.get(story.title) == page, story.title
    assert len(links) == len(edition.stories)  # every story linked, none as plain text
    for href in links.values():  # absolute: a feed reader resolves nothing
        parts = urlsplit(href)
        assert parts.scheme in ("http", "https") and parts.netloc, href

    # The same pages as the email links them to.
    message = email.message_from_bytes(next((out / "outbox").glob("*.eml")).read_bytes())
    body = _html_part(message)
    mailed = set(re.findall(r'href="([^"]+)"', body))
    for story in own:
        assert f"{BASE}/archive/1/story/{story_ref(story.key)}" in mailed


ARABIC = "الرئيس يزور باريس لبحث التعاون الاقتصادي"


def test_a_story_in_another_direction_reads_in_its_own_in_the_feed(tmp_path: Path) -> None:
    """As the email and the archive page lay out an Arabic story in an English edition
    right to left on its own (its outlet's name after it, not pulled into it), so does
    the feed's HTML; the English stories stay as they were."""
    from dataclasses import replace

    from tests.test_desk import build
    from tests.test_web_public import NOW, newsletter

    config = newsletter(tmp_path)
    app = App.from_config(config)
    built = app.store.edition(build(config))
    teaser, *rest = built.teasers
    arabic = replace(teaser, title=ARABIC, language=None)
    saved = app.store.save_edition(replace(built, id=None, teasers=(arabic, *rest)), now=NOW)
    assert saved.id is not None
    app.store.set_edition_status(saved.id, "sent", now=NOW)
    with running(config) as base, httpx.Client(base_url=base) as c:
        root = ElementTree.fromstring(c.get("/archive.atom").content)
    (entry,) = root.findall(f"{ATOM}entry")
    items = ElementTree.fromstring(entry.findtext(f"{ATOM}content", "")).findall("li")
    (li,) = [li for li in items if ARABIC in "".join(li.itertext())]
    assert li.get("dir") == "rtl"
    others = [li for li in items if ARABIC not in "".join(li.itertext())]
    assert others and all(li.get("dir") is None for li in others)
