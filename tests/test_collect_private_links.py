"""An intranet feed keeps its links: items that link to a private or local host (an
address in 10.0.0.0/8 or 192.168.0.0/16, localhost, a name with no public suffix).

The fast RSS reader (feedparser-rs) gives such a link back empty, without a word; the
items then reached the edition with no link at all, as if the newsroom had written
them. A feed with a link the fast reader dropped is read by feedparser, which keeps it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.collect.feeds import parse_feed

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
ITEMS = [
    ("Staff canteen reopens after the summer works", "http://10.0.0.5/canteen"),
    ("Server room moves to the basement in December", "http://localhost:8080/server-room"),
    ("New parking rules for the east lot", "http://news.intranet/parking"),
    ("Printers on floor three are replaced", "http://192.168.1.20/printers"),
    ("Quarterly figures are out", "https://www.example.com/figures"),
]


def test_links_to_private_and_local_hosts_are_kept() -> None:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f'<guid isPermaLink="false">staff-{n}</guid>'
        f"<pubDate>Thu, 26 Nov 2026 {20 - n:02d}:00:00 +0000</pubDate>"
        "<description>What changes, and from when.</description></item>"
        for n, (title, link) in enumerate(ITEMS)
    )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Staff news</title><link>http://news.intranet/</link>{body}</channel></rss>"
    ).encode()
    articles = parse_feed(feed, source="Staff news", url="http://news.intranet/feed", now=NOW)
    assert {a.title: a.url for a in articles} == dict(ITEMS)
