"""A headline's bracketed label: "[MàJ]", "[Brève]", "[Édito]" are not a headline's words.

PC INpact opens headlines with labels in brackets: "[MàJ] Yahoo! pourrait croquer 75 %
de Dailymotion", "[Brève] Le firmware 070H…", "[Sondage] Quelle est la diagonale…",
"[Édito] Le jeu vidéo…". A QA reader of editions built from the shared corpus saw the
brackets in the email. Now:

- a **length** label ("[Brève]", "[Kurz]", "[In brief]") only says the item is short:
  it goes;
- an **update** label ("[MàJ]", "[Update]", "[Aktualisiert]", "[Mise à jour]") is read
  as the outlet's own "Update:" is: written so, without brackets, and dropped when
  digest runs the story as an update of one it sent (the email labels it itself);
- a **genre** label ("[Édito]", "[Opinion]", "[Sondage]", "[Video]", "[Interview]")
  tells the reader what kind of piece it is (an editorial is no news report): it stays,
  as the outlet's own kicker is written ("Interview : Christian Paul…" in the same
  feed), without brackets, French labels with French spacing;
- either kept label, before a headline with a colon of its own ("[Édito] Jeu vidéo :
  le…"), goes after it in brackets ("Jeu vidéo : le… (Édito)"): never two colons.

Brackets that are the headline's content stay: "The [redacted] files", an unknown
label ("[Sponsor] …" is how a sponsor's post is told), a headline that is only a label.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from digest.collect.feeds import read_feed
from digest.headline_labels import GENRES, unbracketed
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        # length labels go
        ("[Brève] Le firmware 070H pour le SSD m4", "Le firmware 070H pour le SSD m4"),
        ("[Brèves] Les nouveaux NAS sont disponibles", "Les nouveaux NAS sont disponibles"),
        ("[En bref] Les nouveaux NAS sont disponibles", "Les nouveaux NAS sont disponibles"),
        ("[Kurz] Bahn verschiebt den Fahrplanwechsel", "Bahn verschiebt den Fahrplanwechsel"),
        ("[In brief] Ferry fares rise in January", "Ferry fares rise in January"),
        ("[Breve] Sube el precio del ferry", "Sube el precio del ferry"),
        # update labels, as the outlet's own "Update:"
        ("[MàJ] Yahoo! pourrait racheter le site", "MàJ : Yahoo! pourrait racheter le site"),
        ("[MAJ] Yahoo! pourrait racheter le site", "MAJ : Yahoo! pourrait racheter le site"),
        ("[Mise à jour] La Poste baisse ses prix", "Mise à jour : La Poste baisse ses prix"),
        ("[Updated] iOS 18 brings a new lock screen", "Updated: iOS 18 brings a new lock screen"),
        ("[Update] Ferry fares rise in January", "Update: Ferry fares rise in January"),
        (
            "[Aktualisiert] Bahn verschiebt den Fahrplan",
            "Aktualisiert: Bahn verschiebt den Fahrplan",
        ),
        ("[Actualizado] Sube el precio del ferry", "Actualizado: Sube el precio del ferry"),
        # genre labels: kept, without brackets
        ("[Édito] Le jeu vidéo a-t-il un avenir ?", "Édito : Le jeu vidéo a-t-il un avenir ?"),
        (
            "[Sondage] Quelle diagonale pour une tablette ?",
            "Sondage : Quelle diagonale pour une tablette ?",
        ),
        ("[Entretien] Le ministre parle du port", "Entretien : Le ministre parle du port"),
        ("[Opinion] The harbour needs a new bath", "Opinion: The harbour needs a new bath"),
        ("[Analysis] Why ferry fares rise", "Analysis: Why ferry fares rise"),
        ("[Video] The ferry's last crossing", "Video: The ferry's last crossing"),
        ("[Podcast] The ferry's last crossing", "Podcast: The ferry's last crossing"),
        ("[Interview] The harbour master", "Interview: The harbour master"),
        ("[Meinung] Der Hafen braucht ein neues Bad", "Meinung: Der Hafen braucht ein neues Bad"),
        ("[Kommentar] Der Hafen braucht ein Bad", "Kommentar: Der Hafen braucht ein Bad"),
        ("[Umfrage] Wie fahren Sie zur Arbeit?", "Umfrage: Wie fahren Sie zur Arbeit?"),
        ("[Opinión] El puerto necesita un baño", "Opinión: El puerto necesita un baño"),
        ("[Encuesta] ¿Cómo va al trabajo?", "Encuesta: ¿Cómo va al trabajo?"),
        ("[Vídeo] El último ferry", "Vídeo: El último ferry"),
        # more than one label
        ("[MàJ] [Brève] Yahoo! rachète le site", "MàJ : Yahoo! rachète le site"),
        # an update label before a headline with a colon of its own: after it, in brackets
        (
            "[MàJ] BlackBerry Z10 : la mise à jour est déployée",
            "BlackBerry Z10 : la mise à jour est déployée (MàJ)",
        ),
        (
            "[MàJ] [Brève] Free : la fibre arrive à Lyon",
            "Free : la fibre arrive à Lyon (MàJ)",
        ),
        ("[Update] Harbour: ferry fares rise", "Harbour: ferry fares rise (Update)"),
        ("[Update 2] Harbour: ferry fares rise", "Harbour: ferry fares rise (Update 2)"),
        ("[Aktualisiert] Bahn: Fahrplan verschoben", "Bahn: Fahrplan verschoben (Aktualisiert)"),
        ("[Actualizado] Puerto: sube el ferry", "Puerto: sube el ferry (Actualizado)"),
        # a genre label before a headline with a colon of its own: after it, in brackets,
        # as an update label is ("Édito : Jeu vidéo : le…" read two colons)
        (
            "[Édito] Jeu vidéo : le « made in France » a-t-il un avenir ?",
            "Jeu vidéo : le « made in France » a-t-il un avenir ? (Édito)",
        ),
        (
            "[Sondage] Tablettes : quelle diagonale préférez-vous ?",
            "Tablettes : quelle diagonale préférez-vous ? (Sondage)",
        ),
        ("[Brève] [Entretien] Port : le ministre parle", "Port : le ministre parle (Entretien)"),
        ("[Opinion] Harbour: the bath we need", "Harbour: the bath we need (Opinion)"),
        ("[Video] Ferry: the last crossing", "Ferry: the last crossing (Video)"),
        ("[Kommentar] Bahn: Der Plan muss warten", "Bahn: Der Plan muss warten (Kommentar)"),
        ("[Opinión] Puerto: el baño que falta", "Puerto: el baño que falta (Opinión)"),
        ("[Vídeo] Ferry: el último cruce", "Ferry: el último cruce (Vídeo)"),
        # a colon that ends no clause (a time, a ticker) is none of the headline's own
        ("[Update] Ferry leaves at 10:30 from Monday", "Update: Ferry leaves at 10:30 from Monday"),
        ("[MàJ] Slack (NASDAQ:WORK) grimpe", "MàJ : Slack (NASDAQ:WORK) grimpe"),
        ("[Video] Ferry leaves at 10:30 from Monday", "Video: Ferry leaves at 10:30 from Monday"),
        ("[Édito] Slack (NASDAQ:WORK) grimpe", "Édito : Slack (NASDAQ:WORK) grimpe"),
    ],
)
def test_a_bracketed_label_is_read_as_what_it_says(title: str, shown: str) -> None:
    assert unbracketed(title) == shown


@pytest.mark.parametrize("label", sorted(GENRES | {"MàJ", "Update", "Aktualisiert"}))
@pytest.mark.parametrize("language", [None, "fr", "de"])
def test_a_kept_label_never_gives_a_headline_two_colons(label: str, language: str | None) -> None:
    """Every genre or update label the rule keeps, before a headline with a colon of its
    own, leaves that colon the only one, and the label still shown."""
    shown = unbracketed(f"[{label}] Harbour: ferry fares rise in January", language)
    assert shown.count(":") == 1, shown
    assert label in shown and "[" not in shown


@pytest.mark.parametrize(
    "title",
    [
        "The [redacted] files show the harbour deal",  # content, mid-title
        "[Redacted] files show the harbour deal",  # no label we know: content
        "[Sponsor] Timing — Automatic Time Tracking for Mac",  # the sponsor's mark stays
        "[Brève]",  # only a label: nothing else to show
        "[MàJ]",
        "Update 2 : un nouveau lot d'améliorations pour Visual Studio 2012",  # a product
        "Interview : Christian Paul estime que le CNNum doit s’affranchir des tabous",
        "Opinion polls show a close race",
        "[1/3] The harbour's history",
        "",
    ],
)
def test_brackets_that_are_content_stay(title: str) -> None:
    assert unbracketed(title) == title


def test_pc_inpacts_labels_are_not_shown_in_brackets() -> None:
    path = require_corpus() / "feeds" / "news-pcinpact-fr.xml"
    articles = read_feed(path.read_bytes(), source="PC INpact", url=None, now=NOW).articles
    titles = {a.title for a in articles}
    assert not [t for t in titles if t.startswith("[")]
    assert not [t for t in titles if t.count(" : ") > 1]  # "MàJ : BlackBerry Z10 : la…"
    assert {
        "Édito : Le jeu vidéo « made in France » a-t-il encore un avenir ?",
        "BlackBerry Z10 : la mise à jour 10.0.10.99 déployée en France (MàJ)",  # one colon
        "Le firmware 070H pour éviter le blocage du SSD m4 chez Crucial",
        "Sondage : Quelle est la diagonale d'écran idéale pour une tablette tactile ?",
        "MàJ : Yahoo! pourrait croquer 75 % de Dailymotion",
        "NAS Netgear : les nouveaux ReadyNAS sont disponibles à partir de 200 €",
        "Update 2 : un nouveau lot d'améliorations pour Visual Studio 2012",  # unchanged
    } <= titles


MONDAY = datetime(2026, 12, 7, 6, tzinfo=UTC)
WEDNESDAY = MONDAY + timedelta(days=2)


@pytest.mark.parametrize(
    "label", ["[MàJ]", "[MAJ]", "[Mise à jour]", "[Aktualisiert]", "[Actualizado]"]
)
def test_an_update_of_a_story_sent_shows_no_bracketed_update_label(label: str) -> None:
    """The email labels the update itself: "Update: MàJ : …" would read the label twice."""
    first = Article(
        key="quarry-1",
        source="North Post",
        title="Quarry wall collapses onto village road",
        url="https://north-post.example/quarry-1",
        summary="A wall of the old quarry collapsed before dawn, burying the village road.",
        published=MONDAY - timedelta(hours=3),
    )
    later = Article(
        key="quarry-2",
        source="City Wire",
        title=unbracketed(f"{label} Village stays cut off after quarry collapse"),
        url="https://city-wire.example/quarry-2",
        summary="The road below the collapsed quarry wall stays closed and the village cut off.",
        published=WEDNESDAY - timedelta(hours=10),
    )
    options = RankOptions(
        leads=1,
        teasers=3,
        already_sent=frozenset({first.key}),
        carried_at=MappingProxyType({first.key: MONDAY}),
    )
    [story] = rank([first, later], now=WEDNESDAY, options=options).stories
    assert story.update
    assert story.title == "Village stays cut off after quarry collapse"


@pytest.mark.parametrize("label", ["[MàJ]", "[Update]", "[Aktualisiert]", "[Updated]"])
def test_an_update_of_a_story_sent_loses_the_label_written_after_its_headline(label: str) -> None:
    """ "Quarry collapse: village stays cut off (MàJ)" runs as "Update" with the
    headline alone: the email says it is an update."""
    first = Article(
        key="quarry-1",
        source="North Post",
        title="Quarry wall collapses onto village road",
        url="https://north-post.example/quarry-1",
        summary="A wall of the old quarry collapsed before dawn, burying the village road.",
        published=MONDAY - timedelta(hours=3),
    )
    title = unbracketed(f"{label} Quarry collapse: village stays cut off")
    assert title.startswith("Quarry collapse: village stays cut off (")
    later = Article(
        key="quarry-2",
        source="City Wire",
        title=title,
        url="https://city-wire.example/quarry-2",
        summary="The road below the collapsed quarry wall stays closed and the village cut off.",
        published=WEDNESDAY - timedelta(hours=10),
    )
    options = RankOptions(
        leads=1,
        teasers=3,
        already_sent=frozenset({first.key}),
        carried_at=MappingProxyType({first.key: MONDAY}),
    )
    [story] = rank([first, later], now=WEDNESDAY, options=options).stories
    assert story.update
    assert story.title == "Quarry collapse: village stays cut off"


@pytest.mark.parametrize(
    "title",
    [
        "Harbour: ferry fares rise (Update)",  # not an update of a story sent: as it is
        "Harbour: the ferry (Updated) timetable",
    ],
)
def test_a_headline_not_run_as_an_update_keeps_its_label(title: str) -> None:
    article = Article(
        key="ferry-1",
        source="City Wire",
        title=title,
        url="https://city-wire.example/ferry-1",
        summary="Ferry fares rise by a tenth from January, the harbour board said.",
        published=WEDNESDAY - timedelta(hours=3),
    )
    [story] = rank([article], now=WEDNESDAY, options=RankOptions(leads=1, teasers=0)).stories
    assert story.title == title
