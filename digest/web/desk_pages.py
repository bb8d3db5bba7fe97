"""The desk's pages: editions, one edition with its previews, sources, lists.

The edition page shows the message exactly as a chosen subscriber gets it, built by
:meth:`digest.app.App.preview` (the render and preparation path of sending): subject,
preheader, the HTML part in a desktop and a 375 px phone frame (`preview.html`, served
in a sandbox with no script), the plain-text part, the lint findings, and each story's
score parts and cluster members, with the curation forms. While an edition is being
sent, a small frame (`ledger`) reloads itself every few seconds with the ledger's
counts (no script: a meta refresh); `ledger.json` gives the same counts to tools.
These views only read; :mod:`digest.web.desk_actions` changes things.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from flask import Response, abort, jsonify, render_template, request

from digest.app import App
from digest.codec import edition_to_dict
from digest.compose import Preview
from digest.curate import describe
from digest.errors import DigestError, NotFound
from digest.gate import REASON_WORDS
from digest.lint import Finding, lint_message
from digest.records import Edition
from digest.web.common import web
from digest.web.desk import bp
from digest.web.desk_add import DESK_SOURCE
from digest.web.desk_budget import over_budget
from digest.web.desk_edition import Curation, curation, pictures_left_out, sponsored_left_out
from digest.web.desk_outlook import outlook

#: The previews' frames: the message's own styles and images, no script, no forms;
#: sandboxed (links open in a new tab), and only framed by the desk itself.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
    "font-src https: data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
FRAGMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
#: Seconds between reloads of the ledger frame while an edition is being sent.
LEDGER_REFRESH = 2
STATUSES = ("draft", "approved", "sending", "paused", "sent", "skipped", "cancelled")
LIVE = ("sending", "paused")


# -- previews, cached per curated edition and subscriber ------------------------------------
@dataclass(frozen=True, slots=True)
class Shown:
    """One preview, taken apart for the page."""

    preview: Preview
    subject: str
    html: str | None  # None for a plain-text-only subscriber
    text: str
    findings: tuple[Finding, ...]


_CACHE: OrderedDict[tuple[Any, ...], Shown] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def _fingerprint(app: App, edition: Edition, email: str | None) -> tuple[Any, ...]:
    payload = json.dumps(edition_to_dict(edition), sort_keys=True, default=str)
    subscriber = app.store.subscriber(edition.list, email) if email else None
    return (
        str(app.settings.path),
        edition.id,
        hashlib.sha256(payload.encode()).hexdigest(),
        email,
        subscriber,
    )


def shown(app: App, edition: Edition, email: str | None) -> Shown:
    """The message as `email` (None: a subscriber of every section) gets it."""
    assert edition.id is not None
    key = _fingerprint(app, edition, email)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    preview = app.preview(edition.id, email=email, now=web().now())
    msg = message_from_bytes(preview.message, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    html = msg.get_body(preferencelist=("html",))
    text = msg.get_body(preferencelist=("plain",))
    result = Shown(
        preview,
        str(msg["Subject"]),
        None if html is None else str(html.get_content()),
        "" if text is None else str(text.get_content()).replace("\r\n", "\n"),
        tuple(lint_message(preview.message)),
    )
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _edition(edition_id: int) -> Curation:
    try:
        return curation(web().app, edition_id)
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")


def _subscriber_arg() -> str | None:
    value = request.args.get("subscriber", "").strip()[:320]
    return value or None


# -- pages --------------------------------------------------------------------------------
@bp.route("/editions")
def editions() -> str:
    app = web().app
    list_name = request.args.get("list") or None
    rows = app.store.editions(list_name, limit=200)
    # A cancelled edition may have reached readers before it was stopped: its counts too.
    reached = (*LIVE, "sent", "cancelled")
    ledgers = {e.id: app.store.ledger(e.id) for e in rows if e.status in reached}
    warn_at = app.settings.bounces.complaint_warning
    stats = app.store.bounce_stats([e.id for e in rows if e.id in ledgers])
    return render_template(
        "web/desk/editions.html",
        rows=rows,
        ledgers=ledgers,
        outcomes={i: s.outcome(warn_at) for i, s in stats.items()},
        warn_at=warn_at,
        lists=[lst.name for lst in app.settings.lists],
        chosen_list=list_name,
    )


@bp.route("/editions/<int:edition_id>")
def edition(edition_id: int) -> tuple[str, int]:
    return edition_page(edition_id, _subscriber_arg())


def edition_page(
    edition_id: int, email: str | None, *, status: int = 200, **extra: Any
) -> tuple[str, int]:
    """The edition page as subscriber `email` gets it (None: every section); `extra`
    goes to the template (a form's words to show again), `status` with it."""
    app = web().app
    cur = _edition(edition_id)
    problem = None
    try:
        view = shown(app, cur.edition, email)
    except NotFound as exc:
        problem, email = str(exc), None
        view = shown(app, cur.edition, None)
    except DigestError as exc:  # a broken template or an edition too big to send
        return render_template(
            "web/desk/edition.html",
            cur=cur,
            view=None,
            problem=str(exc),
            **_edition_context(app, cur, email),
            **extra,
        ), 500
    return render_template(
        "web/desk/edition.html",
        cur=cur,
        view=view,
        problem=problem,
        **_edition_context(app, cur, email),
        **extra,
    ), status


def _edition_context(app: App, cur: Curation, email: str | None) -> dict[str, Any]:
    edition = cur.edition
    assert edition.id is not None
    titles = {s.key: s.title for s in (*cur.base.carried, *edition.carried)}
    for op in cur.operations:
        story = getattr(op, "story", None)
        if story is not None:
            titles.setdefault(story.key, story.title)
        elif op.key not in titles:  # a story a rebuild left out: its stored article's
            article = app.store.article(op.key)
            if article is not None and article.title:
                titles[op.key] = article.title
    sections: list[str] = []
    for source in app.settings.sources:
        if source.section and source.section not in sections:
            sections.append(source.section)
    info = app.store.edition_info(edition.id)
    ahead = outlook(app, info, now=web().now()) if info.status in ("draft", "approved") else None
    # Only while it can still change (unapproved): which an editor may choose to run.
    ads = sponsored_left_out(app, cur) if info.status in ("draft", "approved") else ()
    return {
        "info": info,
        "ahead": ahead,
        "email": email,
        "history": [describe(op, titles) for op in cur.operations],
        "picture_notes": pictures_left_out(app, edition),
        # Only while it can still change: an editor's summary is sent whole, so said.
        "over_budget": over_budget(edition, app.settings.edition)
        if info.status in ("draft", "approved")
        else (),
        "sponsored": ads,
        "advert_words": REASON_WORDS["advert"],
        "subscribers": app.store.subscribers(edition.list, statuses=("active",), limit=200),
        "sections": sections,
        "ledger": app.store.ledger(edition.id),
        "live": edition.status in LIVE,
        "base_positions": {s.key: i for i, s in enumerate(cur.base.stories, 1)},
    }


@bp.route("/editions/<int:edition_id>/preview.html")
def preview(edition_id: int) -> Response:
    app = web().app
    cur = _edition(edition_id)
    try:
        view = shown(app, cur.edition, _subscriber_arg())
    except NotFound as exc:
        abort(404, str(exc))
    if view.html is not None:
        body = _desk_pictures(view.html, app.settings.newsletter.base_url)
    else:  # a plain-text subscriber: show the text as their mail client would
        body = render_template("web/desk/text-preview.html", text=view.text)
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _desk_pictures(html: str, base_url: str) -> str:
    """`html` with its hosted pictures (`base_url/images/…`) loaded from this desk's own
    `/images/`, which serves the same bytes: a desk reached before `base_url` is live
    (a local or staging one) would show broken boxes, and wait on its name lookup."""
    hosted = f'src="{base_url.rstrip("/")}/images/'
    return html.replace(hosted, f'src="{request.script_root}/images/')


def _ledger_state(edition_id: int) -> dict[str, Any]:
    app = web().app
    try:
        info = app.store.edition_info(edition_id)
    except NotFound:
        abort(404, f"There is no edition {edition_id}.")
    due = waiting = None
    if info.status in LIVE:  # `due`: what a send would still send, as tools read it;
        # `waiting`: those of them beside no ledger count (the frame's "still due")
        zone = app.settings.list(info.list).timezone
        due = app.store.due_count(edition_id, info.list, list_timezone=zone)
        waiting = app.store.due_count(edition_id, info.list, list_timezone=zone, untouched=True)
    return {
        "id": edition_id,
        "status": info.status,
        "ledger": app.store.ledger(edition_id),
        "due": due,
        "waiting": waiting,
    }


@bp.route("/editions/<int:edition_id>/ledger")
def ledger(edition_id: int) -> Response:
    state = _ledger_state(edition_id)
    body = render_template(
        "web/desk/ledger.html",
        state=state,
        refresh=LEDGER_REFRESH if state["status"] == "sending" else None,
    )
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAGMENT_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/editions/<int:edition_id>/ledger.json")
def ledger_json(edition_id: int) -> Response:
    return jsonify(_ledger_state(edition_id))


@bp.route("/sources")
def sources() -> str:
    app = web().app
    health = {h.name: h for h in app.store.health()}
    configured = [(s, health.pop(s.name, None)) for s in app.settings.sources]
    desk = health.pop(DESK_SOURCE, None)
    return render_template(
        "web/desk/sources.html",
        configured=configured,
        others=sorted(health.values(), key=lambda h: h.name),
        desk=desk,
        now=web().now(),
    )


@bp.route("/lists")
def lists() -> str:
    app = web().app
    counts = app.store.list_counts()
    rows = []
    for lst in app.settings.lists:
        latest = app.store.editions(lst.name, limit=1)
        rows.append((lst, counts.get(lst.name, {}), latest[0] if latest else None))
    return render_template(
        "web/desk/lists.html",
        rows=rows,
        statuses=("active", "pending", "unsubscribed", "bounced", "complained"),
    )
