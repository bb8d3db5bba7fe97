"""A colon dateline with a date in German, French, Spanish, Italian, Portuguese or Dutch
does not open the story either (digest.datelines).

"Dubai, May 10: On the occasion…" lost its dateline, but "Berlin, 10. Mai: Der Senat…",
"París, 10 de mayo: El Gobierno…" or "Paris, 10 mai : Le maire…" (French puts a space
before the colon) kept theirs: only English months were read after the place. Labels
("Meinung:", "Analyse :", "Opinión:") and who speaks ("Merz: Ich werde…") stay, as their
English kind does. Feeds are written here and parsed for real; the ranking reads a
stored article's text the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.datelines import colon_dateline, undated
from digest.rank import RankOptions, rank
from digest.records import Article

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def rss(*descriptions: str) -> bytes:
    body = "".join(
        f"<item><title>Item {n}</title><link>https://news.example/{n}</link>"
        f"<description><![CDATA[<p>{text}</p><p>Le second paragraphe en dit plus.</p>]]>"
        "</description></item>"
        for n, text in enumerate(descriptions)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Example</title><link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


def parsed(*descriptions: str) -> tuple[Article, ...]:
    return read_feed(rss(*descriptions), source="x", url=None, now=NOW).articles


DATED = [
    ("Berlin, 10. Mai: ", "Der Senat hat den neuen Haushalt für den Hafen beschlossen."),
    ("Wien, 3. Jänner 2021: ", "Die Stadt baut eine neue Brücke über den Donaukanal."),
    ("Frankfurt am Main, 1. September: ", "Die Messe öffnet mit mehr Ausstellern als je."),
    ("München, 24. Dez. 2020: ", "Der Weihnachtsmarkt schließt früher als geplant."),
    ("París, 10 de mayo: ", "El Gobierno aprobó el plan para el puerto de la ciudad."),
    ("Madrid, 1 de enero de 2020: ", "La ciudad estrena un nuevo servicio de autobuses."),
    ("Paris, 10 mai : ", "Le maire a présenté le budget du port pour l'hiver."),
    ("Lyon, 1er décembre 2019 : ", "La Fête des lumières attire des milliers de visiteurs."),
    ("Marseille, 3 févr. : ", "Le port accueille un nouveau ferry vers la Corse."),
    ("Roma, 10 maggio: ", "Il governo ha approvato il piano per il porto della città."),
    ("Milano, 2 agosto 2018: ", "La metropolitana resta chiusa per lavori fino a lunedì."),
    ("Lisboa, 10 de maio: ", "O Governo aprovou o plano para o porto da cidade."),
    ("São Paulo, 3 de março de 2019: ", "A prefeitura anunciou novas linhas de ônibus."),
    ("Amsterdam, 10 mei: ", "De gemeente heeft het plan voor de haven goedgekeurd."),
    ("Den Haag, 3 maart 2020: ", "Het kabinet presenteert de plannen voor de kust."),
]


@pytest.mark.parametrize(("dateline", "story"), DATED)
def test_a_place_and_a_date_in_the_feeds_language_do_not_open_the_story(
    dateline: str, story: str
) -> None:
    (article,) = parsed(dateline + story)
    assert article.summary == story
    assert article.text.startswith(story)


@pytest.mark.parametrize(("dateline", "story"), DATED[:3])
def test_the_ranking_drops_it_from_an_article_stored_with_it(dateline: str, story: str) -> None:
    """Articles stored before collect dropped such a dateline still have theirs."""
    stored = Article(
        key="k", source="x", title="Haushalt", url=None, summary=dateline + story, published=NOW
    )
    (teaser,) = rank([stored], now=NOW, options=RankOptions(leads=0, teasers=3)).teasers
    assert teaser.summary == story


#: Items of a feed in the house style: places with a colon, several dated.
HOUSE = [dateline + story for dateline, story in DATED[:6]]


@pytest.mark.parametrize(
    "text",
    [
        "Meinung: Der Hafenplan verlangt den Städten an der Küste zu viel ab.",
        "Analyse : Pourquoi la compagnie de ferry a perdu sa licence après la tempête.",
        "Opinión: El plan del puerto exige demasiado a los pueblos de la costa.",
        "Opinião: O plano do porto exige demais das cidades do litoral.",
        "Análisis: Por qué la naviera perdió su licencia tras la tormenta.",
        "Kommentar: Die Fähre nach Aarhus fällt am Sonntag wieder aus.",
        "Commento: Il traghetto per Aarhus è di nuovo cancellato domenica.",
        "Mise à jour : Le ferry pour Aarhus est de nouveau annulé dimanche.",
        "Hintergrund: Der Bürgermeister plante den Verkauf Monate vor der Abstimmung.",
        "Meinung, 10. Mai: Der Hafenplan verlangt den Städten zu viel ab.",
        "Analyse, 10 mai : Pourquoi la compagnie de ferry a perdu sa licence.",
        "Opinión, 10 de mayo: El plan del puerto exige demasiado a la costa.",
        "Montag, 10. Mai: Der Rat beschließt den Winterhaushalt für den Hafen.",
        "Lundi 10 mai : Le conseil vote le budget d'hiver du port.",
        "Merz: Ich werde das Hafengesetz nicht unterschreiben, sagte er.",
        "Merz, 10. Mai: Wir werden das Hafengesetz nicht unterschreiben.",
        "Macron : Je ne signerai pas la loi sur le port sans les communes.",
        "Macron, 10 mai : Nous ne signerons pas la loi sur le port.",
        "Meloni: Io non firmerò la legge sul porto senza i comuni.",
        "Lula: Eu não vou assinar a lei do porto sem os municípios.",
        "Rutte: Ik teken de havenwet niet zonder de gemeenten.",
    ],
)
def test_labels_and_quotes_before_a_colon_stay_even_in_a_feed_of_datelines(text: str) -> None:
    articles = parsed(*HOUSE, text)
    assert articles[0].summary.startswith("Der Senat")  # the feed's house style
    assert articles[-1].summary == text


@pytest.mark.parametrize(
    "text",
    [
        "Die Antwort: Ja, die Fähre fährt ab Montag wieder.",
        "Um 10:30 Uhr verließ die Fähre den Hafen mit vierzig Passagieren.",
        "Deux choses comptent : Le prix du billet et la durée de la traversée.",
        "Paris, la nuit : Un reportage dans les rues vides de la capitale.",
        "Berlin, 10 Jahre später: Die Stadt hat sich verändert.",
        "Roma, mille anni dopo: La città celebra la sua storia.",
    ],
)
def test_real_story_openings_stay(text: str) -> None:
    assert undated(text) == text
    assert parsed(text)[0].summary == text


def test_a_dated_place_in_another_language_is_reported_dated() -> None:
    found = colon_dateline("Paris, 10 mai : Le maire a présenté le budget.")
    assert found is not None and found.dated and found.place == "Paris"


def test_a_pronoun_spelt_like_an_acronym_is_no_quote() -> None:
    """Portuguese "Eu" (I) is a quote's first word; "EU" opens a story."""
    articles = parsed(*HOUSE, "Brüssel: EU-Minister einigen sich auf neue Regeln für Häfen.")
    assert articles[-1].summary == "EU-Minister einigen sich auf neue Regeln für Häfen."
