"""feedparser's reading of an XML feed into :class:`~digest.collect.entry.Entry` values:
the reference the fast path (:mod:`digest.collect.fastxml`) is compared with, and the
reader of every document the fast path declines (a namespace it does not know, a
document that is not well-formed, a FeedBurner origLink...). Must not: fetch, read the
clock or sanitise (:mod:`digest.collect.feeds` builds the articles).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from digest.collect.aggregators import home_sites
from digest.collect.entry import (
    Entry,
    feed_date,
    language_tag,
    link_post,
    plain_text_html,
    related_links,
    source_error,
)
from digest.collect.hosts import absolute_url
from digest.collect.links import (
    fragments_as_written,
    guid_site,
    named_guids,
    own_page,
    rss_items_as_written,
    shared_home_pages,
)
from digest.collect.pictures import feedparser_images, own_pictures
from digest.collect.shownotes import episode_text, is_episode
from digest.collect.wellformed import malformed_warning


def feedparser_entries(
    utf8: bytes, *, source: str, url: str | None, raw: bytes | None = None, zone: tzinfo = UTC
) -> tuple[list[Entry], str | None, frozenset[str], list[str]]:
    """The entries, language, own pictures (image, logo, icon: :mod:`digest.collect.pictures`)
    and warnings (a document not well-formed) of feedparser, the fast path's reference.
    ``utf8``: the document as :func:`_to_utf8` gave it; ``raw``: as it came (for the
    error message), if that differs.
    """
    import feedparser  # ~30 times slower than feedparser-rs: imported when needed

    doc_base = absolute_url(url, None)
    # The bytes are UTF-8 or carry a BOM/declaration by now, so the type needs no charset.
    headers = {"content-type": "application/xml"}
    if doc_base:
        headers["content-location"] = doc_base
    try:
        # A BytesIO, never bytes: feedparser would treat bytes as a file name to open.
        parsed: Any = feedparser.parse(
            io.BytesIO(utf8),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=True,
        )
    except Exception as exc:  # its loose parser has bugs on some broken input
        problem = f"the feed parser failed ({type(exc).__name__}: {exc})"
        raise source_error(source, url, problem) from exc
    if not parsed.entries:
        if parsed.bozo or not parsed.version:
            from digest.collect.discovery import why_not_a_feed  # loaded for a failure only

            raise source_error(source, url, why_not_a_feed(raw or utf8, parsed, url))
        return [], None, frozenset(), []
    feed = parsed.feed
    links = feed.get("links", [])
    self_link = next((link.get("href") for link in links if link.get("rel") == "self"), None)
    base = doc_base or absolute_url(feed.get("link"), None) or absolute_url(self_link, None)
    language = language_tag(feed.get("language"))
    # feedparser resolved an RSS item's relative URLs against the document's URL.
    site, said = rss_items_as_written(utf8, parsed.get("version")) or (None, parsed.entries)
    if len(said) != len(parsed.entries):
        site, said = None, parsed.entries
    entries = list(zip(parsed.entries, said, strict=True))
    links = [_item_link(e, s, site, base) for e, s in entries]
    if shared := shared_home_pages(links):  # items whose link is one home page (links.py)
        names = named_guids(utf8)
        links = [
            own_page(link, _permalink(e, names, utf8), _enclosure(e, base), shared)
            for link, (e, _) in zip(links, entries, strict=True)
        ]
    own = own_pictures(
        base, (feed.get("image") or {}).get("href"), feed.get("logo"), feed.get("icon")
    )
    homes = (feed.get("link"), self_link)
    warned = [w] if (w := malformed_warning(parsed, utf8)) else []
    built = [
        _entry(e, link, base, zone, site, s, homes)
        for link, (e, s) in zip(links, entries, strict=True)
    ]
    return built, language, own, warned


def _item_link(e: Any, said: Any, site: str | None, base: str | None) -> str | None:
    """Item `e`'s link (`said`: as written), absolute; a relative one against `site`,
    else `base`, else the site of its GUID (links.py)."""
    # FeedBurner wraps links in a redirector and keeps the real one in feedburner:origLink.
    origin = absolute_url(e.get("feedburner_origlink"), base)
    written = said.get("link")
    return (
        origin
        or absolute_url(written, site or base)
        or absolute_url(written, guid_site(e.get("id")))
    )


def _permalink(e: Any, names: frozenset[str], document: bytes) -> str | None:
    """Item `e`'s GUID as `document` wrote it, unless declared a name (isPermaLink=
    "false"). feedparser resolves a GUID against the document's URL: one it rewrote
    (``"http://…`` with a stray quote) is no address of the item's."""
    guid = (e.get("id") or "").strip()
    if not guid or guid in names or guid.encode() not in document:
        return None
    return guid


def _enclosure(e: Any, base: str | None) -> str | None:
    """Item `e`'s first enclosure that is not a picture (a podcast's episode), absolute."""
    for enclosure in e.get("enclosures") or ():
        url = absolute_url(enclosure.get("href"), base)
        if url and not (enclosure.get("type") or "").startswith("image/"):
            return url
    return None


def _entry(
    e: Any,
    link: str | None,
    base: str | None,
    zone: tzinfo,
    site: str | None,
    said: Any,
    homes: Any,
) -> Entry:
    """Item `e`, its `link` (:func:`_item_link`); `said`: `e` as read without resolving
    its URLs, to be resolved against `site` (links.py; else `base`); its GUID is `e`'s,
    resolved (a key must not change)."""
    content = said.get("content") or []
    body = next(
        (c for c in content if "html" in c.get("type", "")), content[0] if content else None
    )
    detail = e.get("author_detail") or {}
    summary = _markup(said.get("summary", ""), said.get("summary_detail"))
    html = _markup(body.get("value", ""), body) if body else ""
    if said is e:  # feedparser resolved its HTML's "#note-1" too: against the document
        summary = fragments_as_written(summary, (said.get("summary_detail") or {}).get("base"))
        html = fragments_as_written(html, (body or {}).get("base"))
    post, elsewhere = link_post(link, related_links(e.get("links")), homes, base)  # entry.py
    return Entry(
        guid=(e.get("id") or "").strip() or None,
        link=post,
        title=_markup(e.get("title", ""), e.get("title_detail")),
        summary=summary,
        content=html,
        published=_when(e, "published", zone) or _when(e, "created", zone),
        updated=_when(e, "updated", zone),
        author=detail.get("name") or e.get("author"),
        categories=tuple(t.get("term") or t.get("label") or "" for t in e.get("tags", [])),
        images=tuple(feedparser_images(said, site or link or base)),
        base=site or link or base,
        episode=episode_text(_markup(e.get("subtitle") or "", e.get("subtitle_detail")))
        if is_episode(e)
        else "",
        elsewhere=elsewhere,
        sites=home_sites(homes),
        language=_own_language(body, e.get("summary_detail"), e.get("title_detail")),
    )


def _own_language(*details: Any) -> str | None:
    """An entry's own language: the xml:lang its content, summary or title carries (an
    Atom feed says it per entry), or None (the feed's, then, as before). feedparser
    gives an RSS item's text no language of its own."""
    return next((tag for d in details if d and (tag := language_tag(d.get("language")))), None)


def _when(e: Any, field: str, zone: tzinfo) -> datetime | None:
    """The entry's date `field` ("published", …): see :func:`~digest.collect.entry.feed_date`."""
    # dict.get: FeedParserDict.get maps a missing "updated" to "published".
    written = dict.get(e, field)
    parsed = dict.get(e, f"{field}_parsed")
    return feed_date(written if isinstance(written, str) else None, parsed, zone)


def _markup(value: str, detail: Mapping[str, Any] | None) -> str:
    """HTML for a text construct: plain text is escaped so it reads literally (see
    :func:`~digest.collect.entry.plain_text_html` for the references it still holds)."""
    kind = (detail or {}).get("type", "text/html")
    if "html" in kind:
        return value
    return plain_text_html(value)
