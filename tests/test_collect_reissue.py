"""A report a feed publishes again is not news: it is as old as when it first came out.

A feed that re-issues an item under a new GUID (a new system, a re-import), stamped with
a new date, gives the same report: the same source, link, headline and standfirst. The
sent ones were already kept out (`Store.sent_links`); one never sent (left out for room,
or collected on a day no edition went out) came back days later as the day's news,
joined a later story of the same event outside the cluster window, or ran as an update
of it. A re-issue is now stored as the article already held: it keeps that article's
date and first sight. And a stored date a feed now gives earlier (read by a later,
corrected parser) is taken on the next collect that reads the item; a later one never.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from digest.app import App
from digest.gate import Built
from digest.records import Article, SourceReport
from digest.store import Store
from tests.conftest import write_project

MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Copenhagen
OUTLETS = ("North Post", "Coast Times")

#: guid, title, description, published (None: undated), link
Item = tuple[str, str, str, datetime | None, str]

BREACH = (
    "Dam gives way, hundreds evacuated from flooded valley",
    "The Kvernsjø dam in the Ravnedal valley gave way on Sunday night, flooding the "
    "valley floor; rescuers evacuated hundreds of residents as the water rose.",
)
TOLL = (
    "Death toll rises to 40 as valley floods",
    "Forty people are now known to have died in the Ravnedal valley since the Kvernsjø "
    "dam breach flooded the valley floor, rescuers said on Wednesday.",
)
STORIES = (
    (
        "Harbour tunnel opens to traffic",
        "The new harbour tunnel opened at dawn, ending four years of roadworks along the quay.",
    ),
    (
        "Library extends its opening hours",
        "The main library will stay open until ten in the evening from January, the council said.",
    ),
    (
        "Ferry fares frozen for another year",
        "Island ferry fares stay at this year's "
        "level, the operator announced after talks with the region.",
    ),
)
FRESH = (
    "Orchestra names new conductor",
    "The city orchestra has named a young Finnish conductor to lead it from next autumn.",
)


def _project(folder: Path, *, room: int = 8) -> Path:
    sources = "\n".join(f'[[sources]]\nname = "{o}"\nurl = "feeds/{_file(o)}"\n' for o in OUTLETS)
    config = write_project(folder, sources=sources)
    text = config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72")
    text = text.replace("leads = 3\nteasers = 8", f"leads = 1\nteasers = {room}")
    config.write_text(text)
    (folder / "feeds").mkdir()
    return config


def _file(outlet: str) -> str:
    return outlet.lower().replace(" ", "-") + ".rss"


def _publish(folder: Path, feeds: dict[str, list[Item]]) -> None:
    for outlet in OUTLETS:
        items = "".join(
            f"<item><guid>{escape(guid)}</guid><title>{escape(title)}</title>"
            f"<link>{escape(link)}</link><description>{escape(text)}</description>"
            + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "")
            + "</item>"
            for guid, title, text, when, link in feeds.get(outlet, [])
        )
        (folder / "feeds" / _file(outlet)).write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            f"<link>https://x.example/</link>{items}</channel></rss>"
        )


def _item(outlet: str, guid: str, story: tuple[str, str], when: datetime | None) -> Item:
    link = f"https://{_file(outlet)[:-4]}.example/{guid}"
    return (guid, story[0], story[1], when, link)


def _reissued(items: list[Item], when: datetime | None) -> list[Item]:
    """The same items under a new system's GUIDs, stamped `when`."""
    return [(f"cms-{guid}", title, text, when, link) for guid, title, text, _, link in items]


def _collect(config: Path, feeds: dict[str, list[Item]], now: datetime) -> dict[str, int]:
    """Publish and collect; how many articles each source gave that were new to us."""
    _publish(config.parent, feeds)
    app = App.from_config(config)
    try:
        return {r.name: r.new for r in app.collect(now=now)}
    finally:
        app.close()


def _edition(config: Path, now: datetime, *, send: bool = True) -> Built:
    """Build the edition of `now` (and mark it sent)."""
    app = App.from_config(config)
    try:
        built = app.draft(now=now)
        assert built.edition is not None, built.summary()
        if send:
            app.store.set_edition_status(built.edition.id or 0, "sent", now=now)
        return built
    finally:
        app.close()


def test_a_report_left_out_for_room_and_reissued_days_later_is_not_news(
    tmp_path: Path,
) -> None:
    # Monday: Coast Times has three stories, the edition room for two; the third is
    # left out. Saturday its new system publishes the feed again under new GUIDs,
    # stamped with Saturday's date. Monday's third story is five days old: not news.
    config = _project(tmp_path / "news", room=1)
    feeds: dict[str, list[Item]] = {o: [] for o in OUTLETS}
    feeds["Coast Times"] = [
        _item("Coast Times", f"ct-{n}", story, MONDAY - timedelta(hours=6 - n))
        for n, story in enumerate(STORIES)
    ]
    _collect(config, feeds, MONDAY - timedelta(minutes=30))
    monday = _edition(config, MONDAY)
    assert monday.edition is not None and len(monday.edition.stories) == 2
    ran = {s.title for s in monday.edition.stories}
    (left,) = {title for title, _ in STORIES} - ran

    saturday = MONDAY + timedelta(days=5)
    feeds["Coast Times"] = _reissued(feeds["Coast Times"], saturday - timedelta(hours=2))
    feeds["North Post"] = [_item("North Post", "np-1", FRESH, saturday - timedelta(hours=3))]
    new = _collect(config, feeds, saturday - timedelta(minutes=30))
    built = _edition(config, saturday)
    assert built.edition is not None
    assert [s.title for s in built.edition.stories] == [FRESH[0]], left
    assert new == {"North Post": 1, "Coast Times": 0}  # the collect says nothing came
    assert built.dropped["too_old"] == 3


def test_a_reissued_report_neither_joins_a_later_story_nor_runs_as_its_update(
    tmp_path: Path,
) -> None:
    # Monday: Coast Times reports the dam breach; no edition goes out until Thursday,
    # when that report is too old and North Post's death toll, of Wednesday, runs.
    # Saturday Coast Times re-issues Monday's report under a new GUID, dated Saturday:
    # it is not a development of Thursday's story (it was told before it), and Friday
    # (had nothing been sent) it would not have been one story with the toll either:
    # five days apart is outside the cluster window.
    config = _project(tmp_path / "news")
    feeds: dict[str, list[Item]] = {o: [] for o in OUTLETS}
    feeds["Coast Times"] = [_item("Coast Times", "ct-dam", BREACH, MONDAY - timedelta(hours=8))]
    _collect(config, feeds, MONDAY - timedelta(minutes=30))

    thursday = MONDAY + timedelta(days=3)
    toll = _item("North Post", "np-toll", TOLL, thursday - timedelta(hours=20))
    feeds["North Post"] = [toll]
    _collect(config, feeds, thursday - timedelta(minutes=30))
    built = _edition(config, thursday)
    assert built.edition is not None
    assert [s.title for s in built.edition.stories] == [TOLL[0]]
    assert [s.update for s in built.edition.stories] == [False]

    saturday = MONDAY + timedelta(days=5)
    feeds["Coast Times"] = _reissued(feeds["Coast Times"], saturday - timedelta(hours=2))
    feeds["North Post"] = [toll, _item("North Post", "np-2", FRESH, saturday - timedelta(hours=3))]
    _collect(config, feeds, saturday - timedelta(minutes=30))
    built = _edition(config, saturday, send=False)
    assert built.edition is not None
    assert [(s.title, s.update) for s in built.edition.stories] == [(FRESH[0], False)]


def test_a_reissued_report_does_not_lead_a_later_story_it_is_days_older_than(
    tmp_path: Path,
) -> None:
    # As above, but nothing was sent on Thursday: on Saturday the toll (of Wednesday
    # evening) runs, alone, under its own headline: Monday's re-issued breach report
    # is neither its face nor in its "also in".
    config = _project(tmp_path / "news")
    feeds: dict[str, list[Item]] = {o: [] for o in OUTLETS}
    feeds["Coast Times"] = [_item("Coast Times", "ct-dam", BREACH, MONDAY - timedelta(hours=8))]
    _collect(config, feeds, MONDAY - timedelta(minutes=30))
    saturday = MONDAY + timedelta(days=5)
    toll = _item("North Post", "np-toll", TOLL, saturday - timedelta(hours=58))
    feeds["North Post"] = [toll]
    feeds["Coast Times"] = _reissued(feeds["Coast Times"], saturday - timedelta(hours=2))
    _collect(config, feeds, saturday - timedelta(minutes=30))
    built = _edition(config, saturday, send=False)
    assert built.edition is not None
    stories = built.edition.stories
    assert [(s.title, s.source, len(s.keys)) for s in stories] == [(TOLL[0], "North Post", 1)]


def test_an_undated_backlog_reissued_under_new_guids_stays_of_unknown_age(
    tmp_path: Path,
) -> None:
    # An undated feed's items, there at its first collect, are of unknown age and left
    # out. Re-issued under new GUIDs (still undated) they are the same items, not new
    # ones first seen a day later.
    config = _project(tmp_path / "news")
    feeds: dict[str, list[Item]] = {o: [] for o in OUTLETS}
    feeds["Coast Times"] = [
        _item("Coast Times", f"ct-{n}", story, None) for n, story in enumerate(STORIES)
    ]
    _collect(config, feeds, MONDAY - timedelta(minutes=30))
    tuesday = MONDAY + timedelta(days=1)
    feeds["Coast Times"] = _reissued(feeds["Coast Times"], None)
    feeds["North Post"] = [_item("North Post", "np-1", FRESH, tuesday - timedelta(hours=3))]
    _collect(config, feeds, tuesday - timedelta(minutes=30))
    built = _edition(config, tuesday)
    assert built.edition is not None
    assert [s.title for s in built.edition.stories] == [FRESH[0]]
    assert built.dropped["undated"] == 3


def _article(
    key: str, published: datetime | None, *, title: str = "Harbour tunnel opens"
) -> Article:
    return Article(
        key=key,
        source="Gazette",
        title=title,
        url=f"https://gazette.example/{key}",
        summary="The new harbour tunnel opened at dawn.",
        html="<p>The new harbour tunnel opened at dawn.</p>",
        published=published,
    )


def test_a_stored_date_the_feed_now_gives_earlier_is_taken_a_later_one_never(
    db_url: str,
) -> None:
    # Dates read by an older parser (a zone taken for UTC, "2020/1/10" as 1 December):
    # the item unchanged, the feed read again, the stored date is corrected when the
    # feed's is earlier (an article never grows younger), and an undated article takes
    # a date no later than its first sight.
    store = Store(db_url)
    store.migrate()
    real = MONDAY - timedelta(hours=9)
    misread = real + timedelta(hours=8)  # "+0800" dropped
    first = (_article("a", misread), _article("b", None, title="Library hours"))
    store.record(SourceReport("Gazette", first), location="g.xml", now=MONDAY)
    again = (_article("a", real), _article("b", real, title="Library hours"))
    report = store.record(SourceReport("Gazette", again), location="g.xml", now=MONDAY)
    assert (report.new, report.updated, report.unchanged) == (0, 2, 0)
    stored = {a.key: a for a in store.articles()}
    assert stored["a"].published == real and stored["b"].published == real
    later = (_article("a", MONDAY), _article("b", MONDAY, title="Library hours"))
    store.record(SourceReport("Gazette", later), location="g.xml", now=MONDAY)
    assert {a.key: a.published for a in store.articles()} == {"a": real, "b": real}
    store.engine.dispose()


def test_an_item_at_a_link_already_stored_with_no_standfirst_is_new_when_its_text_is(
    db_url: str,
) -> None:
    # A column at one link, its headline the same every day, with no standfirst (a
    # feed-wide notice removed it): the same text under a new GUID is the stored
    # article; a new text is the day's column.
    store = Store(db_url)
    store.migrate()

    def column(guid: str, body: str) -> Article:
        return Article(
            key=guid,
            source="Gazette",
            title="Morning column",
            url="https://gazette.example/column",
            html=f"<p>{body}</p>",
            published=MONDAY,
        )

    store.record(SourceReport("Gazette", (column("g1", "Rain"),)), location="g", now=MONDAY)
    again = store.record(SourceReport("Gazette", (column("g2", "Rain"),)), location="g", now=MONDAY)
    assert again.new == 0
    later = MONDAY + timedelta(days=1)
    new = store.record(SourceReport("Gazette", (column("g3", "Sun"),)), location="g", now=later)
    assert new.new == 1
    store.engine.dispose()
