"""Where the desk says what a form did: at the top of the page, or in the form's card.

Most desk actions answer at the top of the edition page, where the redirect back
lands. "Add a story" and "Send a test" sit far down the page and their answer comes
back scrolled to their card (`#add`, `#test`), so what they say goes in that card,
with what the editor typed when it was refused (to correct, not to type again). A
page that does not show the card (the edition is no longer a draft, so "Add a story"
is gone) says it at the top. Messages are Flask flashes: said once, on the next page.
A whole form typed by hand (a headline, a link, a summary, a source) is more than the
session cookie carries: it is kept in the database under a token only the editor's
session holds (:meth:`digest.store.Store.keep_form`), and the next page takes it, once
(:func:`form`), so the refusal is a redirect like every other answer and a reload
sends nothing again.
Must not: render pages, or keep anything beyond the next page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from flask import flash, g, get_flashed_messages

from digest.web.common import web
from digest.web.desk import current_editor

#: Longest typed value kept for the next page (the session cookie carries it).
MAX_TYPED = 2000
_TYPED = "typed"
_FORM = "form"


def _flashed() -> list[tuple[str, str]]:
    """This request's flashes as (category, message); read once, kept for the request."""
    return cast("list[tuple[str, str]]", get_flashed_messages(with_categories=True))


def say(
    message: str,
    level: str,
    place: str | None = None,
    typed: str | None = None,
    form: Mapping[str, str] | None = None,
) -> None:
    """Say `message` ("ok" or "error") on the next page: in the card `place` when that
    page shows it, else at its top; `typed`, what the editor typed into the card's
    field, goes back into it; `form` (field name -> text), a card's fields, go back
    into theirs (:func:`form`)."""
    flash(message, f"{level} {place}" if place else level)
    if place and typed and typed.strip() and len(typed) <= MAX_TYPED:
        flash(typed, f"{_TYPED} {place}")
    editor = current_editor()
    if place and form and editor is not None:
        w = web()
        flash(w.app.store.keep_form(editor.id, form, now=w.now()), f"{_FORM} {place}")


def said(place: str | None = None, shown: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(level, message) to show in card `place`; with None, those for the page's top:
    its own and those of any card the page does not show (`shown` lists those it does)."""
    cards = set(shown)
    out = []
    for category, message in _flashed():
        level, _, where = category.partition(" ")
        if level in (_TYPED, _FORM):
            continue
        if (where or None) == place or (place is None and where not in cards):
            out.append((level, message))
    return out


def typed(place: str) -> str:
    """What the editor typed into card `place`'s field, if it was refused ('' else)."""
    for category, message in _flashed():
        if category == f"{_TYPED} {place}":
            return message
    return ""


def form(place: str) -> dict[str, str]:
    """The fields of card `place` as the editor typed them, when it was refused ({}
    else): taken from the store on the page after the refusal, and only there."""
    taken: dict[str, dict[str, str]] = g.setdefault("desk_forms", {})
    if place not in taken:
        editor = current_editor()
        token = next((m for c, m in _flashed() if c == f"{_FORM} {place}"), None)
        words = None
        if token and editor is not None:
            w = web()
            words = w.app.store.take_form(token, editor.id, now=w.now())
        taken[place] = words or {}
    return taken[place]


__all__ = ["MAX_TYPED", "form", "said", "say", "typed"]
