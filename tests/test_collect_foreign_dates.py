"""An item dated in RFC 822 form with its day and month named in another language is
dated, at the offset its feed wrote.

UOL Notícias writes "Seg, 24 Set 2018 19:42:40 -0300" (Portuguese for Mon, 24 Sep).
Neither feed parser reads a weekday or month that is not English, so all 15 items were
undated; at the feed's first collect that left them out as of unknown age, and the
build said "nothing was stored: there is no story to send". A month name nobody knows
is still no date: a date is read, never guessed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.collect.feeds import read_feed
from tests.conftest import write_project
from tests.corpus import require_corpus

NOW = datetime(2018, 9, 26, 7, 0, tzinfo=UTC)
UOL = "news-uol-noticias-latin1-nodecl.rss"


def _feed(dates: list[str], encoding: str) -> bytes:
    items = "".join(
        f"<item><title>Notícia {n}</title><link>https://jornal.example/{n}</link>"
        f"<pubDate>{date}</pubDate><description>O que aconteceu hoje no porto.</description>"
        "</item>"
        for n, date in enumerate(dates)
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>Jornal</title><link>https://jornal.example/</link>{items}</channel></rss>"
    ).encode(encoding)


def _dates(dates: list[str], encoding: str = "utf-8") -> list[datetime | None]:
    parsed = read_feed(_feed(dates, encoding), source="Jornal", url=None, now=NOW)
    return [a.published for a in parsed.articles]


# (written, meant): what a reader of that language reads, in UTC.
FOREIGN = [
    # Portuguese (UOL's own shape), Spanish, French, German, Italian, Dutch
    ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
    ("Ter, 02 Out 2018 08:05:00 -0300", datetime(2018, 10, 2, 11, 5, tzinfo=UTC)),
    ("Sáb, 01 Dez 2018 10:00:00 -0200", datetime(2018, 12, 1, 12, 0, tzinfo=UTC)),
    ("lun, 24 sep 2018 19:42:40 +0200", datetime(2018, 9, 24, 17, 42, 40, tzinfo=UTC)),
    ("Mié, 03 Ene 2018 09:00:00 +0100", datetime(2018, 1, 3, 8, 0, tzinfo=UTC)),
    ("lun., 24 sept. 2018 19:42:40 +0200", datetime(2018, 9, 24, 17, 42, 40, tzinfo=UTC)),
    ("jeu., 01 févr. 2018 07:30:00 +0100", datetime(2018, 2, 1, 6, 30, tzinfo=UTC)),
    ("Mer, 15 août 2018 12:00:00 +0200", datetime(2018, 8, 15, 10, 0, tzinfo=UTC)),
    ("Mo, 24 Sep 2018 19:42:40 +0200", datetime(2018, 9, 24, 17, 42, 40, tzinfo=UTC)),
    ("Di, 25 Dez 2018 10:00:00 +0100", datetime(2018, 12, 25, 9, 0, tzinfo=UTC)),
    ("Do, 22 Mär 2018 10:00:00 +01:00", datetime(2018, 3, 22, 9, 0, tzinfo=UTC)),
    ("Mi, 03 Okt 2018 10:00:00 MESZ", datetime(2018, 10, 3, 8, 0, tzinfo=UTC)),
    ("mar, 25 set 2018 10:00:00 +0200", datetime(2018, 9, 25, 8, 0, tzinfo=UTC)),
    ("gio, 17 mag 2018 18:00:00 +0200", datetime(2018, 5, 17, 16, 0, tzinfo=UTC)),
    ("di, 27 mrt 2018 14:00:00 +0200", datetime(2018, 3, 27, 12, 0, tzinfo=UTC)),
    ("wo, 16 mei 2018 14:00:00 GMT", datetime(2018, 5, 16, 14, 0, tzinfo=UTC)),
    # No weekday; full month names; Swedish, Polish, Turkish
    ("24 Setembro 2018 19:42 -0300", datetime(2018, 9, 24, 22, 42, tzinfo=UTC)),
    ("tor, 24 maj 2018 10:00:00 +0200", datetime(2018, 5, 24, 8, 0, tzinfo=UTC)),
    ("pon, 24 wrz 2018 10:00:00 +0200", datetime(2018, 9, 24, 8, 0, tzinfo=UTC)),
    ("Pzt, 24 Eyl 2018 10:00:00 +0300", datetime(2018, 9, 24, 7, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
@pytest.mark.parametrize(("written", "meant"), FOREIGN)
def test_a_date_in_another_language_is_read_at_its_offset(
    written: str, meant: datetime, encoding: str
) -> None:
    if not _encodable(written, encoding):
        pytest.skip(f"{written!r} cannot be written in {encoding}")
    assert _dates([written], encoding) == [meant]


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def test_a_foreign_date_without_an_offset_is_in_the_sources_time_zone() -> None:
    from zoneinfo import ZoneInfo

    parsed = read_feed(
        _feed(["Seg, 24 Set 2018 19:42:40"], "utf-8"),
        source="Jornal",
        url=None,
        now=NOW,
        zone=ZoneInfo("America/Sao_Paulo"),
    )
    assert [a.published for a in parsed.articles] == [datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)]


@pytest.mark.parametrize(
    "written",
    [
        "Seg, 24 Xyz 2018 19:42:40 -0300",  # no month anybody names so
        "Mo, 24 Foo 2018 10:00:00 +0200",
        "Blah, 24 Set 2018 19:42:40 -0300",  # no weekday either: not a date line
        "Seg, 32 Set 2018 19:42:40 -0300",  # no such day
        "Seg, 24 Set 18 19:42:40 -0300",  # which century is a guess
    ],
)
def test_a_foreign_looking_date_nobody_can_read_for_sure_is_no_date(written: str) -> None:
    assert _dates([written]) == [None]


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
def test_english_dates_are_read_as_before(encoding: str) -> None:
    written = [
        "Mon, 24 Sep 2018 19:42:40 -0300",
        "Tue, 25 Sep 2018 06:00:00 GMT",
        "Mon, 24 Sep 2018",
        "24 Sep 2018 10:00:00 +0200",
        "Monday, 24 September 2018 10:00:00 +0200",
        "2018-09-24T19:42:40-03:00",
        "Mon, 24 Sep 2018 19:42:40 CEST",
        "26/09/2018 10:00",
    ]
    assert _dates(written, encoding) == [
        datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC),
        datetime(2018, 9, 25, 6, 0, tzinfo=UTC),
        datetime(2018, 9, 24, 0, 0, tzinfo=UTC),
        datetime(2018, 9, 24, 8, 0, tzinfo=UTC),
        datetime(2018, 9, 24, 8, 0, tzinfo=UTC),
        datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC),
        datetime(2018, 9, 24, 17, 42, 40, tzinfo=UTC),
        None,  # day-first or month-first: a guess
    ]


# -- the real feed, collected and built ------------------------------------------------


def test_uol_items_are_dated_as_their_feed_wrote() -> None:
    path = require_corpus() / "feeds" / UOL
    parsed = read_feed(path.read_bytes(), source="UOL", url=path.as_uri(), now=NOW)
    dates = [a.published for a in parsed.articles]
    assert len(dates) == 15 and None not in dates, dates
    # The first item: "Seg, 24 Set 2018 19:42:40 -0300".
    assert dates[0] == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)
    assert {d.date() for d in dates if d} == {datetime(2018, 9, 24).date()}


def test_a_project_of_the_uol_feed_builds_an_edition(tmp_path: Path) -> None:
    feed = require_corpus() / "feeds" / UOL  # read in place
    sources = f'[[sources]]\nname = "UOL Notícias"\nurl = "{feed}"\n'
    config = write_project(tmp_path / "news", sources=sources)
    at = "2018-09-25T07:00:00Z"
    runner = CliRunner()
    collected = runner.invoke(main, ["collect", "--config", str(config), "--at", at])
    assert collected.exit_code == 0, collected.output
    built = runner.invoke(main, ["build", "--config", str(config), "--at", at, "--json"])
    assert "nothing was stored" not in built.output
    assert built.exit_code == 0, built.output
    edition, _ = json.JSONDecoder().raw_decode(built.output[built.output.index("{") :])
    assert edition["dropped"]["undated"] == 0
    titles = [s["title"] for s in edition["leads"] + edition["teasers"]]
    assert titles and titles[0].startswith("Ibope: Bolsonaro perde de Haddad"), titles


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
def test_a_foreign_date_is_read_alike_on_both_paths(encoding: str) -> None:
    """feedparser reads some foreign months by their first three letters ("24 mars",
    "24 sept."), at UTC when no zone is written; feedparser-rs none, and the fast path
    (UTF-8) then read those items undated. Both read them here, in the source's zone
    when none is written, as a date without a time ("Seg, 24 Set 2018": midnight there).
    An English date without a time stays as feedparser reads it (midnight UTC)."""
    from zoneinfo import ZoneInfo

    written = ["24 mars 2018 10:00:00", "Seg, 24 Set 2018", "Mon, 24 Sep 2018"]
    parsed = read_feed(
        _feed(written, encoding),
        source="Jornal",
        url=None,
        now=NOW,
        zone=ZoneInfo("America/Sao_Paulo"),  # -03:00
    )
    assert [a.published for a in parsed.articles] == [
        datetime(2018, 3, 24, 13, 0, tzinfo=UTC),
        datetime(2018, 9, 24, 3, 0, tzinfo=UTC),
        datetime(2018, 9, 24, 0, 0, tzinfo=UTC),
    ]


def test_no_month_name_means_two_months() -> None:
    from digest.collect.foreigndates import MONTHS, month_names

    assert month_names() == MONTHS  # raises ValueError on a name given two months
    assert MONTHS["set"] == MONTHS["sept"] == MONTHS["eyl"] == 9
    assert MONTHS["mar"] == MONTHS["mrt"] == MONTHS["marz"] == 3
