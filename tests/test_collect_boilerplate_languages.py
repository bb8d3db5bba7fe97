""" "Read more" in the languages of the feeds we read is boilerplate too
(digest.collect.boilerplate): Portuguese "Leia mais (09/24/2018 - 19h22)" ended a UOL
summary, and German, Danish, French, Spanish, Polish and Russian feeds say the same.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.boilerplate import strip_boilerplate
from digest.collect.feeds import read_feed
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "A balsa atrasou no domingo. Leia mais (11/26/2026 - 19h22)",
            "A balsa atrasou no domingo.",
        ),
        ("A balsa atrasou no domingo. Leia mais", "A balsa atrasou no domingo."),
        ("A balsa atrasou no domingo.\n\nContinue lendo →", "A balsa atrasou no domingo."),
        ("El ferry llegó tarde el domingo. Leer más »", "El ferry llegó tarde el domingo."),
        ("El ferry llegó tarde el domingo. Seguir leyendo...", "El ferry llegó tarde el domingo."),
        ("Le ferry est arrivé en retard. Lire la suite", "Le ferry est arrivé en retard."),
        ("Le ferry est arrivé en retard. [Lire la suite]", "Le ferry est arrivé en retard."),
        ("Die Fähre kam zu spät. Weiterlesen", "Die Fähre kam zu spät."),
        ("Die Fähre kam zu spät.\nWeiterlesen »", "Die Fähre kam zu spät."),
        ("Die Fähre kam zu spät. Mehr lesen (26.11.2026, 19:22)", "Die Fähre kam zu spät."),
        ("Færgen kom for sent. Læs mere", "Færgen kom for sent."),
        ("Færgen kom for sent.\n\nLæs videre »", "Færgen kom for sent."),
        ("Ferga kom for seint. Les mer", "Ferga kom for seint."),
        ("Färjan kom för sent. Läs mer", "Färjan kom för sent."),
        ("De veerboot was te laat. Lees verder", "De veerboot was te laat."),
        ("De veerboot was te laat. Lees meer »", "De veerboot was te laat."),
        ("Il traghetto era in ritardo. Leggi tutto", "Il traghetto era in ritardo."),
        ("Il traghetto era in ritardo. Continua a leggere", "Il traghetto era in ritardo."),
        ("Prom spóźnił się. Czytaj dalej", "Prom spóźnił się."),
        ("Prom spóźnił się. Czytaj więcej »", "Prom spóźnił się."),
        ("Паром опоздал. Читать далее", "Паром опоздал."),
        ("Паром опоздал.\n\nПодробнее →", "Паром опоздал."),
        ("Trajekt meškal. Čítajte ďalej", "Trajekt meškal."),
        ("Trajekt se zpozdil. Číst dále", "Trajekt se zpozdil."),
        ("Trajekt se zpozdil. Čtěte více", "Trajekt se zpozdil."),
    ],
)
def test_read_more_in_other_languages_is_removed(text: str, kept: str) -> None:
    assert strip_boilerplate(text) == kept


@pytest.mark.parametrize(
    "text",
    [
        "Ele disse que leia mais livros",  # "read more books": a sentence, in lower case
        "Sie sagte, wir sollten weiterlesen",
        "Il faut lire la suite du rapport pour comprendre.",
        "Czytaj dalej, mówi nauczyciel, i czytaj więcej.",
        "Die Fähre kam zu spät. Weiterlesen lohnt sich, sagt der Kapitän.",
        "A balsa atrasou (11/26/2026)",
    ],
)
def test_sentences_in_other_languages_are_kept(text: str) -> None:
    assert strip_boilerplate(text) == text


def test_corpus_uol_summary_does_not_end_with_leia_mais() -> None:
    path = require_corpus() / "feeds" / "news-uol-noticias-latin1-nodecl.rss"
    articles = read_feed(path.read_bytes(), source="uol", url=None, now=NOW).articles
    match = [a for a in articles if a.summary.startswith("Já são mais de 500 mil testes")]
    assert len(match) == 1
    assert match[0].summary.endswith("além de senadores por São Paulo.")
    assert not any("Leia mais" in a.summary or "Leia mais" in a.text for a in articles)
