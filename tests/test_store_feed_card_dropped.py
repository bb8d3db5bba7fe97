"""A picture the collect stage finds to be the feed's card leaves the stored articles.

The collect stage takes a picture on three or more of a feed's items (and half of them)
for the feed's own, no story's (:mod:`digest.collect.pictures`). But the store kept
what it had: articles stored while the card was on only two items kept it, because a
picture is no part of an article's content hash, and an article whose text did not
change was "unchanged". Those articles then led an edition with the site's card (one
such story alone in an edition is no edition-level card either) and took the ranking's
small bonus for a picture. Now an article the feed gives again without the picture it
was stored with is stored without it.

Must not change: an article's own picture stays; the article is not new again (its
first sight and date are kept), and a feed given again unchanged changes nothing.
Real feed files, the real App, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.app import App
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
CARD = "https://quayside.example/static/share-card.jpg"
FIRST = [  # (guid, headline, picture)
    ("q1", "Harbour ferry gets an electric twin", CARD),
    ("q2", "Council publishes the bridge tender", CARD),
    ("q3", "Zoo welcomes two snow leopards", "https://quayside.example/img/leopards.jpg"),
    ("q4", "Library extends winter opening hours", None),
]
LATER = [
    ("q5", "Marathon route crosses the old port", CARD),
    ("q6", "Tram drivers vote to accept pay offer", CARD),
    *FIRST,
]


def _feed(items: list[tuple[str, str, str | None]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://quayside.example/{guid}</link>"
        f"<guid>{guid}</guid><pubDate>Thu, 26 Nov 2026 {10 + n:02d}:00:00 +0000</pubDate>"
        f"<description>{title}, our reporters say, in a story of its own.</description>"
        + (f'<enclosure url="{picture}" type="image/jpeg" length="0"/>' if picture else "")
        + "</item>"
        for n, (guid, title, picture) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Quayside</title><link>https://quayside.example/</link>{body}</channel></rss>"
    ).encode()


def _stored(app: App) -> dict[str, str | None]:
    return {a.title: a.image.url if a.image else None for a in app.store.articles()}


def test_a_picture_found_to_be_the_feeds_card_leaves_the_articles_stored_with_it(
    tmp_path: Path, db_url: str
) -> None:
    feed = tmp_path / "quayside.rss"
    feed.write_bytes(_feed(FIRST))
    sources = f'[[sources]]\nname = "Quayside"\nurl = "{feed}"\n'
    app = App.from_config(write_project(tmp_path / "news", sources=sources, database=db_url))
    app.collect(now=NOW)
    # On two of four items: a photo story and its follow-up may share one. Kept.
    assert _stored(app)["Harbour ferry gets an electric twin"] == CARD
    first_seen = {a.key: a.published for a in app.store.articles()}

    feed.write_bytes(_feed(LATER))  # on four of six items now: the feed's card
    later = NOW + timedelta(hours=1)
    [report] = app.collect(now=later)
    stored = _stored(app)
    assert stored["Marathon route crosses the old port"] is None
    assert stored["Harbour ferry gets an electric twin"] is None  # was the card
    assert stored["Council publishes the bridge tender"] is None
    assert stored["Zoo welcomes two snow leopards"] == "https://quayside.example/img/leopards.jpg"
    assert stored["Library extends winter opening hours"] is None
    assert report.new == 2 and report.updated == 2  # the two that lost the card
    assert {a.key: a.published for a in app.store.articles() if a.key in first_seen} == first_seen

    [again] = app.collect(now=later + timedelta(hours=1))  # the same feed: nothing to do
    assert again.updated == 0 and again.new == 0
