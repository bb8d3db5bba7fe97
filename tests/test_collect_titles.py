"""A feed item's headline as a subscriber reads it: the story's own words, not the
outlet's name (the email credits the outlet beside it), and never a bare address.

Collected through :func:`digest.collect.feeds.read_feed` and, once, the whole way into
the message a subscriber gets (collect, build, preview).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from digest.app import App
from digest.collect.feeds import read_feed
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
SOURCE = "Quayside Gazette"


def _feed(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (title, link, description) items, newest first."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid>quay-{n}</guid><pubDate>Thu, 26 Nov 2026 {20 - n:02d}:00:00 +0000</pubDate>"
        f"<description>{escape(description)}</description></item>"
        for n, (title, link, description) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{SOURCE}</title><link>https://quayside.example/</link>{body}</channel></rss>"
    ).encode()


def _titles(items: list[tuple[str, str, str]], source: str = SOURCE) -> list[str]:
    parsed = read_feed(_feed(items), source=source, url="https://quayside.example/feed", now=NOW)
    return [a.title for a in parsed.articles]


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("Lighthouse keeper retires - Quayside Gazette", "Lighthouse keeper retires"),
        ("Harbour dues rise | QUAYSIDE GAZETTE", "Harbour dues rise"),
        ("Quayside Gazette | Ferry named after a teacher", "Ferry named after a teacher"),
        ("Fish auction moves – quayside.example", "Fish auction moves"),
        ("Night market returns | Business | Quayside Gazette", "Night market returns | Business"),
    ],
)
def test_a_headline_carrying_the_outlets_own_name_shows_the_headline_alone(
    title: str, headline: str
) -> None:
    link = "https://quayside.example/2026/11/story"
    assert _titles([(title, link, "Councillors met on Thursday.")]) == [headline]


@pytest.mark.parametrize(
    "title",
    [
        "Boom - Watch This Closely",  # a title's own parts, no outlet named
        "Brexit – what happens next",
        "Quayside: the harbour that built a town",  # a word of the name is no name
        "Quayside Gazette: editor to step down",  # a story about the outlet itself
        "Oil price falls - Gazette",  # part of the outlet's name is not its name
        "Gazette editor resigns - Quayside Gazette staff react",
    ],
)
def test_a_headline_whose_parts_are_its_own_is_kept_whole(title: str) -> None:
    link = "https://quayside.example/2026/11/story"
    assert _titles([(title, link, "Councillors met on Thursday.")]) == [title]


def test_a_short_outlet_name_inside_a_word_is_not_taken_off() -> None:
    # "AP" is in "Apple": only a part that *is* the outlet's name goes.
    title = "Harbour deal signed - Apple"
    assert _titles([(title, "https://quayside.example/x", "Signed.")], source="AP") == [title]


def test_an_item_with_nothing_but_a_link_is_left_out_and_reported() -> None:
    parsed = read_feed(
        _feed(
            [
                ("", "https://quayside.example/only-a-link", ""),
                ("Ferry timetable changes", "https://quayside.example/ferry", "From Monday."),
            ]
        ),
        source=SOURCE,
        url="https://quayside.example/feed",
        now=NOW,
    )
    assert [a.title for a in parsed.articles] == ["Ferry timetable changes"]
    assert any(
        "https://quayside.example/only-a-link" in w and "no headline" in w for w in parsed.warnings
    ), parsed.warnings


def test_an_untitled_item_with_text_keeps_its_text_as_the_headline() -> None:
    text = "The harbour ferry will run every forty minutes from Monday."
    titles = _titles([("", "https://quayside.example/ferry", text)])
    # the headline its story shows, without the full stop (tests/test_collect_untitled_title.py)
    assert titles == ["The harbour ferry will run every forty minutes from Monday"]


def _message(tmp_path: Path, items: list[tuple[str, str, str]]) -> EmailMessage:
    feed = tmp_path / "quayside.rss"
    feed.write_bytes(_feed(items))
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "{SOURCE}"\nurl = "{feed}"\n'
    )
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None]
    app.store.write_subscribers(
        "daily", [{"email": "ann@example.com", "status": "active"}], origin="test", now=NOW
    )
    edition = app.build(now=NOW, reports=reports)
    assert edition.id is not None
    data = app.preview(edition.id, email="ann@example.com", now=NOW).message
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_the_subscriber_reads_neither_the_outlets_name_twice_nor_a_bare_link(
    tmp_path: Path,
) -> None:
    msg = _message(
        tmp_path,
        [
            ("", "https://quayside.example/only-a-link", ""),
            (
                "Lighthouse keeper retires - Quayside Gazette",
                "https://quayside.example/lighthouse",
                "After thirty-one years at the northern light, the keeper handed over.",
            ),
            ("Storm warning for the coast", "https://quayside.example/storm", "Gales overnight."),
        ],
    )
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    for part in (str(text.get_content()), str(html.get_content())):
        assert "Lighthouse keeper retires" in part
        assert "retires - Quayside" not in part
        assert "only-a-link" not in part
    assert "Lighthouse keeper retires - " not in str(msg["Subject"])
