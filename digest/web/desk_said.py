"""Where the desk says what a form did: at the top of the page, or in the form's card.

Most desk actions answer at the top of the edition page, where the redirect back
lands. "Add a story" and "Send a test" sit far down the page and their answer comes
back scrolled to their card (`#add`, `#test`), so what they say goes in that card,
with what the editor typed when it was refused (to correct, not to type again). A
page that does not show the card (the edition is no longer a draft, so "Add a story"
is gone) says it at the top. Messages are Flask flashes: said once, on the next page.
Must not: render pages, or keep anything beyond the next page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from flask import flash, get_flashed_messages

#: Longest typed value kept for the next page (the session cookie carries it).
MAX_TYPED = 2000
_TYPED = "typed"


def _flashed() -> list[tuple[str, str]]:
    """This request's flashes as (category, message); read once, kept for the request."""
    return cast("list[tuple[str, str]]", get_flashed_messages(with_categories=True))


def say(message: str, level: str, place: str | None = None, typed: str | None = None) -> None:
    """Say `message` ("ok" or "error") on the next page: in the card `place` when that
    page shows it, else at its top; `typed`, what the editor typed into the card's
    field, goes back into it."""
    flash(message, f"{level} {place}" if place else level)
    if place and typed and typed.strip() and len(typed) <= MAX_TYPED:
        flash(typed, f"{_TYPED} {place}")


def said(place: str | None = None, shown: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(level, message) to show in card `place`; with None, those for the page's top:
    its own and those of any card the page does not show (`shown` lists those it does)."""
    cards = set(shown)
    out = []
    for category, message in _flashed():
        level, _, where = category.partition(" ")
        if level == _TYPED:
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


__all__ = ["MAX_TYPED", "said", "say", "typed"]
