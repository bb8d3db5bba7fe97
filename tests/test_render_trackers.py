"""Links shown to readers lose the publishers' tracking parameters (``?wt_mc=rss…``,
``utm_*``, ``fbclid``, Mailchimp's ``mc_eid``, ``#tk.rss_all`` …): in the email's HTML
and text parts, the web archive and its feed. Every other parameter stays as written;
the stored article, its link and its key do not change; our own campaign parameters
are still added after."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import lxml.html
import pytest

from digest.app import App
from digest.collect.entry import canonical_url
from digest.config import load
from digest.records import Edition
from digest.render import Rendered, without_trackers
from digest.web import create_app
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
OURS = "utm_source=digest&utm_medium=email&utm_campaign=daily"

#: (the link a feed gives, the link a reader is shown before our campaign parameters)
TRACKED = [
    (
        "https://a.example.com/story?id=123&utm_source=rss&utm_medium=rss&utm_campaign=feed",
        "https://a.example.com/story?id=123",
    ),
    ("https://b.example.com/post?fbclid=IwAR0abc", "https://b.example.com/post"),
    ("https://c.example.com/x?gclid=EAIaIQ&p=42", "https://c.example.com/x?p=42"),
    (
        "https://d.example.com/news?mc_cid=1a2b3c&mc_eid=9f8e7d6c5b",  # Mailchimp: who
        "https://d.example.com/news",
    ),
    (
        "https://e.example.com/blog/a?_hsenc=p2ANqtz-abc&_hsmi=12345",
        "https://e.example.com/blog/a",
    ),
    ("https://f.example.com/a?ref=rss", "https://f.example.com/a"),
    (
        "https://g.example.co.uk/news/1?at_medium=RSS&at_campaign=KARANGA",
        "https://g.example.co.uk/news/1",
    ),
    (
        "https://h.example.de/meldung/X-3088438.html?wt_mc=rss.red.ho.ho.atom.beitrag.beitrag",
        "https://h.example.de/meldung/X-3088438.html",
    ),
    (
        "https://i.example.de/artikel?wt_zmc=nl.int.zonaudev.x&s=2",
        "https://i.example.de/artikel?s=2",
    ),
    ("https://j.example.co.uk/sport/1?ito=rss", "https://j.example.co.uk/sport/1"),
    ("https://k.example.com/2026/x.html?cmpid=rss", "https://k.example.com/2026/x.html"),
    ("https://l.example.fr/article?xtor=RSS-3", "https://l.example.fr/article"),
    (
        "https://m.example.com/article/3235804/ios-112.html#tk.rss_all",
        "https://m.example.com/article/3235804/ios-112.html",
    ),
    (
        "https://n.example.com/article/a-b/#ftag=RSSbaffb68",
        "https://n.example.com/article/a-b/",
    ),
]
#: Links whose parameters and fragments are the article's own: shown exactly as given.
KEPT = [
    "https://o.example.com/article?id=123",
    "https://p.example.com/?p=42",
    "https://q.example.com/story?page=2",
    "https://www.youtube.com/watch?v=5xDRdWFdsoQ",
    "https://r.example.com/essay#section-2",
    "https://s.example.com/search?q=a%20b&lang=de&ref=main",
]


#: Headlines with no words in common, so that no two items are taken for one story.
SUBJECTS = [
    ("Council", "approves", "budget", "libraries"), ("Storm", "floods", "coastal", "roads"),
    ("Chipmaker", "reports", "record", "profits"), ("Orchestra", "cancels", "winter", "tour"),
    ("Ferry", "strike", "strands", "tourists"), ("Museum", "returns", "bronze", "statues"),
    ("Hospital", "opens", "cancer", "ward"), ("Farmers", "protest", "grain", "prices"),
    ("Bank", "raises", "interest", "rates"), ("Striker", "signs", "five-year", "contract"),
    ("Volcano", "erupts", "near", "village"), ("Startup", "launches", "electric", "scooter"),
    ("Court", "blocks", "mining", "permit"), ("Telescope", "spots", "distant", "comet"),
    ("Parliament", "debates", "pension", "reform"), ("Drought", "shrinks", "alpine", "lake"),
]  # fmt: skip


def _feed(n: int, link: str, guid: bool) -> str:
    words = SUBJECTS[n]
    when = format_datetime(NOW - timedelta(hours=n + 1))
    gid = f'<guid isPermaLink="false">tag:example,2026:item-{n}</guid>' if guid else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Outlet {n}</title><link>https://outlet{n}.example/</link>
<item><title>{" ".join(words)}</title>
<link>{escape(link)}</link>{gid}<pubDate>{when}</pubDate>
<description>{words[0]} {words[1]} the {words[2]} {words[3]}, officials said today.</description>
</item></channel></rss>"""


def _project(folder: Path, feeds: list[Path], utm: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sources = "".join(f'[[sources]]\nname = "{p.stem}"\nurl = "{p}"\n\n' for p in feeds)
    campaign = 'utm = { source = "digest", medium = "email", campaign = "{list}" }' if utm else ""
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Test Brief"
sender = "The Test Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"
{campaign}

{sources}
[edition]
leads = 3
teasers = 60
max_age_hours = 1000000

[[lists]]
name = "daily"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "sqlite:///digest.db"
""")
    return config


def _written(tmp_path: Path, links: list[str]) -> list[Path]:
    folder = tmp_path / "feeds"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, link in enumerate(links):
        path = folder / f"outlet{n}.rss"
        path.write_text(_feed(n, link, guid=n % 2 == 0), encoding="utf-8")
        paths.append(path)
    return paths


def _built(config: Path, at: datetime = NOW) -> tuple[App, Edition]:
    app = App(load(config))
    edition = app.build(now=at, reports=app.collect(now=at))
    return app, edition


def _hrefs(html: str) -> list[str]:
    return [a.get("href") or "" for a in lxml.html.document_fromstring(html).iter("a")]


def _text_links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>]+", text.replace("\n", " "))


def _shown(rendered: Rendered) -> tuple[list[str], list[str]]:
    return _hrefs(rendered.html), _text_links(rendered.text)


def test_our_own_feeds_lose_every_kind_of_tracker_in_html_and_text(tmp_path: Path) -> None:
    feeds = _written(tmp_path, [given for given, _ in TRACKED])
    app, edition = _built(_project(tmp_path / "news", feeds))
    assert len(edition.stories) == len(TRACKED)
    rendered = app.renderer.render(edition)
    html, text = _shown(rendered)
    for given, clean in TRACKED:
        sep = "&" if "?" in clean else "?"
        assert f"{clean}{sep}{OURS}" in html, (given, [h for h in html if "example" in h])
        assert f"{clean}{sep}{OURS}" in text, given
    for shown in (rendered.html, rendered.text):
        for tracker in ("utm_source=rss", "fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc",
                        "_hsmi", "ref=rss", "at_medium", "wt_mc", "wt_zmc", "ito=", "cmpid",
                        "xtor", "#tk.", "#ftag"):  # fmt: skip
            assert tracker not in shown, tracker


def test_stored_links_and_keys_stay_as_the_feed_gave_them(tmp_path: Path) -> None:
    """What was collected is kept: a key made from a link (no GUID) is made from the
    link as written, and the store still matches the article at that link."""
    feeds = _written(tmp_path, [given for given, _ in TRACKED])
    app, edition = _built(_project(tmp_path / "news", feeds))
    stored = {s.key: app.store.article(s.key) for s in edition.stories}
    assert all(a is not None for a in stored.values())
    by_url = {a.url: key for key, a in stored.items() if a is not None}
    for n, (given, _) in enumerate(TRACKED):
        assert given in by_url, given
        key = by_url[given]
        # Made from the link as given ("?wt_mc=…" and all), as before: the same article.
        own = f"guid:tag:example,2026:item-{n}" if n % 2 == 0 else f"url:{canonical_url(given)}"
        assert key == own
        assert app.store.article_at(given) is not None
    # Stories in the stored edition still name the links as given (the desk's record).
    assert {s.url for s in app.store.edition(edition.id or 0).stories} == {g for g, _ in TRACKED}


def test_the_articles_own_parameters_and_anchors_stay(tmp_path: Path) -> None:
    feeds = _written(tmp_path, KEPT)
    app, edition = _built(_project(tmp_path / "news", feeds, utm=False))
    html, text = _shown(app.renderer.render(edition))
    for link in KEPT:
        assert link in html, link
        assert link in text, link


def test_the_web_archive_and_its_feed_show_links_without_trackers(tmp_path: Path) -> None:
    feeds = _written(tmp_path, [given for given, _ in TRACKED])
    app, edition = _built(_project(tmp_path / "news", feeds))
    assert edition.id is not None
    app.store.set_edition_status(edition.id, "sent", now=NOW + timedelta(hours=1))
    client = create_app(app, clock=lambda: NOW + timedelta(hours=2)).test_client()
    page = client.get(f"/archive/{edition.id}").get_data(as_text=True)
    feed = client.get("/archive.atom").get_data(as_text=True)
    for given, clean in TRACKED:
        assert f'href="{clean}"' in page.replace("&amp;", "&"), clean
        assert given not in page.replace("&amp;", "&")
        assert clean in feed.replace("&amp;", "&").replace("&quot;", '"'), clean


def _corpus_edition(tmp_path: Path, names: tuple[str, ...]) -> tuple[App, Edition]:
    corpus = require_corpus()
    feeds = [corpus / "feeds" / name for name in names]
    return _built(_project(tmp_path / "news", feeds, utm=False))


def test_macworld_and_heise_links_in_the_corpus_lose_their_feed_trackers(tmp_path: Path) -> None:
    names = ("news-macworld.rss", "news-heise-developer.atom", "news-heise-online-2016.rdf")
    app, edition = _corpus_edition(tmp_path, names)
    shown = [s for s in edition.stories if s.url]
    macworld = [s for s in shown if s.source == "news-macworld"]
    heise = [s for s in shown if s.source.startswith("news-heise")]
    assert macworld and heise
    assert all(s.url and s.url.endswith("#tk.rss_all") for s in macworld)  # as stored
    assert all(s.url and "?wt_mc=rss." in s.url for s in heise)
    html, text = _shown(app.renderer.render(edition))
    for story in macworld:
        assert story.url and story.url.removesuffix("#tk.rss_all") in html
    for story in heise:
        assert story.url and story.url.split("?wt_mc=")[0] in html
    for links in (html, text):
        assert not [h for h in links if "#tk." in h or "wt_mc=" in h]


def test_a_link_of_an_also_in_outlet_loses_its_trackers(tmp_path: Path) -> None:
    """Two outlets with one story: the lead's "Also in" link is shown without trackers."""
    folder = tmp_path / "feeds"
    folder.mkdir()
    title = "Harbour tunnel opens to traffic after six years of building work"
    paths = []
    for n, link in enumerate(
        ("https://one.example/tunnel?utm_source=rss", "https://two.example/t?mc_eid=abc")
    ):
        when = format_datetime(NOW - timedelta(hours=n + 1))
        path = folder / f"paper{n}.rss"
        path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Paper {n}</title><link>https://paper{n}.example/</link>
<item><title>{title}</title><link>{link}</link><pubDate>{when}</pubDate>
<description>The harbour tunnel opened to traffic this morning after six years.</description>
</item></channel></rss>""")
        paths.append(path)
    app, edition = _built(_project(tmp_path / "news", paths, utm=False))
    (story,) = edition.stories
    assert story.also  # one story, the other outlet "Also in"
    rendered = app.renderer.render(edition)
    html, text = _shown(rendered)
    for clean in ("https://one.example/tunnel", "https://two.example/t"):
        assert clean in html and clean in text, clean
    assert "utm_source" not in rendered.html and "mc_eid" not in rendered.html
    assert "utm_source" not in rendered.text and "mc_eid" not in rendered.text


# --- the list itself ----------------------------------------------------------------------


@pytest.mark.parametrize(("given", "clean"), TRACKED)
def test_each_kind_of_tracker_is_taken_off(given: str, clean: str) -> None:
    assert without_trackers(given) == clean


@pytest.mark.parametrize("link", KEPT)
def test_an_articles_own_parameters_and_anchor_are_left_alone(link: str) -> None:
    assert without_trackers(link) is link


@pytest.mark.parametrize(
    ("given", "clean"),
    [
        # Order, encoding, blank values and repeated names of what stays, as written.
        (
            "https://x.example/a?z=1&UTM_Source=rss&b=%C3%A6%20x&c=&z=2",
            "https://x.example/a?z=1&b=%C3%A6%20x&c=&z=2",
        ),
        ("https://x.example/a?utm%5Fsource=rss&id=7", "https://x.example/a?id=7"),  # %5F: "_"
        ("https://x.example/a?id=7#tk.rss_all", "https://x.example/a?id=7"),
        ("https://x.example/a?fbclid=1#section-2", "https://x.example/a#section-2"),
        ("https://x.example/a#xtor=RSS-3", "https://x.example/a"),
        ("https://x.example/a#utm_source=rss&utm_medium=feed", "https://x.example/a"),
        ("https://x.example/a?REF=RSS", "https://x.example/a"),
        ("https://x.example/a?", "https://x.example/a?"),  # nothing taken off: as it was
        ("https://x.example/a#", "https://x.example/a#"),
        ("https://x.example/a?source=rss", "https://x.example/a?source=rss"),  # not named
        ("https://x.example/a?ref=rssreader", "https://x.example/a?ref=rssreader"),
        ("https://x.example/a#tkt", "https://x.example/a#tkt"),  # an anchor, not IDG's tag
        ("https://x.example/a?catch_all=1&mc=2", "https://x.example/a?catch_all=1&mc=2"),
        ("mailto:desk@example.org?utm_source=x", "mailto:desk@example.org?utm_source=x"),
    ],
)
def test_only_what_the_list_names_goes(given: str, clean: str) -> None:
    assert without_trackers(given) == clean


def test_no_link_stays_none() -> None:
    assert without_trackers(None) is None
    assert without_trackers("") == ""
