"""Times on the desk and in the archive, in the zone of the list they belong to.

The newsroom works on its lists' clocks: an editor in Copenhagen reads a story published
at 23:30 UTC on 4 December as 00:30 on the 5th, with the zone's abbreviation beside it,
and never a UTC time to convert in their head. A time that belongs to no list (a
source's last fetch) is in the project's zone: the lists' own when they share one.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from digest.app import App
from tests.test_desk import add_editor, build, editor_client, running
from tests.test_web_public import NOW, newsletter

LATE = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 5 Dec 00:30 in Copenhagen
FIRST = datetime(2026, 11, 30, 23, 10, tzinfo=UTC)  # 1 Dec 00:10 in Copenhagen
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 14:00 summer time in Copenhagen
NEW_YORK = """
[[lists]]
name = "nyc"
timezone = "America/New_York"
"""


def _saved(config: Path, list_name: str = "daily", slot: str | None = None) -> int:
    """An edition built for LATE whose lead was published at LATE and is an update first
    reported at FIRST, and whose first teaser was published at SUMMER."""
    app = App.from_config(config)
    built = app.store.edition(build(config))
    lead, *others = built.leads
    teaser, *rest = built.teasers
    edition = replace(
        built,
        id=None,
        list=list_name,
        at=LATE,
        leads=(replace(lead, published=LATE, update=True, first_reported=FIRST), *others),
        teasers=(replace(teaser, published=SUMMER), *rest),
    )
    saved = app.store.save_edition(edition, now=NOW, slot=slot)
    assert saved.id is not None
    return saved.id


def _meta(page: str) -> list[str]:
    """The stories' meta lines on the edition page, as text."""
    rows = page.split('<p class="meta">')[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", r.split("</p>")[0]).split()) for r in rows]


def test_the_desk_shows_a_storys_times_in_its_lists_zone(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = _saved(config)
    with running(config) as base, editor_client(base) as c:
        page = html.unescape(c.get(f"/editions/{eid}").text)
        editions = html.unescape(c.get("/editions").text)
        lists = html.unescape(c.get("/lists").text)
    lead = _meta(page)[0]
    teaser = next(m for m in _meta(page) if m.startswith("Teaser"))
    assert "5 Dec 2026, 00:30 CET" in lead  # published, on Copenhagen's calendar
    assert "first reported 1 Dec 2026, 00:10 CET" in lead
    assert "1 Jul 2026, 14:00 CEST" in teaser  # summer time is named as such
    head = page[page.index("built for") :][:200]
    assert head.startswith("built for 5 Dec 2026, 00:30 CET")
    row = editions[editions.index(f"/editions/{eid}") :][:600]
    assert "5 Dec 2026, 00:30 CET" in row
    assert "5 Dec 2026, 00:30 CET" in lists  # the list's latest edition
    for shown in (page, editions, lists):
        assert not re.search(r"\d\d:\d\d UTC", shown)


def test_each_list_has_its_own_clock_and_sources_the_projects(tmp_path: Path) -> None:
    """With lists in Copenhagen and New York, each edition is on its list's clock; a
    source's fetch, which belongs to no list, is in UTC (the lists share no zone)."""
    config = newsletter(tmp_path, extra=NEW_YORK)
    add_editor(config)
    eid = _saved(config, "nyc")
    App.from_config(config).collect(now=NOW)
    with running(config) as base, editor_client(base) as c:
        page = html.unescape(c.get(f"/editions/{eid}").text)
        sources = html.unescape(c.get("/sources").text)
    lead = _meta(page)[0]
    assert "4 Dec 2026, 18:30 EST" in lead
    assert "first reported 30 Nov 2026, 18:10 EST" in lead
    assert "27 Nov 2026, 06:00 UTC" in sources


def test_a_sources_fetch_is_on_the_newsrooms_clock(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    App.from_config(config).collect(now=NOW)
    with running(config) as base, editor_client(base) as c:
        sources = html.unescape(c.get("/sources").text)
    assert "27 Nov 2026, 07:00 CET" in sources
    assert "UTC" not in sources


def test_a_local_delivery_slot_is_a_wall_time_not_utc(tmp_path: Path) -> None:
    """A local-delivery slot is 07:00 on every subscriber's own clock: the desk says so
    instead of calling it 07:00 UTC."""
    config = newsletter(tmp_path)
    add_editor(config)
    eid = _saved(config, slot="2026-12-05T07:00")
    with running(config) as base, editor_client(base) as c:
        page = html.unescape(c.get(f"/editions/{eid}").text)
        editions = html.unescape(c.get("/editions").text)
    for shown in (page, editions):
        assert "5 Dec 2026, 07:00 subscriber's local time" in shown
        assert "07:00 UTC" not in shown


def test_the_archive_dates_an_edition_of_a_list_gone_from_the_configuration(
    tmp_path: Path,
) -> None:
    """An edition of a list since removed from digest.toml stays readable in the
    archive, dated on the project's clock (its stories' update labels too)."""
    second = NEW_YORK.replace("America/New_York", "Europe/Copenhagen")
    config = newsletter(tmp_path, extra=second)
    eid = _saved(config, "nyc")
    App.from_config(config).store.set_edition_status(eid, "sent", now=NOW)
    config.write_text(config.read_text().replace(second, ""))
    with running(config) as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{eid}")
        index = c.get("/archive").text
    assert page.status_code == 200
    assert "first reported 1 Dec" in page.text
    assert "Saturday, December 5, 2026" in page.text  # not 2026-12-04, UTC's day
    assert "Saturday, December 5, 2026" in index
