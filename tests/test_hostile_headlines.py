"""What one hostile feed can put in a headline, a summary or a link, collected, ranked
and rendered by the real pipeline into the message a subscriber gets: it must read as
the text it is, never as a header, a direction override or another site's address."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

from digest.app import App
from digest.records import Edition, SourceReport
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _feed(items: list[tuple[str, str, str]]) -> str:
    """An RSS feed of (title, link, description) items, newest first."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid>hostile-{n}</guid><pubDate>Thu, 26 Nov 2026 {20 - n:02d}:00:00 +0000</pubDate>"
        f"<description>{escape(description)}</description></item>"
        for n, (title, link, description) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Evil</title><link>https://evil.example/</link>{body}</channel></rss>"
    )


def _edition(tmp_path: Path, items: list[tuple[str, str, str]]) -> tuple[App, Edition]:
    feed = tmp_path / "evil.rss"
    feed.write_text(_feed(items), encoding="utf-8")
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "Evil Times"\nurl = "{feed}"\n'
    )
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None]
    return app, _built(app, reports)


def _built(app: App, reports: list[SourceReport]) -> Edition:
    """The edition `app` builds from what it collected, for one active reader (Ann)."""
    app.store.write_subscribers(
        "daily", [{"email": "ann@example.com", "status": "active"}], origin="test", now=NOW
    )
    edition = app.build(now=NOW, reports=reports)
    assert edition.id is not None
    return edition


def _message(app: App, edition: Edition) -> EmailMessage:
    assert edition.id is not None
    data = app.preview(edition.id, email="ann@example.com", now=NOW).message
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _parts(msg: EmailMessage) -> dict[str, str]:
    return {p.get_content_type(): str(p.get_content()) for p in msg.walk() if not p.is_multipart()}


# -- a headline that spells an RFC 2047 encoded word ----------------------------------------
# It decodes to a right-to-left override, "Your account is suspended", CR LF and "Bcc: ...".
ENCODED = "=?utf-8?b?4oCuWW91ciBhY2NvdW50IGlzIHN1c3BlbmRlZA0KQmNjOiB4QGV2aWw=?="


def test_a_headline_spelling_an_encoded_word_is_the_subject_as_written(tmp_path: Path) -> None:
    title = f"Harbour baths reopen {ENCODED}"
    app, edition = _edition(
        tmp_path, [(title, "https://evil.example/1", "The harbour baths reopen on Monday.")]
    )
    assert edition.stories[0].title == title
    msg = _message(app, edition)
    # A mail client decodes encoded words in the Subject: it must show what the desk showed.
    assert msg["Subject"].startswith(title)
    assert "\u202e" not in msg["Subject"] and "suspended" not in msg["Subject"]


# -- direction overrides left open -----------------------------------------------------------
RLO, LRI = "\u202e", "\u2066"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def test_a_direction_override_left_open_does_not_reach_past_the_feeds_own_text(
    tmp_path: Path,
) -> None:
    # Open, a right-to-left override reverses what follows it on the line: the subject's
    # newsletter name, the next headlines of the preheader, the outlet's "(Evil Times)"
    # after a teaser's summary, a reference number in the text part.
    items = [
        (
            f"Mayor resigns after scandal {RLO}",
            "https://evil.example/1",
            f"<p>The mayor of the city resigned on Thursday evening {RLO})sretueR(</p>",
        ),
        (
            f"Harbour baths reopen {LRI}on Monday",
            "https://evil.example/2",
            f"<p>The harbour baths reopen on Monday after a long winter {RLO}closure.</p>",
        ),
        ("Ferry timetable changes", "https://evil.example/3", "<p>New ferry times.</p>"),
    ]
    app, edition = _edition(tmp_path, items)
    assert [s.title for s in edition.stories][:1] == ["Mayor resigns after scandal"]
    msg = _message(app, edition)
    parts = _parts(msg)
    for where, text in [("Subject", str(msg["Subject"])), *parts.items()]:
        found = BIDI.search(text)
        assert found is None, f"{where}: {text[found.start() - 60 : found.end() + 60]!r}"
    assert "Mayor resigns after scandal | The Test Brief" in str(msg["Subject"])
    assert "Harbour baths reopen on Monday" in parts["text/plain"]


# -- a plain-text article file in a folder source ---------------------------------------------


def test_a_text_files_standfirst_and_body_lose_control_characters_and_overrides(
    tmp_path: Path,
) -> None:
    # Terminal escapes (clear screen, an OSC 8 hyperlink, colour) reach an editor who
    # reads `digest preview`'s .txt in a terminal, and the archive page; an open override
    # reverses the outlet's name after the standfirst.
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "budget.txt").write_text(
        "Council votes on the budget\n\n"
        "The council voted \x1b[2J\x1b]8;;https://evil.example\x07on the budget on "
        f"Thursday evening{RLO} after a long debate.\x00\n\n"
        "The mayor \x1b[31mwelcomed\x1b[0m the vote.\n",
        encoding="utf-8",
    )
    config = write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "Desk"\npath = "{folder}"\n'
    )
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None]
    (article,) = app.store.articles()
    app.store.write_subscribers(
        "daily", [{"email": "ann@example.com", "status": "active"}], origin="test", now=NOW
    )
    edition = app.build(now=NOW, reports=reports)
    unsafe = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{BIDI.pattern[1:-1]}]")
    shown = [article.summary, article.text, article.html, *_parts(_message(app, edition)).values()]
    for text in shown:
        assert not unsafe.search(text), repr(text)
    assert article.summary.startswith("The council voted [2J]8;;https://evil.example")
    assert article.text == "The mayor [31mwelcomed[0m the vote."


# -- a link with a user name that names another site -----------------------------------------


def test_a_link_whose_user_name_names_another_site_is_shown_with_its_real_host(
    tmp_path: Path,
) -> None:
    # The text part lists every link in full and mail clients show an href on hover:
    # "https://www.reuters.com@evil.example/..." reads as Reuters and goes to evil.example.
    items = [
        (
            "Central bank raises rates",
            "https://www.reuters.com@evil.example/markets/rates",
            "<p>The central bank raised its rates by half a point on Thursday.</p>"
            '<img src="https://www.reuters.com:x@evil.example/rates.jpg" width="800" height="450">',
        )
    ]
    app, edition = _edition(tmp_path, items)
    assert edition.stories[0].url == "https://evil.example/markets/rates"
    image = edition.stories[0].image
    assert image is not None and image.url == "https://evil.example/rates.jpg"
    parts = _parts(_message(app, edition))
    for text in parts.values():
        assert "reuters.com" not in text
    assert "https://evil.example/markets/rates" in parts["text/plain"]
    assert 'href="https://evil.example/markets/rates' in parts["text/html"]


def test_a_host_spelled_with_lookalike_letters_is_shown_in_its_ascii_form(
    tmp_path: Path,
) -> None:
    # "rеuters.com" with a Cyrillic е, and "аррӏе.com" all in Cyrillic, read as Reuters
    # and Apple in the text part and on hover; browsers show such hosts as xn--.
    # Hosts whose letters are what they seem keep their own script.
    items = [
        ("Central bank raises rates", "https://r\u0435uters.com/markets/rates", "<p>Rates.</p>"),
        (
            "New phones announced",
            "https://\u0430\u0440\u0440\u04cf\u0435.com/phones",
            "<p>Phones.</p>",
        ),
        ("Harbour tunnel approved", "https://københavn.dk/tunnel", "<p>A tunnel.</p>"),
        ("Tokyo opens new line", "https://日本語.jp/line", "<p>A line.</p>"),
    ]
    app, edition = _edition(tmp_path, items)
    urls = {story.title: story.url for story in (*edition.stories, *edition.teasers)}
    assert urls["Central bank raises rates"] == "https://xn--ruters-3of.com/markets/rates"
    assert urls["New phones announced"] == "https://xn--80ak6aa92e.com/phones"
    assert urls["Harbour tunnel approved"] == "https://københavn.dk/tunnel"
    assert urls["Tokyo opens new line"] == "https://日本語.jp/line"
    text = _parts(_message(app, edition))["text/plain"]
    assert "https://xn--ruters-3of.com/markets/rates" in text
    assert "\u0435" not in text and "\u04cf" not in text


def _rss(title: str, link: str, item_guid: str, text: str, hour: int = 20) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        f"<link>{link}</link><item><title>{title}</title><link>{link}</link>"
        f'<guid isPermaLink="false">{item_guid}</guid>'
        f"<pubDate>Thu, 26 Nov 2026 {hour}:00:00 +0000</pubDate>"
        f"<description>{text}</description></item></channel></rss>"
    )


# -- an item that reuses another outlet's GUID -----------------------------------------------
GUID = "https://www.reuters.example/markets/rates-2026-11-26"
REAL = ("Central bank raises rates", GUID, GUID, "The bank raised rates by half a point.")
FAKE = (
    "Central bank collapses: move your savings today",
    "https://evil.example/savings",
    GUID,
    "Log in at evil.example to protect your savings.",
)
FERRY = ("Ferry times", "https://evil.example/ferry", "evil-1", "New ferry times today.")


def _outlets(tmp_path: Path, reuters_feed: str, evil_feed: str) -> tuple[App, Path, Path]:
    """A project of two sources, Reuters then Evil Times, collected once."""
    reuters, evil = tmp_path / "reuters.rss", tmp_path / "evil.rss"
    reuters.write_text(reuters_feed)
    evil.write_text(evil_feed)
    config = write_project(
        tmp_path / "news",
        sources=f'[[sources]]\nname = "Reuters"\nurl = "{reuters}"\n\n'
        f'[[sources]]\nname = "Evil Times"\nurl = "{evil}"\n',
    )
    app = App.from_config(config)
    assert [r.error for r in app.collect(now=NOW)] == [None, None]
    return app, reuters, evil


def test_a_feed_reusing_another_outlets_guid_cannot_rewrite_that_outlets_article(
    tmp_path: Path,
) -> None:
    # Keys are unique across sources ("guid:..." when an item has one): the first source
    # to store a key owns the article. Another feed giving an item the same GUID (GUIDs
    # are public: often the article's URL) must not replace its headline, link and text,
    # which the email would then credit to the first outlet.
    app, _, evil = _outlets(tmp_path, _rss(*REAL), _rss(*FERRY))
    evil.write_text(_rss(*FAKE))
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None, None]
    (article,) = [a for a in app.store.articles() if a.key == f"guid:{GUID}"]
    assert article.source == "Reuters"
    assert (article.title, article.url) == ("Central bank raises rates", GUID)
    app.store.write_subscribers(
        "daily", [{"email": "ann@example.com", "status": "active"}], origin="test", now=NOW
    )
    edition = app.build(now=NOW, reports=reports)
    (real,) = [s for s in edition.stories if s.key == f"guid:{GUID}"]
    assert (real.title, real.source) == ("Central bank raises rates", "Reuters")
    # The feed's own item is its own article, under its own name only.
    for story in edition.stories:
        if "savings" in f"{story.title} {story.summary} {story.url}":
            assert story.source == "Evil Times", story
            assert "Reuters" not in {a.source for a in story.also}, story


def test_a_feed_giving_an_outlets_guid_first_does_not_keep_that_outlets_article_out(
    tmp_path: Path,
) -> None:
    # GUIDs are public, often the article's URL, and a feed can give one before the outlet
    # publishes (or while the outlet's feed is down). The first source to store a key
    # owned it, and the outlet's own article was then dropped as "another source's": the
    # edition carried the attacker's headline and not the outlet's story.
    not_yet = _rss("x", "https://www.reuters.example/", "other", "Nothing yet.", 9)
    app, reuters, _ = _outlets(tmp_path, not_yet, _rss(*FAKE))
    reuters.write_text(_rss(*REAL))
    reports = app.collect(now=NOW)
    assert [(r.name, r.new, r.error) for r in reports] == [
        ("Reuters", 1, None),
        ("Evil Times", 0, None),
    ]
    edition = app.build(now=NOW, reports=reports)
    stories = {s.title: s.source for s in edition.stories}
    assert stories["Central bank raises rates"] == "Reuters"
    assert stories["Central bank collapses: move your savings today"] == "Evil Times"


def test_an_outlets_two_feeds_giving_one_guid_make_one_story_sent_once(tmp_path: Path) -> None:
    # A newsroom's sections share items: the same GUID in its "world" and "top" feeds.
    # Each feed's copy is stored, ranking folds them into one story, and once it is sent
    # neither copy comes back, even one first given after the send.
    guid = "https://news.example/world/2026/11/26/summit"
    top, world = tmp_path / "top.rss", tmp_path / "world.rss"
    item = ("Leaders agree on a summit in Oslo", guid, guid, "The leaders met for six hours.")
    top.write_text(_rss(*item))
    world.write_text(_rss("x", "https://news.example/", "older", "An older item.", 9))
    config = write_project(
        tmp_path / "news",
        sources=f'[[sources]]\nname = "News Top"\nurl = "{top}"\n\n'
        f'[[sources]]\nname = "News World"\nurl = "{world}"\n',
    )
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    first = app.build(now=NOW, reports=reports)
    assert first.id is not None
    assert [s.title for s in first.stories].count(item[0]) == 1
    app.store.set_edition_status(first.id, "sent", now=NOW)
    world.write_text(_rss(*item))  # the world feed gives the item after the send
    later = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    reports = app.collect(now=later)
    assert [r.new for r in reports] == [0, 1]
    again = app.draft(now=later)
    assert again.edition is None or item[0] not in [s.title for s in again.edition.stories]
    assert any(reason == "already_sent" for reason in again.dropped)


def test_only_deceiving_host_labels_change() -> None:
    from digest.collect.hosts import shown_host

    assert shown_host("news.example.org:8080") == "news.example.org:8080"
    assert shown_host("r\u0435uters.com:8443") == "xn--ruters-3of.com:8443"  # the port kept
    assert shown_host("\u0410\u0420\u0420\u04c0\u0415.com") == "xn--80ak6aa92e.com"  # capitals
    assert shown_host("g\u03bfogle.com") == "xn--gogle-rce.com"  # a Greek omicron
    assert shown_host("παράδειγμα.gr") == "παράδειγμα.gr"  # Greek as Greek
    assert shown_host("пример.рф") == "пример.рф"  # Cyrillic as Cyrillic
    assert shown_host("straße.de") == "straße.de"
