"""A time stays with its word in the welcome: "kl. 07.00" (Danish) and "07:00 Uhr"
(German) are never folded apart, in the text part nor on a narrow screen."""

from __future__ import annotations

import pytest

from digest.render.text import NOBREAK, wrap
from digest.render.welcome_strings import WELCOME_STRINGS

TIMES = {"list": "Morgenavisen Nord", "times": "07:00", "time": "07:00", "days": "mandag"}
TIMES |= {"zone": "Europe/Copenhagen", "date": "mandag den 7. december"}


@pytest.mark.parametrize(
    ("language", "key", "phrase"),
    [
        ("da", "welcome.daily", "kl. 07.00"),
        ("da", "welcome.weekly", "kl. 07.00"),
        ("da", "welcome.next", "kl. 07.00"),
        ("de", "welcome.daily", "07:00 Uhr"),
        ("de", "welcome.weekly", "07:00 Uhr"),
        ("de", "welcome.next", "07:00 Uhr"),
    ],
)
def test_a_time_is_never_folded_apart_from_its_word(language: str, key: str, phrase: str) -> None:
    clock = {"times": phrase[-5:], "time": phrase[-5:]} if language == "da" else {}
    line = WELCOME_STRINGS[language][key].format(**(TIMES | clock))
    assert phrase.replace(" ", NOBREAK) in line  # the HTML part: the browser keeps it
    for width in range(12, len(line) + 1):  # the text part, folded at every width
        folded = wrap(line, width).split("\n")
        assert any(phrase in row for row in folded), (width, folded)
