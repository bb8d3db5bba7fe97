"""A sponsor's post is an advertisement: no edition shows it as a story the editor chose.

Daring Fireball runs each week's sponsor as posts of its own: "[Sponsor] Timing —
Automatic Time Tracking for Mac" (by "Daring Fireball Department of Commerce", at
``/feeds/sponsors/…``) and "My thanks to Mnml for sponsoring this week's DF RSS feed."
A QA reader of editions built from the shared corpus found them as teasers among the
day's stories. They are left out of the ranking, under the reason "advert", which the
build's summary line names for the editor; an editor who means to run one pins it or
adds it from the desk by its link (the ranking then keeps it, as it keeps every pin).
A story that only mentions a sponsor ("Sponsor pulls out of …") is news as before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from digest.collect.feeds import read_feed
from digest.gate import Built
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
THANKS = "My thanks to Mnml for sponsoring this week's DF RSS feed."
TEXT = "The new app tracks which documents you use, without timers, and keeps it private."


def _item(key: str, title: str, *, hours: float = 1, **kw: object) -> Article:
    fields: dict[str, object] = {
        "source": f"{key}.example",
        "title": title,
        "url": f"https://{key}.example/post",
        "text": TEXT,
        "published": NOW - timedelta(hours=hours),
    }
    fields.update(kw)
    return Article(key=key, **fields)  # type: ignore[arg-type]


NEWS = (
    ("The harbour bath stays open all winter", "The city said the bath stays open."),
    ("Ferry fares rise in January", "Fares on the island ferries go up by a tenth."),
    ("Library wins design prize", "The glass library by the river won the prize."),
    ("Night trains return to the coast", "Two night trains a week run from March."),
)


def _news() -> list[Article]:
    return [_item(f"n{n}", title, hours=6 + n, text=text) for n, (title, text) in enumerate(NEWS)]


def _shown(articles: list[Article], **options: object) -> set[str]:
    ranked = rank(articles, now=NOW, options=RankOptions(leads=2, teasers=8, **options))  # type: ignore[arg-type]
    return {s.key for s in ranked.stories}


@pytest.mark.parametrize(
    ("title", "kw"),
    [
        ("[Sponsor] Timing — Automatic Time Tracking for Mac", {}),
        ("Sponsor: Timing, automatic time tracking for your Mac", {}),
        ("Sponsored: The best mortgage for your first home", {}),
        ("[Anzeige] Neue Küchen zum Winterpreis", {}),
        ("Anzeige: Neue Küchen zum Winterpreis", {}),
        ("[Annonce] Les cuisines de l'hiver", {}),
        ("Werbung: Neue Küchen zum Winterpreis", {}),
        ("Advertorial: Five ways to save on heating", {}),
        ("Partner content: Five ways to save on heating", {}),
        ("Paid post: Five ways to save on heating", {}),
        ("Timing for your Mac", {"categories": ("Sponsor",)}),
        ("Timing for your Mac", {"categories": ("News", "Sponsored")}),
        ("Mnml – A Mac Client for Medium", {"text": f"{THANKS} {TEXT}"}),
    ],
)
def test_a_sponsored_item_with_text_is_left_out_as_an_advert(
    title: str, kw: dict[str, object]
) -> None:
    ad = _item("ad", title, hours=0.5, **kw)
    ranked = rank([ad, *_news()], now=NOW, options=RankOptions(leads=2, teasers=8))
    assert "ad" not in {s.key for s in ranked.stories}  # neither a lead nor a teaser
    assert ranked.left_out["ad"] == "advert"
    assert ranked.dropped["advert"] == 1


@pytest.mark.parametrize(
    "title",
    [
        "Club's new sponsor: Acme signs a five-year shirt deal",
        "Sponsor pulls out of the harbour regatta after protest",
        "Sponsored riders win the Tour",
        "Sponsorship: how the regatta pays for itself",
        "Anzeige gegen den Bürgermeister erstattet",
        "Werbung im Stadion: Club verzichtet auf Wettanbieter",
        "The mayor thanks the sponsors of the harbour bath",
    ],
)
def test_a_story_that_mentions_a_sponsor_still_runs(title: str) -> None:
    assert "story" in _shown([_item("story", title, hours=0.5), *_news()])


def test_an_editors_pin_runs_a_sponsored_post() -> None:
    ad = _item("ad", "[Sponsor] Timing — Automatic Time Tracking for Mac", hours=0.5)
    assert "ad" in _shown([ad, *_news()], pinned=("ad",))  # a deliberate choice


def test_the_build_summary_names_the_sponsored_posts_left_out() -> None:
    dropped = MappingProxyType({"advert": 3})
    built = Built(None, 10, dropped, max_age_hours=None, min_stories=1)
    assert "3 sponsored posts and advertisements" in built.summary()


@pytest.mark.parametrize("name", ["blog-daringfireball.atom", "blog-daringfireball.json"])
def test_daring_fireballs_sponsor_posts_are_not_in_the_edition(name: str) -> None:
    path = require_corpus() / "feeds" / name
    articles = read_feed(path.read_bytes(), source="Daring Fireball", url=None, now=NOW).articles
    when = max(a.published for a in articles if a.published is not None)
    options = RankOptions(leads=3, teasers=60, max_teasers_per_source=60, max_age_hours=None)
    ranked = rank(articles, now=when, options=options)
    shown = {s.title for s in ranked.stories}
    ads = {
        "[Sponsor] Timing — Automatic Time Tracking for Mac",
        "[Sponsor] MNML: A macOS Writing App for Medium.com",
        "Mnml – A Mac Client for Medium",  # "My thanks to Mnml for sponsoring this week's…"
        "Squarespace Domains",  # "My thanks to Squarespace for sponsoring last week's…"
    }
    assert not shown & ads, shown & ads
    keys = {a.title: a.key for a in articles}
    assert {ranked.left_out[keys[t]] for t in ads} == {"advert"}
    assert len(shown) >= 30  # the posts themselves run as before
