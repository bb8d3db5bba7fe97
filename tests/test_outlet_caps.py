"""One publisher, one share: the per-outlet caps count a publisher configured as two
sources (or named differently by an item) once.

An editor who configures "BBC News" and "BBC World" gave the BBC two caps: two leads
and four teasers of an edition, while every other outlet got one and two. A source's
`outlet` key says which publisher it is; sources (and items credited by name) of one
outlet share its caps, in the edition and in a section variant.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.build import rank_options
from digest.config import Settings, load
from digest.errors import ConfigError
from digest.rank import rank
from digest.records import Article, Edition, Story
from digest.render import Renderer, Variant
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
OTHERS = 10
BBC = {"BBC News", "BBC World"}


def _sources(outlet: str | None = 'outlet = "BBC"') -> str:
    feeds = [
        ("BBC News", "https://feeds.bbci.co.uk/news/rss.xml", outlet, "World"),
        ("BBC World", "https://feeds.bbci.co.uk/news/world/rss.xml", outlet, "World"),
        ("Newswire", "https://newswire.example/feed.xml", None, "World"),
        *(
            (f"Other {n}", f"https://other{n}.example/feed.xml", None, "World")
            for n in range(OTHERS)
        ),
    ]
    return "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "{url}"\nsection = "{section}"\n{key or ""}\n'
        for name, url, key, section in feeds
    )


def _settings(tmp_path: Path, outlet: str | None = 'outlet = "BBC"') -> Settings:
    return load(write_project(tmp_path, sources=_sources(outlet)))


def _article(key: str, source: str, hours: float, outlet: str | None = None) -> Article:
    words = " ".join(f"{key}{n}" for n in range(30))  # no two articles tell one story
    return Article(
        key=key,
        source=source,
        title=f"Headline {key}",
        url=f"https://{key}.example/story",
        summary=f"What happened, {words}.",
        published=NOW - timedelta(hours=hours),
        section="World",
        outlet=outlet,
    )


def _articles() -> list[Article]:
    """The BBC's two feeds the freshest (they would fill every slot), others older."""
    bbc = [_article(f"news{n}", "BBC News", 0.1 * n) for n in range(6)]
    bbc += [_article(f"world{n}", "BBC World", 0.1 * n + 0.05) for n in range(6)]
    others = [_article(f"o{n}", f"Other {n}", 3 + n) for n in range(OTHERS)]
    return bbc + others


def _bbc(credits: list[str]) -> int:
    return sum(" ".join(c.casefold().split()) in {"bbc", "bbc news", "bbc world"} for c in credits)


def test_two_sources_of_one_outlet_share_its_caps(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ranked = rank(_articles(), now=NOW, options=rank_options(settings, frozenset()))
    assert (len(ranked.leads), len(ranked.teasers)) == (3, 8)
    assert _bbc([s.source for s in ranked.leads]) == 1  # max_leads_per_source
    assert _bbc([s.source for s in ranked.teasers]) == 2  # max_teasers_per_source
    # the reader still sees which of the BBC's feeds each story came from
    credits = {s.source for s in ranked.stories}
    assert "BBC" not in credits and credits & BBC


def test_without_the_key_two_sources_are_two_outlets(tmp_path: Path) -> None:
    """What the key changes: two feeds of one host are not one outlet by themselves
    (a feed host may serve many publishers: feedburner, medium.com, a blog platform)."""
    settings = _settings(tmp_path, outlet=None)
    ranked = rank(_articles(), now=NOW, options=rank_options(settings, frozenset()))
    assert _bbc([s.source for s in ranked.leads]) == 2
    assert _bbc([s.source for s in ranked.teasers]) == 4


def test_an_outlet_named_in_other_case_or_spacing_is_the_same_outlet(tmp_path: Path) -> None:
    """Without any key: an aggregator's items credited "bbc news" or "BBC  News" are the
    source "BBC News"'s outlet, not two more."""
    settings = _settings(tmp_path, outlet=None)
    wire = [
        _article("w0", "Newswire", 0.01, outlet="bbc news"),
        _article("w1", "Newswire", 0.02, outlet="BBC  News"),
    ]
    bbc_news = [a for a in _articles() if a.source != "BBC World"]
    ranked = rank(wire + bbc_news, now=NOW, options=rank_options(settings, frozenset()))
    assert _bbc([s.source for s in ranked.leads]) == 1
    assert _bbc([s.source for s in ranked.teasers]) == 2


def test_an_item_credited_to_the_outlet_or_its_source_counts_for_it(tmp_path: Path) -> None:
    """An aggregator's items name their publisher: "BBC", "bbc news", "BBC World"."""
    settings = _settings(tmp_path)
    wire = [
        _article("w0", "Newswire", 0.01, outlet="BBC"),
        _article("w1", "Newswire", 0.02, outlet="bbc news"),
        _article("w2", "Newswire", 0.03, outlet="BBC  World"),
    ]
    ranked = rank(wire + _articles(), now=NOW, options=rank_options(settings, frozenset()))
    assert _bbc([s.source for s in ranked.leads]) == 1
    assert _bbc([s.source for s in ranked.teasers]) == 2


def _story(key: str, source: str, score: float, section: str = "World") -> Story:
    return Story(key=key, title=f"Story {key}", url=f"https://{key}.example/", source=source,
                 summary="What happened.", score=score, section=section)  # fmt: skip


def test_a_section_variant_keeps_one_outlets_caps(tmp_path: Path) -> None:
    """A World reader's edition, re-cut without the Business lead and with the reserve
    (more of the BBC's World stories), holds one BBC lead and two BBC teasers."""
    settings = _settings(tmp_path)
    leads = (
        _story("biz", "Other 9", 9.0, section="Business"),
        _story("n0", "BBC News", 8.0),
        _story("o0", "Other 0", 7.0),
    )
    teasers = (
        _story("w0", "BBC World", 6.0),
        _story("n1", "BBC News", 5.5),
        *(_story(f"o{n}", f"Other {n}", 6 - n) for n in range(1, 6)),
    )
    reserve = (_story("w1", "BBC World", 0.9), _story("n2", "BBC News", 0.8))
    reserve += tuple(_story(f"o{n}", f"Other {n}", 1 - n / 10) for n in range(6, 9))
    edition = Edition("daily", NOW, leads, teasers, reserve=reserve)
    text = Renderer(settings).render(edition, Variant(frozenset({"World"}))).text
    shown = {s.key: s for s in edition.carried if re.search(rf"\b{s.title}\b", text)}
    assert len(shown) == len(edition.stories)  # the Business lead's place is taken
    assert _bbc([s.source for s in shown.values()]) == 3, sorted(shown)  # one lead, two teasers


@pytest.mark.parametrize(
    ("value", "says"),
    [('outlet = ""', "one line"), ('outlet = "BBC\\nNews"', "one line"), ("outlet = 3", "string")],
)
def test_a_bad_outlet_is_named(tmp_path: Path, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        _settings(tmp_path, outlet=value)
    message = str(info.value)
    assert "outlet" in message and "sources[0]" in message and says in message
