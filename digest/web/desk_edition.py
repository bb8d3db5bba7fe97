"""The desk's work on one edition, without Flask: curate, rebuild, add a story, send a test.

An edition's `overrides` keep `{"base": the ranked edition, "operations": [...]}`; its
payload is always `curate.apply_all(base, operations)`, the curated edition that
sending uses. Curation changes only drafts. Every change is a read-modify-write
guarded by the edition's row version (optimistic concurrency, so it holds across
`digest serve` processes): a save names the version it read, and when someone else
saved in between nothing is stored and :class:`~digest.curate.CurationConflict` says
so. The desk's forms carry the version the editor saw, so a change made from a page
that is out of date is refused the same way. A rebuild ranks the stored articles again
(the editor's pins ranked in) and replays the operations, so they win over the ranking.
A story added by a link one of the sources delivered is that stored article (under its
key, so the list's next edition knows it was sent); any other link is fetched.
A test message goes through the same preparation as a real one, marked "[TEST] ", to
one address, and is not recorded in the ledger.
Must not: read the clock (callers pass `now`; a deadline's timer aside), or hold request
state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from digest import curate, images
from digest.app import App
from digest.build import candidates, list_options, select
from digest.codec import edition_from_dict, edition_to_dict, iso
from digest.collect.entry import article_key, canonical_url
from digest.collect.pages import article_from_page, extract_page
from digest.curate import CurationConflict, CurationError, Operation
from digest.deliver.mail import send_one
from digest.errors import DeliveryError, NotFound, SourceError
from digest.rank.told import told
from digest.rank.trim import trim
from digest.records import Article, Edition, SourceReport, Story, Subscriber
from digest.subscribers import normalise_email
from digest.web.fetch_guard import FetchDeadline, fetch_page, is_public

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


@dataclass(frozen=True, slots=True)
class Curation:
    """An edition as the desk shows it: the curated edition and how it came to be."""

    edition: Edition  # the payload: what sending uses
    base: Edition  # the ranked edition before the editor's changes
    operations: tuple[Operation, ...]
    version: int = 0  # the row version these were read at


def curation(app: App, edition_id: int) -> Curation:
    overrides, version = app.store.curation_state(edition_id)
    edition = app.store.edition(edition_id)
    base_dict = overrides.get("base")
    base = edition if not base_dict else replace(edition_from_dict(base_dict), id=edition_id)
    ops = tuple(curate.from_dict(d) for d in overrides.get("operations", ()))
    return Curation(edition, replace(base, status=edition.status), ops, version)


def stale(edition_id: int) -> CurationConflict:
    """The refusal of a change made from a page older than the edition."""
    return CurationConflict(
        f"edition {edition_id} was changed by someone else since you loaded it; "
        "nothing was stored: reload it and try again"
    )


def _save(
    app: App, base: Edition, ops: tuple[Operation, ...], *, version: int, now: datetime
) -> Edition:
    curated = curate.apply_all(base, ops)
    overrides: dict[str, Any] = {
        "base": edition_to_dict(base),
        "operations": [curate.to_dict(op) for op in ops],
        "changed_at": iso(now),
    }
    if not app.store.save_curation(curated, overrides, version=version):
        status = app.store.edition_status(curated.id or 0)
        if status == "draft":
            raise stale(curated.id or 0)
        raise CurationError(
            f"edition {curated.id} is {status}: only a draft can be changed"
            + (" (unapprove it first)" if status == "approved" else "")
        )
    return curated


def draft(app: App, edition_id: int, *, seen: int | None = None) -> Curation:
    """The edition's curation; CurationError unless it is a draft, CurationConflict
    when it is no longer at version `seen` (the version the editor's page showed)."""
    current = curation(app, edition_id)
    if seen is not None and current.version != seen:
        raise stale(edition_id)
    if current.edition.status != "draft":
        status = current.edition.status
        raise CurationError(
            f"edition {edition_id} is {status}: only a draft can be changed"
            + (" (unapprove it first)" if status == "approved" else "")
        )
    return current


def change(
    app: App, edition_id: int, op: Operation, *, now: datetime, seen: int | None = None
) -> Edition:
    """Apply one more operation to a draft and store the result.

    An operation on a story names it by key; one whose key is not a story of the edition
    (a crafted form, or a story gone since) is refused: `curate.apply` would ignore it,
    but it would still be stored and listed in the history as a change. A pin, drop or
    edit may name a story of the reserve (sent only to subscribers of some sections)."""
    current = draft(app, edition_id, seen=seen)
    key = None if isinstance(op, curate.Add) else op.key
    edition = current.edition
    # A pin, drop or edit may name a story only subscribers of some sections get.
    stories = edition.carried if isinstance(op, curate.ANY_STORY) else edition.stories
    if key is not None and key not in {s.key for s in stories}:
        raise CurationError(
            f"edition {edition_id} has no story {key[:80]!r} (dropped, or never in it); "
            "nothing was changed"
        )
    return _save(app, current.base, (*current.operations, op), version=current.version, now=now)


def undo(
    app: App,
    edition_id: int,
    *,
    now: datetime,
    everything: bool = False,
    seen: int | None = None,
) -> Edition:
    """Take back the last operation (or all of them)."""
    current = draft(app, edition_id, seen=seen)
    ops = () if everything else current.operations[:-1]
    return _save(app, current.base, ops, version=current.version, now=now)


def rebuild(app: App, edition_id: int, *, now: datetime, seen: int | None = None) -> Edition:
    """Rank the stored articles again for the edition's time; replay the curation."""
    return rebuilt(app, edition_id, now=now, seen=seen)[0]


def rebuilt(
    app: App, edition_id: int, *, now: datetime, seen: int | None = None
) -> tuple[Edition, tuple[str, ...]]:
    """:func:`rebuild`, and :func:`pictures_left_out` of the rebuilt edition (the
    pictures it already hosted are kept, not fetched again)."""
    current = draft(app, edition_id, seen=seen)
    edition = current.edition
    # The editor's pins are ranked in (even old news); dropped stories are not left
    # out here but by replaying the drops, so that undoing a drop brings them back.
    store, settings = app.store, app.settings
    options = replace(
        list_options(store, settings, edition.list, edition_id=edition_id),
        pinned=curate.pinned_keys(current.operations),
    )
    # A story added on the desk is stored as an article, but its Add places it: ranked
    # in too, it came back where the ranking put it (a lead the editor added as a
    # teaser) and took the place of a story the ranking chose.
    added = {op.story.key for op in current.operations if isinstance(op, curate.Add)}
    articles = [a for a in candidates(store, settings.edition, edition.at) if a.key not in added]
    ranked = select(articles, store.section_sets(edition.list), now=edition.at, options=options)
    base = replace(current.base, leads=ranked.leads, teasers=ranked.teasers, reserve=ranked.reserve)
    like = current.base.carried + current.edition.carried
    base, hosted = images.host_edition(base, store, settings, now=now, like=like)
    saved = _save(app, base, current.operations, version=current.version, now=now)
    store.set_picture_notes(edition_id, hosted.notes)  # the desk shows these from now on
    return saved, pictures_left_out(app, saved)


def pictures_left_out(app: App, edition: Edition) -> tuple[str, ...]:
    """What the edition's build (`digest run`'s too) or last rebuild said of the pictures
    it left out, for the stories it still carries without one, each named as it reads
    now (under the headline an editor gave it); a story dropped, or given its picture
    since, says no more."""
    assert edition.id is not None
    bare = {s.key: s for s in edition.carried if s.image is None or not s.image.hosted}
    return tuple(
        images.left_out_line(bare[key], why) if why else line
        for key, line, why in app.store.picture_notes(edition.id)
        if key in bare
    )


# -- adding a story ------------------------------------------------------------------------
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
    article (:func:`digest.rank.told.told`: the post's opening where the excerpt was it
    cut short, no wire dateline, an untitled item's headline not read twice) and
    trimmed to the same budget."""
    e = app.settings.edition
    title, text = told(article)
    words, sentences = (e.lead_words, None) if lead else (e.teaser_words, 2)
    return Story(
        key=article.key,
        title=title,
        url=article.url,
        source=source,
        summary=trim(text, words, max_sentences=sentences) if text.strip() else "",
        image=article.image,
        section=article.section,
        published=article.published,
        language=article.language,
    )


def _keep(app: App, article: Article, *, now: datetime) -> None:
    app.store.record(SourceReport(DESK_SOURCE, (article,)), location="the editor desk", now=now)


def story_from_url(app: App, url: str, *, section: str | None, lead: bool, now: datetime) -> Story:
    """:func:`added_from_url`'s story."""
    return added_from_url(app, url, section=section, lead=lead, now=now).stories[0]


def added_from_url(
    app: App,
    url: str,
    *,
    section: str | None,
    lead: bool,
    now: datetime,
    deadline: float = ADD_DEADLINE,
) -> images.Hosted:
    """The story at `url`, its picture hosted (:func:`digest.images.host_all`; a line
    says why when it could not be). The story is the stored article that links there
    (one of the sources' that the ranking left out, say: under its own key, so that the
    next edition counts it as sent), else the page fetched, its article extracted and
    stored. Loopback and private addresses are not fetched
    (:mod:`digest.web.fetch_guard`) unless the configuration allows them.

    All of it has `deadline` seconds: a page not fetched by then is a SourceError naming
    its address, and nothing is stored; a picture not fetched in the time left is left
    out, and a line says so."""
    ends = time.monotonic() + deadline
    story = _found_at(app, url, section=section, lead=lead, now=now, deadline=deadline)
    return images.host_all(
        [story],
        app.store,
        app.settings,
        now=now,
        deadline=ends - time.monotonic(),
        late=f"the {deadline:g} s the desk gives adding a story",
    )


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


# -- a test message ------------------------------------------------------------------------
def send_test(
    app: App, edition_id: int, to: str, *, as_subscriber: str | None, now: datetime
) -> str:
    """Send the edition, as `as_subscriber` gets it (their sections and format), to `to`.

    The subject is marked "[TEST] "; the ledger is not touched; the links to leave or
    change preferences in it lead nowhere (they belong to no subscriber). Returns the
    address it went to.
    """
    address = normalise_email(to)
    edition = app.store.edition(edition_id)
    model = None
    if as_subscriber:
        model = app.store.subscriber(edition.list, as_subscriber)
        if model is None:
            raise NotFound(f"{as_subscriber}: not a subscriber of list {edition.list!r}")
    subscriber = Subscriber(
        0,
        address,
        model.name if model else "",
        edition.list,
        sections=model.sections if model else (),
        format=model.format if model else "html",
    )
    variant, text_only = app.variant_for(subscriber)
    prepared = app.prepare(edition, variant, text_only, now=now, test=True)
    data = app.message_for(prepared, edition_id, subscriber)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    try:
        send_one(
            app.settings, app.transport(), address, data, name=f"test-{edition_id}-{stamp}", now=now
        )
    except DeliveryError as exc:
        raise DeliveryError(f"test to {address} not sent: {exc}") from None
    return address
