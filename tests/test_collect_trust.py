"""Collect keeps what a reader must be able to trust (issue 13, issue 14 item 9).

Real dates kept (future ones flagged, not made fresh), pages credited to their own
outlet, entities decoded once, kickers not glued to headlines, GUID collisions kept
apart, and one bad JSON Feed item dropping only itself.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.collect import collect
from digest.collect.feeds import read_feed
from digest.collect.folder import read_folder
from digest.collect.pages import extract_page
from digest.config import SourceSettings
from digest.rank import RankOptions, rank
from digest.store import Store
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 10, 6, tzinfo=UTC)


def rss(*items: str) -> bytes:
    return f"<rss version='2.0'><channel><title>T</title>{''.join(items)}</channel></rss>".encode()


def item(title: str, link: str, date: datetime | None = None, guid: str | None = None) -> str:
    when = f"<pubDate>{date.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>" if date else ""
    key = f"<guid isPermaLink='false'>{guid}</guid>" if guid else ""
    about = f"<description>About {title}.</description>"
    return f"<item><title>{title}</title><link>{link}</link>{when}{key}{about}</item>"


def open_store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'digest.db'}")
    store.migrate()
    return store


# 1. --at and future dates -------------------------------------------------------------


def test_items_dated_after_at_keep_their_date_and_are_not_ranked_as_new(tmp_path: Path) -> None:
    at = datetime(2024, 3, 1, 7, tzinfo=UTC)  # collecting an archive "as of" this time
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        rss(
            item("Old news", "https://e.org/old", at - timedelta(hours=5)),
            item("Written later", "https://e.org/later", at + timedelta(days=90)),
        )
    )
    store = open_store(tmp_path)
    [report] = collect([SourceSettings("Archive", url=str(feed))], store, now=at)
    later = next(a for a in store.articles() if a.url == "https://e.org/later")
    assert later.published == at + timedelta(days=90)  # the real date, not "undated"
    assert report.warnings == (
        "1 item dated in the future (after 2024-03-02 07:00 UTC): kept its date, "
        "not ranked before then: 'Written later'",  # the item named, as a folder's file is
    )
    ranked = rank(store.articles(), now=at, options=RankOptions(leads=3, teasers=3))
    titles = [s.title for s in (*ranked.leads, *ranked.teasers)]
    assert titles == ["Old news"]  # the later article does not rank as brand new
    afterwards = at + timedelta(days=90, hours=2)  # once its date has come, it runs
    ranked = rank(store.articles(), now=afterwards, options=RankOptions(leads=3, teasers=3))
    assert "Written later" in [s.title for s in ranked.leads]


def test_a_future_dated_folder_file_keeps_its_date_and_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "desk"
    folder.mkdir()
    page = folder / "a.txt"
    page.write_text("Date: 2026-03-01\nA planned opening\n\nThe bridge opens in March.\n")
    parsed = read_folder(folder, source="Desk", now=NOW, section=None)
    assert parsed.articles[0].published == datetime(2026, 3, 1, tzinfo=UTC)
    assert "1 item dated in the future" in parsed.warnings[0]


# 2. credit each page to its own outlet ------------------------------------------------


def test_pages_from_several_outlets_in_one_folder_are_credited_to_each(tmp_path: Path) -> None:
    corpus = require_corpus() / "articles"
    folder = tmp_path / "clippings"
    folder.mkdir()
    for name in (
        "aeb-bbc.com-70cb2d5bca75.html",
        "aeb-nytimes.com-702d1da63b8e.html",
        "traf-elpais.com.ciencia.html",
    ):
        shutil.copy(corpus / name, folder / name)
    (folder / "note.txt").write_text("Our own note\n\nWritten by the desk.\n")
    articles = read_folder(folder, source="Clippings", now=NOW, section=None).articles
    credits = {a.key.rsplit("/", 1)[1]: (a.outlet, a.credit) for a in articles}
    assert credits == {
        "aeb-bbc.com-70cb2d5bca75.html": ("BBC News", "BBC News"),
        "aeb-nytimes.com-702d1da63b8e.html": ("nytimes.com", "nytimes.com"),  # host only
        "traf-elpais.com.ciencia.html": ("EL PAÍS", "EL PAÍS"),
        "note.txt": (None, "Clippings"),
    }


def test_a_section_in_og_site_name_gives_way_to_the_publisher_named_like_the_host() -> None:
    page = require_corpus() / "articles" / "traf-reuters.com.parasite.html"
    assert extract_page(page.read_bytes(), url=None).site_name == "Reuters"  # og: "U.S."


def test_outlet_from_json_ld_publisher_or_application_name() -> None:
    ld = {"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Harbour Herald"}}
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script>'
        "<title>Tunnel approved</title></head><body><h1>Tunnel approved</h1></body></html>"
    )
    assert extract_page(html, url="https://herald.example/a").site_name == "Harbour Herald"
    html = (
        '<html><head><meta name="application-name" content="Fjord Times">'
        "<title>Tunnel</title></head><body></body></html>"
    )
    assert extract_page(html, url="https://fjord.example/a").site_name == "Fjord Times"


# 4. entities decoded once in JSON Feed ------------------------------------------------


def test_json_feed_entities_are_decoded_exactly_once() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {"id": "1", "title": "Fish", "content_text": "Fish &amp; chips by the harbour."},
            {"id": "2", "title": "Rock", "content_html": "<p>Rock &amp; roll all night.</p>"},
            {"id": "3", "title": "Code", "content_text": "Write &amp;amp; in HTML for &."},
            {"id": "4", "title": "Sum", "summary": "Salt &amp; vinegar.", "content_text": "x"},
        ],
    }
    fish, rock, code, summed = read_feed(
        json.dumps(doc).encode(), source="J", url=None, now=NOW
    ).articles
    assert (fish.text, fish.summary) == ("Fish & chips by the harbour.",) * 2
    assert "&amp;amp;" not in fish.html and "Fish &amp; chips" in fish.html
    assert rock.text == "Rock & roll all night." and "&amp;amp;" not in rock.html
    assert code.text == "Write &amp; in HTML for &."  # decoded once, not twice
    assert summed.summary == "Salt & vinegar."


# 5. kicker glued to a headline --------------------------------------------------------


@pytest.mark.parametrize(
    "h1",
    [
        '<span class="dachzeile">Ukraine-Krieg</span><span>Selenskyj fordert mehr Luftabwehr'
        "</span>",
        "<span>Ukraine-Krieg:</span><span>Selenskyj fordert mehr Luftabwehr</span>",
    ],
)
def test_a_kicker_glued_to_the_headline_gives_way_to_og_title(h1: str) -> None:
    html = (
        '<html lang="de"><head><meta property="og:title" content="Selenskyj fordert mehr '
        'Luftabwehr"><title>Ukraine-Krieg:Selenskyj fordert mehr Luftabwehr</title></head>'
        f"<body><h1>{h1}</h1><p>Kiew bittet erneut um Hilfe.</p></body></html>"
    )
    assert extract_page(html, url=None).title == "Selenskyj fordert mehr Luftabwehr"


def test_a_glued_kicker_without_og_title_is_separated() -> None:
    html = (
        "<html><head><title>Ukraine-Krieg:Selenskyj fordert mehr Luftabwehr</title></head>"
        "<body><p>Kiew bittet erneut um Hilfe.</p></body></html>"
    )
    assert extract_page(html, url=None).title == "Ukraine-Krieg: Selenskyj fordert mehr Luftabwehr"
    for kept in ("AWS re:Invent opens in Las Vegas", "Match starts at 10:30 tonight"):
        html = f"<html><head><title>{kept}</title></head><body></body></html>"
        assert extract_page(html, url=None).title == kept


# 6. two posts sharing a GUID ----------------------------------------------------------


def test_two_different_posts_sharing_a_guid_are_both_kept_and_reported() -> None:
    parsed = read_feed(
        rss(
            item("Budget passes", "https://e.org/budget", NOW, guid="post-1"),
            item("Storm warning", "https://e.org/storm", NOW, guid="post-1"),
            item("Budget passes", "https://e.org/budget", NOW, guid="post-1"),  # true repeat
        ),
        source="CMS",
        url=None,
        now=NOW,
    )
    budget, storm = parsed.articles
    assert (budget.title, storm.title) == ("Budget passes", "Storm warning")
    assert budget.key == "guid:post-1"
    assert storm.key.startswith("guid:post-1#") and storm.key != budget.key
    assert parsed.warnings == (
        "2 different items share the GUID 'post-1' (e.g. 'Storm warning'): kept apart",
    )
    again = read_feed(
        rss(
            item("Budget passes", "https://e.org/budget", NOW, guid="post-1"),
            item("Storm warning", "https://e.org/storm", NOW, guid="post-1"),
        ),
        source="CMS",
        url=None,
        now=NOW,
    )
    assert [a.key for a in again.articles] == [budget.key, storm.key]  # stable keys


# 9. one bad JSON Feed item ------------------------------------------------------------


def test_one_bad_json_feed_item_drops_only_itself_and_is_reported() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {"id": "a", "title": "Good one", "content_text": "Fine."},
            {"id": "b", "title": 7, "content_text": "Bad title type."},
            "not an object",
            {"id": "d", "title": "Good two", "content_text": "Fine too."},
        ],
    }
    parsed = read_feed(json.dumps(doc).encode(), source="Wire", url=None, now=NOW)
    assert [a.title for a in parsed.articles] == ["Good one", "Good two"]
    assert parsed.warnings == (
        "item 1 (id 'b') dropped: items[1].title must be a string, not int",
        "item 2 dropped: items[2] must be an object, not string",
    )


def test_a_file_modified_after_now_without_a_date_of_its_own_is_undated(tmp_path: Path) -> None:
    # Its mtime says when the file was copied, not when the article was published.
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline\n\nStand.\n")
    future = NOW + timedelta(days=30)
    os.utime(folder / "a.txt", (future.timestamp(),) * 2)
    parsed = read_folder(folder, source="Desk", now=NOW, section=None)
    assert parsed.articles[0].published is None and parsed.warnings == ()
