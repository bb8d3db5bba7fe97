"""A feed item's date is the one its feed wrote, or none: never another day.

Feeds write dates in more shapes than RFC 822 allows. The parsers we read feeds with
misread some of them: feedparser takes "2026/11/26 14:33" (year first, with slashes)
for 1 December, and reads "Thu, 26 Nov 2026 14:33:00" (no zone) as no date at all;
feedparser-rs drops the offset of "2026-11-26 14:33:00 +0800". A wrong date puts an
old item in today's edition (or keeps today's out as too old); a lost one leaves a new
feed's items out as undated. Read here through :func:`read_feed`, in a UTF-8 feed (the
fast path) and in a Latin-1 one (feedparser), and on the shared corpus' forum feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect.feeds import read_feed
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _feed(date: str, encoding: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        "<title>Kystposten</title><link>https://kyst.example/</link><item>"
        "<title>Færgen sejler igen</title><link>https://kyst.example/faerge</link>"
        f"<pubDate>{date}</pubDate><description>Færgen til øen sejler igen.</description>"
        "</item></channel></rss>"
    ).encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2026/11/26 14:33:00", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("2026/11/26 14:33", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("2026/11/26", datetime(2026, 11, 26, tzinfo=UTC)),
        ("2026.11.26 14:33", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("2026-11-26 14:33:00 +0800", datetime(2026, 11, 26, 6, 33, tzinfo=UTC)),
        ("2026-11-26T14:33:00+01:00", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 +0100", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 GMT", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("26 Nov 2026 14:33:00 EST", datetime(2026, 11, 26, 19, 33, tzinfo=UTC)),
    ],
)
def test_an_items_date_is_the_one_its_feed_wrote(
    written: str, meant: datetime, encoding: str
) -> None:
    parsed = read_feed(_feed(written, encoding), source="Kystposten", url=None, now=NOW)
    assert [a.published for a in parsed.articles] == [meant]


@pytest.mark.parametrize("written", ["26/11/2026 14:33", "2026/13/45 10:00", "sometime soon"])
def test_a_date_nobody_can_read_for_sure_is_no_date(written: str) -> None:
    # Day-first or month-first is a guess; an impossible date is no date.
    parsed = read_feed(_feed(written, "utf-8"), source="Kystposten", url=None, now=NOW)
    assert [a.published for a in parsed.articles] == [None]


def test_corpus_forum_items_keep_the_day_their_feed_wrote() -> None:
    # Its items say "2020/1/10 14:33:00"; they were read as 1 December 2020.
    path = require_corpus() / "feeds" / "forum-kc0011-gb2312.rss"
    articles = read_feed(path.read_bytes(), source="Forum", url=path.as_uri(), now=NOW).articles
    assert articles
    days = {a.published.date() for a in articles if a.published is not None}
    assert days == {datetime(2020, 1, 10).date()}, days


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
@pytest.mark.parametrize(
    ("written", "meant"),
    [
        # No zone written: the source's time zone (Copenhagen: +01:00 in November).
        ("2026-11-26 14:33", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
        ("2026/11/26 14:33:00", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
        ("2026-07-01T08:00:00", datetime(2026, 7, 1, 6, 0, tzinfo=UTC)),  # summer: +02:00
        # A zone written is the zone.
        ("2026-11-26T14:33:00Z", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 +0000", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 GMT", datetime(2026, 11, 26, 14, 33, tzinfo=UTC)),
        ("2026-11-26 14:33:00 +0800", datetime(2026, 11, 26, 6, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 -0500", datetime(2026, 11, 26, 19, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 PST", datetime(2026, 11, 26, 22, 33, tzinfo=UTC)),
        # Zones the parsers misread: an offset with a colon (feedparser-rs dropped it) and
        # Europe's names (both parsers took "CEST" for UTC).
        ("Thu, 26 Nov 2026 14:33:00 +01:00", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 -05:00", datetime(2026, 11, 26, 19, 33, tzinfo=UTC)),
        ("Wed, 01 Jul 2026 14:33:00 CEST", datetime(2026, 7, 1, 12, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 CET", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
        ("Wed, 01 Jul 2026 14:33:00 BST", datetime(2026, 7, 1, 13, 33, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 14:33:00 EET", datetime(2026, 11, 26, 12, 33, tzinfo=UTC)),
        # A name with several meanings ("IST") is no zone anybody can tell: the source's.
        ("Thu, 26 Nov 2026 14:33:00 IST", datetime(2026, 11, 26, 13, 33, tzinfo=UTC)),
    ],
)
def test_a_date_that_names_no_zone_is_in_the_sources_time_zone(
    written: str, meant: datetime, encoding: str
) -> None:
    """A newsroom's feed that writes its local time without an offset: read as UTC, a
    Copenhagen item published at 14:33 was an hour in the future until 15:33 (held
    back as "from the future" by a collect in between)."""
    from zoneinfo import ZoneInfo

    parsed = read_feed(
        _feed(written, encoding),
        source="Kystposten",
        url=None,
        now=NOW,
        zone=ZoneInfo("Europe/Copenhagen"),
    )
    assert [a.published for a in parsed.articles] == [meant]


def test_a_feed_sources_time_zone_comes_from_the_config(tmp_path: Path) -> None:
    """`timezone` of a `[[sources]]` entry (default: the lists' zone) reaches its feed."""
    from digest.app import App
    from tests.conftest import write_project

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "kyst.xml").write_bytes(_feed("2026-11-26 14:33", "utf-8"))
    sources = '[[sources]]\nname = "Kystposten"\nurl = "kyst.xml"\ntimezone = "Europe/Oslo"\n'
    app = App.from_config(write_project(tmp_path / "news", sources=sources))
    app.collect(now=NOW)
    (article,) = app.store.articles()
    assert article.published == datetime(2026, 11, 26, 13, 33, tzinfo=UTC)
    app.close()
