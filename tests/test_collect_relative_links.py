"""An RSS item's relative link goes to the site, not to the host the feed is served from.

A feed at https://feeds.example.org/news.xml whose channel `<link>` is the site,
https://www.example.org/, and whose item says `<link>/2026/story</link>`: the story is
https://www.example.org/2026/story. It was resolved against the feed's URL,
https://feeds.example.org/2026/story, a page that is not there, on both parser paths.
Atom keeps its rule (xml:base, else the document's URL), as does an RSS document
with xml:base or a channel link that is not an absolute http(s) URL.
"""

from __future__ import annotations

import pytest

from digest.collect.feeds import read_feed
from tests.test_collect_fastxml import NOW, both_ways

FEED_URL = "https://feeds.example.org/news.xml"
SITE = "https://www.example.org/"


def rss(channel_link: str, *, extra: str = "", root_attrs: str = "") -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link>"
        f"<description>Text of story {n} about the harbour.</description>"
        f'<guid isPermaLink="false">id-{n}</guid>'
        f"<pubDate>Sat, 05 Dec 2026 0{n}:00:00 GMT</pubDate>{extra}</item>"
        for n, link in enumerate(
            ("/2026/story", "2026/next.html", "https://elsewhere.example.net/a"), start=1
        )
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{root_attrs}><channel>'
        f"<title>News</title><link>{channel_link}</link><description>d</description>"
        f"{items}</channel></rss>"
    ).encode()


def links(body: bytes) -> list[str | None]:
    parsed = read_feed(body, source="news", url=FEED_URL, now=NOW)
    return [a.url for a in parsed.articles]


#: An element outside the fast path's profile: the document is read by feedparser.
SLOW = '<foo:rating xmlns:foo="urn:example:rating">5</foo:rating>'


@pytest.mark.parametrize("extra", ["", SLOW], ids=["fast path", "feedparser"])
def test_a_relative_item_link_is_resolved_against_the_channel_link(extra: str) -> None:
    assert links(rss(SITE, extra=extra)) == [
        "https://www.example.org/2026/story",
        "https://www.example.org/2026/next.html",
        "https://elsewhere.example.net/a",
    ]
    assert links(rss("https://www.example.org/blog/", extra=extra))[:2] == [
        "https://www.example.org/2026/story",
        "https://www.example.org/blog/2026/next.html",
    ]


@pytest.mark.parametrize("extra", ["", SLOW], ids=["fast path", "feedparser"])
def test_without_an_absolute_channel_link_the_feeds_url_is_the_base(extra: str) -> None:
    for channel in ("/en/news", "", "ftp://files.example.org/"):
        assert links(rss(channel, extra=extra))[:2] == [
            "https://feeds.example.org/2026/story",
            "https://feeds.example.org/2026/next.html",
        ], channel


def test_xml_base_and_atom_keep_their_rules() -> None:
    based = rss(SITE, root_attrs=' xml:base="https://archive.example.org/x/"')
    assert links(based)[:2] == [
        "https://archive.example.org/2026/story",
        "https://archive.example.org/x/2026/next.html",
    ]
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b'<title>News</title><link href="https://www.example.org/"/><id>urn:x</id>'
        b"<updated>2026-12-05T00:00:00Z</updated><entry><title>Story</title>"
        b'<link href="/2026/story"/><id>urn:x:1</id><updated>2026-12-05T00:00:00Z</updated>'
        b"<summary>Text of the story about the harbour.</summary></entry></feed>"
    )
    assert links(atom) == ["https://feeds.example.org/2026/story"]  # RFC 4287: the document


def test_both_parser_paths_read_the_links_alike() -> None:
    reference, fast = both_ways(rss(SITE), FEED_URL)
    assert fast is not None, "the fast path should take this feed"
    assert [a.url for a in fast.articles] == [a.url for a in reference.articles]
