"""The rank stage: which stories lead, which tease, and why (digest.rank)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from digest.rank import FUTURE_SLACK, Ranked, RankOptions, rank
from digest.rank.score import PARTS, face, total
from digest.records import Article, Image, Story
from digest.wording.trim import ELLIPSIS, count_words

NOW = datetime(2024, 5, 17, 7, 0, tzinfo=UTC)
STOPS = (".", "!", "?", "…", "。", "！", "？")
CLOSERS = "\"'”’»›)]}」』】〕〉》）"

# Three stories, each told in a few ways, so that generated batches contain real clusters.
STORIES = [
    (
        "metro",
        [
            "Copenhagen opens driverless M5 metro line to Amager",
            "Thousands queue for first ride on Copenhagen's M5 metro",
        ],
        "The M5 metro line opened on Sunday, linking Kongens Nytorv in central Copenhagen "
        "with Amager and the airport. Mayor Sophie Andersen cut the ribbon as thousands of "
        "commuters queued for the first driverless trains. The line cost 25 billion kroner "
        "and took six years to build. Trains run every three minutes at rush hour.",
    ),
    (
        "jazz",
        [
            "Copenhagen Jazz Festival announces record lineup",
            "Record 1,300 concerts planned for Copenhagen Jazz Festival",
        ],
        "The Copenhagen Jazz Festival will bring 1,300 concerts to 120 venues this July, "
        "organisers said on Tuesday. Headliners include a tribute to Dexter Gordon, who "
        "lived in the city for fifteen years. Most concerts are free! Tickets for the "
        "rest go on sale on Friday.",
    ),
    (
        "harbour",
        [
            "Harbour baths open early as heatwave arrives",
            "Heatwave: Islands Brygge harbour bath opens two weeks early",
        ],
        "The harbour baths at Islands Brygge opened two weeks early on Tuesday as "
        "temperatures passed 30 degrees. Lifeguards are on duty from ten in the morning. "
        "Water quality is checked daily at every bathing spot, Dr. Hansen of the city said.",
    ),
]
SOURCES = ["cphpost.dk", "thelocal.dk", "dr.dk", "politiken.dk", "reuters.com"]
SECTIONS = [None, "Denmark", "Culture"]


@st.composite
def batches(draw: st.DrawFn) -> list[Article]:
    """Articles around NOW: story variants and one-offs, some undated, some from the future."""
    count = draw(st.integers(min_value=0, max_value=14))
    articles = []
    for n in range(count):
        kind = draw(st.integers(min_value=0, max_value=len(STORIES)))
        if kind < len(STORIES):
            _, titles, body = STORIES[kind]
            title = draw(st.sampled_from(titles))
            sentences = body.split(". ")
            start = draw(st.integers(min_value=0, max_value=1))
            text = ". ".join(sentences[start:])
        else:
            words = draw(st.lists(st.sampled_from(STORIES[n % 3][2].split()), max_size=60))
            title = " ".join(words[:6]) or f"Story {n}"
            text = " ".join(words)
        summary = draw(st.sampled_from(["", "A short standfirst. With two sentences.", text]))
        hours = draw(st.floats(min_value=-3, max_value=96, allow_nan=False))
        dated = draw(st.booleans()) or n % 5 != 0
        articles.append(
            Article(
                key=f"k{n}",
                source=draw(st.sampled_from(SOURCES)),
                title=title,
                url=f"https://example.org/{n}",
                summary=summary,
                text=text,
                published=NOW - timedelta(hours=hours) if dated else None,
                image=Image(f"https://example.org/{n}.jpg") if draw(st.booleans()) else None,
                section=draw(st.sampled_from(SECTIONS)),
            )
        )
    return articles


@st.composite
def options(draw: st.DrawFn, keys: list[str]) -> RankOptions:
    subset = st.lists(st.sampled_from(keys), unique=True) if keys else st.just([])
    pinned = draw(subset)
    quotas = draw(st.dictionaries(st.sampled_from(["Denmark", "Culture"]), st.integers(0, 3)))
    return RankOptions(
        leads=draw(st.integers(min_value=0, max_value=4)),
        teasers=draw(st.integers(min_value=0, max_value=6)),
        lead_words=draw(st.integers(min_value=1, max_value=60)),
        teaser_words=draw(st.integers(min_value=1, max_value=30)),
        half_life_hours=draw(st.sampled_from([6.0, 24.0])),
        max_leads_per_source=draw(st.integers(min_value=1, max_value=2)),
        max_age_hours=draw(st.sampled_from([None, 48.0])),
        weights=draw(st.dictionaries(st.sampled_from(SOURCES), st.sampled_from([0.5, 2.0]))),
        boosts=draw(
            st.dictionaries(st.sampled_from(keys or ["none"]), st.sampled_from([-1.0, 0.5]))
        ),
        pinned=tuple(pinned),
        excluded=frozenset(draw(subset)),
        already_sent=frozenset(draw(subset)),
        section_quotas=quotas,
        sections=draw(st.sampled_from([None, frozenset({"Denmark", "Culture"})])),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Article], RankOptions]:
    articles = draw(batches())
    return articles, draw(options([a.key for a in articles]))


def _ends_well(summary: str) -> bool:
    return summary.rstrip(CLOSERS).endswith(STOPS)


def _eligible(article: Article, opts: RankOptions) -> bool:
    """May this article run at all (ignoring scores and slots)?"""
    if article.key in opts.excluded:
        return False
    if article.when is not None and article.when > NOW + FUTURE_SLACK:
        return False
    return opts.sections is None or article.section in opts.sections


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.randoms(use_true_random=False))
def test_rank_properties(case: tuple[list[Article], RankOptions], rng: random.Random) -> None:
    articles, opts = case
    ranked = rank(articles, now=NOW, options=opts)

    # deterministic, whatever the input order
    shuffled = articles[:]
    rng.shuffle(shuffled)
    assert rank(shuffled, now=NOW, options=opts) == ranked
    assert rank(articles, now=NOW, options=opts) == ranked

    stories = ranked.leads + ranked.teasers
    keys = [k for s in stories for k in s.keys]
    event("a story with other outlets", str(any(s.also for s in stories)))
    event("a pinned story", str(any(s.pinned for s in stories)))
    event("a teaser", str(bool(ranked.teasers)))
    by_key = {a.key: a for a in articles}
    assert len(keys) == len(set(keys)), "an article appears twice"
    assert len(ranked.leads) <= opts.leads
    # a lead slot the leads' floor left empty (digest.rank.leads) runs a teaser instead
    # (the floor holds only where the edition has teasers)
    assert len(ranked.teasers) <= opts.teasers + (opts.leads - len(ranked.leads)) * bool(
        opts.teasers
    )
    assert len(stories) <= opts.leads + opts.teasers

    oldest = NOW - timedelta(hours=opts.max_age_hours or 1e6)
    for key in keys:
        assert key not in opts.excluded
        assert key not in opts.already_sent or key in opts.pinned
        assert _eligible(by_key[key], opts)
        when = by_key[key].when
        assert when is None or when >= oldest or key in opts.pinned

    # pins first, in the editor's order, and all of them when there is room
    flags = [s.pinned for s in stories]
    assert flags == sorted(flags, reverse=True)
    order = [
        min(opts.pinned.index(k) for k in s.keys if k in opts.pinned) for s in stories if s.pinned
    ]
    assert order == sorted(order)
    live_pins = [k for k in opts.pinned if _eligible(by_key[k], opts)]
    if len(live_pins) <= opts.leads + opts.teasers:
        assert set(live_pins) <= set(keys)
    assert all(s.key in opts.pinned for s in stories if s.pinned)  # the pinned article shows

    # summaries within budget, ending a sentence (or saying they were cut)
    for story, budget in [(s, opts.lead_words) for s in ranked.leads] + [
        (s, opts.teaser_words) for s in ranked.teasers
    ]:
        assert count_words(story.summary) <= budget
        assert len(story.summary.split()) <= budget
        if story.summary:
            assert _ends_well(story.summary)
        else:  # nothing to say, or an untitled item whose title already says it all
            front = by_key[story.key]
            said = " ".join((front.summary.strip() or front.text).split())
            assert not said or said.casefold().startswith(story.title.casefold())
        assert set(story.why) == set(PARTS)
        assert story.score == total(dict(story.why))
        assert [a.source for a in story.also] == sorted(a.source for a in story.also)

    # diversity among leads and section quotas (an editor's pins may go past them)
    # (relaxed only when short: then no teaser's outlet was still under the lead cap)
    lead_counts = Counter(s.source for s in ranked.leads)
    for source, count in lead_counts.items():
        pins = sum(1 for s in ranked.leads if s.pinned and s.source == source)
        if count > max(opts.max_leads_per_source, pins):
            assert all(lead_counts[t.source] >= opts.max_leads_per_source for t in ranked.teasers)
    for section, quota in opts.section_quotas.items():
        in_section = [s for s in stories if s.section == section]
        assert len(in_section) <= max(quota, sum(1 for s in in_section if s.pinned))


# Example tests -------------------------------------------------------------------------


SYLLABLES = [f"{a}{b}" for a in "bdfgklmnprstvz" for b in "aeiou"]


def _prose(key: str, words: int) -> str:
    """Unrelated-looking text: no two keys tell the same story."""
    rng = random.Random(key)
    out = [
        "".join(rng.choices(SYLLABLES, k=3)) + ("." if n % 10 == 9 else "") for n in range(words)
    ]
    return " ".join(out).capitalize()


def _article(key: str, source: str, hours: float, **fields: object) -> Article:
    base = Article(
        key=key,
        source=source,
        title=f"Headline {_prose(key, 5)}",
        url=f"https://{source}/{key}",
        summary=f"Standfirst of {key}. It says more.",
        text=_prose(key, 100),
        published=NOW - timedelta(hours=hours),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def _metro(key: str, source: str, hours: float, variant: int) -> Article:
    _, titles, body = STORIES[0]
    return _article(key, source, hours, title=titles[variant % 2], text=body, summary="")


def test_recency_beats_old() -> None:
    ranked = rank(
        [_article("old", "a.dk", 48), _article("new", "b.dk", 1)],
        now=NOW,
        options=RankOptions(leads=2),
    )
    assert [s.key for s in ranked.leads] == ["new", "old"]
    assert ranked.leads[0].why["recency"] > ranked.leads[1].why["recency"]
    assert ranked.leads[1].why["recency"] == pytest.approx(0.25, abs=1e-4)  # two half-lives


def test_source_weight_matters() -> None:
    articles = [_article("light", "a.dk", 5), _article("heavy", "b.dk", 5)]
    ranked = rank(articles, now=NOW, options=RankOptions(leads=2, weights={"b.dk": 2.0}))
    assert [s.key for s in ranked.leads] == ["heavy", "light"]
    assert ranked.leads[0].why["source"] == 2.0
    assert ranked.leads[1].why["source"] == 1.0


def test_three_outlets_outrank_a_lone_story_of_the_same_age() -> None:
    articles = [
        _article("lone", "a.dk", 3, image=Image("https://a.dk/x.jpg")),
        _metro("m1", "thelocal.dk", 3, 0),
        _metro("m2", "cphpost.dk", 3, 1),
        _metro("m3", "dr.dk", 3, 0),
    ]
    ranked = rank(articles, now=NOW, options=RankOptions(leads=2))
    top = ranked.leads[0]
    assert set(top.keys) == {"m1", "m2", "m3"}
    assert top.why["coverage"] == pytest.approx(2.585, abs=1e-3)
    assert [a.source for a in top.also] == sorted(a.source for a in top.also)
    assert ranked.leads[1].key == "lone"
    assert top.score > ranked.leads[1].score


def test_why_holds_every_part_and_explains_the_score() -> None:
    story = rank([_article("a", "a.dk", 24)], now=NOW, options=RankOptions()).leads[0]
    assert set(story.why) == {"recency", "source", "coverage", "quality", "boost"}
    assert story.why["recency"] == 0.5
    assert story.why["quality"] == 0.9  # a real body, no image
    assert story.score == round(0.5 * 1.0 * 1.0 * 0.9 * 1.0, 4)


def test_editor_boost_and_bury() -> None:
    articles = [_article("a", "a.dk", 1), _article("b", "b.dk", 30)]
    boosted = rank(articles, now=NOW, options=RankOptions(leads=2, boosts={"b": 2.0}))
    assert [s.key for s in boosted.leads] == ["b", "a"]
    assert boosted.leads[0].why["boost"] == 2.0
    buried = rank(articles, now=NOW, options=RankOptions(leads=2, boosts={"a": -1.0}))
    assert [s.key for s in buried.leads] == ["b", "a"]
    assert buried.leads[1].score == 0.0


def test_one_lead_per_source_then_teasers() -> None:
    articles = [_article(f"a{n}", "a.dk", n) for n in range(3)] + [_article("b", "b.dk", 10)]
    ranked = rank(articles, now=NOW, options=RankOptions(leads=2, teasers=5))
    assert [s.key for s in ranked.leads] == ["a0", "b"]
    assert [s.key for s in ranked.teasers] == ["a1", "a2"]


def test_leads_prefer_stories_with_something_to_say() -> None:
    bare = _article("bare", "a.dk", 0, summary="", text="")
    ranked = rank([bare, _article("full", "b.dk", 20)], now=NOW, options=RankOptions(leads=1))
    assert [s.key for s in ranked.leads] == ["full"]
    assert [s.key for s in ranked.teasers] == ["bare"]
    assert ranked.teasers[0].summary == ""


def test_pins_come_first_in_order_even_if_sent_before() -> None:
    articles = [_article(k, f"{k}.dk", h) for k, h in [("x", 1), ("y", 2), ("z", 70), ("w", 80)]]
    opts = RankOptions(leads=1, teasers=3, pinned=("w", "z"), already_sent=frozenset({"w", "y"}))
    ranked = rank(articles, now=NOW, options=opts)
    assert [s.key for s in ranked.leads] == ["w"]
    assert [s.key for s in ranked.teasers] == ["z", "x"]
    assert [s.pinned for s in ranked.leads + ranked.teasers] == [True, True, False]


def test_already_sent_drops_the_whole_story_and_excluded_drops_the_article() -> None:
    articles = [_metro("m1", "thelocal.dk", 3, 0), _metro("m2", "cphpost.dk", 3, 1)]
    articles.append(_article("other", "a.dk", 5))
    sent = rank(articles, now=NOW, options=RankOptions(already_sent=frozenset({"m2"})))
    assert [s.key for s in sent.leads] == ["other"]
    excluded = rank(articles, now=NOW, options=RankOptions(excluded=frozenset({"m2"})))
    assert {k for s in excluded.leads for k in s.keys} == {"m1", "other"}


def test_future_articles_wait_and_old_ones_expire() -> None:
    articles = [
        _article("soon", "a.dk", -0.5),  # within the hour of slack
        _article("future", "b.dk", -3),
        _article("ancient", "c.dk", 100),
        _article("undated", "d.dk", 0, published=None),
    ]
    ranked = rank(articles, now=NOW, options=RankOptions(leads=5, max_age_hours=72))
    assert sorted(s.key for s in ranked.leads) == ["soon", "undated"]
    assert ranked.leads[0].why["recency"] == 1.0
    assert next(s for s in ranked.leads if s.key == "undated").why["recency"] == 0.5


def test_summaries_use_the_standfirst_and_respect_budgets() -> None:
    long_text = "The council met on Monday. It voted for the plan. Work starts in May. " * 10
    with_standfirst = _article("s", "a.dk", 1, summary="The plan passed. Work starts soon.")
    only_text = _article("t", "b.dk", 2, summary="", text=long_text)
    ranked = rank(
        [with_standfirst, only_text],
        now=NOW,
        options=RankOptions(leads=1, teasers=1, teaser_words=40),
    )
    assert ranked.leads[0].summary == "The plan passed. Work starts soon."
    assert ranked.teasers[0].summary == "The council met on Monday. It voted for the plan."
    lead = rank([only_text], now=NOW, options=RankOptions(lead_words=14)).leads[0]
    assert lead.summary == "The council met on Monday. It voted for the plan. Work starts in May."
    cut = rank([only_text], now=NOW, options=RankOptions(lead_words=3)).leads[0]
    assert cut.summary == "The council met" + ELLIPSIS


def test_sections_variant_and_quotas() -> None:
    articles = [
        _article("d1", "a.dk", 1, section="Denmark"),
        _article("d2", "b.dk", 2, section="Denmark"),
        _article("c1", "c.dk", 3, section="Culture"),
        _article("s1", "d.dk", 0, section="Sport"),
    ]
    opts = RankOptions(leads=1, teasers=5, sections=frozenset({"Denmark", "Culture"}))
    ranked = rank(articles, now=NOW, options=opts)
    assert [s.key for s in ranked.leads + ranked.teasers] == ["d1", "d2", "c1"]
    quota = rank(articles, now=NOW, options=replace(opts, section_quotas={"Denmark": 1}))
    assert [s.key for s in quota.leads + quota.teasers] == ["d1", "c1"]


def test_face_is_the_freshest_good_article() -> None:
    newer = _metro("m1", "thelocal.dk", 1, 0)
    older = replace(_metro("m2", "cphpost.dk", 5, 1), text=newer.text + " More detail here.")
    story = rank([newer, older], now=NOW, options=RankOptions()).leads[0]
    assert story.key == "m1"  # the freshest leads, though the older one says more
    assert story.published == newer.published
    assert story.why["recency"] == round(0.5 ** (1 / 24), 4)  # from the newest member
    assert face([newer, older], RankOptions()) is newer
    same_time = replace(older, published=newer.published)
    assert face([newer, same_time], RankOptions()) is same_time  # then the fuller one
    pinned = rank([newer, older], now=NOW, options=RankOptions(pinned=("m2",))).leads[0]
    assert (pinned.key, pinned.pinned, [a.key for a in pinned.also]) == ("m2", True, ["m1"])


def test_same_input_same_output() -> None:
    articles = [_article(f"k{n}", SOURCES[n % 5], n * 3.0) for n in range(12)]
    articles += [_metro(f"m{n}", SOURCES[n], 2, n) for n in range(3)]
    first = rank(articles, now=NOW, options=RankOptions())
    assert isinstance(first, Ranked)
    assert all(isinstance(s, Story) for s in first.leads + first.teasers)
    for seed in range(5):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert rank(shuffled, now=NOW, options=RankOptions()) == first


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="half_life_hours"):
        RankOptions(half_life_hours=0)
    with pytest.raises(ValueError, match="negative"):
        RankOptions(leads=-1)
