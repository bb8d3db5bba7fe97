"""`/u/<token>`: the unsubscribe link of every edition (its footer and its
List-Unsubscribe header, RFC 8058 one-click); a route of :data:`digest.web.public.bp`
(see :mod:`digest.web.public` for what it answers)."""

from __future__ import annotations

from flask import abort, request, url_for

from digest.records import SUPPRESSED
from digest.tokens import BadToken
from digest.web.common import MAX_ROW_ID, text, web
from digest.web.public import _can_rejoin, _list_title, _page, _row, bp
from digest.web.stale_key import refuse_link

ONE_CLICK = "One-Click"


def _one_click() -> bool:
    if request.form.get("List-Unsubscribe") == ONE_CLICK:
        return True
    # A body sent without a form content type still says the same thing.
    body = request.get_data(cache=True, as_text=True)[:200].strip()
    return body == f"List-Unsubscribe={ONE_CLICK}"


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int]:
    w = web()
    try:
        subscriber_id = w.app.tokens.read("unsubscribe", token)
    except BadToken:
        refuse_link()  # 404; 503 (try again) in a process that missed a key rotation
    if request.method == "POST" and not _one_click():
        abort(400, text("unsubscribe.one_click"))
    gone = 0 < subscriber_id <= MAX_ROW_ID and not w.app.store.subscriber_by_id(subscriber_id)
    if request.method == "POST" and gone:
        # Our own signature, for a subscription erased since (`forget`): RFC 8058 asks
        # for a state that holds, nothing will be sent; not an error for the provider.
        title = text("unsubscribed.title")
        return _page("web/error.html", title=title, message=text("unsubscribed.gone"))
    sub = _row(subscriber_id)
    title = _list_title(sub.list)
    changed = False
    if request.method == "POST":
        changed = w.app.store.set_status(
            sub.id,
            "unsubscribed",
            origin="web:unsubscribe",
            now=w.now(),
            detail=f"List-Unsubscribe={ONE_CLICK}",
            only_from=("active", "pending"),
        )
        sub = w.app.store.subscriber_by_id(sub.id) or sub
    if sub.status not in SUPPRESSED:  # HEAD: the GET's answer without a body
        return _page("web/unsubscribe.html", subscriber=sub, list_title=title)
    # Unsubscribed just now, or before (the link opened again): the way back, if any.
    preferences = url_for(".preferences", token=w.app.tokens.make("preferences", sub.id))
    return _page(
        "web/unsubscribed.html",
        subscriber=sub,
        list_title=title,
        already=not changed,
        preferences_url=preferences if _can_rejoin(sub) else None,
    )
