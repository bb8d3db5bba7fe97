"""Parse one feed document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1) into Articles.

What the feed *said* is first read into :class:`Entry` values (for XML feedparser-rs
where it reads a feed as feedparser would, see :mod:`digest.collect.fastxml`, else
feedparser; :mod:`digest.collect.jsonfeed` for JSON); :func:`build_articles` then decides keys,
cleans titles, sanitises HTML and folds duplicates. A document that is not a feed at all
raises :class:`~digest.errors.SourceError` naming the source; anything recoverable is
recovered. This module must not fetch, must not read the clock (``now`` is a parameter)
and must never return unsanitised HTML.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from digest.collect import fastxml, jsonfeed
from digest.collect.aggregators import via_aggregator
from digest.collect.boilerplate import strip_boilerplate, without_elision
from digest.collect.bounds import cap_article, cap_html, future_named, item_name
from digest.collect.bylines import Credits
from digest.collect.casing import recase_titles
from digest.collect.codeblocks import (
    Prose,
    code_within,
    excerpt_of,
    prose_excerpt,
    prose_html,
    prose_text,
    shows_code,
)
from digest.collect.decoding import gunzip, looks_like_json, to_utf8
from digest.collect.emptyitems import without_empty_items
from digest.collect.entry import (
    FUTURE_SLACK,
    SUMMARY_CHARS,
    Entry,
    Parsed,
    article_key,
    canonical_url,
    different_posts,
    first_paragraph,
    post_digest,
    shorten,
    source_error,
    standfirst,
)
from digest.collect.glued import runs_together
from digest.collect.headlines import is_address, strip_own_name
from digest.collect.hosts import absolute_url
from digest.collect.links import unwrap_redirect
from digest.collect.openings import without_captions, without_opening
from digest.collect.ornaments import unadorned
from digest.collect.outlets import registrable_domain
from digest.collect.pictures import illustrations, with_pictures
from digest.collect.plaintext import html_to_text
from digest.collect.promos import without_promos
from digest.collect.sanitize import MAX_DEPTH, clean_text, fix_mojibake, flatten_deep, sanitize_html
from digest.collect.shownotes import episode_summary, prose_before_list
from digest.collect.slowpath import feedparser_entries as _feedparser_entries
from digest.collect.summaries import settle_summaries
from digest.datelines import files_colon_datelines, undated
from digest.headline_labels import unbracketed
from digest.records import Article, Image
from digest.scripts import item_language
from digest.wording.told import untitled_title

__all__ = [
    "FUTURE_SLACK",
    "Entry",
    "Parsed",
    "article_key",
    "build_articles",
    "canonical_url",
    "parse_feed",
    "read_feed",
]

#: An item that takes longer than this to clean is named in the source's report.
SLOW_ITEM_SECONDS = 2.0


def parse_feed(
    data: bytes,
    *,
    source: str,
    url: str | None,
    now: datetime,
    section: str | None = None,
    content_type: str | None = None,
    zone: tzinfo = UTC,
) -> tuple[Article, ...]:
    """The articles of :func:`read_feed` (its warnings dropped)."""
    return read_feed(
        data,
        source=source,
        url=url,
        now=now,
        section=section,
        content_type=content_type,
        zone=zone,
    ).articles


def read_feed(
    data: bytes,
    *,
    source: str,
    url: str | None,
    now: datetime,
    section: str | None = None,
    content_type: str | None = None,
    zone: tzinfo = UTC,
) -> Parsed:
    """Articles of one feed document, in feed order, duplicates folded, and warnings.
    A date the feed writes without naming a zone is in `zone` (the source's).

    Raises :class:`SourceError` (message names `source` and `url`) when `data` is not a
    feed at all; a feed with recoverable errors gives the entries that could be read,
    and a warning for each item dropped or changed.
    """
    body = gunzip(data, source, url)
    if not body.strip():
        raise source_error(source, url, "empty document")
    if looks_like_json(body, content_type):
        entries, language, own, dropped = jsonfeed.read(body, source=source, url=url)
    else:
        entries, language, own, dropped = _read_xml(
            body, source=source, url=url, content_type=content_type, zone=zone
        )
    built = build_articles(
        entries, source=source, now=now, section=section, language=language, own=own
    )
    built = via_aggregator(built, entries)  # an aggregator's items: credited to their sites
    return replace(built, warnings=(*dropped, *built.warnings))


def _read_xml(
    body: bytes, *, source: str, url: str | None, content_type: str | None, zone: tzinfo
) -> tuple[list[Entry], str | None, frozenset[str], list[str]]:
    """The entries, language, own pictures (logo, icon) and warnings of an XML feed."""
    utf8 = without_empty_items(to_utf8(body, content_type))  # emptyitems.py
    if (fast := fastxml.read_fast(utf8, absolute_url(url, None), zone)) is not None:
        return (*fast, [])  # only a well-formed document takes the fast path
    return _feedparser_entries(utf8, source=source, url=url, raw=body, zone=zone)


def build_articles(
    entries: Iterable[Entry],
    *,
    source: str,
    now: datetime,
    section: str | None = None,
    language: str | None = None,
    own: Iterable[str] = (),
) -> Parsed:
    """Decide keys, clean and sanitise each entry, and fold duplicate keys; each
    article's picture is its first that is not the feed's branding (`own`: the pictures
    the feed declares its own; see :mod:`digest.collect.pictures`).

    Of two entries with one key, the first is kept unless a later one was updated later.
    Two *different* posts that share a GUID (another link, or another title and text)
    are not folded: the later one's key gets a suffix from its link or content, and the
    collision is reported. Oversized or deeply nested items are bounded and reported;
    dates far ahead of ``now`` are kept and counted.
    """
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    kept: dict[str, tuple[Article, datetime | None]] = {}
    warnings: list[str] = []
    shared: dict[str, dict[str, str]] = {}  # GUID -> {key: title} of different posts
    pictures: dict[str, tuple[Image, ...]] = {}  # key -> its candidates, in order
    openings: list[str] = []  # each item's summary as the feed wrote it: its house style
    for entry in entries:
        if not (entry.title or entry.link or entry.summary or entry.content):
            continue  # an empty <item/>: nothing to show
        started = time.perf_counter()
        article, problems, said = _article(
            entry, source=source, now=now, section=section, language=language
        )
        openings.append(said)
        if article is None:  # a link and nothing else: its headline would be the address
            item = entry.link or entry.guid or "an item"
            warnings.append(f"{item}: no headline and no text, left out")
            continue
        name = item_name(article.title, article.url)
        warnings.extend(f"{name}: {problem}" for problem in problems)
        article, capped = cap_article(article)
        warnings.extend(capped)
        if (spent := time.perf_counter() - started) > SLOW_ITEM_SECONDS:
            warnings.append(f"{name}: took {spent:.1f} s to clean")
        stamp = entry.updated or entry.published
        old = kept.get(article.key)
        if old is not None and entry.guid and different_posts(old[0], article):
            posts = shared.setdefault(entry.guid, {old[0].key: old[0].title})
            article = replace(article, key=f"{article.key}#{post_digest(article)}")
            posts.setdefault(article.key, article.title)
            old = kept.get(article.key)
        if old is None or (stamp and old[1] and stamp > old[1]):
            kept[article.key] = (article, stamp)
            pictures[article.key] = (*entry.images, *illustrations(article.html, entry.base))
    for guid, posts in shared.items():
        example = list(posts.values())[1]
        warnings.append(
            f"{len(posts)} different items share the GUID {guid!r} "
            f"(e.g. {shorten(example, 48)!r}): kept apart"
        )
    pictured = with_pictures([article for article, _ in kept.values()], pictures, frozenset(own))
    settled = settle_summaries(pictured, openings)
    if files_colon_datelines(openings):  # "Mangaluru: Karnataka Bank…" on several items
        settled = tuple(_without_house_dateline(article) for article in settled)
    articles = recase_titles(settled)
    if future := future_named(articles, now):
        warnings.append(future)
    return Parsed(articles, tuple(warnings))


def _without_house_dateline(article: Article) -> Article:
    """`article` without the bare colon dateline ("Mangaluru: ") its summary and text open
    with, in a feed that files them (:func:`~digest.datelines.files_colon_datelines`)."""
    summary, text = undated(article.summary, house=True), undated(article.text, house=True)
    if summary is article.summary and text is article.text:
        return article
    return replace(article, summary=summary, text=text)


def _key(entry: Entry, named: str, said: str) -> str:
    """The article key from what the source said, before boilerplate was removed: a key
    must not change when our cleaning does (a changed key makes a sent article new)."""
    return article_key(entry.guid, entry.link, named or shorten(said, 80) or "Untitled", said)


def _reads_into_code(summary: str, text: str, prose: Prose) -> bool:
    """Whether `summary` is `text`'s opening cut short, and code follows in the body
    within what a lead reads of it."""
    return excerpt_of(summary, text) and code_within(text, prose.code, SUMMARY_CHARS)


def _body_text(said: str, html: str, named: str, credits: Credits) -> str:
    """The body text of `said`, the text of `html`: without captions, promotions, the
    publisher's boilerplate and a byline that opens it."""
    kept = fix_mojibake(without_promos(without_captions(said, html), html))
    return without_opening(strip_boilerplate(kept, title=named, html=html), credits)


def _article(
    entry: Entry, *, source: str, now: datetime, section: str | None, language: str | None
) -> tuple[Article | None, list[str], str]:
    """The article of one entry, what was done to it and its summary's text as the feed
    wrote it (the evidence of the feed's house style); None for an entry with no title
    and no text (only a link, perhaps a picture): nothing a reader can be shown."""
    raw, cut = cap_html(entry.content or entry.summary)
    raw, flattened = flatten_deep(raw)
    problems = [cut] if cut else []
    if flattened:
        problems.append(f"HTML nested deeper than {MAX_DEPTH} levels, flattened")
    page = unwrap_redirect(entry.link)  # the article: a link to '#note-1' is to a part of it
    html = sanitize_html(raw, base_url=entry.base, page_url=page)
    named = clean_text(entry.title)
    said = html_to_text(html)  # as the source wrote it: the key's basis, kept stable
    credits = entry.credits(source, language)  # what tells a byline from the story
    text = _body_text(said, html, named, credits)
    # A summary is prose: made of the HTML without its code blocks (collect.codeblocks).
    prose = prose_html(raw, base_url=entry.base, page_url=page)
    body_html, body = html, text
    if prose is not None:
        body_html = prose.clean_html
        body = _body_text(prose_text(html_to_text(prose.html)), body_html, named, credits)
    if entry.summary and entry.content:
        summary_raw, _ = flatten_deep(cap_html(entry.summary)[0])
        summary_html = sanitize_html(summary_raw, base_url=entry.base, page_url=page)
        said = kept = html_to_text(summary_html)
        if (own_code := prose_html(summary_raw, base_url=entry.base, page_url=page)) is not None:
            summary_html = own_code.clean_html  # the summary's own code blocks
            kept = prose_text(html_to_text(own_code.html))
        kept = fix_mojibake(without_promos(without_captions(kept, summary_html), summary_html))
        summary = standfirst(strip_boilerplate(kept, title=named, html=summary_html), credits)
        if runs_together(summary, text):  # the text with its line breaks lost (strip_tags)
            summary_html, summary = body_html, standfirst(body, credits)
        elif prose is not None and (
            shows_code(summary, prose.code) or _reads_into_code(summary, text, prose)
        ):
            # The excerpt ran into code, or the ranker would read on into it from its cut
            # (digest.wording.told): the prose's opening, as long as the excerpt.
            summary_html, summary = body_html, prose_excerpt(body, len(summary))
    else:
        summary_html, summary = body_html, standfirst(body, credits)
    if prose is not None and not summary:  # code alone: the text a story would show
        text = body
    if entry.episode and (before := prose_before_list(summary_html)) is not None:
        # Show notes that open with a list: the prose before it, else the episode's own.
        opening = standfirst(strip_boilerplate(html_to_text(before), title=named), credits)
        summary = shorten(episode_summary(opening, entry.episode), SUMMARY_CHARS)
    if is_address(named):  # a link's text that names where it goes: not a headline
        problems.append(f"the title {shorten(named, 60)!r} is a web address: not shown")
    headline = "" if is_address(named) else named
    if not (headline or summary or text):
        return None, problems, said  # nothing to show a reader but the link itself

    def own() -> list[str]:  # the link's domain, found only for a title it could end
        return [source, registrable_domain(entry.link) or ""]

    # A search alert's cut headline ("…Meritor, Bendix ...") ends as a cut summary does;
    # a "★ " before a headline is no part of it (collect.ornaments), nor are brackets
    # around a label before it ("[Brève] ", "[MàJ] ": digest.headline_labels). An item
    # without a title gets the headline its story shows (wording.told.untitled_title).
    # The item's language, or its feed's, when its headline and summary are written in
    # that language's script; else the language their letters tell, if any (scripts).
    language = item_language(entry.language or language, named, summary)
    title = unadorned(without_elision(strip_own_name(headline, own)))
    title = unbracketed(title, language)
    title = title or untitled_title(summary, text, language) or "Untitled"
    published = entry.published or entry.updated  # kept even when in the future
    categories = tuple(dict.fromkeys(c for c in map(clean_text, entry.categories) if c))
    article = Article(
        key=_key(entry, named, first_paragraph(said)),
        source=source,
        title=title,
        url=page,
        summary=summary,
        text=text,
        html=html,
        published=published,
        author=clean_text(entry.author or "") or None,
        categories=categories,
        language=language,
        section=section,
        linked=unwrap_redirect(entry.elsewhere),  # checked as `url` is (entry.link_post)
    )
    return article, problems, said
