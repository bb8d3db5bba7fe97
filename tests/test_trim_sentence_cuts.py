"""Teasers and leads end where a sentence ends, not at an honorific, after a run of
shouted fragments, or on a publisher's "..." (digest.wording.trim,
digest.collect.summaries).

Three findings of a reader of editions built from the shared corpus:

- Varthabharathi's "…along with Archbishop of Bangalore Most. Rev. Bernad Moras & Dr.
  Antose Antoney…" gave the teaser "…Archbishop of Bangalore Most.": the stop inside an
  honorific ("Most. Rev.", "Rt. Hon.") was taken for a sentence end.
- TavernCast's show notes "Like old times! Aric! Bryce! Bill! Michelle! George Lucas
  rapes our childhood again! …" gave the teaser "Like old times! Aric!": two tiny
  exclamations counted as the teaser's two sentences.
- InfluxData's JSON feed cuts every excerpt and glues "..." on ("…one of the common
  questions we regularly get..."); the lead ended on those three dots, a cut that
  read as the writer's. A cut reads as ours do: "get…".

Each is checked on a text written here and on the corpus file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.collect.feeds import read_feed
from digest.rank import TEASER_SENTENCES
from digest.rank.options import RankOptions
from digest.records import Article
from digest.wording.told import told
from digest.wording.trim import sentence_ends, trim
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
OPTIONS = RankOptions()


def _teaser(text: str, language: str | None = None) -> str:
    return trim(text, OPTIONS.teaser_words, max_sentences=TEASER_SENTENCES, language=language)


def _lead(text: str, language: str | None = None) -> str:
    return trim(text, OPTIONS.lead_words, language=language)


def _articles(path: Path, source: str) -> tuple[Article, ...]:
    return read_feed(path.read_bytes(), source=source, url=None, now=NOW).articles


def _told(article: Article) -> tuple[str, str, str]:
    """The headline, teaser and lead a story of `article` shows."""
    title, text = told(article)
    return title, _teaser(text, article.language), _lead(text, article.language)


# 1. An honorific's stop is not a sentence end.

HONORIFICS = (
    "The new ambassador met the Archbishop of Quayside Most. Rev. Anton Berg and the "
    "Rt. Hon. Clara Holm at St. Olaf's church on Friday. The harbour choir sang."
)


def test_a_stop_inside_an_honorific_does_not_end_the_teaser() -> None:
    first = HONORIFICS.partition(" The harbour")[0]
    assert [HONORIFICS[:end] for end in sentence_ends(HONORIFICS)] == [first, HONORIFICS]
    assert _teaser(HONORIFICS) == HONORIFICS
    assert trim(HONORIFICS, 25, max_sentences=TEASER_SENTENCES) == first


def test_a_word_that_ends_a_sentence_before_an_honorific_still_does() -> None:
    text = "The parish liked the old organ most. Rev. Anton Berg wants a new one."
    assert trim(text, 10) == "The parish liked the old organ most."
    text = "Clara Holm was elected. Most voters stayed home."
    assert trim(text, 6) == "Clara Holm was elected."


def test_corpus_varthabharathi_teaser_does_not_stop_at_most() -> None:
    path = require_corpus() / "feeds" / "news-varthabharathi-kannada.rss"
    told_ = [
        _told(a)
        for a in _articles(path, "Varthabharathi")
        if "Bangalore Most" in a.summary + a.text
    ]
    assert told_, "the item that names the Archbishop of Bangalore is not in the feed"
    for _, teaser, lead in told_:
        assert not teaser.endswith("Most."), teaser
        assert "Bangalore Most. Rev. Bernad Moras & Dr. Antose Antoney" in lead
        assert lead.endswith("official residence -Cauvery."), lead


# 2. A run of tiny exclamations is not a teaser's two sentences.

SHOW_NOTES = (
    "Back on the pier! Ada! Bo! Cy! The crew argues about the night ferry's new timetable! "
    "Listener mail! A long segment on knots, and more!"
)


def test_tiny_exclamations_do_not_use_up_a_teasers_sentences() -> None:
    teaser = _teaser(SHOW_NOTES)
    assert teaser != "Back on the pier! Ada!"
    assert "The crew argues about the night ferry's new timetable!" in teaser, teaser


def test_a_summary_does_not_stop_after_a_tiny_exclamation_when_more_follows() -> None:
    text = "Big news! The night ferry between Quayside and Northport runs again from Friday."
    assert trim(text, 9) != "Big news!"
    assert trim(text, 9) == "Big news! The night ferry between Quayside and Northport…"
    assert trim("The ferry runs again. Hooray! Fares stay at DKK 45 for now.", 6) == (
        "The ferry runs again."
    )


def test_a_teaser_of_whole_sentences_that_shout_is_as_before() -> None:
    text = "The ferry is back on Friday! Fares stay the same! The pier café reopens too."
    assert _teaser(text) == "The ferry is back on Friday! Fares stay the same!"
    assert _teaser("Ferry back! Hooray!") == "Ferry back! Hooray!"


def test_corpus_taverncast_teaser_is_more_than_two_names() -> None:
    path = require_corpus() / "feeds" / "podcast-taverncast-dupguid.rss"
    told_ = [
        _told(a) for a in _articles(path, "TavernCast") if "Like old times" in a.summary + a.text
    ]
    assert told_, "the show notes that begin 'Like old times!' are not in the feed"
    for _, teaser, _ in told_:
        assert teaser.startswith("Like old times! Aric! Bryce!"), teaser
        assert "George Lucas rapes our childhood again!" in teaser, teaser


# 3. A publisher's glued "..." on every excerpt is its cut, and reads as ours.


def _json_feed(*texts: str) -> bytes:
    items = ",".join(
        f'{{"id": "{n}", "url": "https://quay.example/{n}", "title": "Post {n}", '
        f'"content_text": "{text}"}}'
        for n, text in enumerate(texts)
    )
    return (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Quayside Blog", '
        f'"home_page_url": "https://quay.example/", "items": [{items}]}}'
    ).encode()


def test_a_feed_that_glues_dots_on_every_excerpt_reads_as_cut() -> None:
    texts = (
        "The pier café reopens on Friday. At the café, one of the questions we often get...",
        "The night ferry runs again. Fares stay at DKK 45, and the...",
    )
    articles = read_feed(_json_feed(*texts), source="Quayside", url=None, now=NOW).articles
    leads = [_told(a)[2] for a in articles]
    assert leads == [
        "The pier café reopens on Friday. At the café, one of the questions we often get…",
        "The night ferry runs again. Fares stay at DKK 45, and the…",
    ]


def test_one_writers_trailing_dots_in_a_feed_of_whole_texts_stay() -> None:
    texts = ("We talk about fine scotch and fad diets...", "The night ferry runs again.")
    articles = read_feed(_json_feed(*texts), source="Quayside", url=None, now=NOW).articles
    assert [_told(a)[2] for a in articles] == list(texts)


def test_corpus_influxdata_leads_do_not_end_on_the_publishers_dots() -> None:
    path = require_corpus() / "feeds" / "json11-influxdata.json"
    leads = [_told(a)[2] for a in _articles(path, "InfluxData") if a.text]
    assert len(leads) == 2
    for lead in leads:
        assert "..." not in lead, lead
        assert lead.endswith(("we regularly get…", "At InfluxData, one…")), lead


def test_dots_before_a_word_in_lower_case_are_a_pause_not_an_end() -> None:
    text = (
        "The ferry timetable changes on Friday for the winter. Depending on the tide, the "
        "night crossing can... take up to three hours longer than the summer one."
    )
    assert sentence_ends(text) == [
        len("The ferry timetable changes on Friday for the winter."),
        len(text),
    ]
    first = "The ferry timetable changes on Friday for the winter."
    assert trim(text, 20, max_sentences=2) == first
    assert sentence_ends("The ferry is late... The pier is closed.") == [20, 40]


def test_corpus_fboes_teaser_does_not_stop_at_a_pause() -> None:
    path = require_corpus() / "feeds" / "json11-fboes-de.json"
    told_ = [_told(a) for a in _articles(path, "fboes") if "lässt sich damit…" in a.text]
    assert told_, "the post on JavaScript event handlers is not in the feed"
    for _, teaser, _ in told_:
        assert not teaser.endswith("damit…"), teaser
        assert teaser.endswith("(You Might Not Need jQuery)."), teaser


def test_a_cut_at_a_writers_pause_ends_with_one_ellipsis() -> None:
    text = "Depending on the tide the crossing can... take three hours longer."
    assert trim(text, 7) == "Depending on the tide the crossing can…"
    assert trim(text.replace("...", "…"), 7) == "Depending on the tide the crossing can…"
