"""Extract the article from one HTML page: headline, main text, metadata.

trafilatura finds the main text; the page's own metadata (Open Graph, ``<h1>``,
``<title>``, JSON-LD) gives the headline, date, image and language. The result is a
:class:`Page` whose HTML is sanitised; :func:`article_from_page` makes it an Article.
This module must not fetch anything; it takes no ``now`` (only
:func:`article_from_page` judges dates, against the ``now`` it is given).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from digest.collect.entry import (
    SUMMARY_CHARS,
    article_key,
    language_tag,
    shorten,
    standfirst,
)
from digest.collect.sanitize import absolute_url, clean_text, html_to_text, sanitize_html
from digest.records import Article, Image

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_SUFFIX = re.compile(r"\s+(?:[-|–—:·•»]|::)\s+(?=[^-|–—:·•»]+$)")
_HIDDEN = re.compile(
    r"kicker|dachzeile|spitzmarke|topline|roofline|supertitle|visually-hidden|sr-only"
    r"|screen-reader|eyebrow|overline",
    re.I,
)
#: "Kicker:Headline" with no space after the colon (a kicker glued to the headline);
#: the kicker ends in three letters and the headline starts with a capital.
_GLUED_KICKER = re.compile(r"^([^:\s](?:[^:]{0,58})[^\W\d_]{3}):(?=[^\W\d_])")
_NOT_WORD = re.compile(r"[\W_]+")
#: Longest kicker (in letters) dropped from an <h1> that ends with the declared title.
KICKER_CHARS = 60
_WORD = re.compile(r"[^\W_]+")
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


def extract_page(html: str | bytes, *, url: str | None) -> Page:
    """Find the article in `html` (bytes are decoded by BOM, UTF-8, declared charset)."""
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
    text = html_to_text(clean)
    site = outlet_name(tree, meta, canonical)
    title = headline(tree, meta, getattr(doc, "title", None), _site_names(site, canonical))
    description = meta.get("og:description") or meta.get("description") or ""
    summary = shorten(clean_text(description), SUMMARY_CHARS) or standfirst(text)
    image_url = meta.get("og:image") or meta.get("twitter:image") or meta.get("twitter:image:src")
    image_url = absolute_url(image_url or getattr(doc, "image", None), canonical)
    return Page(
        title=title,
        text=text,
        html=clean,
        author=clean_text(getattr(doc, "author", None) or meta.get("author") or "") or None,
        published=_published(tree, meta, getattr(doc, "date", None)),
        image=Image(url=image_url, alt=title) if image_url else None,
        language=_language(tree, meta),
        url=canonical,
        summary=summary,
        site_name=site,
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
    outlet = page.site_name if page.site_name and not _same_site(page.site_name, source) else None
    return Article(
        key=key,
        source=source,
        title=page.title or page.summary[:80] or "Untitled",
        url=link,
        summary=page.summary,
        text=page.text,
        html=page.html,
        published=page.published,
        author=page.author,
        image=page.image,
        section=section,
        language=page.language,
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


def _canonical(tree: Any, meta: dict[str, str]) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return str(link.get("href"))
    return meta.get("og:url")


def outlet_name(tree: Any, meta: dict[str, str], url: str | None) -> str | None:
    """Who published the page: og:site_name, JSON-LD publisher, application-name, else
    the host of its canonical URL (``www.`` dropped); None when nothing says."""
    named = [meta.get("og:site_name"), *_json_ld_publishers(tree), meta.get("application-name")]
    names = [clean for clean in (clean_text(n or "") for n in named) if clean]
    host = urlsplit(url).hostname if url else None
    labels = _site_names(None, url)
    # Some sites put a section in og:site_name ("U.S."): a name that matches the host wins.
    matching = [n for n in names if any(_same_site(n, label) for label in labels)]
    if names:
        return (matching or names)[0]
    return host.removeprefix("www.") if host else None


def _json_ld_publishers(tree: Any) -> Iterator[str]:
    for data in _json_ld(tree):
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                publisher = item.get("publisher")
                for one in publisher if isinstance(publisher, list) else [publisher]:
                    if isinstance(one, dict) and isinstance(one.get("name"), str):
                        yield one["name"]
                    elif isinstance(one, str) and not one.startswith(("http:", "https:")):
                        yield one
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)


def _json_ld(tree: Any) -> Iterator[Any]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            yield json.loads(script.text or "")
        except ValueError:
            continue


def headline(tree: Any, meta: dict[str, str], extracted: str | None, sites: Sequence[str]) -> str:
    """The page's headline: the ``<h1>`` that agrees with its metadata, else og:title, …

    A kicker glued in front of the headline gives way to the declared title that the
    ``<h1>`` ends with; a glued "Kicker:Headline" is separated ("Kicker: Headline").
    """
    return _unglue(_headline(tree, meta, extracted, sites))


def _unglue(title: str) -> str:
    return _GLUED_KICKER.sub(r"\1: ", title) if _glued(title) else title


def _glued(title: str) -> bool:
    match = _GLUED_KICKER.match(title)
    if match is None:
        return False
    return title[match.end()].isupper() and "//" not in title[: match.end() + 2]


def _ends_with(h1: str, declared: str) -> bool:
    """Whether `h1` is `declared` with a short kicker glued in front of it."""
    a, b = (_NOT_WORD.sub("", s.casefold()) for s in (h1, declared))
    return bool(b) and a != b and a.endswith(b) and len(a) - len(b) <= KICKER_CHARS


def _headline(tree: Any, meta: dict[str, str], extracted: str | None, sites: Sequence[str]) -> str:
    titles = [e.text_content() for e in tree.iter("title")][:1]
    declared = [meta.get("og:title"), meta.get("twitter:title"), *titles]
    refs = [clean_text(r) for r in declared if r and clean_text(r)]
    h1s = [h for h in (_h1_text(e) for e in tree.iter("h1")) if 0 < len(h) <= 300]
    # An <h1> is the headline when the page's declared titles agree with it (many
    # pages also use <h1> for the masthead or a section name).
    scored = [(max((_overlap(h, r) for r in refs), default=0.0), h) for h in h1s]
    best = max(scored, key=lambda pair: pair[0], default=None)
    if best and (best[0] >= 0.6 or (len(h1s) == 1 and not refs)):
        for ref in refs:
            if _ends_with(best[1], plain := strip_site_suffix(ref, sites)):
                return plain  # the <h1> carries a kicker the declared title does not
        return best[1]
    fallback = [*refs, clean_text(extracted or "")]
    return next((strip_site_suffix(t, sites) for t in fallback if t), "")


def _h1_text(element: Any) -> str:
    element = lxml.html.fromstring(lxml.html.tostring(element))  # a copy we may prune
    for hidden in element.xpath(".//*[@class]"):
        if _HIDDEN.search(hidden.get("class", "")) and hidden.getparent() is not None:
            hidden.drop_tree()
    return clean_text(element.text_content())


def _overlap(candidate: str, reference: str) -> float:
    """Share of `candidate`'s words found in `reference` (1.0 when it is a substring)."""
    a, b = candidate.casefold(), reference.casefold()
    if a in b:
        return 1.0
    words = set(_WORD.findall(a))
    return len(words & set(_WORD.findall(b))) / len(words) if words else 0.0


def strip_site_suffix(title: str, sites: Sequence[str]) -> str:
    """``"Headline | Site"`` → ``"Headline"`` when the last part names one of `sites`."""
    parts = _SUFFIX.split(title)
    while len(parts) > 1 and any(_same_site(parts[-1], site) for site in sites):
        parts.pop()
    return " ".join(parts)


def _same_site(part: str, site: str) -> bool:
    a, b = ("".join(_WORD.findall(s.casefold())) for s in (part, site))
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def _site_names(site: str | None, url: str | None) -> list[str]:
    """The site's name and its host's main label (``www.nj.com`` → ``nj``)."""
    names = [site] if site else []
    host = urlsplit(url).hostname if url else None
    if host:
        labels = host.removeprefix("www.").split(".")
        names.append(labels[-3] if len(labels) > 2 and len(labels[-2]) <= 3 else labels[-2:][0])
    return names


def _published(tree: Any, meta: dict[str, str], extracted: str | None) -> datetime | None:
    candidates = [meta.get(key) for key in _DATE_KEYS]
    candidates += [*_json_ld_dates(tree), extracted]
    for value in candidates:
        if value and (when := parse_date(value)):
            return when
    return None


def _json_ld_dates(tree: Any) -> Iterator[str]:
    for data in _json_ld(tree):
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("datePublished"), str):
                    yield item["datePublished"]
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)


def parse_date(value: str) -> datetime | None:
    """An ISO 8601 date or datetime as UTC (naive means UTC), else None."""
    try:
        when = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    if when.year < EARLIEST_YEAR:  # placeholder dates such as 0001-01-01
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _language(tree: Any, meta: dict[str, str]) -> str | None:
    values = [tree.get("lang"), meta.get("og:locale"), meta.get("content-language")]
    return next((tag for tag in map(language_tag, values) if tag), None)
