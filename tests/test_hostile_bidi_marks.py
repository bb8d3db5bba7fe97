"""Direction marks and overrides that reach a headline by another way than a feed's
embeddings: a right-to-left mark (RLM, ALM) in a headline with no right-to-left letter,
and an override an editor pastes into a headline on the desk. A headline in Hebrew or
Arabic keeps the marks it needs."""

from __future__ import annotations

import re
from pathlib import Path

from digest import curate
from digest.collect.sanitize import clean_text
from digest.web.desk_edition import change
from tests.test_hostile_headlines import NOW, _edition, _message, _parts

RLM, LRM, ALM, RLO = "\u200f", "\u200e", "\u061c", "\u202e"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _clear(where: str, text: str) -> None:
    found = BIDI.search(text)
    assert found is None, f"{where}: {text[max(found.start() - 60, 0) : found.end() + 60]!r}"


def test_a_right_to_left_mark_in_a_latin_headline_is_left_out(tmp_path: Path) -> None:
    # An RLM makes the digits and punctuation after it read right to left: "+45 3312-8800"
    # shows as "8800-3312 45+", a price or an address reordered, with no letter to say so.
    items = [
        (
            f"Call {RLM}+45 3312-8800 to claim your refund",
            "https://evil.example/1",
            f"<p>Refunds close on {ALM}30-11-2026 for {LRM}everyone.</p>",
        ),
        ("Ferry timetable changes", "https://evil.example/2", "<p>New ferry times.</p>"),
    ]
    app, edition = _edition(tmp_path, items)
    assert edition.stories[0].title == "Call +45 3312-8800 to claim your refund"
    msg = _message(app, edition)
    for where, text in [("Subject", str(msg["Subject"])), *_parts(msg).items()]:
        _clear(where, text)


def test_marks_in_right_to_left_headlines_are_kept() -> None:
    # Hebrew and Arabic write an RLM / ALM so a number or a Latin name sits where it reads.
    hebrew = f"ראש העיר התפטר{RLM} (עדכון)"
    arabic = f"الرئيس يزور{ALM} 2026 باريس"
    assert clean_text(hebrew) == hebrew
    assert clean_text(arabic) == arabic
    assert clean_text(f"{RLO}{hebrew}") == hebrew  # overrides go even there


def test_an_override_in_an_editors_headline_reaches_no_reader(tmp_path: Path) -> None:
    items = [
        ("Mayor resigns after scandal", "https://evil.example/1", "<p>The mayor resigned.</p>"),
        ("Ferry timetable changes", "https://evil.example/2", "<p>New ferry times.</p>"),
    ]
    app, edition = _edition(tmp_path, items)
    assert edition.id is not None
    key = edition.stories[0].key
    edit = curate.Edit(key, f"Mayor resigns {RLO}moc.elgoog", f"Pasted {RLM}1-2 {RLO}text")
    edited = change(app, edition.id, edit, now=NOW)
    assert edited.stories[0].title == "Mayor resigns moc.elgoog"
    msg = _message(app, edited)
    for where, text in [("Subject", str(msg["Subject"])), *_parts(msg).items()]:
        _clear(where, text)
