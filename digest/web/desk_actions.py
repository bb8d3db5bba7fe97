"""The desk's form actions: curate a story, add one, undo, rebuild, approve, test-send.

Each is a POST with the desk's CSRF token that does one thing through
:mod:`digest.web.desk_edition` (:mod:`digest.web.desk_add` for a new story) or the
store, then redirects back to the edition page (303), which shows the result
re-rendered; a refusal (not a draft any more, a bad URL, an unknown subscriber) comes
back as a flash message and changes nothing ("Add a story" and "Send a test" say theirs
in their own card, :mod:`digest.web.desk_said`; a story typed in by hand and refused
comes back, after the redirect, with its form open and every word the editor typed). Every
curation and status form carries the edition's version as the page showed it: when
the edition changed since (in this process or another), the answer is a 409 page
saying so and by whom (this editor in another tab, or the editor the edition names as
its last change's), and nothing is stored or approved; that page, like the refusal of
a rewritten or new story because the edition is no longer a draft, shows the words the
editor typed, which a redirect would lose. Who gets an approved edition and when
is said beside its status on the page (:mod:`digest.web.desk_outlook`), once. Views
hold no curation logic of their own.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from digest import curate, gate
from digest.curate import CurationConflict, CurationError
from digest.errors import DigestError, NotFound
from digest.lifecycle import EditionStatus, sources
from digest.records import Edition
from digest.web import desk_add
from digest.web import desk_edition as work
from digest.web.common import web
from digest.web.csrf import check_csrf
from digest.web.desk import SCOPE, bp, count, current_editor, stamp, typed_words
from digest.web.desk_said import say

#: Edition statuses a cancel may start from (a sent or cancelled edition stays so).
CANCELLABLE = sources(EditionStatus.CANCELLED)


def _back(edition_id: int, anchor: str | None = None) -> BaseResponse:
    subscriber = request.form.get("subscriber", "").strip()
    query = f"?{urlencode({'subscriber': subscriber})}" if subscriber else ""
    target = url_for("desk.edition", edition_id=edition_id) + query
    return redirect(target + (f"#{anchor}" if anchor else ""), code=303)


def _form(name: str, limit: int) -> str:
    value = request.form.get(name, "")
    if len(value) > limit:
        abort(400, f"The field {name!r} is longer than {limit} characters.")
    return value


def _seen() -> int | None:
    """The edition version the editor's page showed (None: a form without one)."""
    value = request.form.get("version", "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        abort(400, "The field 'version' must be a whole number.")
    return int(value)


def _conflict(edition_id: int, exc: CurationError) -> tuple[str, int]:
    """Nothing was stored: the edition changed since the editor's page was made (or was
    approved meanwhile). The page says so, and who changed it when the edition keeps
    that (this editor, in another tab, or another editor), and shows what the editor
    typed, which a redirect back to the edition would lose."""
    stale = isinstance(exc, CurationConflict)
    body = render_template(
        "web/desk/conflict.html",
        heading="Changed since this page was loaded" if stale else "Not changed",
        message=_moved_on(edition_id) if stale else str(exc),
        edition_id=edition_id,
        typed=typed_words(),
    )
    return body, 409


def _moved_on(edition_id: int) -> str:
    """Who changed the edition since the editor's page was loaded, as far as it is known."""
    by, at = work.last_change(web().app, edition_id)
    me = current_editor()
    info = web().app.store.edition_info(edition_id)
    when = f" (at {stamp(at, info.list)})" if at else ""
    if by is not None and me is not None and by == me.email:
        who = f"You changed edition {edition_id} in another tab or window"
    elif by is not None:
        who = f"{by} changed edition {edition_id}"
    else:
        who = f"Edition {edition_id} was changed, by another editor or in another tab,"
    return f"{who} since this page was loaded{when}. Nothing was stored from this page."


def _by() -> str | None:
    """The address of the editor making this change (kept with it: :func:`_moved_on`)."""
    editor = current_editor()
    return editor.email if editor else None


def _refused(edition_id: int, exc: DigestError) -> BaseResponse | tuple[str, int]:
    """A refusal of a story's change: a page with the editor's words when the edition is
    no longer a draft (they typed them for nothing), else a message on the edition."""
    if (
        isinstance(exc, CurationError)
        and typed_words()
        and web().app.store.edition_status(edition_id) != "draft"
    ):
        return _conflict(edition_id, exc)
    said = str(exc)
    if request.endpoint != "desk.add":
        flash(said, "error")
        return _back(edition_id)
    if "not added" not in said:
        said = f"{said.rstrip('. ')}. The story was not added."  # whatever refused it
    if request.form.get("how") == "url":
        say(said, "error", "add", typed=request.form.get("url", ""))  # in its card
        return _back(edition_id, "add")
    # By hand: every word typed goes back into the form, open, on the edition page the
    # redirect lands on (kept in the store: more than the session cookie carries).
    hand = {name: request.form.get(name, "") for name in ("title", "url", "summary", "source")}
    hand |= {"place": request.form.get("place", ""), "section": request.form.get("section", "")}
    say(said, "error", "hand", form=hand)
    return _back(edition_id, "add")


def _story_op(kind: str, key: str, edition_id: int) -> curate.Operation:
    if kind in ("pin", "drop"):  # of any story, the reserve's too
        current = work.curation(web().app, edition_id).edition
        story = next((s for s in current.carried if s.key == key), None)
        if kind == "pin":
            return curate.Pin(key, story)
        return curate.Drop(key, story.keys[1:] if story else ())
    if kind in ("up", "down"):
        return curate.Move(key, -1 if kind == "up" else 1)
    if kind == "edit":
        return curate.Edit(
            key,
            _form("title", curate.MAX_TITLE),
            _form("summary", curate.MAX_SUMMARY),
        )
    if kind == "unpin":
        return curate.Unpin(key)
    if kind == "promote":
        return curate.Promote(key)
    if kind == "demote":
        return curate.Demote(key)
    abort(400, f"Unknown action {kind[:40]!r}.")


@bp.route("/editions/<int:edition_id>/stories", methods=["POST"])
def story(edition_id: int) -> BaseResponse | tuple[str, int]:
    """One story's buttons: pin, unpin, drop, up, down, promote, demote, edit."""
    check_csrf(SCOPE)
    w = web()
    key = _form("key", 700)
    kind = request.form.get("action", "")
    try:
        op = _story_op(kind, key, edition_id)
        after = work.change(w.app, edition_id, op, now=w.now(), seen=_seen(), by=_by())
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")
    except curate.NothingToChange as exc:  # saved as it was: said, nothing stored
        flash(str(exc), "ok")
        return _back(edition_id, _anchor(work.curation(w.app, edition_id).edition, key))
    except CurationConflict as exc:
        return _conflict(edition_id, exc)
    except DigestError as exc:
        return _refused(edition_id, exc)
    return _back(edition_id, None if kind == "drop" else _anchor(after, key))


def _anchor(edition: Edition, key: str) -> str | None:
    """Where the story is on the edition page after the change."""
    for name, stories in (("story", edition.stories), ("reserve", edition.reserve)):
        keys = [s.key for s in stories]
        if key in keys:
            return f"{name}-{keys.index(key) + 1}"
    return None


@bp.route("/editions/<int:edition_id>/add", methods=["POST"])
def add(edition_id: int) -> BaseResponse | tuple[str, int]:
    """Add a story: fetched from a URL, or typed in by hand."""
    check_csrf(SCOPE)
    w = web()
    lead = request.form.get("place") == "lead"
    section = _form("section", 200).strip() or None
    try:
        seen = _seen()
        current = work.draft(w.app, edition_id, seen=seen)  # a 404, or a refusal, first
        problems: tuple[str, ...] = ()
        notes: tuple[work.Note, ...] = ()
        if request.form.get("how") == "url":
            added = desk_add.added_from_url(
                w.app,
                _form("url", 2000),
                section=section,
                lead=lead,
                now=w.now(),
                edition=current.edition,  # its sources' share cards are left off
            )
            story, problems, notes = added.stories[0], added.problems, added.notes
        else:
            story = desk_add.story_by_hand(
                w.app,
                title=_form("title", curate.MAX_TITLE),
                url=_form("url", 2000),
                summary=_form("summary", curate.MAX_SUMMARY),
                source=_form("source", 200),
                section=section,
                lead=lead,
                now=w.now(),
            )
        desk_add.add(
            w.app, edition_id, story, lead=lead, now=w.now(), notes=notes, seen=seen, by=_by()
        )
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")
    except CurationConflict as exc:
        return _conflict(edition_id, exc)
    except DigestError as exc:
        return _refused(edition_id, exc)
    flash(f"Added “{story.title}”.", "ok")
    for line in problems:  # the story goes without its picture ("Pictures left out" too)
        flash(line, "error")
    return _back(edition_id)


@bp.route("/editions/<int:edition_id>/undo", methods=["POST"])
def undo(edition_id: int) -> BaseResponse | tuple[str, int]:
    """Take back the last change, or (`all`) every change: that one only with the box
    ticked, as one click would otherwise throw away an editor's whole morning."""
    check_csrf(SCOPE)
    w = web()
    everything = request.form.get("all") == "1"
    try:
        if everything and request.form.get("confirm") != "yes":
            changes = len(work.draft(w.app, edition_id, seen=_seen()).operations)
            flash(
                f"Tick the box to confirm: undo all discards "
                f"{count(changes, 'change', 'changes')}. Nothing was undone.",
                "error",
            )
            return _back(edition_id)
        work.undo(w.app, edition_id, now=w.now(), everything=everything, seen=_seen(), by=_by())
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")
    except CurationConflict as exc:
        return _conflict(edition_id, exc)
    except DigestError as exc:
        flash(str(exc), "error")
    return _back(edition_id)


@bp.route("/editions/<int:edition_id>/rebuild", methods=["POST"])
def rebuild(edition_id: int) -> BaseResponse | tuple[str, int]:
    """Rank the stored articles again; the editor's changes are applied on top."""
    check_csrf(SCOPE)
    w = web()
    try:
        done = work.rebuilt(w.app, edition_id, now=w.now(), seen=_seen(), by=_by())
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")
    except CurationConflict as exc:
        return _conflict(edition_id, exc)
    except DigestError as exc:
        flash(str(exc), "error")
        return _back(edition_id)
    message = "Ranked again from the stored articles; your changes were applied on top."
    if done.held:  # else an edition left short of stories is a mystery
        them = "it is" if sum(h.stories for h in done.held) == 1 else "they are"
        message += (
            f" {'; '.join(_held(h) for h in done.held)}, so {them} not ranked here: "
            "a story goes to a list in one edition."
        )
    flash(message, "ok")
    problems = done.pictures
    if problems:  # as many as "Pictures left out" names (not a dropped story's)
        pictures = count(len(problems), "picture", "pictures")
        flash(f"{pictures} could not be hosted: see “Pictures left out”.", "error")
    return _back(edition_id)


def _held(held: work.Held) -> str:
    """How many stories wait in another edition, named as the desk's list of editions
    names it: "3 stories wait in edition 7 (slot 28 Nov 2026, 07:00 CET)" (without a
    slot, by the time it was built for)."""
    info = held.edition
    if info.slot:
        when = f"slot {stamp(info.slot, info.list)}"
    else:
        when = f"built for {stamp(info.built_for, info.list)}"
    wait = "waits" if held.stories == 1 else "wait"
    return f"{count(held.stories, 'story', 'stories')} {wait} in edition {info.id} ({when})"


@bp.route("/editions/<int:edition_id>/status", methods=["POST"])
def status(edition_id: int) -> BaseResponse | tuple[str, int]:
    """Approve, unapprove or cancel, only as the page showed the edition: a status change
    from a page made before someone else changed the edition is a conflict, like an
    edit, so nobody approves (or takes back, or cancels) content they never saw."""
    check_csrf(SCOPE)
    w = web()
    store = w.app.store
    action = request.form.get("action", "")
    seen = _seen()
    try:
        before = store.edition_status(edition_id)
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")
    if action not in ("approve", "unapprove", "cancel"):
        abort(400, f"Unknown action {action[:40]!r}.")
    if seen is not None and store.edition_version(edition_id) != seen:
        return _conflict(edition_id, work.stale(edition_id))
    if action == "approve":
        try:
            gate.check(
                store.edition(edition_id), w.app.settings.edition.min_stories, action="approved"
            )
        except gate.TooFewStories as exc:
            flash(str(exc), "error")
            return _back(edition_id)
        done = store.approve(edition_id, now=w.now(), version=seen)
        message = "Approved."  # who gets it and when: beside the status, said once
    elif action == "unapprove":
        done = store.unapprove(edition_id, version=seen)
        message = "Approval taken back: it is a draft again."
    else:
        if request.form.get("confirm") != "yes":
            flash("Tick the box to confirm: a cancelled edition is never sent.", "error")
            return _back(edition_id)
        done = before in CANCELLABLE and store.set_edition_status(
            edition_id, EditionStatus.CANCELLED, now=w.now(), expect=(before,), version=seen
        )
        message = "Cancelled: nobody else gets it, and it can no longer be sent."
    if done:
        flash(message, "ok")
        return _back(edition_id)
    if seen is not None and store.edition_version(edition_id) != seen:  # changed meanwhile
        return _conflict(edition_id, work.stale(edition_id))
    flash(f"Edition {edition_id} is {store.edition_status(edition_id)}: cannot {action}.", "error")
    return _back(edition_id)


@bp.route("/editions/<int:edition_id>/test", methods=["POST"])
def test_send(edition_id: int) -> BaseResponse:
    """Send the edition as previewed to one address, marked as a test."""
    check_csrf(SCOPE)
    w = web()
    editor = current_editor()
    typed = _form("to", 320)
    to = typed.strip() or (editor.email if editor else "")
    as_subscriber = request.form.get("subscriber", "").strip() or None
    try:
        w.app.store.edition_status(edition_id)
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")
    try:
        address = work.send_test(w.app, edition_id, to, as_subscriber=as_subscriber, now=w.now())
    except DigestError as exc:  # a bad address, an unknown subscriber, a transport failure
        say(f"Test not sent: {exc}", "error", "test", typed=typed)
        return _back(edition_id, "test")
    say(f"Test sent to {address} (subject marked [TEST]; not in the ledger).", "ok", "test")
    return _back(edition_id, "test")
