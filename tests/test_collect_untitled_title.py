"""An untitled item's stored title is the headline its story shows.

A feed item without a title was stored with its summary's first 80 characters as its
title ("In celebration of today's inauguration, after hearing all those great…"), while
the email's headline came from the clause rule (:mod:`digest.wording.clauses`: "In
celebration of today's inauguration, after hearing all those great patriotic songs,
America the Beautiful…"). The desk, the web edition's lists, the archive and the plain
text, wherever they show the article's own title, showed the first; the email the
second. Now collect titles the article with the same rule the email uses
(:func:`digest.wording.told.untitled_title`), so every view of the story agrees.
Checked on the Grateful Dead channel (no item has a title), on a feed of our own, and
the whole way from collect into the store and the message a subscriber gets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from digest.app import App
from digest.collect.feeds import read_feed
from digest.wording.told import told
from tests.conftest import write_project
from tests.corpus import require_corpus
from tests.test_collect_titles import SOURCE, _feed

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
LONG = (
    "After a long night of tuning the old valve radio in the shed, the whole street "
    "finally heard the harbour band play its winter concert on the air. Next week the "
    "band plays again."
)
QUOTED = (
    'Ed Marsh: "Had a nice evening on the pier with my wife, who never was one for brass '
    'bands but knows and likes a lot of the music." The band plays again next week.'
)
SHORT = "The harbour ferry will run every forty minutes from Monday. Tickets cost less."
ITEMS = [
    ("", "https://quayside.example/radio", LONG),
    ("", "https://quayside.example/pier", QUOTED),
    ("", "https://quayside.example/ferry", SHORT),
    ("Storm warning for the coast", "https://quayside.example/storm", "Gales overnight."),
]
HEADLINES = [
    "After a long night of tuning the old valve radio in the shed…",
    "Ed Marsh…",
    "The harbour ferry will run every forty minutes from Monday",
    "Storm warning for the coast",
]


def test_an_untitled_items_title_is_the_headline_its_story_shows() -> None:
    parsed = read_feed(_feed(ITEMS), source=SOURCE, url="https://quayside.example/feed", now=NOW)
    assert [a.title for a in parsed.articles] == HEADLINES
    assert [told(a)[0] for a in parsed.articles] == HEADLINES


def test_corpus_grateful_dead_titles_are_the_headlines_the_email_shows() -> None:
    path = require_corpus() / "feeds" / "sample-rss092-grateful-dead.xml"
    parsed = read_feed(path.read_bytes(), source="Grateful Dead", url=None, now=NOW)
    assert len(parsed.articles) == 21
    for article in parsed.articles:
        assert article.title == told(article)[0], article.summary
    titles = {a.title for a in parsed.articles}
    assert {
        "In celebration of today's inauguration, after hearing all those great patriotic "
        "songs, America the Beautiful…",  # was "…after hearing all those great…"
        "Kevin Drennan started a Grateful Dead Weblog",  # was "…Weblog. Hey it's cool, he…"
        "Ed Cone…",  # was 'Ed Cone: "Had a nice Deadhead experience with my wife, who…'
    } <= titles


def _message(app: App) -> EmailMessage:
    app.store.write_subscribers(
        "daily", [{"email": "ann@example.com", "status": "active"}], origin="test", now=NOW
    )
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.id is not None
    data = app.preview(edition.id, email="ann@example.com", now=NOW).message
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_the_stored_title_and_the_messages_headline_agree(tmp_path: Path) -> None:
    feed = tmp_path / "quayside.rss"
    feed.write_bytes(_feed(ITEMS))
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "{SOURCE}"\nurl = "{feed}"\n'
    )
    app = App.from_config(config)
    msg = _message(app)
    stored = {a.url: a.title for a in app.store.articles()}
    assert stored["https://quayside.example/radio"] == HEADLINES[0]
    assert stored["https://quayside.example/pier"] == HEADLINES[1]
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    assert HEADLINES[0] in str(text.get_content())
    assert "after hearing" not in HEADLINES[0]
    assert "the old valve radio in the shed, the whole…" not in str(text.get_content())
    assert "the old valve radio in the shed…" in str(html.get_content())
