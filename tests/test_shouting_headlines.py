"""A feed that writes its headlines in capitals: the edition (and the subject line that
leads with one) reads in the case the outlet's own text uses, not in shouting capitals.

Words take the case the item's own text gives them ("MSME" stays, "BANK" is "Bank" where
the text says "Karnataka Bank", "OFFICIALLY" is "officially"); a short word the text never
uses stays in capitals (an acronym); an item whose text is itself in capitals, or too
short to tell, keeps its headline as written. A kicker of two or more words in capitals
before a headline in normal case ("HONOUR LABOUR: Special event …") is recased by the
same evidence, and without evidence in sentence case, whether it ends at a colon, a bar
or a spaced dash ("HONOUR LABOUR | …", "HARBOUR STRIKE - …"); a lone word there is a
name or a code ("NATO:", "EP12 |") and stays, unless the texts write it in lower case
("LIVE |" beside "live updates"). A word the text capitalises only inside a name ("New"
in "New Haven") takes that case only in that name, not standing alone. Where phrases
the text writes overlap, the name wins ("head of the Harbour Authority"), and a piece
cut out of a name ("the Harbour" of "the Harbour Authority") is no evidence.
"""

from __future__ import annotations

import re
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


WORKERS = (
    "Mangaluru, 1 May: The city's building workers were the guests of honour at a dinner "
    "the Karnataka club gave them on Labour Day. The club said honour for the hard labour "
    "of the men who build the city was long overdue. Doctors from the district hospital "
    "checked the health of more than 300 workers, and children from the club's school "
    "sang for them. The club thanked the camp's owners for their help."
)

#: "New" only inside names (New Haven, New England); the rest of the feed writes "new".
NEW_HEAD = (
    "Copenhagen: The Harbour Authority has chosen Mette Lind as its head from January. "
    "Lind ran the port of Aarhus for six years and before that the harbour "
    "office in New Haven, where she also sat on the board of the New England Port Council. "
    "The board said the harbour is in need of a leader with experience of large building "
    "works. She will present her plans to the council in February."
)
#: "the harbour" in lower case, and the name "the Harbour Authority" (which comes first).
AUTHORITY = (
    "Copenhagen: Mette Lind will leave Aarhus in March to become chief executive of the "
    "Harbour Authority here. Lind has been head of the harbour in Aarhus since 2019, and as "
    "head of the harbour she saw the new ferry terminal built on time. The council thanked "
    "her after six years and said she would be hard to replace. Her deputy, Jens Holm, "
    "will run the harbour until the board names a successor in the spring."
)
#: "live" in lower case, "US" only in lower case ("told us"), never "breaking".
STRIKE = (
    "Harbour workers walked out at six this morning over pay, and no ferry has left the "
    "quay since. Follow live updates as the union and the Harbour Authority meet at noon. "
    "A ferry captain told us the strike could last the week, and the council has asked "
    "both sides to meet again tomorrow if the talks fail."
)
FERRY = (
    "The ferry company will sail a new boat on the island route from March, with a new "
    "timetable that adds a late departure on Fridays and Saturdays in the summer months."
)


def _item(n: int, title: str, description: str) -> str:
    return (
        f"<item><title>{escape(title)}</title><link>https://quay.example/{n}</link>"
        f"<guid>{n}</guid><pubDate>Thu, 26 Nov 2026 20:00:00 +0000</pubDate>"
        f"<description>{escape(description)}</description></item>"
    )


def _feed(*items: tuple[str, str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Quay Post</title><link>https://quay.example/</link>"
        + "".join(_item(n, title, text) for n, (title, text) in enumerate(items))
        + "</channel></rss>"
    ).encode()


def _title(title: str, description: str) -> str:
    (article,) = parse_feed(_feed((title, description)), source="Quay Post", url=None, now=NOW)
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


def test_a_kicker_in_capitals_reads_in_the_case_of_its_own_text() -> None:
    got = _title("HONOUR LABOUR: Special event for workers in Mangaluru", WORKERS)
    assert got == "Honour labour: Special event for workers in Mangaluru"
    # The text's phrase gives its case; "brief" no text uses is lower case, "EU" stays.
    got = _title("EU HARBOUR AUTHORITY BRIEF: Lind to meet the council", HARBOUR)
    assert got == "EU Harbour Authority brief: Lind to meet the council"


def test_a_kicker_in_capitals_without_evidence_reads_in_sentence_case() -> None:
    # Too little text to tell, or text in capitals itself: sentence case, short words kept.
    assert _title("WEEKEND READING: Lind named", "Lind named.") == "Weekend reading: Lind named"
    got = _title("EU HONOUR LABOUR EVENING: Workers dine", WORKERS.upper())
    assert got == "EU honour labour evening: Workers dine"
    # Greek capitals drop the accents lower case needs: without evidence, as written.
    greek = "ΝΕΑ ΕΠΟΧΗ: Το λιμάνι ανοίγει"
    assert _title(greek, "Το λιμάνι ανοίγει.") == greek


def test_a_lone_word_or_code_in_capitals_before_a_colon_stays() -> None:
    for title in (
        "NATO: Ministers meet in Brussels",
        "OSLOBANK: Profits fall",
        "HTML 6: The draft is published",
        "EP12: The harbour at night",
        "ÖVP: Neue Regeln für den Hafen",
        "PU: Lind gets the top result",
    ):
        assert _title(title, HARBOUR) == title


def test_a_word_capitalised_only_inside_a_name_is_lower_case_alone() -> None:
    # The item's text writes "New" only in "New Haven" and "New England"; alone, the
    # word is the feed's "new" (a new boat, a new timetable).
    shouted = ("METTE LIND IS NEW HEAD OF THE HARBOUR AUTHORITY", NEW_HEAD)
    articles = parse_feed(
        _feed(shouted, ("Ferry adds a late departure", FERRY)),
        source="Quay Post",
        url=None,
        now=NOW,
    )
    assert articles[0].title == "Mette Lind is new head of the Harbour Authority"
    # The name itself keeps its capitals.
    got = _title("LIND LEAVES NEW HAVEN FOR THE HARBOUR AUTHORITY", NEW_HEAD)
    assert got == "Lind leaves New Haven for the Harbour Authority"


def test_a_name_the_text_writes_wins_over_a_phrase_it_writes_in_lower_case() -> None:
    # The text writes "head of the harbour" in lower case and "the Harbour Authority" as a
    # name: where the two overlap on "the harbour", the name decides.
    got = _title("METTE LIND TO BE HEAD OF THE HARBOUR AUTHORITY", AUTHORITY)
    assert got == "Mette Lind to be head of the Harbour Authority"
    # A piece cut out of a name is no evidence: "the harbour" alone is lower case, though
    # the text writes "the Harbour Authority" first.
    got = _title("LIND LEAVES THE HARBOUR AFTER SIX YEARS", AUTHORITY)
    assert got == "Lind leaves the harbour after six years"
    # The same in a kicker.
    got = _title("HEAD OF THE HARBOUR AUTHORITY: Lind takes over in March", AUTHORITY)
    assert got == "Head of the Harbour Authority: Lind takes over in March"


def test_a_kicker_in_capitals_before_a_bar_or_a_dash_reads_in_the_case_of_its_text() -> None:
    got = _title("HONOUR LABOUR | Special event for workers in Mangaluru", WORKERS)
    assert got == "Honour labour | Special event for workers in Mangaluru"
    got = _title("EU HARBOUR AUTHORITY BRIEF – Lind to meet the council", HARBOUR)
    assert got == "EU Harbour Authority brief – Lind to meet the council"
    got = _title("WEEKEND READING — Lind named", "Lind named.")
    assert got == "Weekend reading — Lind named"
    got = _title("HARBOUR STRIKE - Day one: no ferry leaves the quay", STRIKE)
    assert got == "Harbour strike - Day one: no ferry leaves the quay"
    # A lone common word the texts write in lower case is a kicker too.
    got = _title("LIVE | Harbour workers strike over pay", STRIKE)
    assert got == "Live | Harbour workers strike over pay"
    got = _title("LIVE: Harbour workers strike over pay", STRIKE)
    assert got == "Live: Harbour workers strike over pay"


def test_a_lone_name_or_code_before_a_bar_or_a_dash_stays() -> None:
    for title in (
        "BREAKING | Ferry strike ends after talks",  # no text writes "breaking": a name?
        "NATO – Ministers meet in Brussels",
        "OSLOBANK - Profits fall",
        "EP12 | The harbour at night",
        "US — Ferry captain speaks",  # "us" in lower case, but short: an acronym
        "HTML 6 - The draft is published",
    ):
        assert _title(title, STRIKE) == title


def test_real_feed_in_capitals() -> None:
    # Varthabharathi's English items (a real feed) are headlined in capitals.
    feed = require_corpus() / "feeds" / "news-varthabharathi-kannada.rss"
    titles = {
        a.title for a in parse_feed(feed.read_bytes(), source="Varthabharathi", url=None, now=NOW)
    }
    assert "Karnataka Bank bags MSME Banking Excellence Awards" in titles, titles
    assert any(t.endswith(" is new Chief General Manager of Karnataka Bank") for t in titles), (
        titles
    )
    shouting = [t for t in titles if t.isupper()]
    assert not shouting, shouting
    # Kickers in capitals ("HONOUR LABOUR: …") read in the case the text gives them.
    kickers = [t for t in titles if re.match(r"[^\W\d_]+ [^:]*[^\W\d_]{4}[^:]*:", t)]
    assert not [t for t in kickers if t.split(":")[0].isupper()], kickers


def test_a_country_or_organisation_acronym_keeps_its_capitals() -> None:
    """STRIKE says "told us" (the pronoun): that is no evidence about "US" the country."""
    assert _title("US FERRY STRIKE: Day one at the quay", STRIKE) == (
        "US ferry strike: Day one at the quay"
    )
    got = _title("US FERRY WORKERS STRIKE OVER PAY AS THE COUNCIL ASKS BOTH SIDES TO MEET", STRIKE)
    assert got == "US ferry workers strike over pay as the council asks both sides to meet"
    for kicker in ("UK", "EU", "UN", "NATO", "NHS", "FBI"):
        got = _title(f"{kicker} FERRY STRIKE: Day one at the quay", STRIKE)
        assert got == f"{kicker} ferry strike: Day one at the quay"


def test_a_word_the_text_writes_in_capitals_keeps_them() -> None:
    # "IT" is in capitals in the text (the IT desk), though "it" is far more common.
    text = STRIKE + (
        " The IT desk at the quay says it has kept the ticket machines running, and it "
        "will keep it that way as long as it takes."
    )
    assert _title("IT DESK KEEPS THE QUAY RUNNING: Day one", text) == (
        "IT desk keeps the quay running: Day one"
    )


def test_a_short_word_the_text_writes_in_lower_case_in_that_phrase_is_lowered() -> None:
    text = STRIKE + " The union leader asked the council to let us talk to the mayor first."
    assert _title("LET US TALK TO THE MAYOR: Union leader", text) == (
        "Let us talk to the mayor: Union leader"
    )
