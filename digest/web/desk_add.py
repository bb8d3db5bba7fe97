"""The desk's "add a story": by its link, or typed in by hand, into a draft edition.

A story added by a link one of the sources delivered is that stored article (under its
key, so the list's next edition knows it was sent); any other link is fetched, its
article extracted and stored under the desk's source, and its picture hosted. What
was said of a picture that could not be hosted is kept with the edition's notes, so
that "Pictures left out" lists it as it lists a build's (:func:`add`). A story added by
its link goes without a picture that is its source's share card in the edition it
joins (:mod:`digest.sharecards`, as a build's stories do: :func:`beside`).
Must not: read the clock (callers pass `now`; a deadline's timer aside), or hold request
state.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from digest import curate, images, sharecards
from digest.app import App
from digest.collect.entry import article_key, canonical_url
from digest.collect.pages import article_from_page, extract_page
from digest.curate import CurationError
from digest.errors import SourceError
from digest.records import Article, Edition, Image, SourceReport, Story
from digest.sharecards import without_share_cards
from digest.web.desk_edition import change
from digest.web.fetch_guard import FetchDeadline, fetch_page, is_public
from digest.wording.told import told
from digest.wording.trim import trim

if TYPE_CHECKING:
    from digest.store import Store

#: The source row under which stories added on the desk are stored as articles.
DESK_SOURCE = "Added on the desk"
#: Largest page "add a story by URL" reads.
MAX_PAGE_BYTES = 5_000_000
#: Seconds for each step of that fetch (a name lookup, a connection, a read).
FETCH_TIMEOUT = 15.0
#: Seconds for all of "add a story by URL": the page's name lookups, redirects and body,
#: then its picture. Each step has FETCH_TIMEOUT, so without this a site answering every
#: step just in time (or dripping its page) held the editor, and a server worker, for
#: 6 x 15 s and more.
ADD_DEADLINE = 20.0


def _http_url(url: str, what: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        raise CurationError(f"{what} {url[:200]!r}: not a valid address ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CurationError(f"{what} {url[:200]!r}: expected an http:// or https:// address")
    return url


def _source_name(app: App, url: str, site: str | None) -> str:
    """The configured source on the same host, else the page's site name, else the host."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    for source in app.settings.sources:
        if source.url and (urlsplit(source.url).hostname or "").removeprefix("www.") == host:
            return source.name
    return site or host


def _story(app: App, article: Article, source: str, *, lead: bool) -> Story:
    """The story of an article an editor adds, told as the ranking tells a story's face
    article (:func:`digest.wording.told.told`: the post's opening where the excerpt was it
    cut short, no wire dateline, an untitled item's headline not read twice) and
    trimmed to the same budget."""
    e = app.settings.edition
    title, text = told(article)
    text, language = (text if text.strip() else ""), article.language
    words, sentences = (e.lead_words, None) if lead else (e.teaser_words, 2)
    return Story(
        key=article.key,
        title=title,
        url=article.url,
        source=source,
        summary=trim(text, words, max_sentences=sentences, language=language) if text else "",
        image=article.image,
        section=article.section,
        published=article.published,
        language=article.language,
        linked=article.linked,
        aggregated=article.aggregated,
    )


def _keep(app: App, article: Article, *, now: datetime) -> None:
    app.store.record(SourceReport(DESK_SOURCE, (article,)), location="the editor desk", now=now)


def story_from_url(
    app: App,
    url: str,
    *,
    section: str | None,
    lead: bool,
    now: datetime,
    edition: Edition | None = None,
) -> Story:
    """:func:`added_from_url`'s story."""
    added = added_from_url(app, url, section=section, lead=lead, now=now, edition=edition)
    return added.stories[0]


def beside(store: Store, edition: Edition, *, now: datetime) -> tuple[Story, ...]:
    """The stories of `edition` with the pictures their sources gave them: one that the
    build left off (a share card, a picture that could not be fetched) is its article's
    again, as its copy when one was hosted within :data:`digest.images.FRESH`, so that a
    story added beside them is checked against every picture the edition's sources gave."""
    found = []
    for story in edition.carried:
        article = store.article(story.key) if story.image is None else None
        if article is not None and article.image is not None:
            story = replace(story, image=_hosted(store, article.image, now))
        found.append(story)
    return tuple(found)


def _hosted(store: Store, image: Image, now: datetime) -> Image:
    """`image` named by the copy hosted from its address within FRESH, when there is one."""
    earlier = store.fetched_image(image.url, since=now - images.FRESH, now=now)
    if earlier is None:
        return image
    return replace(image, hosted=images.hosted_name(earlier.sha256, earlier.picture.extension))


def _uncarded(story: Story, others: Sequence[Story], same: sharecards.Same) -> Story:
    """`story` without its picture when that is its source's share card among `others`
    and itself (:func:`digest.sharecards.without_share_cards`, by `same`)."""
    return without_share_cards([*others, story], same)[-1]


def added_from_url(
    app: App,
    url: str,
    *,
    section: str | None,
    lead: bool,
    now: datetime,
    deadline: float = ADD_DEADLINE,
    edition: Edition | None = None,
) -> images.Hosted:
    """The story at `url`, its picture hosted (:func:`digest.images.host_all`; a line
    says why when it could not be), or left off when it is its source's share card in
    `edition`, the draft it is added to (by its address before it is fetched, by its
    bytes after: :func:`beside`). The story is the stored article that links there
    (one of the sources' that the ranking left out, say: under its own key, so that the
    next edition counts it as sent), else the page fetched, its article extracted and
    stored. Loopback and private addresses are not fetched
    (:mod:`digest.web.fetch_guard`) unless the configuration allows them.

    All of it has `deadline` seconds: a page not fetched by then is a SourceError naming
    its address, and nothing is stored; a picture not fetched in the time left is left
    out, and a line says so."""
    ends = time.monotonic() + deadline
    story = _found_at(app, url, section=section, lead=lead, now=now, deadline=deadline)
    others = beside(app.store, edition, now=now) if edition is not None else ()
    story = _uncarded(story, others, sharecards.address)  # a card is not fetched
    hosted = images.host_all(
        [story],
        app.store,
        app.settings,
        now=now,
        deadline=ends - time.monotonic(),
        late=f"the {deadline:g} s the desk gives adding a story",
    )
    return replace(hosted, stories=(_uncarded(hosted.stories[0], others, sharecards.copy),))


def _found_at(
    app: App, url: str, *, section: str | None, lead: bool, now: datetime, deadline: float
) -> Story:
    url = _http_url(url, "URL")
    stored = app.store.article_at(url, canonical_url(url))
    if stored is not None:
        return _story(app, replace(stored, section=section), stored.credit, lead=lead)
    anywhere = app.settings.serve.allow_private_fetch
    try:
        result = fetch_page(
            url,
            allowed=(lambda _address: True) if anywhere else is_public,
            timeout=FETCH_TIMEOUT,
            max_bytes=MAX_PAGE_BYTES,
            deadline=deadline,
        )
    except FetchDeadline as exc:
        raise SourceError(f"{exc}. The story was not added.") from None
    page = extract_page(result.body, url=result.url)
    if not page.title and not page.text:
        raise SourceError(f"{url}: no article found on the page")
    article = article_from_page(page, source=DESK_SOURCE, url=url, now=now, section=section)
    _keep(app, article, now=now)
    return _story(app, article, _source_name(app, url, page.site_name), lead=lead)


def story_by_hand(
    app: App,
    *,
    title: str,
    url: str,
    summary: str,
    source: str,
    section: str | None,
    lead: bool,
    now: datetime,
) -> Story:
    """A story the editor typed in (stored as an article too)."""
    title = " ".join(title.split())
    if not title:
        raise CurationError("a story needs a headline")
    if len(title) > curate.MAX_TITLE or len(summary) > curate.MAX_SUMMARY:
        raise CurationError(
            f"the headline is at most {curate.MAX_TITLE} characters and the summary "
            f"at most {curate.MAX_SUMMARY}"
        )
    link = _http_url(url, "link") if url.strip() else None
    summary = summary.strip()
    article = Article(
        key=article_key(None, link, title, summary),
        source=DESK_SOURCE,
        title=title,
        url=link,
        summary=summary,
        published=now,
        section=section,
    )
    _keep(app, article, now=now)
    story = _story(
        app, article, " ".join(source.split()) or app.settings.newsletter.name, lead=lead
    )
    return replace(story, summary=summary)  # the editor's words, untrimmed


def add(
    app: App,
    edition_id: int,
    story: Story,
    *,
    lead: bool,
    now: datetime,
    notes: Sequence[tuple[str, str, str]] = (),
    seen: int | None = None,
    by: str | None = None,
) -> Edition:
    """Add `story` to the draft (as a lead, else as the first teaser), with what was
    said of its picture that could not be hosted (:attr:`digest.images.Hosted.notes`):
    kept with the edition's notes in the same change, in place of any the story had, so
    that "Pictures left out" lists it while the edition carries the story."""
    op = curate.Add(story, lead)
    return change(app, edition_id, op, now=now, seen=seen, notes=notes, by=by)
