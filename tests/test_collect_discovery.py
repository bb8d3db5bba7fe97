"""A source whose address is the site's page, not its feed, is told where the feed is.

Pasting a site's address as a source is the usual first mistake. The collect said
"an HTML page, not RSS, Atom or JSON Feed" and left the operator to find the feed;
feed readers look in the page's head for `<link rel="alternate" ...>`. The error now
names the feeds the page links, resolved against the page's address. A real HTTP
server on loopback and the real collect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.app import App
from digest.collect.discovery import named_feeds
from tests.conftest import write_project
from tests.feedserver import sample_feed, serve_feeds

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _page(head: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>Harbour Herald</title>{head}</head>"
        "<body><h1>Harbour Herald</h1><p>Today's news.</p></body></html>"
    ).encode()


def test_the_error_names_the_feed_the_page_links(tmp_path: Path) -> None:
    pages = {
        "/": _page(
            '<link rel="alternate" type="application/rss+xml" title="All news" href="/rss.xml">'
            '<link rel="stylesheet" href="/style.css">'
        ),
        "/plain": _page(""),
        "/rss.xml": sample_feed(1, items=3),
    }
    with serve_feeds(pages) as server:
        sources = "".join(
            f'[[sources]]\nname = "{name}"\nurl = "{server.url(path)}"\n\n'
            for name, path in (("Herald", "/"), ("Plain", "/plain"), ("Feed", "/rss.xml"))
        )
        app = App.from_config(write_project(tmp_path / "news", sources=sources))
        reports = {r.name: r for r in app.collect(now=NOW)}
        feed = server.url("/rss.xml")
    herald = reports["Herald"].error or ""
    assert "an HTML page, not RSS, Atom or JSON Feed" in herald
    assert f"the page names its feed: {feed} (put the feed's address in the source's url)" in (
        herald
    )
    plain = reports["Plain"].error or ""
    assert plain.endswith(f"an HTML page, not RSS, Atom or JSON Feed ({server.url('/plain')})")
    assert reports["Feed"].error is None and len(reports["Feed"].articles) == 3


def test_only_feed_alternates_with_web_addresses_are_named_and_at_most_three() -> None:
    head = (
        '<link rel="alternate" hreflang="de" href="/de/">'  # a translation, not a feed
        '<link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        '<link rel="Alternate Home" type="application/feed+json; charset=utf-8" '
        'href="https://cdn.example.org/feed.json">'
        '<link rel="alternate" type="application/rss+xml" href="atom.xml">'  # a repeat
    )
    found = named_feeds(_page(head), "https://herald.example.org/news/")
    assert found == [
        "https://herald.example.org/news/atom.xml",
        "https://cdn.example.org/feed.json",
    ]
    many = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/s{n}.xml">' for n in range(5)
    )
    from digest.collect.discovery import named_feeds_text

    text = named_feeds_text(_page(many), "https://herald.example.org/")
    assert text.startswith("; the page names 5 feeds: https://herald.example.org/s0.xml, ")
    assert "s2.xml, ..." in text and "s3.xml" not in text
