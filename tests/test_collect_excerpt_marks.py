"""An excerpt's cut marker never reaches the reader as "[?]" or a dangling "[…]".

Two marks a subscriber saw at the end of a summary:

- "[?]": a publisher writing Latin-1 cannot write "…", so its "[…]" comes out as "[?]"
  (UOL's feed: "…uma diferença de 3 pontos percentuais em [?]", the lead of every
  edition that ran it). It is the same cut as "[…]": "…" on a cut word, gone after a
  sentence.
- "[…]" at the end of a paragraph that is not the item's last: a blog quoting a passage
  and marking what it left out ("…for its update. […]", then the blogger's own words).
  The summary is that quote, so it ended on the bare mark.

Must not change: a "[?]" or "(?)" inside the text (an editor's doubt: "born in 1921
(?) in Ribe"), a "(?)" at the end, an elision inside a paragraph ("He said […] it held").
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pytest

from digest.collect.boilerplate import strip_boilerplate
from digest.collect.entry import standfirst
from digest.collect.feeds import read_feed
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _latin1_feed(description: str) -> bytes:
    """An RSS feed in ISO-8859-1, as a publisher without "…" writes it."""
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
        "<title>Gazeta do Cais</title><link>https://cais.example/</link>"
        "<item><title>Tarifas do porto sobem</title><link>https://cais.example/tarifas</link>"
        "<guid>cais-1</guid><pubDate>Thu, 26 Nov 2026 20:00:00 +0000</pubDate>"
        f"<description><![CDATA[{description}]]></description></item></channel></rss>"
    ).encode("iso-8859-1")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "As tarifas dos pilotos do porto sobem em maio, uma diferença de 3 pontos em [?]",
            "As tarifas dos pilotos do porto sobem em maio, uma diferença de 3 pontos em…",
        ),
        ("As tarifas dos pilotos sobem em maio. [?]", "As tarifas dos pilotos sobem em maio."),
        (
            "As tarifas dos pilotos sobem, diz a câmara [ ? ]",
            "As tarifas dos pilotos sobem, diz a câmara…",
        ),
    ],
)
def test_a_latin1_cut_marker_reads_as_a_cut(text: str, kept: str) -> None:
    assert strip_boilerplate(text) == kept


@pytest.mark.parametrize(
    "text",
    [
        "The lighthouse keeper, born in 1921 (?) in Ribe, retired on Friday.",
        "The lighthouse keeper was born in Ribe in 1921 (?)",  # the writer's doubt
        "The keeper [?] retired on Friday after forty years at the light.",
        "Who will keep the light now?",
    ],
)
def test_a_question_mark_in_brackets_that_is_no_cut_stays(text: str) -> None:
    assert strip_boilerplate(text) == text


def test_the_latin1_feeds_summary_ends_on_its_cut_word() -> None:
    description = (
        "<p>As tarifas dos pilotos do porto sobem em maio, segundo a câmara, "
        "uma diferença de 3 pontos percentuais em [?]</p>"
    )
    feed = read_feed(_latin1_feed(description), source="Gazeta", url=None, now=NOW)
    assert [a.summary for a in feed.articles] == [
        "As tarifas dos pilotos do porto sobem em maio, segundo a câmara, "
        "uma diferença de 3 pontos percentuais em…"
    ]


QUOTE = (
    "Mira Holt, writing for Harbour Notes on the ferry app:\n\n"
    "The ferry app still downloaded 99 MB for its update, a week after the last one. […]"
    "\n\nThat is more than the timetable it shows has changed all year."
)


def test_a_quote_that_ends_on_an_elision_gives_a_summary_without_it() -> None:
    assert standfirst(QUOTE) == (
        "Mira Holt, writing for Harbour Notes on the ferry app: The ferry app still "
        "downloaded 99 MB for its update, a week after the last one."
    )


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        (  # a cut word: the mark becomes the cut
            "The ferry app still downloaded 99 MB for its update, a week after the [...]"
            "\n\nThat is more than the timetable has changed.",
            "The ferry app still downloaded 99 MB for its update, a week after the…",
        ),
        (  # an elision inside the paragraph is the quote's own
            "The harbour master said […] the pier would hold through the winter storms."
            "\n\nIt did not.",
            "The harbour master said […] the pier would hold through the winter storms.",
        ),
    ],
)
def test_a_standfirst_reads_its_paragraphs_end_as_the_end(text: str, summary: str) -> None:
    assert standfirst(text) == summary


def test_an_atom_quote_post_has_no_dangling_elision() -> None:
    content = (
        "<p>Mira Holt, writing for Harbour Notes on the ferry app:</p><blockquote><p>"
        "The ferry app still downloaded 99 MB for its update, a week after the last one. […]"
        "</p></blockquote>"
        "<p>That is more than the timetable it shows has changed all year.</p>"
    )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Harbour Notes</title><id>urn:notes</id><updated>2026-11-26T20:00:00Z</updated>"
        "<entry><title>The Ferry App Is Too Big</title><id>urn:notes:1</id>"
        '<link href="https://notes.example/ferry"/><updated>2026-11-26T20:00:00Z</updated>'
        f'<content type="html">{escape(content)}</content></entry></feed>'
    ).encode()
    (article,) = read_feed(feed, source="Harbour Notes", url=None, now=NOW).articles
    assert article.summary.endswith("a week after the last one.")
    assert "[…]" not in article.summary


# --- the shared corpus, read in place -------------------------------------------------


def _corpus_summaries(name: str) -> dict[str, str]:
    path = require_corpus() / "feeds" / name
    feed = read_feed(path.read_bytes(), source=name, url=path.as_uri(), now=NOW)
    return {a.title: a.summary for a in feed.articles}


def test_corpus_uol_summary_ends_on_its_cut_word_not_a_question_mark() -> None:
    summaries = _corpus_summaries("news-uol-noticias-latin1-nodecl.rss")
    lead = summaries["Ibope: Bolsonaro estaciona na liderança; Haddad segue avançando"]
    assert lead.endswith("uma diferença de 3 pontos percentuais em…")
    assert not any(s.rstrip().endswith("[?]") for s in summaries.values())


def test_corpus_daring_fireball_quotes_do_not_end_on_an_elision() -> None:
    for name in ("blog-daringfireball.atom", "blog-daringfireball.json"):
        summaries = _corpus_summaries(name)
        delta = "Delta Updates and App Thinning Do Not Solve the Apps-Are-Too-Damn-Big Problem"
        assert summaries[delta].endswith("still downloaded 99 MB of data for its update.")
        assert not any(s.endswith(("[…]", "[...]")) for s in summaries.values()), name
