"""Extract the article from one HTML page: headline, main text, metadata.

trafilatura finds the main text; the page's own metadata (Open Graph, ``<h1>``,
``<title>``, JSON-LD) gives the headline, date, image and language. The result is a
:class:`Page` whose HTML is sanitised; :func:`article_from_page` makes it an Article.
A page is cleaned as a feed item is: its text and summary lose the publisher's sign-up
calls and lines of related links (:func:`~digest.collect.promos.without_promos`), and a
picture whose address names it the site's logo, favicon or avatar
(:func:`~digest.collect.pictures.names_branding`) is no picture of its story.
This module must not fetch anything; it takes no ``now`` (only
:func:`article_from_page` judges dates, against the ``now`` it is given).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import lxml.html
from lxml import etree

from digest.collect.bylines import Credits
from digest.collect.entry import (
    article_key,
    as_utc,
    language_tag,
)
from digest.collect.headlines import headline, site_names, titled_site
from digest.collect.hosts import absolute_url
from digest.collect.outlets import json_ld, outlet_name, same_site
from digest.collect.page_summary import page_summary
from digest.collect.pictures import names_branding
from digest.collect.plaintext import html_to_text
from digest.collect.promos import without_promos
from digest.collect.sanitize import clean_text, sanitize_html
from digest.records import Article, Image
from digest.scripts import item_language
from digest.wording.told import untitled_title

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
EARLIEST_YEAR = 1990  # an earlier "published" date on a web page is a placeholder
_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "parsely-pub-date",
    "sailthru.date",
)


@dataclass(frozen=True, slots=True)
class Page:
    """The article found in one HTML page."""

    title: str  # the headline, plain text, without a " | Site name" suffix
    text: str  # main text, paragraphs separated by blank lines
    html: str  # main content after the allow-list sanitiser
    author: str | None = None
    published: datetime | None = None  # UTC
    image: Image | None = None
    language: str | None = None  # BCP 47
    url: str | None = None  # the page's canonical URL, else the URL it was read from
    summary: str = ""  # the page's description, else the first paragraph
    site_name: str | None = None  # the publisher: og:site_name, JSON-LD, else the host
    #: The dates the page declares (meta tags, JSON-LD), as written: a folder's page is
    #: skipped when it gives some and none can be read (digest.collect.folder).
    dates: tuple[str, ...] = ()


def extract_page(html: str | bytes, *, url: str | None, zone: tzinfo = UTC) -> Page:
    """Find the article in `html` (bytes are decoded by BOM, UTF-8, declared charset);
    a date without an offset is read in `zone`."""
    source = decode_html(html) if isinstance(html, bytes) else html
    tree = _tree(source)
    meta = _meta(tree)
    canonical = absolute_url(_canonical(tree, meta), url) or absolute_url(url, None)
    import trafilatura  # 0.3 s to import: only a page needs it

    doc: Any = trafilatura.extract_with_metadata(
        source,
        url=canonical,
        output_format="html",
        include_comments=False,
        favor_precision=False,
        include_links=True,
        include_images=True,
        include_tables=True,
    )
    body = re.sub(r"(?is)<h1\b.*?</h1\s*>", "", doc.text or "") if doc is not None else ""
    clean = sanitize_html(body, base_url=canonical)
    text = without_promos(html_to_text(clean), clean)
    site = outlet_name(tree, meta, canonical)
    sites = site_names(site, canonical)
    title = headline(tree, meta, getattr(doc, "title", None), sites, text)
    # A saved page without a declared name or address: its title may name its site.
    site = site or titled_site(tree, source, title)
    description = meta.get("og:description") or meta.get("description") or ""
    author = clean_text(getattr(doc, "author", None) or meta.get("author") or "") or None
    language = _language(tree, meta)
    credits = Credits(language, author, site or "", canonical)
    summary = page_summary(description, text, credits, title)
    image_url = _picture(meta, getattr(doc, "image", None), canonical)
    return Page(
        title=title,
        text=text,
        html=clean,
        author=author,
        published=_published(tree, meta, getattr(doc, "date", None), zone),
        image=Image(url=image_url, alt=title) if image_url else None,
        language=language,
        url=canonical,
        summary=summary,
        site_name=site,
        dates=tuple(v.strip() for v in _declared(tree, meta) if v and v.strip()),
    )


def article_from_page(
    page: Page,
    *,
    source: str,
    url: str | None,
    now: datetime,
    section: str | None,
    key: str | None = None,
) -> Article:
    """`page` as an Article; `key` defaults to the URL, else a hash of the text."""
    link = absolute_url(url, None) or page.url
    key = key or article_key(None, link, page.title, page.text)
    # A date in the future is kept: the ranker does not take the article before then.
    outlet = page.site_name if page.site_name and not same_site(page.site_name, source) else None
    # A page without a headline gets the one its story shows, as an untitled feed item
    # does (wording.told.untitled_title): not its summary cut mid-word.
    # The page's language when its headline and summary are in that language's script;
    # else the one their letters tell, if any (digest.scripts).
    language = item_language(page.language, page.title, page.summary)
    untitled = "" if page.title else untitled_title(page.summary, page.text, language)
    return Article(
        key=key,
        source=source,
        title=page.title or untitled or "Untitled",
        url=link,
        summary=page.summary,
        text=page.text,
        html=page.html,
        published=page.published,
        author=page.author,
        image=page.image,
        section=section,
        language=language,
        outlet=outlet,
    )


def decode_html(data: bytes) -> str:
    """Text of an HTML document: BOM, then UTF-8, then the declared charset, then cp1252."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if data.startswith(bom) or (codec == "utf-16" and data.startswith(codecs.BOM_UTF16_BE)):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")  # valid UTF-8 beats a (often stale) declaration
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:8192])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _tree(source: str) -> Any:
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        return lxml.html.document_fromstring(source.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring(b"<html></html>", parser=parser)


def _meta(tree: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    return found


def _picture(meta: dict[str, str], extracted: str | None, base: str | None) -> str | None:
    """The page's first declared picture that is not the site's branding (a logo, a
    favicon), as an absolute address; None when it declares none other."""
    said = (meta.get(k) for k in ("og:image", "twitter:image", "twitter:image:src"))
    for value in (*said, extracted):
        url = absolute_url(value, base)
        if url and not names_branding(url):
            return url
    return None


def _canonical(tree: Any, meta: dict[str, str]) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return str(link.get("href"))
    return meta.get("og:url")


def _published(
    tree: Any, meta: dict[str, str], extracted: str | None, zone: tzinfo
) -> datetime | None:
    candidates = [*_declared(tree, meta), extracted]
    for value in candidates:
        if value and (when := parse_date(value, zone)):
            return when
    return None


def _declared(tree: Any, meta: dict[str, str]) -> list[str | None]:
    return [*(meta.get(key) for key in _DATE_KEYS), *_json_ld_dates(tree)]


def _json_ld_dates(tree: Any) -> Iterator[str]:
    for data in json_ld(tree):
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("datePublished"), str):
                    yield item["datePublished"]
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)


def parse_date(value: str, zone: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 date or datetime as UTC (naive means in `zone`; a date alone is its
    midnight there), else None."""
    try:
        when = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    if when.year < EARLIEST_YEAR:  # placeholder dates such as 0001-01-01
        return None
    return as_utc(when, zone)


def _language(tree: Any, meta: dict[str, str]) -> str | None:
    values = [tree.get("lang"), meta.get("og:locale"), meta.get("content-language")]
    return next((tag for tag in map(language_tag, values) if tag), None)
