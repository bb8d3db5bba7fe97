"""An outlet's shop post is an advertisement: no edition shows it as a story.

A QA reader of a Macworld edition (the corpus's ``news-macworld.rss``, built at
2017-11-27 22:00 UTC with ``max_age_hours = 48``) found three of its eleven stories
were the outlet's own shop: "Cyber Monday Steal: Get 120+ Hours of iOS 11 Dev Training
for $15", "Pay What You Want For The Cyber Monday Mac Bundle ($469 value)", ... all by
"DealPost Team", and the build said ``advert: 0``. A post signed by a deals or shop team
("DealPost Team", "The Deals Desk", "Macworld Shop Team"), or whose headline is an offer ("Get
... for $15", "Save 80% on ...", "Pay What You Want ...", "($469 value)", "20% off",
"- Deal Alert"), is left out under "advert" unless an editor pins it. A report about
prices ("Apple raises iPhone price to $999") and a writer's round-up of the day's deals
("Cyber Monday: The best software deals", by a staff writer) are stories as before.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.rank import RankOptions, advertisements, rank
from digest.records import Article
from tests.conftest import write_project
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
TEXT = "The bundle has eight courses on building apps, from the basics to publishing one."
NEWS = (
    ("The harbour bath stays open all winter", "The city said the bath stays open."),
    ("Ferry fares rise in January", "Fares on the island ferries go up by a tenth."),
    ("Library wins design prize", "The glass library by the river won the prize."),
    ("Night trains return to the coast", "Two night trains a week run from March."),
)


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


def _news() -> list[Article]:
    return [_item(f"n{n}", title, hours=6 + n, text=text) for n, (title, text) in enumerate(NEWS)]


def _shown(articles: list[Article]) -> set[str]:
    ranked = rank(articles, now=NOW, options=RankOptions(leads=2, teasers=8))
    return {s.key for s in ranked.stories}


@pytest.mark.parametrize(
    ("title", "author"),
    [
        # Signed by the outlet's shop, whatever the headline says.
        ("Learn to build iPhone apps this winter", "DealPost Team"),
        ("Learn to build iPhone apps this winter", "Deals Team"),
        ("Learn to build iPhone apps this winter", "The Deals Desk"),
        ("Learn to build iPhone apps this winter", "Macworld Deals"),
        ("Learn to build iPhone apps this winter", "Macworld Shop Team"),
        ("Learn to build iPhone apps this winter", "PCWorld Store Team"),
        # A headline that is an offer, whoever signed it.
        ("Cyber Monday Steal: Get 120+ Hours of iOS 11 Dev Training for $15", None),
        ("Pay What You Want For The Cyber Monday Mac Bundle ($469 value)", None),
        ("Black Friday Deal: Save 80% On The FRESHeBUDS Pro Magnetic Earbuds", None),
        ("Black Friday Exclusive: Save Over 50% On The RevolCam Multi Lens Kit", None),
        ("Save $200 on a robot vacuum today", None),
        ("Grab a year of cloud storage for just $29", None),
        ("The Nix Mini Color Sensor - Deal Alert", None),
        ("Deal alert: noise-cancelling headphones at their lowest price", None),
        ("A lifetime of photo editing (a $300 value) for $39", None),
    ],
)
def test_a_shop_post_is_left_out_as_an_advert(title: str, author: str | None) -> None:
    ad = _item("ad", title, hours=0.5, author=author)
    ranked = rank([ad, *_news()], now=NOW, options=RankOptions(leads=2, teasers=8))
    assert "ad" not in {s.key for s in ranked.stories}
    assert ranked.left_out["ad"] == "advert"
    assert [a.key for a in advertisements([ad], now=NOW, options=RankOptions())] == ["ad"]


@pytest.mark.parametrize(
    ("title", "author"),
    [
        ("Apple raises iPhone price to $999", "Roman Loyola"),
        ("iPhone X will sell for $999", None),
        ("Tesla cuts Model 3 price by $2,000 in China", None),
        ("Amazon sells Echo Dot for $30 as it fights Google for the living room", None),
        ("Shares fall 20% as the chain warns on Christmas sales", None),
        ("Get ready for $5 petrol, analysts warn", None),
        ("Brexit deal: what it means for prices", None),
        ("Cyber Monday: The best software deals", "Ian Paul"),
        ("Black Friday/Cyber Monday deals: The best discounts on Apple gear", "Leah Yamshon"),
        ("Shoppers save 40% less than a year ago, survey finds", None),
        ("Corner shop owners say rents are too high", "Shop Stewards Union"),
        ("The store that sells only left-handed tools", "Jane Store"),
        ("Governor signs the budget", "Nathan Deal"),
        # QA: a discount alone, or "Save" after a label that sells nothing, is news
        ("Macy's offers 50% off in bid to lure shoppers", None),
        ("Bitcoin now trades 30% off its all-time high", None),
        ("Shares close 5% off session lows", None),
        ("Watchdog: Save 20% on energy bills by switching", None),
    ],
)
def test_price_news_and_a_writers_deal_round_up_still_run(title: str, author: str | None) -> None:
    story = _item("story", title, hours=0.5, author=author)
    assert "story" in _shown([story, *_news()])


def test_an_editors_pin_runs_a_shop_post() -> None:
    ad = _item("ad", "Pay What You Want For The Mac Bundle ($469 value)", hours=0.5)
    options = RankOptions(leads=2, teasers=8, pinned=("ad",))
    assert "ad" in {s.key for s in rank([ad, *_news()], now=NOW, options=options).stories}


# -- the build, from feeds ---------------------------------------------------------------


def _rss(items: list[tuple[str, str | None, str]]) -> str:
    when = (NOW - timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        + (f"<author>{author}</author>" if author else "")
        + f"<description>{title}. {TEXT}</description><pubDate>{when}</pubDate></item>"
        for title, author, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Gadget Wire</title><link>https://gadgets.example/</link>{entries}"
        "</channel></rss>"
    )


def _build(folder: Path, sources: str, at: str, max_age_hours: int) -> dict[str, object]:
    config = write_project(folder, sources=sources)
    text = config.read_text().replace("max_age_hours = 100000", f"max_age_hours = {max_age_hours}")
    config.write_text(text.replace("[edition]\n", "[edition]\nmin_stories = 1\n"))
    res = CliRunner().invoke(main, ["build", "--config", str(config), "--at", at, "--json"])
    assert res.exit_code == 0, res.output
    edition, _ = json.JSONDecoder().raw_decode(res.output[res.output.index("{") :])
    assert isinstance(edition, dict)
    return edition


def _titles(edition: dict[str, object]) -> list[str]:
    return [s["title"] for part in ("leads", "teasers") for s in edition[part]]  # type: ignore[attr-defined]


def test_the_build_leaves_out_a_feeds_shop_posts(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    (folder / "feeds").mkdir(parents=True)
    items = [
        ("Get 40 Hours of Python Training for $19", "Deals Team", "https://gadgets.example/a"),
        ("Pay What You Want For The Photo Bundle ($300 value)", None, "https://gadgets.example/b"),
        ("Phone maker raises flagship price to $1,099", "Ann Writer", "https://gadgets.example/c"),
        ("Tablet beta five reaches testers", "Ann Writer", "https://gadgets.example/d"),
    ]
    (folder / "feeds" / "gadgets.rss").write_text(_rss(items))
    sources = '[[sources]]\nname = "Gadget Wire"\nurl = "feeds/gadgets.rss"\n'
    titles = _titles(_build(folder, sources, NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), 48))
    assert sorted(titles) == [
        "Phone maker raises flagship price to $1,099",
        "Tablet beta five reaches testers",
    ]


def test_macworlds_dealpost_posts_are_not_in_its_edition(tmp_path: Path) -> None:
    """The real day: Macworld on Cyber Monday 2017, as QA built it."""
    feed = require_corpus() / "feeds" / "news-macworld.rss"
    sources = f'[[sources]]\nname = "Macworld"\nurl = "{feed}"\n'
    edition = _build(tmp_path / "news", sources, "2017-11-27T22:00:00Z", 48)
    assert edition["dropped"]["advert"] == 3  # type: ignore[index]  # the build's count says so
    titles = _titles(edition)
    assert titles, "the edition has Macworld's stories"
    shop = [t for t in titles if t.startswith(("Cyber Monday Steal", "Cyber Monday Exclusive"))]
    assert not shop, shop
    assert "Pay What You Want For The Cyber Monday Mac Bundle ($469 value)" not in titles
    # A staff writer's round-up of the day's deals is Macworld's own journalism.
    assert "Cyber Monday: The best software deals" in titles
