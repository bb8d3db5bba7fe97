"""A publisher's "..." glued to a word it cut reads as our other cuts do: "renovaç…".

UOL's feed cuts some descriptions inside a word and glues its dots on ("…O termo de
renovaç...", "…alegou sofrer perseguiç..."), while its other cut items end " ..." or
"[?]", which collect already shows as "Estamparia…", "em…". The glued dots stayed: two
ways of showing one thing in one edition, and "perseguiç..." reads as a typo with dots.
In a feed that marks its cuts apart on other items (" ...", "[?]"), glued dots after a
word are its cut too and end "…" (digest.collect.summaries). In a feed that never does,
they are the writer's ("…fine scotch and fad diets...", a podcast's) and stay; dots
after a sentence's end go, as before.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.collect.feeds import read_feed
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _summaries(*descriptions: str) -> list[str]:
    """The summaries of a Latin-1 feed (a publisher without "…") of `descriptions`."""
    items = "".join(
        f"<item><title>Notícia {n}</title><link>https://cais.example/{n}</link>"
        f"<description><![CDATA[{d}]]></description></item>"
        for n, d in enumerate(descriptions)
    )
    feed = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
        f"<title>Gazeta do Cais</title><link>https://cais.example/</link>{items}</channel></rss>"
    )
    parsed = read_feed(feed.encode("iso-8859-1"), source="Gazeta", url=None, now=NOW)
    return [a.summary for a in parsed.articles]


CUTS = (
    "As tarifas dos pilotos do porto sobem em maio, uma diferença de 3 pontos em [?]",
    "A balsa da noite volta a operar na sexta-feira, depois de um inverno na doca ...",
)
WHOLE = "A prefeitura vai iluminar o cais velho a partir de dezembro."


def test_glued_dots_on_a_cut_word_in_a_feed_that_cuts_end_as_a_cut() -> None:
    glued = "O programa terá continuidade em 2019. O termo de renovaç..."
    summaries = _summaries(*CUTS, glued, "A capitania alegou sofrer perseguiç...", WHOLE)
    assert summaries[2] == "O programa terá continuidade em 2019. O termo de renovaç…"
    assert summaries[3] == "A capitania alegou sofrer perseguiç…"
    assert summaries[0].endswith("3 pontos em…") and summaries[1].endswith("na doca…")
    assert summaries[4] == WHOLE


def test_a_writers_trailing_dots_in_a_feed_that_does_not_cut_stay() -> None:
    trailing = (
        "Zapping: uma semana no cais...",
        "Falamos de uísque e de dietas...",
        "Uma história muito especial do Karg...",
    )
    summaries = _summaries(*trailing, WHOLE, "A balsa volta na sexta-feira.")
    assert summaries[:3] == list(trailing)  # no item marks a cut apart: the writer's dots


def test_corpus_podcast_trailing_dots_stay() -> None:
    path = require_corpus() / "feeds" / "podcast-taverncast-dupguid.rss"
    parsed = read_feed(path.read_bytes(), source="TavernCast", url=None, now=NOW)
    assert any(
        a.summary.endswith("we talk about fine scotch and fad diets...") for a in parsed.articles
    )


def test_dots_after_a_sentence_end_still_go() -> None:
    summaries = _summaries(*CUTS, "A balsa volta na sexta-feira. ...", WHOLE)
    assert summaries[2] == "A balsa volta na sexta-feira."


def test_corpus_uol_glued_cuts_end_with_an_ellipsis() -> None:
    path = require_corpus() / "feeds" / "news-uol-noticias-latin1-nodecl.rss"
    parsed = read_feed(path.read_bytes(), source="UOL", url=None, now=NOW)
    summaries = [a.summary for a in parsed.articles if a.summary]
    assert [s for s in summaries if s.endswith("...")] == []
    ends = {s.split()[-1] for s in summaries if s.endswith("…")}
    assert {"renovaç…", "perseguiç…", "em…", "Estamparia…"} <= ends
