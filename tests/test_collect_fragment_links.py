"""A link to a part of the same article ("#footnote-1") goes to that part of the article.

An item's HTML that says `<a href="#footnote-1">1</a>` or `<a href="#comments">` means
"this document": the article the item is. It was resolved against whatever the item's
other relative URLs are resolved against (the channel's link, the feed's URL, an Atom
document's URL or xml:base), so the reader who followed it landed on the site's home
page or on the feed, plus "#footnote-1". It now goes to the item's own article link;
an item without one has nothing to point at, so the link is dropped and its text kept.
The feeds here are our own, parsed for real, on each parser path that reads them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.records import Article

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
FEED_URL = "https://feeds.example.org/news.xml"
SITE = "https://www.example.org/"
STORY = "https://www.example.org/2026/story"
#: An item's HTML: two same-document links, a relative link and an absolute one.
HTML = (
    '<p>The harbour reopened on Sunday<a href="#footnote-1">1</a>, the council said '
    '(<a href="#comments">read the comments</a>, <a href="/about">about us</a>, '
    '<a href="https://elsewhere.example.net/map">the map</a>).</p>'
    '<p id="footnote-1">1. After the storm of 30 November.</p>'
)
#: An element outside the fast path's profile: the document is read by feedparser.
SLOW = '<foo:rating xmlns:foo="urn:example:rating">5</foo:rating>'


def hrefs(article: Article) -> dict[str, str]:
    """Each link of the article's HTML, by its text."""
    found = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', article.html)
    return {text: href for href, text in found}


def rss(channel_link: str, item_link: str | None, *, extra: str = "") -> bytes:
    link = f"<link>{item_link}</link>" if item_link else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>News</title><link>{channel_link}</link><description>d</description>"
        f'<item><title>Harbour reopens</title>{link}<guid isPermaLink="false">id-1</guid>'
        f"<pubDate>Sat, 05 Dec 2026 08:00:00 GMT</pubDate>{extra}"
        f"<description><![CDATA[{HTML}]]></description></item></channel></rss>"
    ).encode()


def atom(entry_link: str | None, *, xml_base: str = "") -> bytes:
    link = f'<link href="{entry_link}"/>' if entry_link else ""
    based = f' xml:base="{xml_base}"' if xml_base else ""
    content = HTML.replace("&", "&amp;").replace("<", "&lt;")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{based}><title>News</title>'
        f'<link href="{SITE}"/><id>urn:x</id><updated>2026-12-05T08:00:00Z</updated>'
        f"<entry><title>Harbour reopens</title>{link}<id>urn:x:1</id>"
        f'<updated>2026-12-05T08:00:00Z</updated><content type="html">{content}</content>'
        "</entry></feed>"
    ).encode()


def json_feed(item_url: str | None) -> bytes:
    item = {"id": "1", "title": "Harbour reopens", "content_html": HTML}
    if item_url:
        item["url"] = item_url
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "News", "items": [item]}
    doc["home_page_url"] = SITE
    return json.dumps(doc).encode()


def read(body: bytes) -> Article:
    (article,) = read_feed(body, source="news", url=FEED_URL, now=NOW).articles
    return article


CASES = {
    "rss, fast path": rss(SITE, STORY),
    "rss, feedparser": rss(SITE, STORY, extra=SLOW),
    "rss, no channel link": rss("/", STORY),
    "rss, relative item link": rss(SITE, "/2026/story"),
    "atom": atom(STORY),
    "atom, xml:base": atom(STORY, xml_base="https://archive.example.org/x/"),
    "json feed": json_feed(STORY),
}


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
def test_a_fragment_link_goes_to_that_part_of_the_items_own_article(body: bytes) -> None:
    article = read(body)
    assert article.url == STORY
    links = hrefs(article)
    assert links["1"] == f"{STORY}#footnote-1"
    assert links["read the comments"] == f"{STORY}#comments"
    assert links["the map"] == "https://elsewhere.example.net/map"


def test_the_items_other_relative_links_keep_their_base() -> None:
    assert hrefs(read(rss(SITE, STORY)))["about us"] == "https://www.example.org/about"
    assert hrefs(read(atom(STORY)))["about us"] == "https://feeds.example.org/about"


NO_LINK = {
    "rss, fast path": rss(SITE, None),
    "rss, feedparser": rss(SITE, None, extra=SLOW),
    "rss, no channel link": rss("/", None),
    "atom": atom(None),
    "json feed": json_feed(None),
}


@pytest.mark.parametrize("body", NO_LINK.values(), ids=NO_LINK.keys())
def test_an_item_without_a_link_keeps_a_fragment_links_text_and_drops_the_link(
    body: bytes,
) -> None:
    article = read(body)
    assert article.url is None
    links = hrefs(article)
    assert "1" not in links and "read the comments" not in links
    assert not re.search(r"<a\b[^>]*>(?:1|read the comments)</a>", article.html)
    assert "Sunday1, the council said (read the comments, about us" in article.text
    assert links["the map"] == "https://elsewhere.example.net/map"


def test_a_fragment_link_goes_to_the_article_not_to_the_aggregators_redirect() -> None:
    redirect = "https://www.google.com/url?rct=j&amp;url=https://www.example.org/2026/story"
    article = read(rss(SITE, redirect))
    assert article.url == STORY
    assert hrefs(article)["1"] == f"{STORY}#footnote-1"
