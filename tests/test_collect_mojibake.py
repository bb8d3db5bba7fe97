"""A publisher's own mojibake ("20 â‚¬") is read as the character it was ("20 €"),
in the summary and the text as in the headline, even amid correct accents.

Univers Freebox writes "€" in a summary as the three characters UTF-8's bytes make in
cp1252, "â‚¬" (bytes E2 and AC around the reference "&#8218;", in an ISO-8859-1 feed),
next to correctly written "prépayé" and "illimités": a subscriber read "forfaits tout
illimités à moins de 20 â‚¬.". Headlines were mended only when the whole headline was
mojibake, and summaries never. Each run of mojibake is now mended on its own.

Must not change: text that only looks like it ("SÃO PAULO", German quotes after "ß" as
in „Fuß“), a lone "Â" or "â" before ordinary letters, and the article's key (made of
the text as the feed wrote it: a changed key would send a story again).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.entry import article_key
from digest.collect.feeds import read_feed
from digest.collect.sanitize import clean_text, fix_mojibake
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "mended"),
    [
        (
            "Le forfait prépayé passe à moins de 20 â‚¬ par mois.",
            "Le forfait prépayé passe à moins de 20 € par mois.",
        ),
        ("L’été au port â€“ la marée monte", "L’été au port – la marée monte"),
        ("Øresund: broen â€œlukketâ€\x9d i nat", "Øresund: broen “lukket” i nat"),
        ("SÃ£o Paulo â€“ cafÃ©", "São Paulo – café"),  # all mojibake, as before
        ("Ærø fÃ¦rgen sejler igen", "Ærø færgen sejler igen"),
    ],
)
def test_each_run_of_mojibake_is_mended(text: str, mended: str) -> None:
    assert fix_mojibake(text) == mended


@pytest.mark.parametrize(
    "text",
    [
        "SÃO PAULO",  # a capital Ã before a capital letter
        "Die „Fuß“-Note und die Straße",  # ß then “: bytes of no character we would write
        "Âge d'or du port, château â côté",  # lone Â and â before letters
        "Les prix: 20 € à 5 €, café à 2 €",
        "Préparez-vous: « été » à Nîmes",
    ],
)
def test_text_that_only_looks_like_mojibake_stays(text: str) -> None:
    assert fix_mojibake(text) == text
    assert clean_text(text) == text


def _latin1_feed(title: bytes, description: bytes, link: bytes = b"/forfait") -> bytes:
    """An ISO-8859-1 RSS item that writes "€" as Univers Freebox does."""
    item_link = b"<link>https://quai.example" + link + b"</link>" if link else b""
    return (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><rss version="0.92"><channel>'
        b"<title>Le Quai</title><link>https://quai.example/</link><description>Le Quai"
        b"</description><item><title><![CDATA[" + title + b"]]></title>" + item_link + b""
        b"<pubDate>Mon, 23 Nov 2026 10:50:08 +0100</pubDate>"
        b"<description><![CDATA[" + description + b"]]></description></item></channel></rss>"
    )


def test_a_summary_with_mojibake_among_accents_reads_right() -> None:
    euro = b"\xe2&#8218;\xac"  # "â‚¬" as the feed writes it
    feed = _latin1_feed(
        b"Forfait du quai : appels illimit\xe9s d\xe8s 5 &#8364;",
        b"Le quai relance la guerre des prix sur le pr\xe9pay\xe9, en berne depuis "
        b"l'arriv\xe9e des forfaits illimit\xe9s \xe0 moins de 20 " + euro + b".",
    )
    (article,) = read_feed(feed, source="Le Quai", url=None, now=NOW).articles
    assert article.title == "Forfait du quai : appels illimités dès 5 €"
    assert article.summary.endswith("forfaits illimités à moins de 20 €.")
    assert "â" not in article.summary and "â" not in article.text


def test_the_key_is_made_of_what_the_feed_wrote() -> None:
    """Mending what the reader sees must not make a stored article new: an item with
    neither GUID nor link is keyed by its title and text as the feed wrote them."""
    feed = _latin1_feed(b"Forfait du quai", b"Moins de 20 \xe2&#8218;\xac par mois.", b"")
    (article,) = read_feed(feed, source="Le Quai", url=None, now=NOW).articles
    assert article.summary == "Moins de 20 € par mois."
    assert article.key == article_key(None, None, "Forfait du quai", "Moins de 20 â‚¬ par mois.")


def test_corpus_univers_freebox_summaries_have_no_mojibake() -> None:
    path = require_corpus() / "feeds" / "news-universfreebox-rss092-iso8859-1.xml"
    feed = read_feed(path.read_bytes(), source="Univers Freebox", url=path.as_uri(), now=NOW)
    by_title = {a.title: a for a in feed.articles}
    sfr = by_title["SFR la Carte : Illimité soir et week-end dès 5 € ( appels et SMS)"]
    assert "forfaits tout illimités à moins de 20 €." in sfr.summary
    for article in feed.articles:
        assert "â‚¬" not in article.summary + article.text, article.title
