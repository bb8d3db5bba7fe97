"""The links and pictures in an RSS item's HTML go to the site, as its link does.

A feed at https://feeds.example.org/news.xml whose channel `<link>` is the site,
https://www.example.org/, and whose item's description says `<a href="/2026/other">`
and `<img src="/img/a.jpg">`: the reader's link and picture are on www.example.org.
They were resolved against the feed's URL, on feeds.example.org, where neither is:
a broken link and a missing picture (the lead picture too) in the edition. The item's
HTML now takes the base its `<link>` takes (see test_collect_relative_links), on both
parser paths; Atom, xml:base and a channel link that is not an absolute http(s) URL
keep the feed's URL as the base.
"""

from __future__ import annotations

import html
import re

import pytest

from digest.collect.feeds import read_feed
from digest.records import Article
from tests.test_collect_fastxml import NOW, both_ways
from tests.test_collect_relative_links import SLOW

FEED_URL = "https://feeds.example.org/news.xml"
SITE = "https://www.example.org/"
CONTENT_NS = ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'

#: The body of each item: a relative link and picture, and what must stay as it is.
BODY = (
    '<p>The harbour reopened. <a href="/2026/other">The other story</a>, '
    '<a href="more.html">more</a>, <a href="https://elsewhere.example.net/p">elsewhere</a>, '
    '<a href="mailto:desk@example.org">write</a>, <a href="javascript:alert(1)">bad</a>.</p>'
    '<p><img src="/img/a.jpg" alt="Harbour" width="640" height="400"> '
    '<img src="//cdn.example.org/x.jpg" width="640" height="400"> '
    '<img src="data:image/png;base64,AAAA" width="640" height="400"></p>'
)
PLAIN = "A plain standfirst about the harbour reopening this morning after the storm."


def rss(channel_link: str, *, extra: str = "", root_attrs: str = "") -> bytes:
    """Item 1 holds BODY in its description (escaped), item 2 in its content:encoded."""
    items = (
        f"<item><title>Story 1</title><link>/2026/story</link>"
        f"<description>{html.escape(BODY)}</description>"
        f'<guid isPermaLink="false">id-1</guid>'
        f"<pubDate>Sat, 05 Dec 2026 01:00:00 GMT</pubDate>{extra}</item>"
        f"<item><title>Story 2</title><link>https://www.example.org/2026/two</link>"
        f"<description>{PLAIN}</description><content:encoded><![CDATA[{BODY}]]></content:encoded>"
        f'<guid isPermaLink="false">id-2</guid>'
        f"<pubDate>Sat, 05 Dec 2026 02:00:00 GMT</pubDate>{extra}</item>"
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{CONTENT_NS}{root_attrs}>'
        f"<channel><title>News</title><link>{channel_link}</link><description>d</description>"
        f"{items}</channel></rss>"
    ).encode()


def articles(body: bytes) -> tuple[Article, ...]:
    return read_feed(body, source="news", url=FEED_URL, now=NOW).articles


def urls(article: Article) -> list[str]:
    """Every href and src in the article's sanitised HTML, in order."""
    found = re.findall(r'\b(?:href|src)="([^"]*)"', article.html)
    return [html.unescape(url) for url in found]


def at(host: str, more: str) -> list[str]:
    """BODY's URLs as a reader must get them: "/…" on `host`, "more.html" at `more`."""
    return [
        f"{host}/2026/other",
        more,
        "https://elsewhere.example.net/p",
        "mailto:desk@example.org",
        f"{host}/img/a.jpg",
        "https://cdn.example.org/x.jpg",
    ]


@pytest.mark.parametrize("extra", ["", SLOW], ids=["fast path", "feedparser"])
def test_relative_links_and_pictures_in_an_rss_item_go_to_the_site(extra: str) -> None:
    for article in articles(rss("https://www.example.org/blog/", extra=extra)):
        assert urls(article) == at(
            "https://www.example.org", "https://www.example.org/blog/more.html"
        ), article.title
        assert article.image is not None
        assert article.image.url == "https://www.example.org/img/a.jpg", article.title
        assert "javascript" not in article.html and "data:" not in article.html


@pytest.mark.parametrize("extra", ["", SLOW], ids=["fast path", "feedparser"])
def test_without_an_absolute_channel_link_the_feeds_url_is_the_base(extra: str) -> None:
    for channel in ("/en/news", "", "ftp://files.example.org/"):
        for article in articles(rss(channel, extra=extra)):
            assert urls(article) == at(
                "https://feeds.example.org", "https://feeds.example.org/more.html"
            ), (channel, article.title)
            assert article.image is not None
            assert article.image.url == "https://feeds.example.org/img/a.jpg"


def test_xml_base_and_atom_keep_their_rules() -> None:
    based = rss(SITE, root_attrs=' xml:base="https://archive.example.org/blog/"')
    for article in articles(based):
        assert urls(article)[:2] == [
            "https://archive.example.org/2026/other",
            "https://archive.example.org/blog/more.html",
        ]
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b'<title>News</title><link href="https://www.example.org/"/><id>urn:x</id>'
        b"<updated>2026-12-05T00:00:00Z</updated><entry><title>Story</title>"
        b'<link href="/2026/story"/><id>urn:x:1</id><updated>2026-12-05T00:00:00Z</updated>'
        b'<content type="html">' + html.escape(BODY).encode() + b"</content></entry></feed>"
    )
    (article,) = articles(atom)
    assert urls(article)[0] == "https://feeds.example.org/2026/other"  # RFC 4287
    assert article.image is not None
    assert article.image.url == "https://feeds.example.org/img/a.jpg"


def test_a_relative_enclosure_picture_goes_to_the_site() -> None:
    """The lead picture an enclosure names takes the item's base too, as its HTML's."""
    for path, expected in (
        ("/img/lead.jpg", "img/lead.jpg"),
        ("img/lead.jpg", "blog/img/lead.jpg"),
    ):
        enclosure = f'<enclosure url="{path}" type="image/jpeg" length="1000"/>'
        for article in articles(rss("https://www.example.org/blog/", extra=enclosure)):
            assert article.image is not None
            assert article.image.url == f"https://www.example.org/{expected}", path


def test_both_parser_paths_read_the_items_html_alike() -> None:
    reference, fast = both_ways(rss("https://www.example.org/blog/"), FEED_URL)
    assert fast is not None, "the fast path should take this feed"
    for theirs, ours in zip(reference.articles, fast.articles, strict=True):
        assert urls(ours) == urls(theirs)
        assert ours.image == theirs.image
