"""A thin edition is never a feed dump: past its cap an outlet fills only with stories
that have text, and only after every other outlet's stories are placed.

An audit of editions built from real feeds found the caps giving way on thin days: a
News reader's email of June 2017 was Science's "This Week in Science" alone (three
leads and eight teasers, every one a headline with nothing under it, in a row), and a
quarter's Other section was NSHipster's. A headline alone never comes in past the cap.
Then QA's edition of 2018-02-01 (the Guardian, and Jornal de Notícias with nothing
recent) was one lead and two teasers while 51 Guardian stories with text were left
below the cut: the lead's decision is that past its cap an outlet takes a place while it
has no more stories than the others together, or once no other outlet has a story left
to place. A list that reads one outlet (a one-source newsletter, a section one source
serves) fills its edition from it, headlines alone included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from digest.build import select
from digest.collect.feeds import parse_feed
from digest.rank import RankOptions, rank
from digest.records import Article, Edition, Story
from digest.render import Variant
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
THREE_DAYS = RankOptions(max_age_hours=72)
NEWS = replace(THREE_DAYS, sections=frozenset({"News"}))


def _article(key: str, source: str, section: str, hours: float, *, says: bool = True) -> Article:
    words = " ".join(f"{key}w{n}" for n in range(30))  # no two articles tell one story
    return Article(
        key=key,
        source=source,
        title=f"Headline {key} " + " ".join(f"{key}t{n}" for n in range(4)),
        url=f"https://{source}/{key}",
        summary=f"What happened, {words}." if says else "",
        published=NOW - timedelta(hours=hours),
        section=section,
    )


def _weekly() -> list[Article]:
    """A weekly's table of contents: twelve headlines, nothing under them (News)."""
    return [_article(f"w{n}", "weekly.example", "News", 2 + n, says=False) for n in range(12)]


def _stale_news() -> list[Article]:
    """The other News outlets' stories, all older than the edition's three days."""
    return [_article(f"h{n}", f"herald{n}.example", "News", 24 * 10 + n) for n in range(4)]


def _blog() -> list[Article]:
    return [_article(f"b{n}", f"blog{n}.example", "Blogs", 3 + n) for n in range(6)]


def _run(stories: Sequence[Story]) -> int:
    """The longest run of headline-only stories from one outlet, in reading order."""
    longest = run = 0
    last = None
    for story in stories:
        bare = not story.summary.strip()
        run = run + 1 if bare and story.source == last else int(bare)
        last = story.source if bare else None
        longest = max(longest, run)
    return longest


def test_a_thin_news_variant_is_not_the_weeklys_table_of_contents() -> None:
    """The News reader's email was the weekly's twelve headlines in a row (three leads and
    eight teasers): now one lead and its two teasers, and no more of them."""
    ranked = rank(_weekly() + _stale_news() + _blog(), now=NOW, options=NEWS)
    stories = ranked.leads + ranked.teasers
    assert stories  # never an empty message
    assert Counter(s.source for s in stories) == {"weekly.example": 3}
    assert (len(ranked.leads), len(ranked.teasers)) == (1, 2)
    assert _run(ranked.teasers) <= THREE_DAYS.max_teasers_per_source


def test_a_thin_day_fills_from_the_outlet_with_news_after_the_others() -> None:
    """One busy outlet and one quiet one: the quiet one's story goes in (a lead), then
    the busy one, its stories having text, fills the rest (the lead's decision: a thin
    day's edition is full, not one lead and two teasers)."""
    busy = [_article(f"a{n}", "busy.example", "News", 1 + n) for n in range(12)]
    quiet = [_article("q0", "quiet.example", "News", 1.5)]
    ranked = rank(busy + quiet + _stale_news(), now=NOW, options=THREE_DAYS)
    assert [s.source for s in ranked.leads] == ["busy.example", "quiet.example", "busy.example"]
    assert [s.source for s in ranked.teasers] == ["busy.example"] * 8


def test_the_reserve_and_the_subscribers_email_keep_the_bound() -> None:
    """The build's reserve for News readers, and the email re-cut from it."""
    articles = _weekly() + _stale_news() + _blog()
    chosen = select(articles, [frozenset({"News"})], now=NOW, options=THREE_DAYS)
    edition = Edition("daily", NOW, chosen.leads, chosen.teasers, reserve=chosen.reserve)
    weekly = [s for s in edition.carried if s.source == "weekly.example"]
    assert len(weekly) == 3
    mine, whole = Variant(frozenset({"News"})).select(edition, 1)
    assert not whole and [s.source for s in mine.stories] == ["weekly.example"] * 3
    assert _run(mine.teasers) <= 2
    # fewer than `[edition] min_variant_stories`: the whole edition, noted (never empty)
    mine, whole = Variant(frozenset({"News"})).select(edition, 4)
    assert whole and mine == edition


def test_a_one_source_newsletter_still_gets_a_full_edition() -> None:
    """One outlet is the whole list by the editor's choice: it fills the edition."""
    one = [_article(f"a{n}", "only.example", "News", 1 + n) for n in range(20)]
    ranked = rank(one, now=NOW, options=THREE_DAYS)
    assert (len(ranked.leads), len(ranked.teasers)) == (3, 8)
    weekly = rank(_weekly(), now=NOW, options=THREE_DAYS)  # headlines alone, likewise
    assert (len(weekly.leads), len(weekly.teasers)) == (3, 8)


def test_a_section_one_source_serves_is_filled_from_it() -> None:
    """Culture is one outlet's by the editor's choice (no other source has Culture)."""
    culture = [_article(f"c{n}", "culture.example", "Culture", 1 + n) for n in range(8)]
    ranked = rank(
        culture + _stale_news(),
        now=NOW,
        options=replace(THREE_DAYS, sections=frozenset({"Culture"})),
    )
    assert len(ranked.leads) + len(ranked.teasers) == 8


def test_a_normal_edition_is_unchanged() -> None:
    """Enough outlets: every place filled, one lead and two teasers an outlet at most."""
    articles = [
        _article(f"o{n}s{k}", f"outlet{n}.example", "News", n + k / 3)
        for n in range(6)
        for k in range(3)
    ]
    ranked = rank(articles, now=NOW, options=THREE_DAYS)
    assert [s.key for s in ranked.leads] == ["o0s0", "o1s0", "o2s0"]
    assert len(ranked.teasers) == 8
    assert max(Counter(s.source for s in ranked.teasers).values()) == 2


def test_june_2017s_news_readers_get_no_feed_dump() -> None:
    """The real feeds, read in place: News in June 2017 was Science's weekly alone (the
    others' items too old, or undated in a feed's backlog at its first collect)."""
    feeds = require_corpus() / "feeds"
    collected = datetime(2026, 12, 1, tzinfo=UTC)
    at = datetime(2017, 6, 28, 7, tzinfo=UTC)
    articles = [
        replace(
            article,
            section="News" if name.startswith("news-") else "Blogs",
            first_seen=at,  # a collect right before the build
            backlog=article.published is None,
        )
        for name in (
            "news-science-twis-rss1.rdf",
            "news-heise-online-2016.rdf",
            "news-uol-noticias-latin1-nodecl.rss",
            "blog-daringfireball.json",
            "blog-lincolnloop-ctrlchar.xml",
        )
        for article in parse_feed((feeds / name).read_bytes(), source=name, url=None, now=collected)
    ]
    for section in ("News", "Blogs"):
        options = RankOptions(max_age_hours=24 * 31, sections=frozenset({section}))
        ranked = rank(articles, now=at, options=options)
        stories = ranked.leads + ranked.teasers
        assert stories, section
        assert _run(ranked.teasers) <= 2, section
        # past its cap an outlet fills only with stories that have text
        past = Counter(s.source for s in stories)
        assert all(s.summary.strip() for s in stories if past[s.source] > 3), section
    news = rank(articles, now=at, options=replace(options, sections=frozenset({"News"})))
    assert max(Counter(s.source for s in news.leads + news.teasers).values()) <= 3


def test_the_email_re_cut_asks_the_lists_sources() -> None:
    """An edition carrying the weekly's eleven headlines (ranked before the rule, or
    for a list that read it alone): a News reader of a list whose News has two sources
    gets three of them; of a list whose News is the weekly's alone, all eleven."""
    ranked = rank(_weekly(), now=NOW, options=THREE_DAYS)
    edition = Edition("daily", NOW, ranked.leads, ranked.teasers)
    news = Variant(frozenset({"News"}))
    two = {"weekly.example": "News", "herald0.example": "News", "blog0.example": "Blogs"}
    assert len(news.apply(edition, sources=two).stories) == 3
    one = {"weekly.example": "News", "blog0.example": "Blogs"}
    assert len(news.apply(edition, sources=one).stories) == 11


def test_a_day_one_outlet_has_news_fills_the_edition_with_its_stories() -> None:
    """QA's edition of 2018-02-01 07:00Z: the Guardian and Jornal de Notícias, JN's items
    all older than three days. It was one lead and two teasers while 51 Guardian stories
    with text ranked below the cut; once no other outlet has a story left to place, the
    one with news fills the edition (stories with text only)."""
    feeds = require_corpus() / "feeds"
    collected = datetime(2026, 12, 1, tzinfo=UTC)
    at = datetime(2018, 2, 1, 7, tzinfo=UTC)
    articles = [
        replace(article, section="News", first_seen=at, backlog=article.published is None)
        for name in ("news-guardian-intl.rss", "news-jornaldenoticias-pt-iso8859-1.rss")
        for article in parse_feed((feeds / name).read_bytes(), source=name, url=None, now=collected)
    ]
    ranked = rank(articles, now=at, options=THREE_DAYS)
    assert (len(ranked.leads), len(ranked.teasers)) == (3, 8)
    stories = ranked.leads + ranked.teasers
    assert {s.source for s in stories} == {"news-guardian-intl.rss"}
    assert all(s.summary.strip() for s in stories)


def test_a_second_outlets_story_goes_in_first_and_shrinks_nothing() -> None:
    """A busy outlet and a quiet one with three stories: all three of the quiet one's go
    in, and the busy one fills the rest (no shorter than the busy one alone)."""
    busy = [_article(f"a{n}", "busy.example", "News", 1 + n) for n in range(20)]
    quiet = [_article(f"q{n}", "quiet.example", "News", 10 + n) for n in range(3)]
    ranked = rank(busy + quiet + _stale_news(), now=NOW, options=THREE_DAYS)
    stories = ranked.leads + ranked.teasers
    assert (len(ranked.leads), len(ranked.teasers)) == (3, 8)
    assert Counter(s.source for s in stories) == {"busy.example": 8, "quiet.example": 3}
    alone = rank(busy + _stale_news(), now=NOW, options=THREE_DAYS)
    assert len(alone.leads) + len(alone.teasers) == len(stories)
