"""The public archive: each edition that went out, on the web, and an Atom feed of them.

- `/archive/<id>`: the web edition ("View in your browser" in every message links
  here): an edition that is going or has gone out (sending, paused, sent), or that
  reached readers before it was cancelled (a copy delivered: their link works).
  Drafts, approved and skipped editions are never public (404), and nor is one
  cancelled before its first copy.
- `/archive`: the editions that went out (sent, or cancelled after reaching readers:
  listed as any other, as those readers got it), newest first (`?list=NAME` for one
  list).
- `/archive/<id>/story/<ref>`: the whole text of a story that has no link of its own
  (an article from a folder source: the newsroom's own), which the message links to
  instead. A story with a link has no page here: its page is its publisher's.
- `/archive.atom`: an Atom feed (RFC 4287) of the latest of those, with absolute
  links on the newsletter's `base_url`.
- `/`: the newsletter's root, where a reader lands: the archive once an edition is
  listed there (what the newsletter sends, with its Subscribe link), before that the
  subscribe form. It never leads to the desk (`/login` is not advertised).

No login, no cookie, nothing personal: the pages show the edition's stories, never a
subscriber's links. Views only read.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from digest.errors import ConfigError, NotFound
from digest.records import Edition, Story
from digest.render.language import direction
from digest.render.stories import (
    archive_link,
    edition_shown,
    linked_host,
    story_ref,
    with_image_shown,
    with_marks_bound,
)
from digest.render.text import bound_marks, plain_spaces
from digest.store._editions import EditionInfo
from digest.web.common import SECURITY_HEADERS, refuse_nul, text, web

if TYPE_CHECKING:
    from digest.render import Renderer

bp = Blueprint("archive", __name__)
bp.before_request(refuse_nul)  # a NUL in a filter or form: 400, not a 500

#: Statuses whose edition has reached subscribers (its web page exists).
PUBLIC = ("sending", "paused", "sent")
#: Statuses listed in the archive and the feed.
LISTED = ("sent",)
#: Statuses public, and listed, only once a copy was delivered: a send stopped for good
#: after it reached readers.
REACHED = ("cancelled",)
INDEX_SIZE = 100
FEED_SIZE = 20
#: The default policy, plus the stories' images from their sources (`[newsletter]
#: images = "remote"`; hosted ones are the site's own).
ARCHIVE_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace(
    "img-src 'self' data:", "img-src 'self' https: data:"
)


@bp.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    remote = web().app.settings.newsletter.images == "remote"
    response.headers["Content-Security-Policy"] = (
        ARCHIVE_CSP if remote else SECURITY_HEADERS["Content-Security-Policy"]
    )
    if response.status_code == 200:  # a 404 must not outlive the edition's sending
        # A browser with a session (an editor's login, a form's CSRF id) gets its cookie
        # refreshed on this answer: a shared cache must never keep that for others.
        has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
        cache = "private, max-age=300" if has_session else "public, max-age=300"
        response.headers.setdefault("Cache-Control", cache)
    return response


def _groups(stories: tuple[Story, ...]) -> list[tuple[str, list[Story]]]:
    groups: dict[str, list[Story]] = {}
    for story in stories:
        groups.setdefault(story.section or "", []).append(story)
    return list(groups.items())


def _title(edition: Edition) -> str:
    news = web().app.settings.newsletter
    try:
        return web().app.settings.list(edition.list).title or news.name
    except ConfigError:
        return news.name


def _subscribe_list(edition: Edition) -> str | None:
    """The list the web edition's Subscribe link names: its own, unless it has been
    removed from the configuration (the form would be a 404): then none, the form's."""
    try:
        return web().app.settings.list(edition.list).name
    except ConfigError:
        return None


def _entry(info: EditionInfo) -> dict[str, Any]:
    """What the index and the feed show of one edition."""
    app = web().app
    edition = edition_shown(app.store.edition(info.id))  # links without trackers
    renderer = app.renderer
    # On the list's calendar; a list gone from the configuration: on the project's.
    date, subject = renderer.date(edition), renderer.subject(edition)
    return {
        "info": info,
        "edition": edition,
        "subject": subject,
        "preheader": renderer.preheader(edition),
        "date": date,
        "list_title": _title(edition),
        "subscribe_list": _subscribe_list(edition),
        "updated": info.sent_at or info.built_for,
    }


@bp.route("/")
def root() -> BaseResponse:
    """A reader at the root: to the archive, or the subscribe form while it is empty."""
    listed = web().app.store.editions_with_status(LISTED, None, reached=REACHED, limit=1)
    return redirect(url_for("archive.index" if listed else "public.subscribe_form"))


@bp.route("/archive")
def index() -> str:
    list_name = request.args.get("list") or None
    store = web().app.store
    infos = store.editions_with_status(LISTED, list_name, reached=REACHED, limit=INDEX_SIZE)
    return render_template(
        "web/archive/index.html", entries=[_entry(i) for i in infos], list_name=list_name
    )


@bp.route("/archive/<int:edition_id>")
def edition(edition_id: int) -> str:
    entry = _entry(_public(edition_id))
    ed: Edition = entry["edition"]
    news = web().app.settings.newsletter
    return render_template(
        "web/archive/edition.html",
        entry=entry,
        # French marks kept by their words ("200 €", "tactile ?"), as the email has them
        leads=[
            with_image_shown(with_marks_bound(s), news.images, request.script_root)
            for s in ed.leads
        ],
        teaser_groups=_groups(tuple(with_marks_bound(s) for s in ed.teasers)),
        story_ref=story_ref,
        **_reading(),
    )


def _reading() -> dict[str, Any]:
    """The edition's language and direction, and each story's where it differs (as
    the email has them: :meth:`~digest.render.Renderer.lang_attrs`)."""
    renderer = web().app.renderer
    language = renderer.language
    return {
        "lang": language,
        "dir": direction(language),
        "lang_attrs": renderer.lang_attrs,
        # "Also in": other publishers only, capped and counted, as the email names them
        "also": renderer.also,
        "and_more": lambda n: renderer.strings.plural("and_more", n),
        "update_label": lambda story, list_name: _update_label(renderer, story, list_name),
        # As the email credits a story and shows a link post's other article.
        "credit": renderer.credit,
        # "Listen at …" under a story whose link is an audio or video file, as the email
        "media_cue": renderer.media_cue,
        "linked_host": linked_host,
        "link_word": renderer.strings("link"),
        # An attribute's words (an image's alt text) with plain spaces: not laid out
        "plain": plain_spaces,
    }


def _update_label(renderer: Renderer, story: Story, list_name: str) -> str:
    """ "Update · first reported 6 Dec" for a story that is an update (as the email
    labels it: see digest.rank.updates); "" for any other."""
    if not story.update:
        return ""
    first = renderer.first_reported(story, list_name)
    return f"{renderer.strings('update')} · {first}" if first else renderer.strings("update")


def _public(edition_id: int) -> EditionInfo:
    """The edition's info, when the edition is public (else 404)."""
    store = web().app.store
    try:
        info = store.edition_info(edition_id)
    except NotFound:
        info = None
    if info is None or not (
        info.status in PUBLIC or (info.status in REACHED and store.reached_readers(edition_id))
    ):
        abort(404, text("archive.no_edition"))
    return info


@bp.route("/archive/<int:edition_id>/story/<ref>")
def story(edition_id: int, ref: str) -> str:
    entry = _entry(_public(edition_id))
    ed: Edition = entry["edition"]
    found = next((s for s in ed.stories if not s.url and story_ref(s.key) == ref), None)
    article = web().app.store.article(found.key) if found is not None else None
    if found is None or article is None:
        abort(404, text("archive.no_story"))
    paragraphs = [p.strip() for p in (article.text or found.summary).split("\n\n") if p.strip()]
    return render_template(
        "web/archive/story.html",
        entry=entry,
        # French marks kept by their words, as on the edition's page (its <title>: `plain`)
        story=with_marks_bound(found),
        article=article,
        standfirst=bound_marks(article.summary) if article.text else "",
        paragraphs=[bound_marks(p) for p in paragraphs],
        **_reading(),
    )


@bp.route("/archive.atom")
def feed() -> Response:
    app = web().app
    infos = app.store.editions_with_status(LISTED, reached=REACHED, limit=FEED_SIZE)
    base_url = app.settings.newsletter.base_url
    entries = [_entry(i) for i in infos]
    for entry in entries:  # linked as the email links them: absolute, for a feed reader
        web_url = f"{base_url}/archive/{entry['info'].id}"
        entry["stories"] = [archive_link(s, web_url) for s in entry["edition"].stories]
    reading = _reading()
    updated: datetime = max((e["updated"] for e in entries), default=None) or web().now()
    body = render_template(
        "web/archive/feed.xml",
        entries=entries,
        updated=updated,
        base_url=base_url,
        update_label=reading["update_label"],
        lang_attrs=reading["lang_attrs"],  # each story in its direction, as the email
        also=reading["also"],  # "Also in", capped as the email has it
        and_more=reading["and_more"],
        media_cue=reading["media_cue"],
    )
    return Response(body, mimetype="application/atom+xml")
