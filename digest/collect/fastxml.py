"""The fast path for XML feeds: feedparser-rs (Rust) where it reads a feed as feedparser would.

feedparser (pure Python) spends ~55 ms on a 57 KB feed; feedparser-rs reads it in ~2 ms.
It is not a drop-in replacement in every corner, so :func:`read_fast` takes a document
only when nothing in it is a known point of difference, and returns None otherwise; the
caller then parses it with feedparser, which stays the reference. What "known point of
difference" means was found by parsing every feed of the shared corpus both ways and
comparing the articles built (``tests/test_collect_fastxml.py`` keeps that proof):

- any element outside :data:`PLAIN` and the few namespaced ones listed below (Atom,
  media, podcast, Dublin Core dates...), or a namespace prefix bound elsewhere: those
  are where the two disagree (authors, dates, links, images) or were never compared;
- a document that is not UTF-8 or not well-formed (expat, strict), that feedparser-rs
  calls malformed (``bozo``) or of an unknown version, where it finds no entries, or
  other entries than there are ``<item>`` tags: feedparser's recovery is the reference
  (and its error messages are the ones we report);
- ``xml:base`` or a FeedBurner ``origLink``, an ``href``/``src`` in an entry's HTML
  that feedparser would rewrite (relative, another scheme, an empty ``?`` or ``#``;
  but not in an RSS item whose relative URLs go to the site, whose HTML both paths
  sanitise as written: see :mod:`digest.collect.links`), or a GUID it would resolve
  as a URL (any but an absolute http(s) one, unless every GUID says
  ``isPermaLink="false"``);
- an entry with a date feedparser-rs could not read, or a text construct of a type
  other than plain text, HTML or XHTML;
- an empty element (``<comments/>``) in an item: feedparser-rs skips the element
  after it (a GUID lost, and the article's key with it).
- an RSS 1.0 ``<image>``: feedparser does not read it (it reads RSS 2.0's), and the
  feed's own picture decides which pictures are stories' (:mod:`digest.collect.pictures`).

What remains differs only in the order of an HTML tag's attributes (feedparser sorts
them), which sanitising keeps and nothing reads.

Only ``bytes`` are ever passed: feedparser-rs fetches a *string* that looks like a URL.
"""

from __future__ import annotations

import html as htmlmod
import re
from collections.abc import Iterable
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import urljoin, urlparse, urlunparse, uses_relative
from xml.parsers import expat

from digest.collect.aggregators import home_sites
from digest.collect.entry import (
    Entry,
    feed_date,
    language_tag,
    link_post,
    plain_text_html,
    related_links,
)
from digest.collect.hosts import absolute_url
from digest.collect.links import guid_site, rss_item_base, shared_home_pages
from digest.collect.pictures import own_pictures
from digest.records import Image

#: Versions feedparser-rs reads like feedparser (``version`` of its result).
VERSIONS = frozenset({"rss20", "rss091u", "rss092", "rss10", "atom10"})
_UTF8_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']utf-?8[\"']", re.IGNORECASE)
_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=", re.IGNORECASE)
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_ELEMENT = re.compile(rb"<([A-Za-z_][-\w.:]*)")
#: Elements of RSS 0.9x/2.0 and RSS 1.0 whose reading was compared with feedparser's.
PLAIN = frozenset(
    {"rss", "channel", "title", "link", "description", "language", "copyright", "item"}
    | {"managingEditor", "webMaster", "pubDate", "lastBuildDate", "category", "generator"}
    | {"docs", "ttl", "image", "url", "width", "height", "comments", "guid", "author"}
    | {"cloud", "textinput", "textInput", "name", "rdf:RDF", "items", "rdf:Seq", "rdf:li"}
)
#: Namespaced elements neither parser turns into anything an Entry holds (by prefix and
#: the namespace the prefix must be bound to), and those that are read and were compared.
NAMESPACED = {
    "sy": b"http://purl.org/rss/1.0/modules/syndication/",
    "syn": b"http://purl.org/rss/1.0/modules/syndication/",
    "wfw": b"http://wellformedweb.org/CommentAPI/",
    "slash": b"http://purl.org/rss/1.0/modules/slash/",
    "dc": b"http://purl.org/dc/elements/1.1/",
    "content": b"http://purl.org/rss/1.0/modules/content/",
    "atom": b"http://www.w3.org/2005/Atom",
    "atom10": b"http://www.w3.org/2005/Atom",
}
_NAMESPACED_ELEMENTS = frozenset(
    {"sy:updatePeriod", "sy:updateFrequency", "sy:updateBase", "syn:updatePeriod"}
    | {"syn:updateFrequency", "syn:updateBase", "wfw:commentRss", "wfw:comment"}
    | {"slash:comments", "dc:creator", "content:encoded", "atom:link", "atom10:link"}
)
#: Elements accepted only in the channel, before the first item.
_CHANNEL_ONLY = (b"atom:link", b"atom10:link")
#: Every href and src attribute value in a piece of HTML (quoted or not).
_URL_ATTRIBUTE = re.compile(r"""(?i)\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_ITEM = re.compile(rb"<item[\s>].*?</item\s*>", re.DOTALL)
_IMAGE = re.compile(rb"<image[\s>]")
_ITEM_START = re.compile(rb"<item[\s>/]")
_LINKED = re.compile(rb"<link(?:\s[^>]*)?>\s*[^\s<]")
_ABSOLUTE_GUID = re.compile(r"https?://\S+\Z")
_PERMALINK_FALSE = re.compile(rb"""<guid\s+isPermaLink\s*=\s*["']false["']\s*>""")
_TEXT_TYPES = frozenset({"text/plain", "text/html", "application/xhtml+xml", "text", "html"})
_IMAGE_EXT = re.compile(r"(?i)\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])")


def read_fast(
    body: bytes, doc_base: str | None, zone: tzinfo = UTC
) -> tuple[list[Entry], str | None, frozenset[str]] | None:
    """The entries, language and own pictures (its ``<image>``: see
    :mod:`digest.collect.pictures`) of a UTF-8 XML feed, or None: parse it with
    feedparser (a date that names no zone is in `zone`)."""
    if not _is_utf8(body) or _names_base(body) or not _plain(body):
        return None
    text = _CDATA.sub(b"", body)
    if (item := _ITEM_START.search(text)) and text.find(b"/>", item.start()) >= 0:
        return None  # an empty element in an item: feedparser-rs skips the one after it
    if not _well_formed(body):
        return None  # feedparser-rs reads some broken documents without a word
    try:
        import feedparser_rs
    except ImportError:  # the fast path is optional: feedparser reads everything
        return None
    try:
        parsed: Any = feedparser_rs.parse(
            bytes(body), sanitize_html=False, resolve_relative_uris=False
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # anything it refuses (a Rust panic too), feedparser reads
        return None
    if parsed.bozo or parsed.version not in VERSIONS or not parsed.entries:
        return None
    if parsed.version == "rss10" and _IMAGE.search(text):
        return None  # the feed's own picture, which feedparser does not read in RSS 1.0
    if len(parsed.entries) != text.count(b"<item>") + text.count(b"<item "):
        return None  # items inside items: feedparser counts them otherwise
    linked = sum(1 for e in parsed.entries if e.link)
    if linked < len(parsed.entries) and linked < _linked_items(text):
        return None  # a link it gave back empty (a private or local host): feedparser keeps it
    # feedparser resolves a GUID against the document's URL unless isPermaLink="false".
    guids_are_names = text.count(b"<guid") == len(_PERMALINK_FALSE.findall(text))
    feed = parsed.feed
    self_link = next((link.href for link in feed.links or () if link.rel == "self"), None)
    base = doc_base or absolute_url(feed.link, None) or absolute_url(self_link, None)
    site = rss_item_base(parsed.version, feed.link, body)  # links.py
    entries = []
    for e in parsed.entries:
        entry = _entry(e, doc_base, base, zone, site, (feed.link, self_link))
        if entry is None or not (guids_are_names or _guid_kept(entry.guid, base)):
            return None
        entries.append(entry)
    if shared_home_pages(entry.link for entry in entries):
        return None  # items sharing a home page: feedparser's path finds their own (links.py)
    own = own_pictures(base, feed.image.href if feed.image else None, feed.logo, feed.icon)
    return entries, language_tag(feed.language), own


def _linked_items(text: bytes) -> int:
    """How many items of a feed's `text` (CDATA removed) have a ``<link>`` with text."""
    return sum(1 for item in _ITEM.finditer(text) if _LINKED.search(item.group()))


def _plain(body: bytes) -> bool:
    """Whether every element (outside CDATA) is one whose reading was compared."""
    names = {name.decode("ascii", "replace") for name in _ELEMENT.findall(_CDATA.sub(b"", body))}
    for name in names - PLAIN:
        if not _accepted(name):
            return False
        prefix = name.partition(":")[0]
        declared = b'xmlns:%s="%s"' % (prefix.encode(), NAMESPACED[prefix])
        if declared not in body and declared.replace(b'"', b"'") not in body:
            return False
    first_item = body.find(b"<item")
    return first_item < 0 or not any(body.find(tag, first_item) >= 0 for tag in _CHANNEL_ONLY)


def _accepted(name: str) -> bool:
    """Whether the fast path takes a document with this element (its namespace aside)."""
    return name in PLAIN or name in _NAMESPACED_ELEMENTS


def _well_formed(body: bytes) -> bool:
    parser = expat.ParserCreate()
    try:
        parser.Parse(body, True)
    except expat.ExpatError:
        return False
    return True


def _names_base(body: bytes) -> bool:
    """Whether `body` names an xml:base or a FeedBurner origLink, in any case of its
    letters (a search of the lower-cased bytes: a third of a case-blind pattern's cost)."""
    low = body.lower()
    return b"xml:base" in low or b"origlink" in low


def _is_utf8(body: bytes) -> bool:
    head = body[:512].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\xff")):
        return False
    if _DECLARED.match(head) and not _UTF8_DECLARED.match(head):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _entry(
    e: Any, doc_base: str | None, base: str | None, zone: tzinfo, site: str | None, homes: Any
) -> Entry | None:
    """`site`: what an RSS item's relative URLs are resolved against (links.py); `homes`:
    the feed's own addresses (a link post's link is its post there: entry.link_post)."""
    link = absolute_url(e.link, site or base) or absolute_url(e.link, guid_site(e.id))
    content = [c for c in e.content or () if c.value]
    body = next((c for c in content if "html" in (c.type or "")), content[0] if content else None)
    constructs = [e.title_detail, e.summary_detail, body]
    if any(c is not None and (c.type or "text/plain") not in _TEXT_TYPES for c in constructs):
        return None
    title, summary = _markup(e.title, e.title_detail), _markup(e.summary, e.summary_detail)
    content_html = _markup(body.value, body) if body else ""
    # An RSS item with a site: both paths sanitise its HTML as written (links.py).
    if site is None and not (_urls_kept(summary, doc_base) and _urls_kept(content_html, doc_base)):
        return None
    published = feed_date(e.published, e.published_parsed, zone)
    if e.published and published is None:
        return None  # a date it could not read: feedparser may
    if e.created or (e.updated and e.updated != e.published):
        return None  # no element of the plain profile is an update time
    detail = e.author_detail
    post, elsewhere = link_post(link, related_links(e.links), homes, site or base)
    return Entry(
        guid=(e.id or "").strip() or None,
        link=post,
        title=title,
        summary=summary,
        content=content_html,
        published=published,
        updated=None,  # feedparser-rs copies pubDate here; feedparser does not
        author=(detail.name if detail else None) or e.author,
        categories=tuple(t.term or t.label or "" for t in e.tags or ()),
        images=tuple(_images(e, site or link or base)),
        base=site or link or base,
        elsewhere=elsewhere,
        sites=home_sites(homes),
    )


def _guid_kept(guid: str | None, base: str | None) -> bool:
    """Whether feedparser would leave this GUID as it is (it resolves it as a URL)."""
    if not guid:
        return True
    return bool(_ABSOLUTE_GUID.match(guid)) and urljoin(base or "", guid) == guid


def _urls_kept(html: str, doc_base: str | None) -> bool:
    """Whether feedparser would leave every href and src in `html` as it is.

    It resolves each against the document's URL (which also drops an empty ``?`` or
    ``#`` and folds ``..``) and blanks those of other schemes than the web's.
    """
    scheme = urlparse(doc_base).scheme if doc_base else ""  # the document's, read once
    for match in _URL_ATTRIBUTE.finditer(html):
        url = htmlmod.unescape(next(v for v in match.groups() if v is not None)).strip()
        if not url.lower().startswith(("http://", "https://", "mailto:")):
            return False
        if doc_base and _joined(doc_base, scheme, url) != url:
            return False
    return True


def _joined(base: str, scheme: str, url: str) -> str:
    """``urljoin(base, url)`` for a `base` of `scheme`, without reading `base` again for
    each URL: an address of another scheme, or with a host, is urljoin's own first
    answer; the rest is left to urljoin."""
    parts = urlparse(url, scheme)
    if parts.scheme != scheme or parts.scheme not in uses_relative:
        return url
    if parts.netloc:
        return urlunparse(parts)
    return urljoin(base, url)


def _markup(value: str | None, detail: Any) -> str:
    kind = (detail.type if detail is not None else None) or "text/html"
    if "html" in kind:
        return value or ""
    return plain_text_html(value or "")


def _images(e: Any, base: str | None) -> Iterable[Image]:
    media = sorted(
        (m for m in e.media_content or () if _is_image(m.medium, m.type, m.url)),
        key=lambda m: -_int(m.width),
    )
    for m in [*media, *(e.media_thumbnail or ())]:
        if src := absolute_url(m.url, base):
            yield Image(url=src, width=_int(m.width) or None)
    for enclosure in e.enclosures or ():
        if (enclosure.type or "").startswith("image/") and (
            src := absolute_url(enclosure.href, base)
        ):
            yield Image(url=src)
    itunes = e.itunes
    if itunes is not None and (src := absolute_url(itunes.image, base)):
        yield Image(url=src)


def _is_image(medium: str | None, mime: str | None, url: str | None) -> bool:
    if medium or mime:
        return medium == "image" or (mime or "").startswith("image/")
    return bool(_IMAGE_EXT.search(url or ""))


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
