"""A link post (a blog item about another site's article: JSON Feed ``external_url``
beside ``url``, Atom ``rel="related"`` beside ``rel="alternate"``) is the blogger's own
post: the story credits the blog, so its links open the blog's post (which carries the
commentary shown and links on to the article), never the other site under the blog's
name. "Read more at <outlet>" must name the site the link opens, in HTML and text.

The article the post is about is still shown, under the story: "Link: example.com" (its
host, without "www.") linking it in the HTML part, "Link: <address>" in the text part,
tracked as every story link is (the publisher's trackers off, our campaign parameters
on), and only when it is an http(s) address."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from digest.app import App
from digest.config import load
from digest.lint import lint_message
from digest.render import Rendered
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)

JSON_POST = "https://linkblog.example/linked/2026/11/26/ferry-strike"
JSON_ELSEWHERE = "https://harbour-news.example.com/2026/11/26/ferry-strike-strands-tourists"
ATOM_POST = "https://atomblog.example/linked/2026/11/26/telescope-comet"
ATOM_ELSEWHERE = "https://www.sky-weekly.example.org/telescope-spots-distant-comet"


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


def _project(folder: Path, feeds: dict[str, Path], newsletter: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sources = "".join(f'[[sources]]\nname = "{n}"\nurl = "{p}"\n\n' for n, p in feeds.items())
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Test Brief"
sender = "The Test Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"
{newsletter}

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


def _link_lines(html: str) -> list[tuple[str, str]]:
    """Each "Link: host" line of the HTML part: its visible words and its link's href."""
    found = []
    for p in lxml.html.document_fromstring(html).iter("p"):
        words = " ".join(p.text_content().split())
        if words.startswith("Link:"):
            (a,) = p.iter("a")
            found.append((words, a.get("href") or ""))
    return found


def _links(html: str) -> dict[str, str]:
    """:func:`_link_lines` as a dict (where no two name one host)."""
    return dict(_link_lines(html))


def _text_links(text: str) -> list[str]:
    return re.findall(r"Link:\s*(https?://\S+)", text)


def _story_blocks(html: str) -> dict[str, str]:
    """Each story block of the HTML part (lead or teaser): its headline → its words."""
    found = {}
    for td in lxml.html.document_fromstring(html).iter("td"):
        if {"lead", "teaser"} & set(td.classes):
            title = next(td.iter("h2", "h4"))
            found[" ".join(title.text_content().split())] = " ".join(td.text_content().split())
    return found


def _message(data: bytes) -> tuple[str, str]:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    return parts["text/html"], parts["text/plain"]


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
    # The other site's article is linked only by the story's "Link:" line.
    hrefs = [a.get("href") for a in lxml.html.document_fromstring(rendered.html).iter("a")]
    assert hrefs.count(JSON_ELSEWHERE) == 1 and hrefs.count(ATOM_ELSEWHERE) == 1
    assert sorted(_links(rendered.html).values()) == sorted([JSON_ELSEWHERE, ATOM_ELSEWHERE])
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
        # The articles the posts are about are shown under them, named by their hosts.
        links = _link_lines(rendered.html)
        assert links, name
        for words, href in links:
            host = (urlsplit(href).hostname or "").removeprefix("www.")
            assert words == f"Link: {host}" and host != "daringfireball.net", (name, words)
        assert sorted(_text_links(rendered.text)) == sorted(h for _, h in links), name


UTM = 'utm = { source = "brief" }'


def _tracked(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}utm_source=brief"


def _blog(items: list[dict[str, Any]]) -> str:
    """A JSON Feed of Link Blog with `items` (each dated and with a text of its own)."""
    for n, item in enumerate(items):
        item.setdefault("id", f"https://linkblog.example/posts/{n}")
        item.setdefault("date_published", f"2026-11-26T{10 + n:02d}:00:00Z")
        item.setdefault("content_html", f"<p>{item['title']}: what the blogger made of it, "
                        "in a paragraph long enough to be the story's standfirst.</p>")  # fmt: skip
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Link Blog",
            "home_page_url": "https://linkblog.example/", "items": items}  # fmt: skip
    return json.dumps(feed)


def _collected(tmp_path: Path, feeds: dict[str, str]) -> tuple[App, int]:
    folder = tmp_path / "feeds"
    folder.mkdir()
    sources = {}
    for name, body in feeds.items():
        path = folder / f"{len(sources)}.{'json' if body.startswith('{') else 'atom'}"
        path.write_text(body, encoding="utf-8")
        sources[name] = path
    app = App(load(_project(tmp_path / "news", sources, newsletter=UTM)))
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.id is not None and edition.stories
    return app, edition.id


def test_a_link_post_shows_the_article_it_is_about_under_the_story(tmp_path: Path) -> None:
    """Collected, stored, built and rendered as a subscriber gets it: under the blog's
    story, "Link: harbour-news.example.com" opens the article the post is about."""
    app, edition_id = _collected(tmp_path, {"Link Blog": _json_feed(), "Atom Blog": _atom_feed()})
    data = app.preview(edition_id, email=None, now=NOW).message
    html, text = _message(data)

    links = _links(html)
    assert links == {
        "Link: harbour-news.example.com": _tracked(JSON_ELSEWHERE),
        "Link: sky-weekly.example.org": _tracked(ATOM_ELSEWHERE),  # the host, no "www."
    }
    blocks = _story_blocks(html)
    assert "Link: harbour-news.example.com" in blocks["Ferry strike strands tourists"]
    assert "Link: sky-weekly.example.org" in blocks["Telescope spots distant comet"]
    # "Read more at" still opens the blog's own post, under the blog's name.
    assert sorted(_read_more(html)) == sorted(map(_tracked, [JSON_POST, ATOM_POST]))
    # The text part gives the address, as it gives the story's own.
    assert sorted(_text_links(text)) == sorted(map(_tracked, [JSON_ELSEWHERE, ATOM_ELSEWHERE]))
    ferry = text.index("Ferry strike strands tourists")
    assert ferry < text.index(_tracked(JSON_ELSEWHERE)) < text.index(_tracked(JSON_POST))
    assert not [f for f in lint_message(data) if f.level == "error"]


def test_only_a_link_posts_other_article_is_shown_and_only_a_web_address(tmp_path: Path) -> None:
    """No "Link:" line under a story that is no link post, nor for an address that is
    not http(s); a tracker the other site added is taken off as from any story link; a
    placeholder-like text in the address stays text (never a subscriber's link); a
    user name before the host is no host the line names."""
    tracked = "https://dockside.example.net/cranes?id=7&fbclid=AbC123"
    forged = "https://quay.example.net/boats?u=@@UNSUBSCRIBE_URL@@"
    items = [
        {"title": "Harbour cranes idle", "url": "https://linkblog.example/cranes",
         "external_url": tracked},
        {"title": "Pilot boats return", "url": "https://linkblog.example/boats",
         "external_url": forged},
        {"title": "Lighthouse keeper retires", "url": "https://linkblog.example/keeper"},
        {"title": "Ferry timetable leaked", "url": "https://linkblog.example/timetable",
         "external_url": "ftp://files.example.net/timetable.pdf"},
        {"title": "Canal frozen over", "url": "https://linkblog.example/canal",
         "external_url": "javascript:alert(1)"},
        {"title": "Wire service moves office", "url": "https://linkblog.example/wire",
         "external_url": "https://www.wire-news.example@lookalike.example/office"},
    ]  # fmt: skip
    app, edition_id = _collected(tmp_path, {"Link Blog": _blog(items)})
    html, text = _message(app.preview(edition_id, email=None, now=NOW).message)
    blocks = _story_blocks(html)
    assert set(blocks) == {i["title"] for i in items}
    with_link = {title for title, words in blocks.items() if "Link:" in words}
    assert with_link == {"Harbour cranes idle", "Pilot boats return", "Wire service moves office"}
    assert _links(html) == {
        "Link: dockside.example.net": _tracked("https://dockside.example.net/cranes?id=7"),
        "Link: quay.example.net": _tracked(forged),
        # The host the link opens, never the name written before an "@".
        "Link: lookalike.example": _tracked("https://lookalike.example/office"),
    }
    assert sorted(_text_links(text)) == sorted(_links(html).values())
    assert "ftp:" not in html + text and "javascript:" not in html + text


def test_an_edition_stored_before_the_other_article_was_kept_still_renders(
    tmp_path: Path,
) -> None:
    """An edition stored without the field (its payload as an older digest wrote it)
    renders as it did: its stories, no "Link:" line."""
    app, edition_id = _collected(tmp_path, {"Link Blog": _json_feed()})
    db = sqlite3.connect(tmp_path / "news" / "digest.db")
    with db:
        query = "SELECT payload FROM editions WHERE id = ?"
        (payload,) = db.execute(query, (edition_id,)).fetchone()
        stored = json.loads(payload)
        stories = [s for part in ("leads", "teasers", "reserve") for s in stored.get(part, ())]
        assert any(s.get("linked") == JSON_ELSEWHERE for s in stories)
        for s in stories:
            s.pop("linked", None)
        db.execute("UPDATE editions SET payload = ? WHERE id = ?", (json.dumps(stored), edition_id))
    db.close()
    html, text = _message(app.preview(edition_id, email=None, now=NOW).message)
    assert "Ferry strike strands tourists" in _story_blocks(html)
    assert _links(html) == {} and _text_links(text) == []
    assert _read_more(html) == {_tracked(JSON_POST): "Read more at Link Blog →"}
