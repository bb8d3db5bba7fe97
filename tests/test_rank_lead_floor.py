"""A lead slot never goes to a story far weaker than one the edition runs as a teaser.

The one-lead-per-outlet limit (`[edition] max_leads_per_source`) keeps one outlet from
taking every lead. On a day when one outlet has all the news, it used to hand the other
lead slots to whatever the other outlets had, however stale: a blog's three-week-old
"Fall sale" post led with a score of 0.000 while the day's security story ran as a
teaser. A lead must score at least `LEAD_FLOOR` of the best story the limit kept out of
the leads; a slot nobody that strong may take is not filled (its story runs with the
teasers), and the limit still holds.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from digest.collect.feeds import parse_feed
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.conftest import write_project
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)

FRESH = (
    ("beta", "Tablet beta five reaches testers", 1),
    ("root", "Laptop login flaw lets anyone in as administrator, a fix is out", 2),
    ("mask", "Face unlock fooled by a printed mask in a lab test", 5),
)
STALE = (  # (outlet, key, title, age in days)
    ("Trail Blog", "sale", "Huge autumn sale on bike computers", 20),
    ("Column Corner", "worse", "Improvements that make things worse", 8),
)


def _text(title: str) -> str:
    """A standfirst of the headline's own words (stories of distinct words never fold)."""
    words = title.lower().split()
    rest = " ".join(f"{w} {words[-1 - n]}" for n, w in enumerate(words))
    return f"{title}. {rest[:1].upper()}{rest[1:]}."  # a sentence begins with a capital


def _articles() -> list[Article]:
    fresh = [
        Article(
            key=key,
            source="Gadget Wire",
            title=title,
            url=f"https://gadgets.example/{key}",
            text=_text(title),
            published=NOW - timedelta(hours=hours),
        )
        for key, title, hours in FRESH
    ]
    stale = [
        Article(
            key=key,
            source=outlet,
            title=title,
            url=f"https://{key}.example/{key}",
            text=_text(title),
            published=NOW - timedelta(days=days),
        )
        for outlet, key, title, days in STALE
    ]
    return fresh + stale


def test_a_stale_story_does_not_lead_over_a_strong_teaser() -> None:
    ranked = rank(_articles(), now=NOW, options=RankOptions(leads=3, teasers=8))
    best_teaser = max(s.score for s in ranked.teasers)
    assert all(s.score >= best_teaser / 4 for s in ranked.leads), [
        (s.key, s.score) for s in ranked.stories
    ]
    assert [s.key for s in ranked.leads] == ["beta"]
    # The limit still holds: the strong stories run as the first teasers, and every
    # story still runs (the stale ones as teasers, after them).
    assert Counter(s.source for s in ranked.leads)["Gadget Wire"] == 1
    assert [s.key for s in ranked.teasers] == ["root", "mask", "worse", "sale"]


def test_a_slot_freed_of_a_weak_story_goes_to_a_strong_one_its_limit_allows() -> None:
    """With two leads per outlet allowed, the second strong story leads; the stale
    ones do not."""
    options = RankOptions(leads=3, teasers=8, max_leads_per_source=2)
    ranked = rank(_articles(), now=NOW, options=options)
    assert [s.key for s in ranked.leads] == ["beta", "root"]
    assert [s.key for s in ranked.teasers] == ["mask", "worse", "sale"]


def test_another_outlets_story_of_the_day_before_still_leads() -> None:
    """Diversity is worth something: a story a day older than the one the limit keeps
    out (half its score) still takes the other outlet's lead."""
    yesterday = Article(
        key="ferry",
        source="Coast Times",
        title="Ferry line adds a night crossing",
        url="https://coast.example/ferry",
        text=_text("Ferry line adds a night crossing"),
        published=NOW - timedelta(hours=26),
    )
    ranked = rank([*_articles(), yesterday], now=NOW, options=RankOptions(leads=3, teasers=8))
    assert [s.key for s in ranked.leads] == ["beta", "ferry"]


def test_every_lead_goes_to_one_outlet_only_when_it_is_the_only_one() -> None:
    fresh = [a for a in _articles() if a.source == "Gadget Wire"]
    ranked = rank(fresh, now=NOW, options=RankOptions(leads=3, teasers=8))
    assert [s.key for s in ranked.leads] == ["beta", "root", "mask"]


# -- the build, from feeds ---------------------------------------------------------------


def _rss(title: str, items: list[tuple[str, str, str, datetime]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{_text(t)}</description>"
        f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for _, t, link, when in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{entries}</channel></rss>"
    )


def _project(folder: Path, *, min_stories: int) -> Path:
    feeds = folder / "feeds"
    feeds.mkdir(parents=True)
    gadgets = [
        (k, t, f"https://gadgets.example/{k}", NOW - timedelta(hours=h)) for k, t, h in FRESH
    ]
    (feeds / "gadgets.rss").write_text(_rss("Gadget Wire", gadgets))
    sources = '[[sources]]\nname = "Gadget Wire"\nurl = "feeds/gadgets.rss"\n'
    for outlet, key, title, days in STALE:
        item = (key, title, f"https://{key}.example/{key}", NOW - timedelta(days=days))
        (feeds / f"{key}.rss").write_text(_rss(outlet, [item]))
        sources += f'\n[[sources]]\nname = "{outlet}"\nurl = "feeds/{key}.rss"\n'
    config = write_project(folder, sources=sources)
    text = config.read_text().replace("[edition]\n", f"[edition]\nmin_stories = {min_stories}\n")
    config.write_text(text)
    return config


def _build(config: Path) -> tuple[int, dict[str, list[dict[str, object]]]]:
    res = CliRunner().invoke(
        main, ["build", "--config", str(config), "--at", "2026-11-29T07:00:00Z", "--json"]
    )
    edition, _ = json.JSONDecoder().raw_decode(res.output[res.output.index("{") :])
    return res.exit_code, edition


def test_the_build_leads_with_the_days_news_and_keeps_every_story(tmp_path: Path) -> None:
    config = _project(tmp_path / "news", min_stories=5)
    code, edition = _build(config)
    assert code == 0, edition
    leads = [s["title"] for s in edition["leads"]]
    teasers = [s["title"] for s in edition["teasers"]]
    assert leads == ["Tablet beta five reaches testers"]
    assert teasers[:2] == [FRESH[1][1], FRESH[2][1]]
    assert len(leads) + len(teasers) == 5  # min_stories = 5 still met: nothing dropped


def test_the_build_below_min_stories_is_still_refused(tmp_path: Path) -> None:
    """Five stories, six wanted: stored for an editor to complete, refused as it is."""
    config = _project(tmp_path / "news", min_stories=6)
    code, edition = _build(config)
    assert code == 1
    assert len(edition["leads"]) + len(edition["teasers"]) == 5


# -- a headline alone does not take the slot the floor frees ------------------------------

FUNGI = Article(
    key="fungi",
    source="Science Weekly",
    title="Food for fungi",  # an item with no description: a headline and a link
    url="https://science.example/fungi",
    published=NOW - timedelta(hours=3),
)


def test_the_slot_the_floor_frees_does_not_go_to_a_headline_alone() -> None:
    """A lead is a headline and its standfirst. The floor kept the stale stories out of
    the other slots; a fresh item of another outlet with nothing but a headline is strong
    enough, but a lead of a headline and "Read more" reads as broken: it runs with the
    teasers, with the strong stories the outlet limit kept out."""
    ranked = rank([*_articles(), FUNGI], now=NOW, options=RankOptions(leads=3, teasers=8))
    assert [s.key for s in ranked.leads] == ["beta"]
    assert all(s.summary for s in ranked.leads)
    assert "fungi" in [s.key for s in ranked.teasers]
    assert len(ranked.leads) + len(ranked.teasers) == 6  # every story still runs


def test_a_headline_alone_still_leads_when_nothing_says_more() -> None:
    ranked = rank([FUNGI], now=NOW, options=RankOptions(leads=3, teasers=8))
    assert [s.key for s in ranked.leads] == ["fungi"]


def test_science_headlines_do_not_lead_over_stories_with_text() -> None:
    """The real day: on 16 June 2017 Science's "This Week in Science" (69 items, every
    description empty) took the third lead ("Food for fungi": a headline and "Read more")
    while Daring Fireball's and ATP's stories with text ran as teasers."""
    feeds = require_corpus() / "feeds"
    articles = [
        article
        for name in (
            "blog-daringfireball.json",
            "podcast-atp.rss",
            "news-science-twis-rss1.rdf",
            "news-varthabharathi-kannada.rss",
        )
        for article in parse_feed((feeds / name).read_bytes(), source=name, url=None, now=NOW)
    ]
    at = datetime(2017, 6, 16, 6, tzinfo=UTC)
    ranked = rank(articles, now=at, options=RankOptions(leads=3, teasers=8))
    assert [s.title for s in ranked.leads] == [
        "226: Smooth Scrolling Is For Suckers",
        "John Markoff to Interview Scott Forstall Next Week",
    ]
    assert all(s.summary for s in ranked.leads)
    assert "Food for fungi" in [s.title for s in ranked.teasers]
