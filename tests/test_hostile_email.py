"""No script, iframe, form, style, event handler or javascript: URL from a source
reaches an email: hostile feeds of the shared corpus, collected and rendered."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from digest.app import App
from digest.deliver.run import send_edition
from tests.conftest import write_project
from tests.corpus import require_corpus

HOSTILE = (
    "hostile-item-description-crazy.rss",
    "news-techcrunch-jslinks.xml",
    "news-huffpost-canada-scripts.xml",
    "blog-4fsod-iframes.atom",
    "blog-tenderlovemaking-onclick.xml",
    "blog-dcrainmaker-onclick.xml",
    "forum-kc0011-gb2312.rss",
    "hostile-touchnokia-css.atom",
)
FORBIDDEN = re.compile(
    r"<\s*(script|iframe|form|object|embed)\b|\son[a-z]+\s*=|javascript:|vbscript:", re.I
)


def test_hostile_feeds_leave_no_forbidden_markup_in_the_email(tmp_path: Path) -> None:
    feeds = require_corpus() / "feeds"
    sources = "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "{feeds / name}"\n' for name in HOSTILE
    )
    config = write_project(tmp_path, sources=sources, extra="")
    # Many stories, so that every hostile item's markup reaches the email: the caps on
    # one outlet's share (which keep a thin edition from being one feed's) raised too.
    many = "teasers = 60\nmax_teasers_per_source = 60\nmax_leads_per_source = 8"
    config.write_text(
        config.read_text().replace("leads = 3", "leads = 8").replace("teasers = 8", many)
    )
    app = App.from_config(config)
    now = datetime.now(UTC)
    reports = app.collect(now=now)
    assert sum(r.new for r in reports) > 50
    app.store.write_subscribers(
        "daily", [{"email": "reader@example.com", "status": "active"}], origin="test", now=now
    )
    edition = app.build(now=now, reports=reports)
    assert edition.id is not None and len(edition.stories) >= 20
    send_edition(app, edition.id, clock=lambda: now)
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    for part in msg.walk():
        if part.is_multipart():
            continue
        body = part.get_content()
        for text in (body, html.unescape(body)):
            found = FORBIDDEN.search(text)
            assert found is None, (
                f"{part.get_content_type()}: {text[found.start() - 80 : found.end() + 80]!r}"
            )
    html_part = msg.get_body(("html",))
    assert html_part is not None
    # The only <style> blocks are our theme's (in the head), none from a source.
    assert html_part.get_content().count("<style") <= 2
