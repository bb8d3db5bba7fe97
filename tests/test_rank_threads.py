"""A mailing list's thread is one story, led by its first post, under a headline that
does not read as a reply.

A list archive's feed (Gmane's, in the corpus) gives every message of a thread under
its subject: "Re: new maintainer and mailing list for rss2email" four times. The
edition led with message 2 (a reply), its headline and the Subject said "Re: …", and
the other posts of the thread were left out as "ranked below the cut" while nine of the
edition's eleven places stood empty (one outlet's headline runs once). A headline loses
a mail program's reply and forward prefixes ("Re:", "AW:", "Sv:", "Fwd:") and a list's
tag ("[harbour-list]"); the posts of one outlet that share a subject once those are
gone, one of them a reply, are one story whose face is the first post. A story left
out because its outlet's headline runs already is left out for that reason, not for
want of room.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from digest.app import App
from digest.gate import Built
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.conftest import write_project
from tests.corpus import require_corpus

GMANE_AT = datetime(2012, 11, 14, 7, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _built(feed: str, now: datetime, tmp_path: Path) -> tuple[App, Built]:
    """Collect the one list feed at `feed` and build an edition of 3 leads and 8 teasers
    from it, at most 72 hours old, as of `now`."""
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "The List"\nurl = "{feed}"\n'
    )
    config.write_text(config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72"))
    app = App.from_config(config)
    reports = app.collect(now=now)
    assert [r.error for r in reports] == [None]
    app.store.write_subscribers(
        "daily", [{"email": "ann@example.com", "status": "active"}], origin="test", now=now
    )
    built = app.draft(now=now, reports=reports)
    assert built.edition is not None and built.edition.id is not None
    return app, built


def _subject(app: App, built: Built, now: datetime) -> str:
    assert built.edition is not None and built.edition.id is not None
    data = app.preview(built.edition.id, email="ann@example.com", now=now).message
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return str(msg["Subject"])


def test_the_gmane_thread_is_one_story_led_by_its_first_post(tmp_path: Path) -> None:
    feed = require_corpus() / "feeds" / "list-gmane-rss2email.rdf"
    app, built = _built(str(feed), GMANE_AT, tmp_path)
    edition = built.edition
    assert edition is not None
    stories = edition.leads + edition.teasers
    titles = [s.title for s in stories]
    # Messages 1 to 4 are one thread; message 5 is a thread of its own.
    assert sorted(titles) == [
        "new maintainer and mailing list for rss2email",
        "split massive package into modules",
    ]
    (thread,) = [s for s in stories if "maintainer" in s.title]
    assert thread.url == "http://permalink.gmane.org/gmane.mail.rss2email/1"
    assert thread.summary.startswith("Alrighty, this is the first email on the list")
    assert set(thread.keys) == {
        f"guid:http://permalink.gmane.org/gmane.mail.rss2email/{n}" for n in (1, 2, 3, 4)
    }
    assert built.dropped["no_room"] == 0
    subject = _subject(app, built, GMANE_AT)
    assert not subject.lower().startswith("re:"), subject
    assert subject.startswith(f"{edition.leads[0].title} |"), subject


def _item(n: int, title: str, text: str, hour: int) -> str:
    return (
        f"<item><title>{escape(title)}</title><link>https://lists.example.org/harbour/{n}</link>"
        f"<guid>https://lists.example.org/harbour/{n}</guid>"
        f"<pubDate>Thu, 26 Nov 2026 {hour:02d}:00:00 +0000</pubDate>"
        f"<description>{escape(text)}</description></item>"
    )


LIST_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    "<title>harbour-list</title><link>https://lists.example.org/harbour/</link>"
    + _item(
        5,
        "Fwd: [harbour-list] Winter ferry timetable",
        "The ferry company sent its winter timetable: the late boat on Fridays stays,"
        " the Sunday boat goes at six.",
        21,
    )
    + _item(
        4,
        "Sv: Re: [harbour-list] Lights on the old quay",
        "I can bring the petition to the meeting on Thursday if someone prints it.",
        20,
    )
    + _item(
        3,
        "AW: [harbour-list] Lights on the old quay",
        "Agreed. The council meets on Thursday, so we can ask for the lights then.",
        18,
    )
    + _item(
        2,
        "Re: [harbour-list] Lights on the old quay",
        "Yes, it is far too dark there after six, and the steps are slippery in the rain.",
        16,
    )
    + _item(
        1,
        "[harbour-list] Lights on the old quay",
        "Should we ask the council for lights along the old quay? The harbour is dark"
        " after six and two people fell on the steps last week.",
        14,
    )
    + "</channel></rss>"
)


def test_a_list_feeds_thread_is_one_story_under_its_subject(tmp_path: Path) -> None:
    feed = tmp_path / "harbour-list.rss"
    feed.write_text(LIST_FEED, encoding="utf-8")
    app, built = _built(str(feed), NOW, tmp_path)
    edition = built.edition
    assert edition is not None
    stories = edition.leads + edition.teasers
    assert sorted(s.title for s in stories) == ["Lights on the old quay", "Winter ferry timetable"]
    (thread,) = [s for s in stories if s.title == "Lights on the old quay"]
    assert thread.url == "https://lists.example.org/harbour/1"  # the first post leads
    assert thread.summary.startswith("Should we ask the council")
    assert sum(built.dropped.values()) == 0
    subject = _subject(app, built, NOW)
    assert subject.startswith(f"{edition.leads[0].title} |"), subject
    assert "Re:" not in subject and "[harbour-list]" not in subject and "Fwd:" not in subject


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("Re: new maintainer", "new maintainer"),
        ("RE: RE: Budget 2027", "Budget 2027"),
        ("Re[2]: Budget 2027", "Budget 2027"),
        ("Re : Budget 2027", "Budget 2027"),
        ("Aw: Treffen am Donnerstag", "Treffen am Donnerstag"),
        ("SV: Møde torsdag", "Møde torsdag"),
        ("Fwd: Re: [Python-Dev] PEP 8 update", "PEP 8 update"),
        ("FW: Minutes", "Minutes"),
        ("WG: Protokoll", "Protokoll"),
        ("[rss2email] split massive package into modules", "split massive package into modules"),
        ("[gmane.mail.rss2email] Re: patch", "patch"),
    ],
)
def test_a_headline_loses_reply_prefixes_and_list_tags(title: str, headline: str) -> None:
    from digest.wording.subjects import unreplied

    assert unreplied(title) == headline


@pytest.mark.parametrize(
    "title",
    [
        "Regulators: banks must hold more capital",  # a word that begins with "Re"
        "Re:",  # nothing after the prefix: kept
        "Video: The harbour at dawn",
        "[Sponsor] Harbour tours",  # an advertisement's label (rank.score.sponsored)
        "[Video] The harbour at dawn",  # a label: digest.headline_labels
        "[video] The harbour at dawn",
        "[sponsored] Harbour tours",
        "[update] Ferry strike ends",
        "The [redacted] files",
        "[1/3] Harbour history",
        "Sweden vs Denmark: the match report",
        "re:publica 2018 opens in Berlin",  # a name, not a reply (QA: "publica 2018…")
        "re:Invent 2018: what AWS announced",
        "[iOS] Apple releases an update",  # a label of letters, not a list's tag
        "[pdf] The harbour report",
        "[audio] The harbour at dawn",
    ],
)
def test_a_headline_without_a_reply_prefix_or_list_tag_is_left_as_it_is(title: str) -> None:
    from digest.wording.subjects import unreplied

    assert unreplied(title) == title


def _article(key: str, title: str, hours_ago: float, text: str) -> Article:
    return Article(
        key=key,
        source="Quay Post",
        title=title,
        url=f"https://quay.example/{key}",
        summary=text,
        published=NOW - timedelta(hours=hours_ago),
    )


def test_a_columns_second_issue_is_left_out_for_its_headline_not_for_room() -> None:
    # Two issues of one column under one headline, no reply among them: the newer runs,
    # the older is left out because the outlet's headline runs already, although the
    # edition has places to spare.
    articles = [
        _article("mon", "Morning briefing", 26, "Ferries are late on Monday because of the fog."),
        _article(
            "tue", "Morning briefing", 2, "The council meets today about the lights on the quay."
        ),
        _article("baths", "Harbour baths reopen", 5, "The harbour baths open again on Saturday."),
    ]
    ranked = rank(articles, now=NOW, options=RankOptions(leads=3, teasers=8))
    assert sorted(s.key for s in ranked.stories) == ["baths", "tue"]
    assert ranked.left_out == {"mon": "same_headline"}
    assert ranked.dropped["no_room"] == 0


def test_every_report_of_a_story_that_runs_is_in_the_edition_not_left_out() -> None:
    # Twelve outlets report the harbour strike; the story's record names ten of them
    # and counts the rest ("also_more"): those two are in the edition, not "no_room".
    text = (
        "Harbour workers walked out at six this morning over pay, and no ferry has left"
        " the quay since. The union and the harbour authority meet at noon."
    )
    articles = [
        Article(
            key=f"strike-{n}",
            source=f"Outlet {n:02d}",
            title="Harbour workers strike over pay",
            url=f"https://outlet{n}.example/strike",
            summary=text,
            published=NOW - timedelta(hours=1 + n / 10),
        )
        for n in range(12)
    ]
    ranked = rank(articles, now=NOW, options=RankOptions(leads=3, teasers=8))
    (story,) = ranked.stories
    assert len(story.keys) + story.also_more == 12
    assert dict(ranked.left_out) == {}
