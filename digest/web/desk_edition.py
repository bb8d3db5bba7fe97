"""The desk's work on one edition, without Flask: curate, rebuild, send a test.

An edition's `overrides` keep `{"base": the ranked edition, "operations": [...]}`; its
payload is always `curate.apply_all(base, operations)`, the curated edition that
sending uses. Curation changes only drafts. Every change is a read-modify-write
guarded by the edition's row version (optimistic concurrency, so it holds across
`digest serve` processes): a save names the version it read, and when another save
came in between nothing is stored and :class:`~digest.curate.CurationConflict` says
so (the overrides keep who saved last, and when: :func:`last_change`). The desk's
forms carry the version the editor saw, so a change made from a page
that is out of date is refused the same way. A rebuild ranks the stored articles again
(the editor's pins ranked in) and replays the operations, so they win over the ranking;
it says which of the list's other editions hold the stories it could not take (a story
goes to a list in one edition). Adding a story is :mod:`digest.web.desk_add`.
A test message goes through the same preparation as a real one, marked "[TEST] ", to
one address, and is not recorded in the ledger.
Must not: read the clock (callers pass `now`; a deadline's timer aside), or hold request
state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from digest import curate, images
from digest.app import App
from digest.build import candidates, list_options, select
from digest.codec import edition_from_dict, edition_to_dict, iso
from digest.curate import CurationConflict, CurationError, Operation
from digest.deliver.mail import send_one
from digest.errors import DeliveryError, NotFound
from digest.rank import advertisements
from digest.records import TEST_COPY, Article, Edition, Subscriber, claimed_key
from digest.store._editions import EditionInfo
from digest.subscribers import normalise_email

#: A picture note as an edition keeps it: (story key, line, why and address).
Note = tuple[str, str, str]


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
    """The refusal of a change made from a page older than the edition (who made the
    change since: :func:`last_change`)."""
    return CurationConflict(
        f"Edition {edition_id} has changed since this page was loaded. Nothing was "
        "stored: reload it and try again."
    )


def last_change(app: App, edition_id: int) -> tuple[str | None, datetime | None]:
    """Who saved the edition's curation last (the editor's address, None when not
    known: saved before the desk kept it) and when (None: never changed)."""
    overrides, _ = app.store.curation_state(edition_id)
    by, at = overrides.get("changed_by"), overrides.get("changed_at")
    when = datetime.fromisoformat(at.replace("Z", "+00:00")) if isinstance(at, str) else None
    return (by if isinstance(by, str) and by else None), when


def _not_draft(edition_id: int, status: str) -> CurationError:
    return CurationError(
        f"Edition {edition_id} is {status}: only a draft can be changed"
        + (" (unapprove it first)." if status == "approved" else ".")
    )


def _save(
    app: App,
    base: Edition,
    ops: tuple[Operation, ...],
    *,
    version: int,
    now: datetime,
    notes: Sequence[Note] | None = None,
    by: str | None = None,
) -> Edition:
    """Store the curation (and `notes`, the edition's picture notes: None, as they are)
    if the edition is still a draft at `version`; `by`, the editor who changed it."""
    curated = curate.apply_all(base, ops)
    overrides: dict[str, Any] = {
        "base": edition_to_dict(base),
        "operations": [curate.to_dict(op) for op in ops],
        "changed_at": iso(now),
    }
    if by:  # named when someone else's page, made before, is refused (`last_change`)
        overrides["changed_by"] = by
    if not app.store.save_curation(curated, overrides, version=version, picture_notes=notes):
        status = app.store.edition_status(curated.id or 0)
        if status == "draft":
            raise stale(curated.id or 0)
        raise _not_draft(curated.id or 0, status)
    return curated


def draft(app: App, edition_id: int, *, seen: int | None = None) -> Curation:
    """The edition's curation; CurationError unless it is a draft, CurationConflict
    when it is no longer at version `seen` (the version the editor's page showed)."""
    current = curation(app, edition_id)
    if seen is not None and current.version != seen:
        raise stale(edition_id)
    if current.edition.status != "draft":
        raise _not_draft(edition_id, current.edition.status)
    return current


def change(
    app: App,
    edition_id: int,
    op: Operation,
    *,
    now: datetime,
    seen: int | None = None,
    notes: Sequence[Note] | None = None,
    by: str | None = None,
) -> Edition:
    """Apply one more operation to a draft and store the result (`by`: the editor's
    address); `notes`, the picture notes of the story an Add brings, replace any the
    edition kept for that story.

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
    if isinstance(op, curate.Edit):  # only what the editor changed (NothingToChange)
        op = curate.narrowed(op, next(s for s in stories if s.key == key))
    kept = None
    if notes is not None:  # read after the version: a note saved since changed it too
        mine = {note[0] for note in notes}
        if isinstance(op, curate.Add):
            mine.add(op.story.key)
        kept = [n for n in app.store.picture_notes(edition_id) if n[0] not in mine] + list(notes)
    ops = (*current.operations, op)
    return _save(app, current.base, ops, version=current.version, now=now, notes=kept, by=by)


def undo(
    app: App,
    edition_id: int,
    *,
    now: datetime,
    everything: bool = False,
    seen: int | None = None,
    by: str | None = None,
) -> Edition:
    """Take back the last operation (or all of them)."""
    current = draft(app, edition_id, seen=seen)
    ops = () if everything else current.operations[:-1]
    return _save(app, current.base, ops, version=current.version, now=now, by=by)


@dataclass(frozen=True, slots=True)
class Held:
    """Stories a rebuild could not take: another edition of the list waiting to go out
    holds them (a story goes to a list in one edition)."""

    edition: EditionInfo  # the edition that holds them
    stories: int  # how many of its stories


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """What a desk rebuild stored, and what the editor needs told of it."""

    edition: Edition
    pictures: tuple[str, ...]  # :func:`pictures_left_out` of the rebuilt edition
    held: tuple[Held, ...] = ()  # the other editions holding stories it could not take


def rebuild(app: App, edition_id: int, *, now: datetime, seen: int | None = None) -> Edition:
    """Rank the stored articles again for the edition's time; replay the curation."""
    return rebuilt(app, edition_id, now=now, seen=seen).edition


def rebuilt(
    app: App, edition_id: int, *, now: datetime, seen: int | None = None, by: str | None = None
) -> Rebuilt:
    """:func:`rebuild`, with :func:`pictures_left_out` of the rebuilt edition (the
    pictures it already hosted are kept, not fetched again) and the other editions that
    hold stories it could not take."""
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
    # The added stories are not hosted again: what was said of their pictures stays.
    notes = [*hosted.notes, *(n for n in store.picture_notes(edition_id) if n[0] in added)]
    ops = current.operations
    saved = _save(app, base, ops, version=current.version, now=now, notes=notes, by=by)
    waiting = {k for k, why in ranked.left_out.items() if why == "queued"}
    held = _held(app, waiting, store.queued_by(edition.list, but=edition_id))
    return Rebuilt(saved, pictures_left_out(app, saved), held)


def _held(app: App, waiting: set[str], holders: Mapping[str, int]) -> tuple[Held, ...]:
    """The editions of `holders` (article key -> the edition holding it) that hold the
    articles `waiting`, each with how many of its stories tell them."""
    keys: dict[int, set[str]] = {}
    for key in waiting:
        found = holders.get(key, holders.get(claimed_key(key)))
        if found is not None:
            keys.setdefault(found, set()).update({key, claimed_key(key)})
    out = []
    for edition_id, theirs in sorted(keys.items()):
        stories = app.store.edition(edition_id).carried
        count = sum(1 for s in stories if theirs & {n for k in s.keys for n in (k, claimed_key(k))})
        out.append(Held(app.store.edition_info(edition_id), count or len(theirs)))
    return tuple(out)


def pictures_left_out(app: App, edition: Edition) -> tuple[str, ...]:
    """What the edition's build (`digest run`'s too) or last rebuild, and the stories
    added on the desk by their links, said of the pictures they left out, for the
    stories it still carries without one, each named as it reads now (under the
    headline an editor gave it); a story dropped, or given its picture since, says no
    more."""
    assert edition.id is not None
    bare = {s.key: s for s in edition.carried if s.image is None or not s.image.hosted}
    return tuple(
        images.left_out_line(bare[key], why) if why else line
        for key, line, why in app.store.picture_notes(edition.id)
        if key in bare
    )


def sponsored_left_out(app: App, cur: Curation) -> tuple[Article, ...]:
    """The sponsored posts and advertisements the ranking leaves out of the edition
    (:func:`digest.rank.advertisements`, ranked for the edition's time with the
    editor's pins, as a rebuild ranks), but those it carries (an editor added one) and
    those another edition of the list sent or waits to send; newest first."""
    edition = cur.edition
    store, settings = app.store, app.settings
    options = replace(
        list_options(store, settings, edition.list, edition_id=edition.id),
        pinned=curate.pinned_keys(cur.operations),
    )
    taken = {k for s in edition.carried for k in s.keys} | options.already_sent | options.queued
    articles = candidates(store, settings.edition, edition.at)
    ads = advertisements(articles, now=edition.at, options=options)
    left = [a for a in ads if a.key not in taken and claimed_key(a.key) not in taken]
    return tuple(sorted(left, key=lambda a: a.when.timestamp() if a.when else 0.0, reverse=True))


# -- a test message ------------------------------------------------------------------------
def send_test(
    app: App, edition_id: int, to: str, *, as_subscriber: str | None, now: datetime
) -> str:
    """Send the edition, as `as_subscriber` gets it (their sections, format and time
    zone: their view), to `to`.

    Nothing of the subscriber's identity goes with it: it is addressed to `to` with no
    name (their name on another's address would tell the recipient who was previewed),
    and its links to leave or change preferences are test links, signed for
    :data:`~digest.records.TEST_COPY` (no subscription; the pages say "test copy"),
    never the subscriber's own, which would let whoever gets the test unsubscribe them
    or read and change their preferences. The subject is marked "[TEST] "; the ledger
    is not touched. Returns the address it went to.
    """
    address = normalise_email(to)
    edition = app.store.edition(edition_id)
    model = None
    if as_subscriber:
        model = app.store.subscriber(edition.list, as_subscriber)
        if model is None:
            raise NotFound(f"{as_subscriber}: not a subscriber of list {edition.list!r}")
    subscriber = Subscriber(
        TEST_COPY,
        address,
        "",
        edition.list,
        sections=model.sections if model else (),
        timezone=model.timezone if model else None,
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
