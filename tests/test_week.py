"""A newsroom's week: daily editions at 07:00 Copenhagen, the feeds changing each day.

What a reader of the daily list must never see: a story the list already sent, coming
back days later because the report that was sent has grown older than
`[edition] max_age_hours`, or because its feed re-published its backlog under new GUIDs.
What the reader must see: a story that developed since it ran, once per development,
as an update (only its new reports, labelled).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from digest.app import App
from digest.gate import Built
from digest.lint import lint_message
from tests.conftest import write_project

MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Copenhagen
OUTLETS = ("North Post", "Coast Times", "City Wire")

Item = tuple[str, str, str, datetime, str]  # guid, title, description, published, link


def _file(outlet: str) -> str:
    return outlet.lower().replace(" ", "-") + ".rss"


def _project(folder: Path, database: str = "sqlite:///digest.db") -> Path:
    sources = "\n".join(f'[[sources]]\nname = "{o}"\nurl = "feeds/{_file(o)}"\n' for o in OUTLETS)
    config = write_project(folder, sources=sources, database=database)
    config.write_text(config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72"))
    (folder / "feeds").mkdir()
    return config


def _publish(folder: Path, feeds: dict[str, list[Item]]) -> None:
    for outlet in OUTLETS:
        items = "".join(
            f"<item><guid>{escape(guid)}</guid><title>{escape(title)}</title>"
            f"<link>{escape(link)}</link><description>{escape(text)}</description>"
            f"<pubDate>{format_datetime(when)}</pubDate></item>"
            for guid, title, text, when, link in feeds.get(outlet, [])
        )
        (folder / "feeds" / _file(outlet)).write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            f"<link>https://x.example/</link>{items}</channel></rss>"
        )


def _item(outlet: str, guid: str, title: str, text: str, when: datetime) -> Item:
    return (guid, title, text, when, f"https://{_file(outlet)[:-4]}.example/{guid}")


def _built(config: Path, feeds: dict[str, list[Item]], day: int) -> Built:
    """Collect and build the day's edition, send it (it counts as sent from then on)."""
    now = MONDAY + timedelta(days=day)
    _publish(config.parent, feeds)
    app = App.from_config(config)
    try:
        app.collect(now=now - timedelta(minutes=30))
        built = app.draft(now=now)
        assert built.edition is not None, built.summary()
        app.store.set_edition_status(built.edition.id or 0, "sent", now=now)
        return built
    finally:
        app.close()


def _day(config: Path, feeds: dict[str, list[Item]], day: int) -> tuple[list[str], dict[str, int]]:
    """Collect and build the day's edition, send it; its headlines and drop reasons."""
    built = _built(config, feeds, day)
    assert built.edition is not None
    return [s.title for s in built.edition.stories], dict(built.dropped)


def _words(seed: str, n: int) -> list[str]:
    """Made-up words of their own, so that no two of the week's other stories are one."""
    pick = random.Random(seed)
    return [
        "".join(pick.choice("bdfgklmnprstv") + pick.choice("aeiou") for _ in range(3))
        for _ in range(n)
    ]


def _fresh(outlet: str, day: int, n: int) -> Item:
    """The day's `n`th other story of `outlet` (a headline and a standfirst)."""
    name = f"{outlet.split()[0].lower()}-{day}-{n}"
    words = _words(name, 24)
    title = f"{words[0].title()} council approves {words[1]} {words[2]} plan"
    text = f"{' '.join(words[3:14]).capitalize()}. {' '.join(words[14:]).capitalize()}."
    return _item(outlet, name, title, text, MONDAY + timedelta(days=day, hours=-5 + n))


STORM = "Storm approaches west coast, red warning issued"
STORM_HITS = "Storm hits west coast, three dead"
CLEAN_UP = "Clean-up begins on west coast after deadly storm"
RETOLD = "West coast residents told to stay indoors as storm nears"


def test_a_story_already_sent_does_not_come_back_when_its_sent_report_grows_old(
    tmp_path: Path,
) -> None:
    # Monday: the storm, told by two outlets, runs. A third outlet retells the warning
    # later that morning: no news on Tuesday. Tuesday and Wednesday: the storm's
    # developments, a day after what ran, run as updates (only their own reports).
    # Thursday, Monday's reports are older than max_age_hours (72): the retelling left
    # out on Tuesday must not come back, days late, as news, nor any update again.
    config = _project(tmp_path / "news")
    feeds: dict[str, list[Item]] = {o: [] for o in OUTLETS}
    feeds["North Post"].append(
        _item(
            "North Post",
            "np-storm-1",
            STORM,
            "A powerful storm is approaching the west coast and authorities have issued a red "
            "warning for Tuesday, urging residents to stay indoors and secure loose objects.",
            MONDAY - timedelta(hours=3),
        )
    )
    feeds["Coast Times"].append(
        _item(
            "Coast Times",
            "ct-storm-1",
            "Red warning as storm approaches the west coast",
            "Authorities issued a red warning "
            "as a powerful storm approaches the west coast, urging residents to stay indoors.",
            MONDAY - timedelta(hours=2),
        )
    )
    feeds["City Wire"].append(_fresh("City Wire", 0, 0))
    monday, _ = _day(config, feeds, 0)
    assert "Red warning as storm approaches the west coast" in monday
    feeds["City Wire"].append(
        _item(
            "City Wire",
            "cw-storm-1",
            RETOLD,
            "Authorities urged residents of the west coast to stay indoors and secure loose "
            "objects as a powerful storm approaches under a red warning for Tuesday.",
            MONDAY + timedelta(hours=2),
        )
    )
    feeds["North Post"].append(
        _item(
            "North Post",
            "np-storm-2",
            STORM_HITS,
            "The storm hit the west coast overnight; three people died and thousands of homes "
            "are without power, authorities said.",
            MONDAY + timedelta(days=1, hours=-3),
        )
    )
    feeds["City Wire"].append(_fresh("City Wire", 1, 1))
    tuesday = _built(config, feeds, 1)
    assert tuesday.edition is not None
    assert RETOLD not in [s.title for s in tuesday.edition.stories]
    updates = [s for s in tuesday.edition.stories if s.update]
    assert [(s.title, s.keys) for s in updates] == [(STORM_HITS, (updates[0].key,))]
    assert tuesday.dropped["already_sent"] >= 3  # Monday's two, and the retelling
    feeds["Coast Times"].append(
        _item(
            "Coast Times",
            "ct-storm-3",
            CLEAN_UP,
            "Volunteers and soldiers began clearing debris on the west coast on Wednesday after "
            "the storm that killed three people.",
            MONDAY + timedelta(days=2, hours=-3),
        )
    )
    feeds["City Wire"].append(_fresh("City Wire", 2, 2))
    wednesday = _built(config, feeds, 2)
    assert wednesday.edition is not None
    assert [s.title for s in wednesday.edition.stories if s.update] == [CLEAN_UP]
    assert RETOLD not in [s.title for s in wednesday.edition.stories]
    for day in (3, 4):
        feeds["North Post"].append(_fresh("North Post", day, day))
        headlines, _ = _day(config, feeds, day)
        for title in (RETOLD, STORM_HITS, CLEAN_UP):
            assert title not in headlines, (day, headlines)


def _briefing(day: int) -> Item:
    """North Post's daily column: one link, one headline, the day's standfirst."""
    words = " ".join(_words(f"briefing-{day}", 14))
    when = MONDAY + timedelta(days=day, hours=-1)
    return (
        f"brief-{day}",
        "Morning briefing",
        f"{words.capitalize()}.",
        when,
        "https://north-post.example/briefing",
    )


def test_a_feed_republishing_its_backlog_under_new_guids_does_not_rerun_the_week(
    tmp_path: Path,
) -> None:
    # Monday's stories run. On Saturday one outlet's new system publishes its whole
    # feed again: new GUIDs, the same links and headlines, stamped with today's date.
    # Another outlet's daily column (one link, one headline) says something new.
    config = _project(tmp_path / "news")
    feeds: dict[str, list[Item]] = {o: [] for o in OUTLETS}
    feeds["Coast Times"] = [_fresh("Coast Times", 0, n) for n in range(3)]
    feeds["North Post"] = [_briefing(0)]
    monday, _ = _day(config, feeds, 0)
    assert len(monday) == 4
    saturday = MONDAY + timedelta(days=5)
    feeds["Coast Times"] = [
        (f"cms-{guid}", title, text, saturday - timedelta(hours=2), link)
        for guid, title, text, _, link in feeds["Coast Times"]
    ]
    feeds["North Post"] = [_fresh("North Post", 5, 0), _briefing(5)]
    headlines, dropped = _day(config, feeds, 5)
    assert sorted(headlines) == sorted([_fresh("North Post", 5, 0)[1], "Morning briefing"])
    # The re-issued items are Monday's articles (not new ones, stamped Saturday): too old.
    assert (dropped["too_old"], dropped["already_sent"]) == (4, 0), dropped


BREACH = "Dam breach floods valley"
TOLL = "Death toll rises to 40 as valley floods"


def _dam(outlet: str, guid: str, title: str, text: str, hours: float) -> Item:
    return _item(outlet, guid, title, text, MONDAY + timedelta(hours=hours))


def test_a_story_that_developed_runs_again_as_a_labelled_update(
    tmp_path: Path, db_url: str
) -> None:
    # Monday's edition carries "Dam breach floods valley", reported on Sunday. Another
    # outlet's retelling, a day later but before Monday's edition, turns up in its feed
    # only after that edition: it could have run then (Store.carried_at), so it is no
    # news on Tuesday. On Tuesday afternoon three outlets report the death toll:
    # Wednesday's edition carries it, labelled an update, with only those three
    # reports; Thursday's carries nothing of the story.
    config = _project(tmp_path / "news", database=db_url)
    feeds: dict[str, list[Item]] = {o: [] for o in OUTLETS}
    feeds["North Post"].append(
        _dam(
            "North Post",
            "np-dam-1",
            BREACH,
            "The Kvernsjø dam in the Ravnedal valley gave way on Sunday, flooding Holmby "
            "and Elvestad; rescuers evacuated hundreds of residents as the water rose.",
            -20,
        )
    )
    feeds["City Wire"].append(_fresh("City Wire", 0, 0))
    monday, _ = _day(config, feeds, 0)
    assert BREACH in monday
    retold = _dam(
        "Coast Times",
        "ct-dam-2",
        "Ravnedal valley flooded after Kvernsjø dam gives way",
        "Hundreds of residents of Holmby and Elvestad were evacuated after the Kvernsjø "
        "dam breach sent water through the Ravnedal valley, rescuers said.",
        -1,
    )
    feeds["Coast Times"].append(retold)
    feeds["City Wire"].append(_fresh("City Wire", 1, 1))
    tuesday, _ = _day(config, feeds, 1)
    assert not {BREACH, retold[1]} & set(tuesday)
    toll = [
        _dam(
            "City Wire",
            "cw-toll-1",
            TOLL,
            "Forty people are now known to have died in the Ravnedal valley since the "
            "Kvernsjø dam breach, rescuers in Holmby and Elvestad said on Tuesday.",
            35,
        ),
        _dam(
            "North Post",
            "np-toll-2",
            "Ravnedal flood: 40 dead after dam breach",
            "The death toll from the Kvernsjø dam breach in the Ravnedal valley rose to "
            "forty on Tuesday as rescuers searched flooded homes in Holmby and Elvestad.",
            34,
        ),
        _dam(
            "Coast Times",
            "ct-toll-3",
            "Forty dead in Ravnedal valley flood, rescuers say",
            "Rescuers searching Holmby and Elvestad said forty dead were found after the "
            "Kvernsjø dam gave way and flooded the Ravnedal valley.",
            32,
        ),
    ]
    for item, outlet in zip(toll, ("City Wire", "North Post", "Coast Times"), strict=True):
        feeds[outlet].append(item)
    feeds["City Wire"].append(_fresh("City Wire", 2, 2))
    wednesday = _built(config, feeds, 2)
    assert wednesday.edition is not None and wednesday.edition.id is not None
    app = App.from_config(config)
    try:
        stored = app.store.edition(wednesday.edition.id)
        updates = [s for s in stored.stories if s.update]
        assert [s.title for s in updates] == [TOLL], stored.stories
        shown = {updates[0].url, *(a.url for a in updates[0].also)}
        assert shown == {link for *_, link in toll}  # the new reports only
        assert updates[0].first_reported == MONDAY - timedelta(hours=20)
        preview = app.preview(wednesday.edition.id, email=None, now=MONDAY + timedelta(days=2))
    finally:
        app.close()
    text, html = preview.rendered.text, preview.rendered.html
    assert "UPDATE · FIRST REPORTED 6 DEC" in text.splitlines()[text.splitlines().index(TOLL) + 1]
    assert ">Update</span> · first reported 6 Dec" in html
    assert [f.code for f in lint_message(preview.message) if f.level == "error"] == []
    feeds["North Post"].append(_fresh("North Post", 3, 3))
    thursday, _ = _day(config, feeds, 3)
    assert not {BREACH, TOLL} & set(thursday)
