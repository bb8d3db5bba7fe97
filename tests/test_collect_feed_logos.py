"""A feed's own branding (logo, favicon, show artwork) is not a story's picture.

A lead shows its story's picture; a blog that gives its favicon as every post's
``image``, or a podcast whose every episode carries the show's artwork, would put the
same logo on every story of that source in every edition. The evidence, per document:
the feed declares the picture its own (RSS ``<image>``, Atom ``<logo>``/``<icon>``,
JSON Feed ``icon``/``favicon``, a channel's ``itunes:image``), the picture is on at least
three items and at least half of them, or its address names itself a favicon, logo,
avatar or touch icon. Such an item shows its next real picture, else none.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from digest.collect import fastxml
from digest.collect.decoding import to_utf8
from digest.collect.feeds import parse_feed
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
URL = "https://ex.org/feed"


def corpus(name: str) -> tuple[Article, ...]:
    path = require_corpus() / "feeds" / name
    return parse_feed(path.read_bytes(), source=name, url=None, now=NOW)


def pictures(articles: tuple[Article, ...]) -> list[str | None]:
    return [a.image.url if a.image else None for a in articles]


def read(body: bytes) -> list[str | None]:
    return pictures(parse_feed(body, source="Ex", url=URL, now=NOW))


# --- the real feeds that showed it --------------------------------------------------


def test_a_blog_favicon_given_as_each_posts_image_is_no_picture() -> None:
    """fboes gives its 192 px favicon (also its JSON Feed ``icon``) as the image of 12 of
    its 20 posts; the posts with a picture of their own keep it."""
    articles = corpus("json11-fboes-de.json")
    assert len(articles) == 20
    found = pictures(articles)
    assert "https://cdn.3960.org/favicon-192x192.png" not in found
    assert not [url for url in found if url and "favicon" in url]
    own = [url for url in found if url]
    assert len(own) >= 7
    assert "https://img.youtube.com/vi/G2dGWH90aew/hqdefault.jpg" in own
    assert (
        "https://journal.3960.org/posts/2019-09-22-vfr-ohne-technischen-schnickschnack/sunset.jpg"
        in own
    )
    assert len(set(own)) == len(own)  # each its own
    # A post about an app gave the app's favicon; its screenshot further down is shown.
    post = "https://journal.3960.org/posts/2019-03-27-wettergeraet-fuer-aerofly-fs2/"
    assert f"{post}aerofly-weather-desktop.png" in own
    # Each post ends in a Matomo tracking pixel: no picture, and not kept in the HTML.
    assert not [url for url in found if url and "stats.3960.org" in url]
    assert not [a.title for a in articles if "stats.3960.org" in a.html]


def test_a_tracking_pixel_is_no_picture_when_the_logo_is_gone() -> None:
    pixel = '<img src="https://stats.ex.org/matomo.php?idsite=3&amp;rec=1" alt="">'
    items = [{"content_html": f"<p>Text {n}.</p>{pixel}", "image": LOGO} for n in range(3)]
    assert read(json_feed(items, icon=LOGO)) == [None, None, None]


def test_a_podcasts_show_artwork_is_no_episodes_picture() -> None:
    """ATP gives the show's artwork (its channel ``itunes:image``) on every episode."""
    articles = corpus("podcast-atp.rss")
    assert len(articles) == 100
    assert not [url for url in pictures(articles) if url and url.endswith("/Artwork.jpg")]


def test_a_forum_badge_in_every_post_is_no_picture() -> None:
    """touchnokia's forum software puts its "picture resized" badge in 12 of 15 posts."""
    found = pictures(corpus("hostile-touchnokia-css.atom"))
    assert not [url for url in found if url and url.endswith("/img-resized.png")]


def test_pictures_of_their_own_are_kept_in_the_real_feeds() -> None:
    guardian = corpus("news-guardian-intl.rss")
    assert all(a.image and a.image.url.startswith("https://i.guim.co.uk/") for a in guardian)
    macworld = pictures(corpus("news-macworld.rss"))
    assert sum(1 for url in macworld if url) == 30  # two columns share one: still theirs


# --- feeds written here, one per format ---------------------------------------------


def rss(items: list[str], channel: str = "") -> bytes:
    body = "".join(
        f"<item><title>Story {n}</title><link>https://ex.org/{n}</link>"
        f"<guid>https://ex.org/{n}</guid>{item}</item>"
        for n, item in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Ex</title><link>https://ex.org/</link><description>Ex news</description>"
        f"{channel}{body}</channel></rss>"
    ).encode()


def described(picture: str, words: str = "Something happened in town today.") -> str:
    html = f'<p>{words}</p><p><img src="{picture}" width="600"></p>' if picture else words
    return f"<description><![CDATA[{html}]]></description>"


def enclosed(picture: str) -> str:
    enclosure = f'<enclosure url="{picture}" type="image/jpeg" length="1"/>'
    return f"<description>Something happened.</description>{enclosure}"


LOGO = "https://ex.org/media/brand.png"


def test_rss_channel_image_is_no_picture_on_either_path() -> None:
    declared = f"<image><url>{LOGO}</url><title>Ex</title><link>https://ex.org/</link></image>"
    fast = rss([described(LOGO), described("https://ex.org/media/harbour.jpg")], declared)
    assert fastxml.read_fast(to_utf8(fast, None), URL) is not None  # the fast path reads it
    assert read(fast) == [None, "https://ex.org/media/harbour.jpg"]
    slow = rss([enclosed(LOGO), enclosed("https://ex.org/media/harbour.jpg")], declared)
    assert fastxml.read_fast(to_utf8(slow, None), URL) is None  # feedparser reads it
    assert read(slow) == [None, "https://ex.org/media/harbour.jpg"]


def test_rss_itunes_channel_image_is_no_episode_picture() -> None:
    art = "https://cdn.ex.org/show/cover-3000.jpg"
    doc = rss([f'<description>Episode.</description><itunes:image href="{art}"/>'] * 2)
    doc = doc.replace(
        b'<rss version="2.0">',
        b'<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">',
    ).replace(b"<item>", f'<itunes:image href="{art}"/><item>'.encode(), 1)
    assert read(doc) == [None, None]


@pytest.mark.parametrize("path", ["fast", "feedparser"])
def test_rss_one_picture_on_most_items_is_the_feeds(path: str) -> None:
    item = described if path == "fast" else enclosed
    shared = "https://ex.org/media/default-share.jpg"
    own = "https://ex.org/media/ferry.jpg"
    doc = rss([item(shared), item(shared), item(own), item(shared)])
    assert (fastxml.read_fast(to_utf8(doc, None), URL) is not None) == (path == "fast")
    assert read(doc) == [None, None, own, None]


def test_rss_an_items_real_picture_after_the_repeated_one_is_shown() -> None:
    banner = '<img src="https://ex.org/media/masthead.jpg" width="600">'
    items = [
        f'<description><![CDATA[{banner}<p>News.</p><img src="https://ex.org/p/{n}.jpg"'
        ' width="600">]]></description>'
        for n in range(4)
    ]
    assert read(rss(items)) == [f"https://ex.org/p/{n}.jpg" for n in range(4)]


def test_rss_pictures_each_item_has_of_its_own_are_kept() -> None:
    own = [f"https://ex.org/media/{n}.jpg" for n in range(5)]
    assert read(rss([described(url) for url in own])) == own
    assert read(rss([enclosed(url) for url in own])) == own


def test_rss_two_items_sharing_one_picture_keep_it() -> None:
    """A photo story and its follow-up: one picture, two stories, nothing branded."""
    photo = "https://ex.org/media/flood.jpg"
    doc = rss([described(photo), described(photo), described(""), described("")])
    assert read(doc) == [photo, photo, None, None]


def test_a_picture_whose_address_names_a_logo_or_favicon_is_none() -> None:
    named = [
        "https://ex.org/static/site-logo.png",
        "https://ex.org/favicon-512x512.png",
        "https://ex.org/apple-touch-icon.png",
        "https://secure.gravatar.com/avatar/3b3b?s=600",
        "https://ex.org/media/LOGO_white@2x.png",
    ]
    assert read(rss([enclosed(url) for url in named])) == [None] * len(named)
    kept = ["https://ex.org/media/logopedics.jpg", "https://ex.org/media/ecologos-river.jpg"]
    assert read(rss([enclosed(url) for url in kept])) == kept


def atom(entries: list[str], feed: str = "") -> bytes:
    body = "".join(
        f"<entry><title>Story {n}</title><id>https://ex.org/{n}</id>"
        f'<updated>2026-11-2{n % 10}T10:00:00Z</updated><link href="https://ex.org/{n}"/>'
        f"{entry}</entry>"
        for n, entry in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Ex</title><id>https://ex.org/</id><updated>2026-11-26T10:00:00Z</updated>"
        f'<link href="https://ex.org/"/>{feed}{body}</feed>'
    ).encode()


def atom_picture(url: str) -> str:
    return f'<link rel="enclosure" type="image/png" href="{url}"/><summary>Something.</summary>'


def test_atom_logo_and_icon_are_no_pictures() -> None:
    doc = atom(
        [
            atom_picture("https://ex.org/brand/wide.png"),
            atom_picture("https://ex.org/brand/square.png"),
            atom_picture("https://ex.org/media/quay.jpg"),
        ],
        "<logo>/brand/wide.png</logo><icon>https://ex.org/brand/square.png</icon>",
    )
    assert read(doc) == [None, None, "https://ex.org/media/quay.jpg"]


def test_atom_one_picture_on_most_entries_is_the_feeds() -> None:
    card = "https://cdn.ex.org/cards/default.png"
    html = '<content type="html">&lt;p&gt;Text.&lt;/p&gt;&lt;img src="{}" width="800"&gt;</content>'
    doc = atom([html.format(card)] * 3 + [html.format("https://cdn.ex.org/p/lock.jpg")])
    assert read(doc) == [None, None, None, "https://cdn.ex.org/p/lock.jpg"]


def json_feed(items: list[dict[str, str]], **feed: str) -> bytes:
    listed = [
        {"id": str(n), "url": f"https://ex.org/{n}", "title": f"Story {n}", **item}
        for n, item in enumerate(items)
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Ex", **feed, "items": listed}
    return json.dumps(doc).encode()


def test_json_feed_icon_and_favicon_are_no_pictures() -> None:
    icon, favicon = "https://cdn.ex.org/i/512.png", "https://cdn.ex.org/i/64.png"
    items = [
        {"content_text": "Text.", "image": icon},
        {"content_text": "Text.", "banner_image": favicon},
        {"content_text": "Text.", "image": icon, "banner_image": "https://ex.org/p/dam.jpg"},
        {"content_html": f'<p>Text.</p><img src="{icon}"><img src="https://ex.org/p/pier.jpg">'},
    ]
    doc = json_feed(items, icon=icon, favicon=favicon)
    assert read(doc) == [None, None, "https://ex.org/p/dam.jpg", "https://ex.org/p/pier.jpg"]


def test_json_feed_one_image_on_half_the_items_is_the_feeds() -> None:
    same = "https://cdn.ex.org/social/card.png"
    items = [{"content_text": "Text.", "image": same}] * 3 + [
        {"content_text": "Text.", "image": f"https://ex.org/p/{n}.jpg"} for n in range(3)
    ]
    assert read(json_feed(items)) == [None] * 3 + [f"https://ex.org/p/{n}.jpg" for n in range(3)]


def test_json_feed_pictures_of_their_own_and_a_shared_pair_are_kept() -> None:
    pair = "https://ex.org/p/fire.jpg"
    items = [{"content_text": "Text.", "image": pair}] * 2 + [
        {"content_text": "Text.", "image": f"https://ex.org/p/{n}.jpg"} for n in range(4)
    ]
    expected = [pair, pair, *(f"https://ex.org/p/{n}.jpg" for n in range(4))]
    assert read(json_feed(items)) == expected


def test_json_feed_a_wrongly_typed_icon_is_ignored_not_an_error() -> None:
    doc = json_feed([{"content_text": "Text.", "image": "https://ex.org/p/1.jpg"}], icon=7)  # type: ignore[arg-type]
    assert read(doc) == ["https://ex.org/p/1.jpg"]
