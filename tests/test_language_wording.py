"""A Danish or German newsletter reads as its own editor would write it: the words the
product adds to an edition, the pages and the mails, reviewed by a native reader.

The edition's words through a real render (the sample edition, with an update and a
reader's sections that fall back to the whole edition); the pages' and the mails'
through :class:`digest.render.language.Strings`, which is `t(...)` in their templates.
German addresses the reader as "Sie" throughout, Danish as "du" (as Danish newsletters
do): neither mixes the two. The unsubscribe wording stays as plain as it was.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.render import Renderer, Variant
from digest.render.language import STRINGS, Strings
from digest.render.page_strings import PAGE_STRINGS
from digest.render.welcome_strings import WELCOME_STRINGS
from tests.test_render_edition_trust import sectioned_edition
from tests.test_render_golden import sample_edition, sample_settings

FIRST = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # the 26th in Copenhagen


def _visible(html: str) -> str:
    return " ".join(lxml.html.document_fromstring(html).text_content().split())


@pytest.mark.parametrize(
    ("language", "kicker", "teaser"),
    [
        ("da", "Opdatering · først omtalt den 26. nov.", "først omtalt den 26. nov.)"),
        ("de", "Aktualisiert · zuerst gemeldet am 26. Nov.", "zuerst gemeldet am 26. Nov.)"),
    ],
)
def test_an_update_is_labelled_as_an_editor_writes_it(
    tmp_path: Path, language: str, kicker: str, teaser: str
) -> None:
    """Danish dates a first report "den 26. nov."; German labels an update
    "Aktualisiert" (before: "Aktualisierung: <headline>", a noun where a news site
    writes the participle)."""
    edition = sample_edition()
    lead = replace(edition.leads[0], update=True, first_reported=FIRST)
    first = replace(edition.teasers[0], update=True, first_reported=FIRST)
    edition = replace(edition, leads=(lead, *edition.leads[1:]), teasers=(first,))
    rendered = Renderer(sample_settings(tmp_path, language=language)).render(edition)
    shown = _visible(rendered.html)
    assert kicker in shown and teaser in shown
    assert kicker.upper() in rendered.text.replace("\n", " ")


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("da", "Der er kun lidt nyt i dine sektioner i dag, så her er hele udgaven."),
        ("de", "Heute gibt es wenig Neues in Ihren Rubriken. Hier ist die ganze Ausgabe."),
    ],
)
def test_the_fallback_note_is_a_sentence_an_editor_writes(
    tmp_path: Path, language: str, note: str
) -> None:
    rendered = Renderer(sample_settings(tmp_path, language=language)).render(
        sectioned_edition(), Variant(frozenset({"Sport"}))
    )
    assert note in _visible(rendered.html)
    assert note in " ".join(rendered.text.split())


#: (language, table, key, fields, what the subscriber reads)
PAGES = [
    (
        "da",
        "form.stale",
        {},
        ("Formularen var udløbet. Tjek det, du har skrevet, og tryk på »Tilmeld« igen."),
    ),
    (
        "de",
        "form.stale",
        {},
        (
            "Das Formular war abgelaufen. Prüfen Sie Ihre Angaben und klicken Sie erneut "
            "auf „Anmelden“."
        ),
    ),
    ("da", "error.413.text", {}, "Det, du har sendt, er for stort."),
    ("de", "error.413.text", {}, "Die gesendeten Daten sind zu groß."),
    (
        "da",
        "confirm.not_asked",
        {},
        ("Har du ikke bedt om det? Så se bort fra denne side. Du får ikke noget tilsendt."),
    ),
    (
        "da",
        "confirm.left",
        {"email": "a@b.dk", "list": "Ugebrevet"},
        ("a@b.dk har afmeldt sig Ugebrevet, og dette link tilmelder ikke adressen igen."),
    ),
    (
        "de",
        "confirm.left",
        {"email": "a@b.de", "list": "Wochenbrief"},
        ("a@b.de hat Wochenbrief abbestellt; dieser Link meldet die Adresse nicht wieder an."),
    ),
    ("de", "subscribe.check_inbox", {}, "Bitte sehen Sie in Ihrem Postfach nach"),
    (
        "de",
        "subscribe.confirm_sent",
        {"email": "a@b.de", "list": "Wochenbrief"},
        (
            "Sofern a@b.de für Wochenbrief angemeldet werden kann, ist eine Nachricht mit "
            "einem Bestätigungslink unterwegs. Bis Sie bestätigen, wird nichts verschickt."
        ),
    ),
    (
        "da",
        "prefs.timezone_default",
        {"zone": "Europe/Copenhagen"},
        ("Listens tidszone (Europe/Copenhagen)"),
    ),
    (
        "de",
        "prefs.timezone_default",
        {"zone": "Europe/Berlin"},
        ("Zeitzone der Liste (Europe/Berlin)"),
    ),
    ("da", "prefs.pause", {}, "Pause: send intet, før jeg genoptager leveringen"),
    ("de", "prefs.pause", {}, "Pause: nichts senden, bis ich den Versand fortsetze"),
    ("de", "prefs.text_only", {}, "Nur Textversion"),
    ("de", "mail.hello", {}, "Guten Tag"),
]
MAILS = [
    ("de", "welcome.unsubscribe", {}, "Jederzeit mit einem Klick abmelden:"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "key", "fields", "reads"), PAGES)
def test_a_page_or_the_confirmation_mail_reads_as_an_editor_writes_it(
    language: str, key: str, fields: dict[str, str], reads: str
) -> None:
    assert Strings(language, PAGE_STRINGS)(key, **fields) == reads


@pytest.mark.parametrize(("language", "key", "fields", "reads"), MAILS)
def test_the_welcome_reads_as_an_editor_writes_it(
    language: str, key: str, fields: dict[str, str], reads: str
) -> None:
    assert Strings(language, WELCOME_STRINGS)(key, **fields) == reads


def test_each_language_keeps_one_form_of_address() -> None:
    """German: "Sie" everywhere, never "du"/"dein"; Danish: "du", never the formal
    "De"/"Dem"/"Deres"."""
    for tables in (STRINGS, PAGE_STRINGS, WELCOME_STRINGS):
        german = " ".join(tables["de"].values())
        danish = " ".join(tables["da"].values())
        assert not re.findall(r"\b(?:du|dich|dir|dein\w*|euch)\b", german, re.I)
        assert not re.findall(r"\b(?:Dem|Deres)\b|(?<![.:?!] )(?<!^)\bDe\b", danish)


def test_the_unsubscribe_wording_stays_unmistakable() -> None:
    """What must not change: the words a reader looks for to leave."""
    assert Strings("da")("unsubscribe") == "Afmeld"
    assert Strings("da")("unsubscribe_one_click") == "Afmeld med ét klik"
    assert Strings("de")("unsubscribe") == "Abmelden"
    assert Strings("de")("unsubscribe_one_click") == "Mit einem Klick abmelden"
    assert Strings("da", PAGE_STRINGS)("unsubscribe.button") == "Afmeld"
    assert Strings("de", PAGE_STRINGS)("unsubscribe.button") == "Abmelden"
    assert Strings("de", PAGE_STRINGS)("unsubscribed.heading") == "Sie sind abgemeldet"
    assert Strings("da", PAGE_STRINGS)("unsubscribed.heading") == "Du er afmeldt"
    assert Strings("da", WELCOME_STRINGS)("welcome.unsubscribe").startswith("Afmeld ")
    assert "abmelden" in Strings("de", WELCOME_STRINGS)("welcome.unsubscribe")
