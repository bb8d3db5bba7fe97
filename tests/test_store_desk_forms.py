"""A refused desk form kept for the page after the redirect: taken once, by its editor,
within the hour (digest.store._desk_forms), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.store import Store
from digest.store._desk_forms import FORM_LIFETIME

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
WORDS = {"title": "Ærø ferry 漢字", "summary": "x" * 2000, "url": "ftp://a.example/"}


def test_a_form_is_taken_once_by_its_editor_within_the_hour(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    token = store.keep_form(7, WORDS, now=NOW)
    assert store.take_form(token, 8, now=NOW) is None  # another editor's session
    assert store.take_form(token, 7, now=NOW) == WORDS
    assert store.take_form(token, 7, now=NOW) is None  # once
    late = store.keep_form(7, WORDS, now=NOW)
    assert store.take_form(late, 7, now=NOW + FORM_LIFETIME + timedelta(seconds=1)) is None
    old = store.keep_form(7, WORDS, now=NOW)
    store.keep_form(7, {"title": "later"}, now=NOW + FORM_LIFETIME * 2)  # clears old rows
    assert store.take_form(old, 7, now=NOW) is None
    store.close()
