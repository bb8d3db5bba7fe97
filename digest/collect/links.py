"""An item's link: what a relative one is resolved against, and the article's own
address out of an aggregator's tracking redirect.

RSS has no rule for a relative link (RSS 2.0 says an item's link is a URL; xml:base
belongs to Atom). Resolved against the feed's own URL, as feedparser does, an item
`<link>/2026/story</link>` of a feed at https://feeds.example.org/news.xml whose
channel `<link>` is https://www.example.org/ went to https://feeds.example.org/2026/story,
a page that is not there; so did an `<a href="/2026/other">` or `<img src="/img/a.jpg">`
in its description or content:encoded (a broken link, a missing picture). An RSS
item's relative URLs, its link and those in its HTML, enclosures and media, are
resolved against the channel's `<link>`, the site, when that is an absolute http(s)
URL and the document has no xml:base (node-feedparser does the same); else against
the feed's URL, as before. Atom keeps RFC 4287's rule (xml:base, else the document's
URL). An item's GUID is still read against the feed's URL: articles keep their keys.

Google Alerts gives every item the link ``https://www.google.com/url?…&url=ARTICLE&…``:
a reader who follows it is counted by Google on the way, and the outlet the link names
is Google's. Where an item's link is such a redirect, with the address it leads to in a
query parameter, the article's own address is used instead. Only these known, open
redirects are read (a parameter that is not an absolute http(s) address leaves the link
as it was); the article's key is made from the link as the feed gave it, so a stored
article stays the same article.

An item whose link is relative in a feed that gives nothing to resolve it against (no
xml:base, a relative channel link, a feed read from a file) is resolved against the
site of its GUID when that is an absolute http(s) address (:func:`guid_site`):
Neverwinter's ``<link>/en/games/neverwinter/news/detail/10743874-…</link>`` with
``<guid isPermaLink="false">http://www.arcgames.com/…/10743874</guid>`` is on
www.arcgames.com; without it the story had no link at all. Only the site is taken
from the GUID (it may not be a page), and only where nothing else resolves the link.

Several items whose link is only their site's home page (Taverncast gives 26 episodes
``http://taverncast.com/``) do not each have that page as their own: "Read more" opened
the home page for every one. Such an item links to its GUID where that is a permalink
(an absolute http(s) address not declared ``isPermaLink="false"``, and not a home page
itself), else to its enclosure (the episode's audio or video), else stays as it was
(:func:`own_page`). One item linking to its home page is left alone (a welcome post).
The article's key is still its GUID; an item without one was keyed by the shared home
page, so all of them were folded into one story.

A link to a part of the same document (``<a href="#footnote-1">``, ``#comments``) is to
the item's own article, whatever the item's other relative URLs are resolved against:
it goes to the article's link (with that fragment), or nowhere when the item has none
(:func:`~digest.collect.sanitize.sanitize_html`'s ``page_url``). feedparser resolves it
against the document first; :func:`fragments_as_written` undoes that.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from digest.collect.hosts import absolute_url

#: An element `<link>` whose text is not an absolute http(s) URL (CDATA or not).
_RELATIVE_LINK = re.compile(rb"<link>\s*(?:<!\[CDATA\[\s*)?(?![Hh][Tt][Tt][Pp][Ss]?://)[^\s<\]]")
#: An href, src or url attribute whose value does not start as an absolute http(s) or
#: mailto: URL, its quote written or escaped (``href=&quot;/a&quot;`` in a description).
#: Searched in the lower-cased document (cheaper than a case-blind pattern).
_RELATIVE_ATTRIBUTE = re.compile(
    rb"\b(?:href|src|url)\s*+=\s*+(?:[\"']|&quot;|&apos;|&#0*3[49];|&#x0*2[27];)?+\s*+"
    rb"(?!https?://|mailto:)"
)
#: The text of each GUID declared not a permalink (``isPermaLink="false"``, any case).
_NAMED_GUID = re.compile(
    rb"""<guid\s[^>]*?\bisPermaLink\s*=\s*["']\s*false\s*["'][^>]*>"""
    rb"""\s*(?:<!\[CDATA\[)?\s*([^<\]\s]+)""",
    re.IGNORECASE,
)
_GOOGLE = re.compile(r"(?:www\.)?google(?:\.[a-z]{2,3}){1,2}")

#: (host pattern, path) -> the query parameter that holds the destination.
_REDIRECTS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (_GOOGLE, "/url", ("url", "q")),  # Google Alerts, Google News e-mail and search
    (re.compile(r"(?:www\.)?bing\.com"), "/news/apiclick.aspx", ("url",)),  # Bing News
    (re.compile(r"lm?\.facebook\.com"), "/l.php", ("u",)),  # Facebook's link shim
)


def unwrap_redirect(url: str | None) -> str | None:
    """The address a known tracking redirect leads to; any other link as it is."""
    if not url or "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    for pattern, path, names in _REDIRECTS:
        if parts.path == path and pattern.fullmatch(host):
            query = dict(parse_qsl(parts.query))
            for name in names:
                target = absolute_url(query.get(name), None)
                if target is not None:
                    return target
    return url


def rss_item_base(version: str | None, channel_link: str | None, body: bytes) -> str | None:
    """What an RSS item's relative URLs (link, HTML, pictures) are resolved against:
    the channel's `<link>` if it is an absolute http(s) URL, `body` has no xml:base and
    something in it may be relative (:func:`may_be_relative`); None: the usual base (an
    Atom feed, xml:base, no such channel link, nothing to resolve)."""
    if not _rss_without_base(version, body) or not may_be_relative(body):
        return None
    return absolute_url(channel_link, None)


def may_be_relative(body: bytes) -> bool:
    """Whether a `<link>`, or an href, src or url attribute (in markup, escaped markup
    or an element), in feed document `body` may be other than an absolute http(s) or
    mailto: URL. It may say so of one that is not (an encoded quote, another scheme);
    it does not miss one."""
    return bool(_RELATIVE_LINK.search(body) or _RELATIVE_ATTRIBUTE.search(body.lower()))


def _rss_without_base(version: str | None, body: bytes) -> bool:
    return (version or "").startswith("rss") and b"xml:base" not in body


def rss_items_as_written(body: bytes, version: str | None) -> tuple[str, list[Any]] | None:
    """The base of :func:`rss_item_base` and the entries as feedparser reads `body`
    without the document's URL and without resolving URLs in their HTML (a relative
    link, the channel's too, and a relative href or src stay as written), to be resolved
    against that base; None where that rule does not apply (nothing to read again)."""
    if not _rss_without_base(version, body) or not may_be_relative(body):
        return None
    import feedparser

    headers = {"content-type": "application/xml"}
    parsed: Any = feedparser.parse(
        io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    site = rss_item_base(parsed.get("version"), parsed.feed.get("link"), body)
    return None if site is None else (site, parsed.entries)


def fragments_as_written(html: str, base: str | None) -> str:
    """HTML that feedparser resolved against `base` with each link to a part of the
    document written back as the feed wrote it: ``href="#note-1"``, which it made
    ``href="BASE#note-1"`` (the feed's URL, its xml:base). Such a link is to the item's
    own article; :func:`~digest.collect.sanitize.sanitize_html` sends it there. (A link
    the feed wrote as BASE#note-1 reads the same: to the feed document's part, no page.)
    """
    if not base or not html:
        return html
    document = base.partition("#")[0]
    # feedparser writes attribute values in double quotes, a bare "&" as "&amp;".
    for written in dict.fromkeys((document, document.replace("&", "&amp;"))):
        if (resolved := f'href="{written}#') in html:
            html = html.replace(resolved, 'href="#')
    return html


def guid_site(guid: str | None) -> str | None:
    """The site (``scheme://host/``) of an absolute http(s) GUID, else None."""
    url = absolute_url(guid, None)
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def home_page_host(url: str | None) -> str | None:
    """The host (lower case, without "www.") when `url` is a site's home page (an
    absolute http(s) address with no path but "/" and no query), else None."""
    if absolute_url(url, None) is None:
        return None
    parts = urlsplit(url or "")
    if parts.path not in ("", "/") or parts.query:
        return None
    return (parts.hostname or "").lower().removeprefix("www.") or None


def shared_home_pages(links: Iterable[str | None]) -> frozenset[str]:
    """The hosts whose home page is the link of two or more of `links`."""
    counts = Counter(host for host in map(home_page_host, links) if host)
    return frozenset(host for host, n in counts.items() if n >= 2)


def named_guids(body: bytes) -> frozenset[str]:
    """The GUIDs feed document `body` declares names, not addresses (isPermaLink="false")."""
    if b"ermalink" not in body.lower():
        return frozenset()
    return frozenset(m.decode("utf-8", "replace") for m in _NAMED_GUID.findall(body))


def own_page(
    link: str | None, permalink: str | None, enclosure: str | None, shared: frozenset[str]
) -> str | None:
    """An item's own page: its `link`, unless that is a home page several items share
    (`shared`: :func:`shared_home_pages`); then its `permalink` GUID (absolute http(s)
    and not a home page), else its `enclosure`, else `link` (see the module)."""
    if home_page_host(link) not in shared:
        return link
    page = absolute_url(permalink, None)
    if page is not None and home_page_host(page) is None:
        return page
    return absolute_url(enclosure, None) or link
