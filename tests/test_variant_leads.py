"""A section variant chooses its leads by the edition's rule: the floor holds there too.

A subscriber who chose some sections gets the edition re-cut: the leads of other
sections leave, and their places were filled with the best remaining stories under the
outlet limit alone, so a stale story the edition ran as a teaser (under
``LEAD_FLOOR`` of the story the limit kept out) led that subscriber's email.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.config import load
from digest.rank import LEAD_FLOOR, RankOptions, rank
from digest.records import Article, Edition
from digest.render import Renderer, Variant
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def _article(key: str, source: str, section: str, hours: float) -> Article:
    words = " ".join(f"{key}{n}" for n in range(30))  # no two articles tell one story
    return Article(
        key=key,
        source=source,
        title=f"Headline {key}",
        url=f"https://{source}/{key}",
        summary=f"What happened, {words}.",
        published=NOW - timedelta(hours=hours),
        section=section,
    )


ARTICLES = [
    _article("a0", "a.example", "World", 1),  # the day's World news, one outlet's
    _article("a1", "a.example", "World", 2),
    _article("b0", "b.example", "Sport", 1.5),
    _article("c0", "c.example", "World", 96),  # four days old: filler beside a1
]
OPTIONS = RankOptions(leads=2, teasers=2)


def _edition() -> Edition:
    ranked = rank(ARTICLES, now=NOW, options=OPTIONS)
    return Edition("daily", NOW, ranked.leads, ranked.teasers)


def test_the_edition_runs_the_stale_story_as_a_teaser() -> None:
    edition = _edition()
    assert [s.key for s in edition.leads] == ["a0", "b0"]
    assert [s.key for s in edition.teasers] == ["a1", "c0"]
    stale, kept_out = edition.teasers[1], edition.teasers[0]
    assert stale.score < LEAD_FLOOR * kept_out.score


def test_a_variant_gets_no_lead_under_the_floor() -> None:
    """The World reader loses the Sport lead; c0 does not take its place."""
    mine = Variant(frozenset({"World"})).apply(_edition())
    assert [s.key for s in mine.leads] == ["a0"]
    assert [s.key for s in mine.teasers] == ["a1", "c0"]  # the freed place: a teaser
    # the same as the edition's rule gives the World section ranked alone
    alone = rank(ARTICLES, now=NOW, options=replace(OPTIONS, sections=frozenset({"World"})))
    assert [[s.key for s in part] for part in (alone.leads, alone.teasers)] == [
        [s.key for s in part] for part in (mine.leads, mine.teasers)
    ]


def test_a_strong_story_still_takes_a_freed_lead_place() -> None:
    """Fresh enough, c0 leads for the World reader in the Sport lead's place."""
    articles = [*ARTICLES[:3], replace(ARTICLES[3], published=NOW - timedelta(hours=3))]
    ranked = rank(articles, now=NOW, options=OPTIONS)
    mine = Variant(frozenset({"World"})).apply(Edition("daily", NOW, ranked.leads, ranked.teasers))
    assert [s.key for s in mine.leads] == ["a0", "c0"]
    assert [s.key for s in mine.teasers] == ["a1"]


def test_an_editors_pin_leads_in_a_variant_however_weak() -> None:
    pinned = replace(_edition().teasers[1], pinned=True)
    edition = _edition()
    edition = Edition("daily", NOW, (pinned, edition.leads[0]), (edition.leads[1],))
    mine = Variant(frozenset({"World"})).apply(edition)
    assert [s.key for s in mine.leads] == ["c0", "a0"]


def _as_lead(key: str, source: str) -> str:
    """How a lead reads in the plain-text part: the headline over section and credit."""
    return f"Headline {key}\nWORLD · {source}\n"


def test_the_rendered_variant_runs_the_weak_story_as_a_teaser(tmp_path: Path) -> None:
    settings = load(write_project(tmp_path))
    text = Renderer(settings).render(_edition(), Variant(frozenset({"World"}))).text
    assert _as_lead("a0", "a.example") in text
    assert _as_lead("c0", "c.example") not in text and "(c.example)" in text
    order = [text.index(f"Headline {k}") for k in ("a0", "a1", "c0")]
    assert order == sorted(order)


def test_a_leads_only_edition_fills_its_leads(tmp_path: Path) -> None:
    """With no teasers (`[edition] teasers = 0`) there is nowhere else for the story:
    the variant leads with it, as the edition's ranking would."""
    config = write_project(tmp_path)
    config.write_text(config.read_text().replace("teasers = 8", "teasers = 0", 1))
    edition = _edition()
    edition = Edition("daily", NOW, edition.leads, (), reserve=edition.teasers)
    text = Renderer(load(config)).render(edition, Variant(frozenset({"World"}))).text
    assert _as_lead("a0", "a.example") in text and _as_lead("c0", "c.example") in text
