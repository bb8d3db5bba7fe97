"""The feeds a web page names (RSS autodiscovery), for the error a source gets when its
address is the page and not the feed.

Pasting a site's address as a source is the usual first mistake; feed readers then
look in the page's head for `<link rel="alternate" type="application/rss+xml"
href="...">` (Atom and JSON Feed likewise). digest names what it finds in the
source's error, so the operator puts the feed's own address in the config: following
it on every collect instead would fetch the page each time and hide what the config
really reads. Only http(s) addresses are named, each resolved against the page.
Reads the page's first 256 KB; never fetches anything.
"""

from __future__ import annotations

from typing import Any

from digest.collect.decoding import HTML_PAGE
from digest.collect.hosts import absolute_url

#: What a `<link rel="alternate">` to a feed says its type is.
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)
MAX_NAMED = 3  # feeds named in one message
_HEAD_BYTES = 1 << 18


def named_feeds(page: bytes, base: str | None) -> list[str]:
    """The feed addresses `page` links as alternates, in page order, without repeats."""
    import lxml.html
    from lxml import etree

    try:
        tree: Any = lxml.html.document_fromstring(page[:_HEAD_BYTES])
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        url = absolute_url(link.get("href"), base)
        if "alternate" in rel and kind in FEED_TYPES and url and url not in found:
            found.append(url)
    return found


def named_feeds_text(page: bytes, base: str | None) -> str:
    """`"; it names its feed: URL (put that in the source's url)"` and the like, or ""."""
    found = named_feeds(page, base)
    if not found:
        return ""
    shown = ", ".join(found[:MAX_NAMED]) + (", ..." if len(found) > MAX_NAMED else "")
    what = "its feed" if len(found) == 1 else f"{len(found)} feeds"
    return f"; the page names {what}: {shown} (put the feed's address in the source's url)"


def why_not_a_feed(body: bytes, parsed: Any, url: str | None) -> str:
    """Why feedparser's `parsed` reading of `body` holds no feed: an HTML page (naming
    the feeds it links to), XML it could not read, or no feed element at all."""
    if HTML_PAGE.match(body[:2048]):
        return "an HTML page, not RSS, Atom or JSON Feed" + named_feeds_text(body, url)
    exc = parsed.get("bozo_exception")
    if exc is not None:
        return f"not well-formed XML and no entries could be read ({exc})"
    return "no RSS, Atom or JSON Feed element found"
