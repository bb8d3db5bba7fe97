"""The date an edition shows is the day its reader gets it, in the reader's time zone.

The scheduler builds an edition `build_ahead_minutes` before its slot; near midnight,
and for local delivery to zones ahead of the list's, that is the day before the slot's.
The date line (HTML and plain text) and the subject must still say the slot's day.
Real parts: the sample project on a SQLite file, the scheduler driven by explicit
instants, a real SMTP server on loopback.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.app import App
from digest.schedule import Scheduler
from tests.conftest import Mailbox, Received
from tests.test_schedule_run import TOKYO_AND_COPENHAGEN, local_delivery, make_project, smtp


def date_lines(received: Received) -> tuple[str, str, str]:
    """The subject, and the date line of the HTML and of the plain-text part."""
    msg = received.message
    html = msg.get_body(("html",))
    text = msg.get_body(("plain",))
    assert html is not None and text is not None
    found = re.search(r'class="dateline"[^>]*>([^<·]+)', html.get_content())
    assert found is not None
    first = [line for line in text.get_content().splitlines() if line.strip()]
    return str(msg["Subject"]), found.group(1).strip(), first[1].strip()


def test_an_edition_built_the_evening_before_its_00_30_slot_shows_the_slots_day(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    # 00:30 in Copenhagen on Friday 27 November 2026 is 23:30 UTC on Thursday the 26th;
    # the edition is built an hour ahead, at 23:30 on Thursday, Copenhagen time.
    slot = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    config = make_project(
        tmp_path / "news",
        smtp(smtp_server),
        keys='schedule = "30 0 * * *"',
        articles_at=slot - timedelta(hours=3),
    )
    text = config.read_text().replace("address = ", 'subject = "{name}, {date}"\naddress = ', 1)
    config.write_text(text)
    app = App.from_config(config)
    scheduler = Scheduler(app)
    built = [o for o in scheduler.tick(slot - timedelta(minutes=55)) if o.action == "build"]
    assert [o.status for o in built] == ["done"]
    sent = [o for o in scheduler.tick(slot) if o.action == "send"]
    assert [(o.status, o.sent) for o in sent] == [("done", 36)]
    assert len(smtp_server.messages) == 36

    subject, html_date, text_date = date_lines(smtp_server.messages[0])
    assert html_date == "Friday, November 27, 2026"
    assert text_date == html_date  # the plain-text part agrees with the HTML
    assert subject == "The Test Brief, 27 Nov"
    # The archive's page for the edition says the same day.
    from digest.web import create_app

    (edition,) = app.store.editions("daily")
    page = create_app(app).test_client().get(f"/archive/{edition.id}")
    assert page.status_code == 200
    assert "Friday, November 27, 2026" in page.get_data(as_text=True)


def test_local_delivery_to_tokyo_shows_tokyos_day_not_copenhagens_evening(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = local_delivery(tmp_path, smtp_server, TOKYO_AND_COPENHAGEN)
    scheduler = Scheduler(App.from_config(config))
    # 07:00 on Friday 27 November in Tokyo is 22:00 UTC on Thursday (23:00 in
    # Copenhagen); the edition is built at 21:00 UTC, still Thursday in Copenhagen.
    now = datetime(2026, 11, 26, 20, tzinfo=UTC)
    while now <= datetime(2026, 11, 27, 7, tzinfo=UTC):
        scheduler.tick(now)
        now += timedelta(minutes=5)
    by = {m.recipients[0]: m for m in smtp_server.messages}
    assert sorted(by) == ["aiko@example.jp", "mette@example.dk"]
    assert len(smtp_server.messages) == 2
    for who in by:
        _subject, html_date, text_date = date_lines(by[who])
        assert (who, html_date, text_date) == (
            who,
            "Friday, November 27, 2026",
            "Friday, November 27, 2026",
        )
