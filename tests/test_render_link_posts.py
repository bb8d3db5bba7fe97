"""A link post (a blog item about another site's article: JSON Feed ``external_url``
beside ``url``, Atom ``rel="related"`` beside ``rel="alternate"``) is the blogger's own
post: the story credits the blog, so its links open the blog's post (which carries the
commentary shown and links on to the article), never the other site under the blog's
name. "Read more at <outlet>" must name the site the link opens, in HTML and text."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

from digest.app import App
from digest.config import load
from digest.render import Rendered
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)

JSON_POST = "https://linkblog.example/linked/2026/11/26/ferry-strike"
JSON_ELSEWHERE = "https://harbour-news.example.com/2026/11/26/ferry-strike-strands-tourists"
ATOM_POST = "https://atomblog.example/linked/2026/11/26/telescope-comet"
ATOM_ELSEWHERE = "https://sky-weekly.example.org/telescope-spots-distant-comet"


def _json_feed() -> str:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Link Blog",
        "home_page_url": "https://linkblog.example/",
        "feed_url": "https://linkblog.example/feeds/json",
        "items": [{
            "id": "https://linkblog.example/linked/ferry-strike",
            "url": JSON_POST,
            "external_url": JSON_ELSEWHERE,
            "title": "Ferry strike strands tourists",
            "content_html": "<p>Ferry crews walked out at dawn, stranding thousands of "
            "tourists on the islands. My take: the operator saw this coming.</p>",
            "date_published": "2026-11-26T20:00:00Z",
        }],
    })  # fmt: skip


def _atom_feed() -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom Blog</title>
<link rel="alternate" type="text/html" href="https://atomblog.example/"/>
<link rel="self" type="application/atom+xml" href="https://atomblog.example/feeds/main"/>
<id>https://atomblog.example/</id>
<updated>2026-11-26T21:00:00Z</updated>
<entry>
<title>Telescope spots distant comet</title>
<link rel="alternate" type="text/html" href="{ATOM_ELSEWHERE}"/>
<link rel="related" type="text/html" href="{ATOM_POST}"/>
<id>tag:atomblog.example,2026:/linked/telescope-comet</id>
<published>2026-11-26T21:00:00Z</published>
<updated>2026-11-26T21:00:00Z</updated>
<author><name>A. Blogger</name></author>
<content type="html">&lt;p&gt;The survey telescope caught a comet beyond Neptune's orbit.
Astronomers are thrilled, and so am I.&lt;/p&gt;</content>
</entry>
</feed>
"""


def _project(folder: Path, feeds: dict[str, Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sources = "".join(f'[[sources]]\nname = "{n}"\nurl = "{p}"\n\n' for n, p in feeds.items())
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Test Brief"
sender = "The Test Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"

{sources}
[edition]
leads = 3
teasers = 60
max_age_hours = 1000000

[[lists]]
name = "daily"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "sqlite:///digest.db"
""")
    return config


def _rendered(config: Path) -> Rendered:
    app = App(load(config))
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.stories
    return app.renderer.render(edition)


def _read_more(html: str) -> dict[str, str]:
    """Each "Read more at …" link of the HTML part: its href → its visible label."""
    links = lxml.html.document_fromstring(html).iter("a")
    found = {(a.get("href") or ""): " ".join(a.text_content().split()) for a in links}
    return {href: label for href, label in found.items() if label.startswith("Read more at")}


def _text_read_more(text: str) -> list[str]:
    return re.findall(r"Read more:\s*(https?://\S+)", text)


def test_a_link_post_opens_the_blogs_own_post_under_the_blogs_name(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "linkblog.json").write_text(_json_feed(), encoding="utf-8")
    (feeds / "atomblog.atom").write_text(_atom_feed(), encoding="utf-8")
    sources = {"Link Blog": feeds / "linkblog.json", "Atom Blog": feeds / "atomblog.atom"}
    rendered = _rendered(_project(tmp_path / "news", sources))

    labels = _read_more(rendered.html)
    assert labels.get(JSON_POST) == "Read more at Link Blog →", labels
    assert labels.get(ATOM_POST) == "Read more at Atom Blog →", labels
    hrefs = {a.get("href") for a in lxml.html.document_fromstring(rendered.html).iter("a")}
    assert JSON_ELSEWHERE not in hrefs and ATOM_ELSEWHERE not in hrefs
    # The text part credits the blog on the story's line: its link is the blog's too.
    assert sorted(_text_read_more(rendered.text)) == sorted([JSON_POST, ATOM_POST])


def test_daring_fireball_stories_open_daring_fireball(tmp_path: Path) -> None:
    """The QA finding on the real feeds: "Read more at Daring Fireball" opened
    computerhistory.org, theverge.com … (both the JSON Feed and the Atom feed)."""
    corpus = require_corpus()
    for name in ("blog-daringfireball.json", "blog-daringfireball.atom"):
        sources = {"Daring Fireball": corpus / "feeds" / name}
        rendered = _rendered(_project(tmp_path / name, sources))
        labels = _read_more(rendered.html)
        assert labels, name
        for href, label in labels.items():
            assert label == "Read more at Daring Fireball →", (name, href, label)
            assert urlsplit(href).hostname == "daringfireball.net", (name, href)
        shown = _text_read_more(rendered.text)
        assert shown, name
        assert all(urlsplit(u).hostname == "daringfireball.net" for u in shown), (name, shown)
