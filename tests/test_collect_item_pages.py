"""Each story's link opens that story's own page (QA findings of the corpus).

- PCMag's Dvorak feed puts an illegal empty ``<item />`` inside each item, before its
  ``feedburner:origLink``: feedparser closed the item there and read the origLink as
  the channel's, so the story linked to a dead FeedBurner redirect.
- Taverncast gives 26 episodes the one link, the site's home page; each has its own
  permalink GUID (the episode's address): a reader's "Read more" opened the home page.
- Neverwinter's items have relative links and the feed gives no base (relative channel
  link, read from a file): the link was dropped and the story went to our own archive
  page, though its GUID names the site (http://www.arcgames.com/...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.collect.feeds import read_feed
from tests.corpus import require_corpus
from tests.test_collect_fastxml import NOW, both_ways

#: An element outside the fast path's profile: the document is read by feedparser.
SLOW = '<foo:rating xmlns:foo="urn:example:rating">5</foo:rating>'
BOTH = pytest.mark.parametrize("extra", ["", SLOW], ids=["fast path", "feedparser"])


def corpus_feed(name: str) -> Path:
    return require_corpus() / "feeds" / name


def urls(body: bytes, url: str | None) -> dict[str, str | None]:
    parsed = read_feed(body, source="s", url=url, now=NOW)
    return {a.title: a.url for a in parsed.articles}


def rss(items: str, *, channel_link: str = "https://www.example.org/", ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{ns}><channel>'
        f"<title>News</title><link>{channel_link}</link><description>d</description>"
        f"{items}</channel></rss>"
    ).encode()


# 1. FeedBurner's origLink after an illegal nested <item />


FB = ' xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"'


def test_dvorak_columns_link_to_pcmag_not_to_the_dead_redirect() -> None:
    path = corpus_feed("news-pcmag-dvorak-nested.xml")
    found = urls(path.read_bytes(), str(path))
    assert found["My Professional Armchair Analysis of CES"] == (
        "http://www.pcmag.com/article2/0,2817,2525649,00.asp?kc=PCRSS03079TX1K0000584"
    )
    assert all(u and u.startswith("http://www.pcmag.com/article2/") for u in found.values())


def test_an_empty_item_inside_an_item_does_not_lose_what_follows() -> None:
    items = "".join(
        f"<item><title>Column {n}</title><link>http://feedproxy.example.com/~r/{n}</link>"
        f"<guid isPermaLink='false'>c-{n}</guid><item />"
        f"<feedburner:origLink>https://www.example.org/column-{n}</feedburner:origLink></item>"
        for n in (1, 2)
    )
    assert urls(rss(items, ns=FB), "https://feeds.example.org/rss") == {
        "Column 1": "https://www.example.org/column-1",
        "Column 2": "https://www.example.org/column-2",
    }


def test_an_item_without_nesting_keeps_its_origlink_and_plain_items_their_link() -> None:
    items = (
        "<item><title>A</title><link>http://feedproxy.example.com/~r/a</link>"
        "<feedburner:origLink>https://www.example.org/a</feedburner:origLink></item>"
        "<item><title>B</title><link>https://www.example.org/b</link></item>"
        "<item><title>C</title><link>https://www.example.org/c</link><comments/></item>"
    )
    assert urls(rss(items, ns=FB), "https://feeds.example.org/rss") == {
        "A": "https://www.example.org/a",
        "B": "https://www.example.org/b",
        "C": "https://www.example.org/c",
    }


# 2. Many items whose link is only the site's home page


def test_taverncast_episodes_link_to_their_own_episode_not_the_home_page() -> None:
    path = corpus_feed("podcast-taverncast-dupguid.rss")
    found = urls(path.read_bytes(), str(path))
    homes = {"http://taverncast.com/", "http://www.taverncast.com", "http://www.taverncast.com/"}
    assert not [t for t, u in found.items() if u in homes]
    assert found["Taverncast 62 - Temporal Anomaly"] == (
        "http://taverncast.com/shows/taverncast-62.mp3"
    )
    # An item with a page of its own keeps it.
    assert found["Taverncast 50: Media Tsunami"] == "http://www.taverncast.com/tc-tsunami.php"


def episodes(guid: str, *, extra: str = "", link: str = "https://www.example.org/") -> bytes:
    items = "".join(
        f"<item><title>Episode {n}</title><link>{link}</link>"
        f"<description>Show {n}.</description>{guid.format(n=n)}{extra}</item>"
        for n in (1, 2)
    )
    return rss(items)


@BOTH
def test_a_shared_home_page_link_gives_way_to_a_permalink_guid(extra: str) -> None:
    body = episodes("<guid>https://www.example.org/episodes/{n}</guid>", extra=extra)
    assert urls(body, "https://feeds.example.org/rss") == {
        "Episode 1": "https://www.example.org/episodes/1",
        "Episode 2": "https://www.example.org/episodes/2",
    }


def test_a_shared_home_page_link_gives_way_to_the_enclosure_without_a_permalink() -> None:
    enclosure = '<enclosure url="https://cdn.example.net/ep{n}.mp3" type="audio/mpeg" length="1"/>'
    guid = '<guid isPermaLink="false">ep-{n}</guid>' + enclosure
    assert urls(episodes(guid), "https://feeds.example.org/rss") == {
        "Episode 1": "https://cdn.example.net/ep1.mp3",
        "Episode 2": "https://cdn.example.net/ep2.mp3",
    }


@BOTH
def test_a_home_page_link_stays_without_anything_better_or_when_alone(extra: str) -> None:
    body = episodes('<guid isPermaLink="false">ep-{n}</guid>', extra=extra)
    assert set(urls(body, "https://feeds.example.org/rss").values()) == {"https://www.example.org/"}
    one = rss(
        "<item><title>Welcome</title><link>https://www.example.org/</link>"
        f"<guid>https://www.example.org/welcome</guid>{extra}</item>"
        "<item><title>Other</title><link>https://www.example.org/other</link>"
        f"<guid>https://www.example.org/o</guid>{extra}</item>"
    )
    assert urls(one, "https://feeds.example.org/rss") == {
        "Welcome": "https://www.example.org/",
        "Other": "https://www.example.org/other",
    }


@BOTH
def test_items_sharing_a_page_that_is_not_the_home_page_keep_it(extra: str) -> None:
    body = episodes(
        "<guid>https://www.example.org/episodes/{n}</guid>",
        extra=extra,
        link="https://www.example.org/live-blog",
    )
    assert set(urls(body, "https://feeds.example.org/rss").values()) == {
        "https://www.example.org/live-blog"
    }


# 3. A relative link with no base but the GUID's


def test_neverwinter_relative_links_resolve_against_the_guids_site() -> None:
    path = corpus_feed("relative-neverwinter.rss")
    found = urls(path.read_bytes(), str(path))
    assert found["Neverwinter & Jingle Jam Humble Bundle!"] == (
        "http://www.arcgames.com/en/games/neverwinter/news/detail/"
        "10743874-neverwinter-%26-jingle-jam-humble-bundle%21"
    )
    assert all(u and u.startswith("http://www.arcgames.com/") for u in found.values())


def relative(guid: str, extra: str = "", channel_link: str = "/news") -> bytes:
    return rss(
        f"<item><title>A</title><link>/news/a</link>{guid}{extra}</item>",
        channel_link=channel_link,
    )


@BOTH
def test_a_relative_link_without_a_base_takes_the_guids_origin(extra: str) -> None:
    guid = '<guid isPermaLink="false">https://games.example.com/detail/1</guid>'
    assert urls(relative(guid, extra), "/srv/feeds/news.rss") == {
        "A": "https://games.example.com/news/a"
    }


@BOTH
def test_a_relative_link_keeps_the_feeds_own_base_over_the_guid(extra: str) -> None:
    guid = '<guid isPermaLink="false">https://games.example.com/detail/1</guid>'
    assert urls(relative(guid, extra), "https://feeds.example.org/rss") == {
        "A": "https://feeds.example.org/news/a"
    }
    absolute_site = relative(guid, extra, channel_link="https://www.example.org/")
    assert urls(absolute_site, "/srv/feeds/news.rss") == {"A": "https://www.example.org/news/a"}


@BOTH
def test_a_relative_link_without_any_base_is_still_no_link(extra: str) -> None:
    assert urls(relative("<guid isPermaLink='false'>id-1</guid>", extra), "/srv/n.rss") == {
        "A": None
    }


def test_both_paths_agree_on_the_new_links() -> None:
    body = episodes("<guid>https://www.example.org/episodes/{n}</guid>")
    reference, fast = both_ways(body, "https://feeds.example.org/rss")
    if fast is not None:
        assert [a.url for a in fast.articles] == [a.url for a in reference.articles]


def test_a_guid_feedparser_rewrote_is_no_permalink_the_enclosure_is_taken() -> None:
    # Taverncast writes some GUIDs with a stray quote ("http://…): resolved against the
    # feed's URL that made https://feeds.example.org/"http:/… , no page at all.
    enclosure = '<enclosure url="https://cdn.example.net/ep{n}.mp3" type="audio/mpeg" length="1"/>'
    guid = '<guid>"http://cdn.example.net/ep{n}.mp3</guid>' + enclosure
    assert urls(episodes(guid), "https://feeds.example.org/rss") == {
        "Episode 1": "https://cdn.example.net/ep1.mp3",
        "Episode 2": "https://cdn.example.net/ep2.mp3",
    }
