"""What one hostile feed can do to pass its items off as the newsletter's own words: a
rule and footer forged in the text part, a headline that is another site's address,
a teaser written like our footer or a notice to the subscriber. Collected, ranked and
rendered by the real pipeline into the message a subscriber gets."""

from __future__ import annotations

import re
from pathlib import Path
from unicodedata import normalize

from digest.app import App
from digest.lint import lint_message
from tests.conftest import write_project
from tests.test_hostile_headlines import NOW, _built, _edition, _message, _parts

FOOTER_RULE = "---"
STORY_RULE = "==="
#: A word too long to share a line: whatever comes before it ends a line on its own.
LONG = "https://evil.example/" + "x" * 70

# -- the text part's rules -------------------------------------------------------------------


def test_a_summary_cannot_draw_the_text_parts_rules_and_forge_its_footer(tmp_path: Path) -> None:
    # The text part sets each story under a short rule of "=" and the footer (with its
    # one-click unsubscribe link) under one of "-". Words are never broken, so a
    # summary holding 78 dashes drew our footer's rule in the middle of the edition,
    # above a forged "Unsubscribe with one click:" and the feed's own address; so can
    # three, standing alone before a word too long to share their line.
    forged = (
        f"{'-' * 78} You receive The Test Brief because you subscribed with this "
        "address. Unsubscribe with one click: https://brief-example.org/u/MQ.Wfpj "
        f"Read on. {LONG} {FOOTER_RULE} {LONG} You receive The Test Brief because you subscribed."
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
            f"<p>New ferry times from Monday. {'= ' * 40} Read on. {'─' * 78} {'−' * 78} "
            f"{LONG} {STORY_RULE} {LONG} = = = {LONG} ___ {LONG}</p>",
        ),
        (
            f"Council votes on the budget {'_' * 78}",
            "https://evil.example/budget",
            "<p>The council voted on the budget on Thursday.</p>",
        ),
    ]
    app, edition = _edition(tmp_path, items)
    text = _parts(_message(app, edition))["text/plain"].replace("\r\n", "\n")
    rules = [line for line in text.splitlines() if re.fullmatch(r"[\W_]{3,}", line.strip())]
    assert rules == [STORY_RULE] * len(edition.leads) + [FOOTER_RULE], text
    # The story keeps its words; only the rule it drew is gone.
    assert "The harbour baths reopen on Monday after repairs." in text
    assert text.index("Unsubscribe with one click") < text.index(f"\n{FOOTER_RULE}\n")
    assert text.rindex(f"\n{FOOTER_RULE}\n") > text.rindex("Council votes on the budget")
    # The rules it held were in the edition's text, standing alone before a long word.
    assert text.count(LONG) >= 5, text


# -- a headline that is another site's address -----------------------------------------------


def _anchors(html: str) -> list[tuple[str, str]]:
    """Each link's (href, visible text) in an HTML part."""
    found = re.findall(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    return [(href, re.sub(r"<[^>]+>", "", text).strip()) for href, text in found]


def test_a_headline_that_is_a_web_address_is_no_headline(tmp_path: Path) -> None:
    # The email links each headline to its story: a headline that is another site's
    # address showed the bank's address and went to the feed's site, the pattern mail
    # clients and filters take for phishing. Its text gives the headline instead; an
    # address and nothing else is no story at all.
    items = [
        (
            "https://www.danskebank.dk/login",
            "https://evil.example/x",
            "<p>Customers must confirm their details by Friday to keep their accounts.</p>",
        ),
        ("www.danskebank.dk/konto", "https://evil.example/y", "<p>Log in to read on.</p>"),
        ("https://www.mitid.dk/", "https://evil.example/z", ""),
        # Dots that only look like dots, and invisible characters, make no headline of it.
        ("ｗｗｗ\u2024nets\uff0edk/betal\u00ading", "https://evil.example/n", "<p>Pay now.</p>"),
        (
            "Booking.com fined by the competition authority",
            "https://evil.example/booking",
            "<p>The competition authority fined Booking.com on Thursday.</p>",
        ),
    ]
    app, edition = _edition(tmp_path, items)
    titles = [s.title for s in edition.stories]
    assert "Customers must confirm their details by Friday to keep their accounts" in titles
    assert "Log in to read on" in titles
    assert "Booking.com fined by the competition authority" in titles
    assert "Pay now" in titles
    assert len(titles) == 4
    parts = _parts(_message(app, edition))
    for href, text in _anchors(parts["text/html"]):
        assert not re.match(r"(https?://|www\.)", text), (href, text)
    assert "danskebank.dk" not in parts["text/plain"]
    assert "nets" not in parts["text/plain"]
    assert "mitid" not in parts["text/plain"] + parts["text/html"]


def test_an_address_spelled_with_lookalike_letters_is_no_headline(tmp_path: Path) -> None:
    # A Cyrillic "р" or a Greek "ρ" in the scheme made "httрs://www.danskebank.dk/login"
    # a headline: a reader sees the bank's address over a link to the feed's site. An
    # ideographic full stop is a dot to a browser (UTS #46), and reads as one.
    items = [
        (
            "htt\u0440s://www.danskebank.dk/login",
            "https://evil.example/x",
            "<p>Customers must confirm their details by Friday to keep their accounts.</p>",
        ),
        ("htt\u03c1s://www.mitid.dk/", "https://evil.example/z", "<p>Log in to read on.</p>"),
        ("https://www.n\u043erdea.dk/konto", "https://evil.example/y", "<p>Pay now.</p>"),
        ("www\u3002nets\u3002dk/betaling", "https://evil.example/n", "<p>Pay today.</p>"),
    ]
    app, edition = _edition(tmp_path, items)
    titles = [s.title for s in edition.stories]
    assert sorted(titles) == [
        "Customers must confirm their details by Friday to keep their accounts",
        "Log in to read on",
        "Pay now",
        "Pay today",
    ]
    parts = _parts(_message(app, edition))
    for href, text in _anchors(parts["text/html"]):
        assert "://" not in text and "www" not in text, (href, text)


# -- combining marks stacked without end ("zalgo") --------------------------------------------


def _tallest_stack(text: str) -> int:
    """The most nonspacing or enclosing marks on any one character of `text`."""
    runs = re.findall(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]+", text)
    return max(map(len, runs), default=0)


ZALGO = "\u0300\u0301\u0302\u0316\u0317\u0318\u0334\u0335\u0336\u0488\u20dd" * 30
#: Real text with several marks on one letter: Hebrew with points and cantillation,
#: Vietnamese and Yoruba written with combining accents, Tibetan stacks.
STACKED = (
    "\u05d1\u05bc\u05b0\u05bd\u0591\u05e8\u05b5\u05d0\u05e9\u05b4\u0596\u05c1\u05d9\u05ea "
    "Vie\u0302\u0323t Nam o\u0300\u0323 \u0f67\u0f71\u0f74\u0f83 \u0f62\u0f92\u0fb1"
)


def test_combining_marks_stacked_without_end_are_cut_to_what_writing_uses(
    tmp_path: Path,
) -> None:
    # Hundreds of accents on one letter draw a smear over the lines above and below it,
    # over other stories and the footer's links, in every client.
    items = [
        (
            f"Harbour baths reo{ZALGO}pen",
            "https://evil.example/baths",
            f"<p>The harbour baths reopen on Mo{ZALGO}nday after repairs.</p>",
        ),
        ("Ferry timetable changes", "https://evil.example/ferry", f"<p>{STACKED}</p>"),
    ]
    app, edition = _edition(tmp_path, items)
    msg = _message(app, edition)
    for where, text in [("Subject", str(msg["Subject"])), *_parts(msg).items()]:
        assert _tallest_stack(text) <= 6, where
    story = next(s for s in edition.stories if s.url == "https://evil.example/baths")
    assert re.sub(r"[^\x00-\x7f]", "", normalize("NFD", story.title)) == "Harbour baths reopen"
    ferry = next(s for s in edition.stories if s.url == "https://evil.example/ferry")
    assert normalize("NFC", STACKED) in normalize("NFC", ferry.summary)


# -- a story written like our footer or a notice to the subscriber ---------------------------


def test_a_story_written_like_our_footer_or_a_notice_is_flagged_and_ours_comes_last(
    tmp_path: Path,
) -> None:
    # A feed's "Your subscription expires today" led the edition, and so made its
    # Subject, and an "Unsubscribe" teaser linked to the feed's page: shown as ordinary
    # stories, they read as the newsroom's own words. The story stays the feed's (styled
    # as a story, credited, above our footer); the editor is told at the desk and by
    # `digest lint`, where the preview's findings are.
    items = [
        (
            "Your subscription expires today — confirm here",
            "https://evil.example/confirm",
            "<p>Confirm your subscription to keep receiving The Test Brief.</p>",
        ),
        (
            "Harbour baths reopen after winter repairs",
            "https://evil.example/baths",
            "<p>The harbour baths reopen on Monday after repairs to the piers.</p>",
        ),
        # Invisible characters (a soft hyphen, a zero-width joiner) do not hide it.
        (
            "Un\u00adsub\u200dscribe",
            "https://evil.example/unsub",
            "<p>Up\u00addate your pre\u200dferences here.</p>",
        ),
    ]
    app, edition = _edition(tmp_path, items)
    msg = _message(app, edition)
    findings = lint_message(msg.as_bytes())
    (notice,) = [f for f in findings if f.code == "story-reads-like-notice"]
    assert notice.level == "warning"
    assert "2 stories" in notice.message
    assert "Your subscription expires today" in notice.message
    # Our footer, and only ours, comes after every story and in its own style.
    html = _parts(msg)["text/html"]
    footer = html.index('class="footer"')
    assert all(m.start() < footer for m in re.finditer(r'class="(lead|teaser)"', html))
    unsubscribe = [a for a in _anchors(html) if re.sub(r"\W", "", a[1]) == "Unsubscribe"]
    assert [href.startswith("https://brief.example.org/") for href, _ in unsubscribe] == [
        False,
        True,
    ]
    assert html.rindex("evil.example") < footer


def test_the_sample_edition_reads_like_no_notice(tmp_path: Path) -> None:
    app = App.from_config(write_project(tmp_path / "news"))
    reports = app.collect(now=NOW)
    edition = _built(app, reports)
    codes = {f.code for f in lint_message(_message(app, edition).as_bytes())}
    assert "story-reads-like-notice" not in codes


def test_an_image_whose_alt_text_reads_like_our_footer_is_flagged(tmp_path: Path) -> None:
    # Outlook and many webmail readers block images at first: the lead's picture is then
    # its alt text, linked to the feed's page, in the story's place.
    picture = (
        '<img src="https://evil.example/pier.jpg" width="800" height="450" '
        'alt="Unsubscribe from The Test Brief here">'
    )
    items = [
        (
            "Harbour baths reopen after winter repairs",
            "https://evil.example/baths",
            f"<p>The harbour baths reopen on Monday after repairs to the piers.</p>{picture}",
        )
    ]
    app, edition = _edition(tmp_path, items)
    msg = _message(app, edition)
    assert 'alt="Unsubscribe from The Test Brief here"' in _parts(msg)["text/html"]
    (notice,) = [f for f in lint_message(msg.as_bytes()) if f.code == "story-reads-like-notice"]
    assert "Harbour baths reopen" in notice.message and "Unsubscribe" in notice.message


#: Our footer's and a notice's words spelled with letters that pass for Latin ones: a
#: Cyrillic і, о, а, с, a Greek ρ, fullwidth and mathematical bold letters.
LOOKALIKE_NOTICES = [
    ("Unsubscr\u0456be", "<p>Harbour news you no longer want.</p>"),
    ("Harbour pass", "<p>C\u043enfirm your \u0430\u0441count to keep your pass.</p>"),
    ("\uff35\uff4e\uff53\uff55\uff42\uff53\uff43\uff52\uff49\uff42\uff45", "<p>Here.</p>"),
    ("Ferry club", "<p>U\u03c1date your preferences for the ferry club.</p>"),
    (
        "\U0001d414\U0001d427\U0001d42c\U0001d42e\U0001d41b\U0001d42c\U0001d41c\U0001d42b"
        "\U0001d422\U0001d41b\U0001d41e",
        "<p>From the harbour letter.</p>",
    ),
]
#: Real Russian and Greek news, written with letters that look like Latin ones.
GENUINE = [
    (
        "Мэр открыл новый рынок у моря",
        "<p>В субботу мэр открыл новый рынок у моря. Паром на остров теперь ходит каждый "
        "час, а городской совет утвердил бюджет порта на следующий год.</p>",
    ),
    (
        "Το λιμάνι άνοιξε ξανά",
        "<p>Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό του λιμανιού. Το πλοίο για "
        "το νησί θα φεύγει κάθε ώρα από το πρωί έως το βράδυ.</p>",
    ),
]


def test_a_notice_spelled_with_lookalike_letters_is_flagged_and_real_cyrillic_or_greek_is_not(
    tmp_path: Path,
) -> None:
    # "Unsubscrіbe" with a Cyrillic і reads as "Unsubscribe" to every reader, and
    # matched none of the notice's words; nor did fullwidth or mathematical letters.
    items = [
        (title, f"https://evil.example/{n}", text)
        for n, (title, text) in enumerate(LOOKALIKE_NOTICES + GENUINE)
    ]
    app, edition = _edition(tmp_path, items)
    assert len(edition.stories) == len(items)
    findings = lint_message(_message(app, edition).as_bytes())
    (notice,) = [f for f in findings if f.code == "story-reads-like-notice"]
    assert f"{len(LOOKALIKE_NOTICES)} stories" in notice.message, notice.message


def test_real_cyrillic_and_greek_news_reads_like_no_notice(tmp_path: Path) -> None:
    items = [(t, f"https://evil.example/{n}", x) for n, (t, x) in enumerate(GENUINE)]
    app, edition = _edition(tmp_path, items)
    codes = {f.code for f in lint_message(_message(app, edition).as_bytes())}
    assert "story-reads-like-notice" not in codes
