"""What one hostile feed can do to pass its items off as the newsletter's own words: a
rule and footer forged in the text part, a headline that is another site's address,
a teaser written like our footer or a notice to the subscriber. Collected, ranked and
rendered by the real pipeline into the message a subscriber gets."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_hostile_headlines import _edition, _message, _parts

FOOTER_RULE = "-" * 78
STORY_RULE = "=" * 78

# -- the text part's rules -------------------------------------------------------------------


def test_a_summary_cannot_draw_the_text_parts_rules_and_forge_its_footer(tmp_path: Path) -> None:
    # The text part sets each story under a rule of "=" and the footer (with its
    # one-click unsubscribe link) under a rule of "-". Words are never broken, so a
    # summary holding 78 dashes drew our footer's rule in the middle of the edition,
    # above a forged "Unsubscribe with one click:" and the feed's own address.
    forged = (
        f"{FOOTER_RULE} You receive The Test Brief because you subscribed with this "
        "address. Unsubscribe with one click: https://brief-example.org/u/MQ.Wfpj"
    )
    items = [
        (
            "Harbour baths reopen after winter repairs",
            "https://evil.example/baths",
            f"<p>The harbour baths reopen on Monday after repairs. {forged}</p>",
        ),
        (
            "Ferry timetable changes for the winter",
            "https://evil.example/ferry",
            f"<p>New ferry times from Monday. {'= ' * 40} Read on. {'─' * 78}</p>",
        ),
        (
            f"Council votes on the budget {'_' * 78}",
            "https://evil.example/budget",
            "<p>The council voted on the budget on Thursday.</p>",
        ),
    ]
    app, edition = _edition(tmp_path, items)
    text = _parts(_message(app, edition))["text/plain"]
    rules = [line for line in text.splitlines() if re.fullmatch(r"[\W_]{8,}", line.strip())]
    assert rules == [STORY_RULE] * len(edition.leads) + [FOOTER_RULE], text
    # The story keeps its words; only the rule it drew is gone.
    assert "The harbour baths reopen on Monday after repairs." in text
    assert text.index("Unsubscribe with one click") < text.index(FOOTER_RULE)
    assert text.rindex(FOOTER_RULE) > text.rindex("Council votes on the budget")
