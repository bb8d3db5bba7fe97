"""A feed that writes its headlines in capitals: the edition (and the subject line that
leads with one) reads in the case the outlet's own text uses, not in shouting capitals.

Words take the case the item's own text gives them ("MSME" stays, "BANK" is "Bank" where
the text says "Karnataka Bank", "OFFICIALLY" is "officially"); a short word the text never
uses stays in capitals (an acronym); an item whose text is itself in capitals, or too
short to tell, keeps its headline as written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from digest.collect.casing import recase_shouting
from digest.collect.feeds import parse_feed
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

HARBOUR = (
    "Copenhagen: The Harbour Authority has named Mette Lind as its new Chief Executive. "
    "Lind, who ran the port of Aarhus for six years, takes over in January. The board "
    "said the harbour needed a leader with experience of large building works, and the "
    "council welcomed the choice. The ferry operators had asked for a decision before "
    "the winter timetable. She will present her plans to the council on 3 February."
)


def _feed(title: str, description: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Quay Post</title><link>https://quay.example/</link>"
        f"<item><title>{escape(title)}</title><link>https://quay.example/a</link>"
        f"<guid>a</guid><pubDate>Thu, 26 Nov 2026 20:00:00 +0000</pubDate>"
        f"<description>{escape(description)}</description></item></channel></rss>"
    ).encode()


def _title(title: str, description: str) -> str:
    (article,) = parse_feed(_feed(title, description), source="Quay Post", url=None, now=NOW)
    return article.title


def test_a_shouted_headline_reads_in_the_case_of_its_own_text() -> None:
    got = _title("HARBOUR AUTHORITY NAMES METTE LIND AS NEW CHIEF EXECUTIVE", HARBOUR)
    assert got == "Harbour Authority names Mette Lind as new Chief Executive"


def test_unknown_short_words_stay_capitals_and_ordinals_lower() -> None:
    got = _title("EU PORT RULES: LIND TO MEET COUNCIL ON 3RD FEBRUARY", HARBOUR)
    assert got == "EU port rules: Lind to meet council on 3rd February"


def test_headlines_that_do_not_shout_are_left_as_written() -> None:
    for title in ("NASA and ESA sign the lunar deal", "UEFA", "Lind to lead the HARBOUR"):
        assert _title(title, HARBOUR) == title


def test_no_evidence_no_change() -> None:
    shouted = "HARBOUR AUTHORITY NAMES METTE LIND AS NEW CHIEF EXECUTIVE"
    assert _title(shouted, HARBOUR.upper()) == shouted  # the text shouts too
    assert _title(shouted, "Lind named.") == shouted  # too little text to tell
    guessed = "LIND WINS VOTE AFTER WEEKS OF TALKS ON THE ROUTE"  # most words unknown
    assert recase_shouting(guessed, HARBOUR) == guessed


def test_real_feed_in_capitals() -> None:
    # Varthabharathi's English items (a real feed) are headlined in capitals.
    feed = require_corpus() / "feeds" / "news-varthabharathi-kannada.rss"
    titles = {
        a.title for a in parse_feed(feed.read_bytes(), source="Varthabharathi", url=None, now=NOW)
    }
    assert "Karnataka Bank bags MSME Banking Excellence Awards" in titles, titles
    assert any(t.endswith(" Chief General Manager of Karnataka Bank") for t in titles), titles
    shouting = [t for t in titles if t.isupper()]
    assert not shouting, shouting
