"""One publisher is one outlet everywhere a story counts outlets: its coverage, its
"Also in", its headline shown once; and a section variant keeps `[edition.quotas]`.

An editor who marks "BBC News" and "BBC World" as one publisher (`outlet = "BBC"`) had
them share the per-outlet caps only: a story both feeds carried still scored as
reported by two outlets (beating a story two independent outlets carried), read "Also
in: BBC World" under a BBC News lead, and a headline both feeds ran (a live page) ran
twice. A reader who chose sections got their email re-cut without the quotas, so more
stories of a section than `[edition.quotas]` allows reached them whenever the edition's
reserve (ranked for other readers' sections) held more of it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.build import rank_options
from digest.config import Settings, load
from digest.rank import rank
from digest.records import Article, Edition, Story
from digest.render import Renderer, Variant, other_publishers
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
KEY = 'outlet = "BBC"'


def _settings(tmp_path: Path, outlet: str | None = KEY, *, quotas: str = "") -> Settings:
    feeds = [
        ("BBC News", "https://feeds.bbci.co.uk/news/rss.xml", outlet),
        ("BBC World", "https://feeds.bbci.co.uk/news/world/rss.xml", outlet),
        *((f"Other {n}", f"https://other{n}.example/feed.xml", None) for n in range(6)),
    ]
    sources = "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "{url}"\nsection = "World"\n{key or ""}\n'
        for name, url, key in feeds
    )
    config = write_project(tmp_path, sources=sources)
    if quotas:
        text = config.read_text().replace("[[lists]]", f"[edition.quotas]\n{quotas}\n\n[[lists]]")
        config.write_text(text)
    return load(config)


def _words(tag: str) -> str:
    return " ".join(f"{tag}{n}" for n in range(30))


def _report(key: str, source: str, story: str, hours: float, title: str = "") -> Article:
    """`source`'s report of `story`: reports of one story share its words (they cluster)."""
    return Article(
        key=key,
        source=source,
        title=title or f"Headline {story}",
        url=f"https://{key}.example/story",
        summary=f"What happened, {_words(story)}.",
        published=NOW - timedelta(hours=hours),
        section="World",
    )


def _two_stories() -> list[Article]:
    """ "bbc": both BBC feeds, the fresher; "ind": two independent outlets."""
    return [
        _report("bbc-news", "BBC News", "bbc", 0.5),
        _report("bbc-world", "BBC World", "bbc", 0.6),
        _report("ind-0", "Other 0", "ind", 1.0),
        _report("ind-1", "Other 1", "ind", 1.1),
        *(_report(f"o{n}", f"Other {n}", f"lone{n}", 5 + n) for n in range(2, 6)),
    ]


def _by_key(stories: tuple[Story, ...]) -> dict[str, Story]:
    return {s.key: s for s in stories}


def test_one_publishers_two_feeds_are_no_corroboration(tmp_path: Path) -> None:
    options = rank_options(_settings(tmp_path), frozenset())
    ranked = rank(_two_stories(), now=NOW, options=options)
    stories = _by_key(ranked.stories)
    assert stories["bbc-news"].why["coverage"] == 1.0  # one outlet: the BBC
    assert stories["ind-0"].why["coverage"] == 2.0
    assert ranked.leads[0].key == "ind-0"  # two outlets' story leads


def test_without_the_key_the_two_feeds_are_two_outlets(tmp_path: Path) -> None:
    options = rank_options(_settings(tmp_path / "nokey", outlet=None), frozenset())
    ranked = rank(_two_stories(), now=NOW, options=options)
    assert _by_key(ranked.stories)["bbc-news"].why["coverage"] == 2.0
    assert ranked.leads[0].key == "bbc-news"


def test_also_in_names_only_other_publishers(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    articles = [*_two_stories(), _report("bbc-other", "Other 5", "bbc", 2.0)]
    ranked = rank(articles, now=NOW, options=rank_options(settings, frozenset()))
    lead = _by_key(ranked.stories)["bbc-news"]
    assert "bbc-world" in lead.keys  # carried (never sent again), not named
    edition = Edition("daily", NOW, ranked.leads, ranked.teasers)
    rendered = Renderer(settings).render(edition)
    also = [line for line in rendered.text.splitlines() if line.startswith("Also in:")]
    assert also[0] == "Also in: Other 5 <https://bbc-other.example/story>"  # the BBC lead's
    assert not any("BBC World" in line for line in also)
    assert lead.why["coverage"] == 2.0  # the BBC and Other 5
    assert "BBC World" not in rendered.html
    assert [a.source for a in other_publishers(lead, Renderer(settings).same_outlet)] == [
        "Other 5"
    ]  # the archive's "Also in"


def test_one_publishers_headline_runs_once(tmp_path: Path) -> None:
    """A live page both feeds carry, days apart (not one story): its headline once."""
    settings = _settings(tmp_path)
    live = "Live: election results as they come in"
    articles = [
        _report("news-live", "BBC News", "newslive", 0.1, title=live),
        _report("world-live", "BBC World", "worldlive", 80, title=live),  # past the window
        *(_report(f"o{n}", f"Other {n}", f"lone{n}", 1 + n) for n in range(6)),
    ]
    ranked = rank(articles, now=NOW, options=rank_options(settings, frozenset()))
    assert len(ranked.stories) == 7  # the others fill the place
    assert [s.key for s in ranked.stories if s.title == live] == ["news-live"]


def _story(key: str, score: float, section: str) -> Story:
    return Story(key=key, title=f"Story {key}", url=f"https://{key}.example/",
                 source=f"Outlet {key}", summary="What happened.", score=score,
                 section=section)  # fmt: skip


def _sport_edition() -> Edition:
    """Two Sport stories, as `Sport = 2` allows; the reserve (ranked for readers of
    other sets of sections) holds two more."""
    leads = (_story("w0", 9.0, "World"), _story("s0", 8.0, "Sport"), _story("w1", 7.0, "World"))
    teasers = (_story("s1", 6.0, "Sport"), *(_story(f"w{n}", 6 - n, "World") for n in range(2, 6)))
    reserve = (_story("s2", 5.5, "Sport"), _story("s3", 5.2, "Sport"), _story("c0", 5.0, "Culture"))
    return Edition("daily", NOW, leads, teasers, reserve=reserve)


def _shown(settings: Settings, edition: Edition, sections: set[str]) -> list[str]:
    text = Renderer(settings).render(edition, Variant(frozenset(sections))).text
    return [s.key for s in edition.carried if re.search(rf"\b{s.title}\b", text)]


def test_a_section_variant_keeps_the_quotas(tmp_path: Path) -> None:
    settings = _settings(tmp_path, quotas="Sport = 2")
    edition = _sport_edition()
    # A reader of Sport alone gets the edition's two best Sport stories, as its
    # ranking for them (digest.build.select) chose: the quota is the edition's.
    assert _shown(settings, edition, {"Sport"}) == ["s0", "s1"]
    # A reader of Sport and Culture: the places Sport may not take go to Culture.
    assert _shown(settings, edition, {"Sport", "Culture"}) == ["s0", "s1", "c0"]


def test_without_quotas_a_variant_takes_the_reserve(tmp_path: Path) -> None:
    shown = _shown(_settings(tmp_path), _sport_edition(), {"Sport"})
    assert shown == ["s0", "s1", "s2", "s3"]
