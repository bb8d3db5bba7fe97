"""A post that opens by thanking its sponsor is the sponsor's post: not a story.

Daring Fireball runs each week's sponsor as a post of its own that opens "My thanks to
Mnml for sponsoring this week's DF RSS feed." A QA reader found one in the shared
corpus unmarked: without "[Sponsor]" in its headline the ranking took it for news and
could lead an edition with an advertisement. A report that quotes someone's thanks
("My thanks to the voters for…") or names a sponsor of something else is news as before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digest.collect.feeds import read_feed
from digest.rank import RankOptions, rank
from digest.rank.score import sponsored
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
PITCH = "It's a native Mac app client for Medium, for writing, blogging and notetaking."


def _post(text: str, key: str = "post", *, summary: bool = True) -> Article:
    return Article(
        key=key,
        source="blog.example",
        title="Mnml – A Mac Client for Medium",
        url=f"https://blog.example/{key}",
        summary=text if summary else "",
        text=text,
        published=NOW - timedelta(hours=1),
    )


@pytest.mark.parametrize(
    "thanks",
    [
        "My thanks to Mnml for sponsoring this week’s DF RSS feed.",
        "My thanks to Squarespace for sponsoring last week's DF RSS feed.",
        "Our thanks to Kolide for sponsoring the feed this week.",
        "My thanks to Linode for sponsoring the site.",
        "Many thanks to Retool for sponsoring this week's episode.",
    ],
)
def test_a_post_that_opens_thanking_its_sponsor_is_sponsored(thanks: str) -> None:
    assert sponsored(_post(f"{thanks} {PITCH}"))
    assert sponsored(_post(f"{thanks} {PITCH}", summary=False))  # the body tells as well


@pytest.mark.parametrize(
    "text",
    [
        "“My thanks to the voters for their trust,” the mayor said on election night.",
        "My thanks to the voters for sponsoring my campaign with their time, the mayor said.",
        "My thanks to Acme for sponsoring the youth team, the coach said after the final.",
        "The harbour board said its thanks to Acme for sponsoring this week's regatta.",
        f"{PITCH} My thanks to Mnml for sponsoring this week's DF RSS feed.",  # not its opening
    ],
)
def test_a_story_that_quotes_thanks_is_not_sponsored(text: str) -> None:
    assert not sponsored(_post(text))


def test_a_thanked_sponsors_post_never_runs() -> None:
    ad = _post(f"My thanks to Mnml for sponsoring this week's DF RSS feed. {PITCH}", "ad")
    news = [
        Article(
            key=f"n{n}",
            source=f"outlet{n}.example",
            title=f"Harbour story number {n} of the day",
            url=f"https://outlet{n}.example/{n}",
            text="The harbour bath stays open all winter, the city said on Tuesday.",
            published=NOW - timedelta(hours=6 + n),
        )
        for n in range(4)
    ]
    ranked = rank([ad, *news], now=NOW, options=RankOptions(leads=2, teasers=4))
    assert "ad" not in {s.key for s in ranked.stories}  # was a teaser before
    assert ranked.left_out["ad"] == "advert"  # tests/test_rank_sponsored_left_out.py


@pytest.mark.parametrize("name", ["blog-daringfireball.atom", "blog-daringfireball.json"])
def test_the_real_sponsor_posts_are_sponsored(name: str) -> None:
    path = require_corpus() / "feeds" / name
    articles = read_feed(path.read_bytes(), source="Daring Fireball", url=None, now=NOW).articles
    marked = {a.title for a in articles if sponsored(a)}
    thanked = {"Mnml – A Mac Client for Medium", "Squarespace Domains"}
    assert thanked <= marked  # beside the posts headed "[Sponsor] …", marked before
    assert all(t.startswith("[Sponsor]") for t in marked - thanked), marked
