"""A story whose link is an audio or video file (a podcast episode with no page of its
own links its enclosure) says what the link does: "Listen at Harbour Radio", not "Read
more at Harbour Radio", which opened an MP3 download. In the HTML part (under a lead,
and under a teaser, whose headline alone linked the file), in the text part ("Listen:
URL"), on the web edition and in the archive's feed; "Watch" for a video; in French
"Écouter sur …". A story whose link is a page still says "Read more"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
import lxml.html
import pytest

from digest.app import App
from digest.config import load
from digest.lint import lint_message
from digest.records import Story
from digest.render import Renderer
from tests.corpus import require_corpus
from tests.test_desk import running
from tests.test_render_golden import sample_settings
from tests.test_render_link_posts import _message as parts
from tests.test_render_link_posts import _project as project

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
HOME = "https://harbour-radio.example.org/"
EP12 = "https://cdn.harbour-radio.example.net/episodes/ep12.mp3"
EP11 = "https://cdn.harbour-radio.example.net/episodes/ep11.mp3"
CLIP = "https://media.dockcam.example.net/clips/crane-collapse.mp4"
ARTICLE = "https://quaypost.example.com/2026/11/26/harbour-master-resigns"
ATOM = "{http://www.w3.org/2005/Atom}"


def _episode(guid: str, hour: int, title: str, said: str, url: str, kind: str, home: str) -> str:
    return f"""<item><title>{title}</title><link>{home}</link>
<guid isPermaLink="false">{guid}</guid>
<pubDate>Thu, 26 Nov 2026 {hour:02d}:00:00 +0000</pubDate>
<description>{said}</description>
<enclosure url="{url}" length="40960000" type="{kind}"/>
<itunes:duration>42:10</itunes:duration></item>"""


def _channel(title: str, home: str, items: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>{title}</title><link>{home}</link><description>{title}</description>
{items}</channel></rss>"""


def _podcast() -> str:
    """Two episodes whose link is the show's home page and whose GUID is a name: each
    links its audio file (digest.collect.links.own_page)."""
    return _channel(
        "Harbour Radio",
        HOME,
        _episode(
            "harbour-radio-12", 10, "Episode 12: The night ferry",
            "Deckhands and a retired captain remember forty winters of crossings after dark.",
            EP12, "audio/mpeg", HOME,
        )
        + _episode(
            "harbour-radio-11", 9, "Episode 11: Tide tables",
            "Why the almanac's printed predictions still beat the apps, say the pilots.",
            EP11, "audio/mpeg", HOME,
        ),
    )  # fmt: skip


def _video() -> str:
    home = "https://dockcam.example.net/"
    return _channel(
        "Dock Cam",
        home,
        _episode(
            "dockcam-crane", 11, "Crane collapse on pier four",
            "Footage of the gantry crane folding in the storm, filmed from the customs shed.",
            CLIP, "video/mp4", home,
        )
        + _episode(
            "dockcam-fog", 8, "Fog rolls over the breakwater",
            "A time-lapse of the morning sea mist swallowing the lighthouse.",
            CLIP.replace("crane-collapse", "fog"), "video/mp4", home,
        ),
    )  # fmt: skip


def _news() -> str:
    return _channel(
        "Quay Post",
        "https://quaypost.example.com/",
        f"""<item><title>Harbour master resigns after ferry row</title><link>{ARTICLE}</link>
<guid>{ARTICLE}</guid><pubDate>Thu, 26 Nov 2026 12:00:00 +0000</pubDate>
<description>The harbour master stepped down on Thursday after a row over the night
ferry's timetable, the port authority said.</description></item>""",
    )


def _project(folder: Path, feeds: dict[str, str | Path], newsletter: str = "") -> Path:
    """A project of `feeds` (a feed's text, or a file read where it is)."""
    (folder / "feeds").mkdir(parents=True)
    paths = {}
    for n, (name, body) in enumerate(feeds.items()):
        paths[name] = body if isinstance(body, Path) else folder / "feeds" / f"{n}.rss"
        if isinstance(body, str):
            paths[name].write_text(body, encoding="utf-8")
    return project(folder, paths, newsletter)


def _built(config: Path) -> tuple[App, int]:
    app = App(load(config))
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.id is not None and edition.stories
    return app, edition.id


def _message(app: App, edition_id: int) -> tuple[str, str]:
    """The HTML and text parts of the message a subscriber gets."""
    return parts(app.preview(edition_id, email=None, now=NOW).message)


def _blocks(html: str) -> dict[str, lxml.html.HtmlElement]:
    """Each story block of the HTML part (lead or teaser): its headline → its cell."""
    found = {}
    for td in lxml.html.document_fromstring(html).iter("td"):
        if {"lead", "teaser"} & set(td.classes):
            title = next(td.iter("h2", "h4"))
            found[" ".join(title.text_content().split())] = td
    return found


def _labels(element: lxml.html.HtmlElement) -> dict[str, str]:
    """Each link's visible words (folded) → the path of its address (each label once)."""
    found = _links(element)
    assert len(dict(found)) == len(found), found
    return dict(found)


def _links(element: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """Each link's visible words (folded) and the path of its address."""
    return [
        (" ".join(a.text_content().split()), urlsplit(a.get("href") or "").path)
        for a in element.iter("a")
    ]


def _text_calls(text: str) -> dict[str, str]:
    """Each call to action of the text part ("Listen: URL"): the path of its URL → its
    label."""
    found = re.findall(r"(?m)^(Read more|Listen|Watch|Lire la suite|Écouter|Regarder)"
                       r"[ \u00a0]?:\s+(https?://\S+)", text)  # fmt: skip
    return {urlsplit(url).path: label for label, url in found}


def _path(url: str) -> str:
    return urlsplit(url).path


def test_a_podcast_episode_says_listen_and_an_article_read_more(tmp_path: Path) -> None:
    feeds: dict[str, str | Path] = {
        "Harbour Radio": _podcast(),
        "Dock Cam": _video(),
        "Quay Post": _news(),
    }
    app, edition_id = _built(_project(tmp_path / "news", feeds))
    edition = app.store.edition(edition_id)
    leads = {s.title for s in edition.leads}
    assert {s.url for s in edition.stories} >= {EP12, EP11, CLIP, ARTICLE}
    html, text = _message(app, edition_id)
    blocks = _blocks(html)

    episode = "Episode 12: The night ferry"
    assert episode in leads  # under a lead: its call to action
    labels = _labels(blocks[episode])
    assert labels["Listen at Harbour Radio →"] == _path(EP12), labels
    assert not [w for w in labels if "Read more" in w], labels
    assert "Read more" not in blocks[episode].text_content()
    # Under a teaser too: its headline alone linked the file without a word of it.
    assert "Episode 11: Tide tables" not in leads
    labels = _labels(blocks["Episode 11: Tide tables"])
    assert labels["Listen at Harbour Radio →"] == _path(EP11), labels
    # A video says so.
    assert _labels(blocks["Crane collapse on pier four"])["Watch at Dock Cam →"] == _path(CLIP)
    # An article's lead still reads on.
    article = "Harbour master resigns after ferry row"
    assert article in leads
    labels = _labels(blocks[article])
    assert labels["Read more at Quay Post →"] == _path(ARTICLE), labels
    assert not [w for w in labels if "Listen" in w or "Watch" in w], labels

    calls = _text_calls(text)
    assert calls[_path(EP12)] == "Listen" and calls[_path(EP11)] == "Listen", calls
    assert calls[_path(CLIP)] == "Watch", calls
    assert calls[_path(ARTICLE)] == "Read more", calls
    assert not re.search(r"Read more: \S+\.mp[34]", text), text
    data = app.preview(edition_id, email=None, now=NOW).message
    assert not [f for f in lint_message(data) if f.level == "error"]


def test_a_french_edition_says_ecouter(tmp_path: Path) -> None:
    feeds: dict[str, str | Path] = {"Harbour Radio": _podcast(), "Quay Post": _news()}
    app, edition_id = _built(_project(tmp_path / "news", feeds, 'language = "fr"'))
    html, text = _message(app, edition_id)
    blocks = _blocks(html)
    labels = _labels(blocks["Episode 12: The night ferry"])
    assert labels["Écouter sur Harbour Radio →"] == _path(EP12), labels
    labels = _labels(blocks["Harbour master resigns after ferry row"])
    assert labels["Lire la suite sur Quay Post →"] == _path(ARTICLE), labels
    calls = _text_calls(text)
    assert calls[_path(EP12)] == "Écouter" and calls[_path(ARTICLE)] == "Lire la suite", calls
    assert re.search(r"Écouter[ \u00a0]: https://cdn\.harbour-radio", text), text


def test_the_web_edition_and_the_feed_say_listen(tmp_path: Path) -> None:
    feeds: dict[str, str | Path] = {"Harbour Radio": _podcast(), "Quay Post": _news()}
    config = _project(tmp_path / "news", feeds)
    app, edition_id = _built(config)
    app.store.set_edition_status(edition_id, "sent", now=NOW)
    with running(config) as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{edition_id}")
        feed = c.get("/archive.atom")
    assert page.status_code == 200 and feed.status_code == 200
    article = next(lxml.html.document_fromstring(page.text).iter("article"))
    links = _links(article)
    # Each episode: its headline, then "Listen at …" to its file; the article: its headline.
    assert sorted(links) == sorted([
        ("Episode 12: The night ferry", _path(EP12)),
        ("Listen at Harbour Radio →", _path(EP12)),
        ("Episode 11: Tide tables", _path(EP11)),
        ("Listen at Harbour Radio →", _path(EP11)),
        ("Harbour master resigns after ferry row", _path(ARTICLE)),
    ]), links  # fmt: skip

    (entry,) = ElementTree.fromstring(feed.content).findall(f"{ATOM}entry")
    content = lxml.html.fragment_fromstring(entry.findtext(f"{ATOM}content") or "")
    for li in content.iter("li"):
        words = " ".join(li.text_content().split())
        hrefs = {_path(a.get("href") or "") for a in li.iter("a")}
        if _path(ARTICLE) in hrefs:
            assert "Listen" not in words, words
        else:
            assert "Listen at Harbour Radio" in words, words


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (EP12, "Listen at Harbour Radio"),
        (f"{EP12}?utm_source=brief", "Listen at Harbour Radio"),
        ("https://cdn.example.net/shows/EP12.MP3", "Listen at Harbour Radio"),
        ("https://cdn.example.net/shows/ep12.m4a", "Listen at Harbour Radio"),
        ("https://cdn.example.net/shows/ep12.ogg", "Listen at Harbour Radio"),
        # A podcast host's counting redirect (Taverncast's enclosures).
        (
            "http://www.podtrac.com/pts/redirect.mp3?http://www.taverncast.com/shows/62.mp3",
            "Listen at Harbour Radio",
        ),
        (CLIP, "Watch at Harbour Radio"),
        ("https://cdn.example.net/shows/ep12.webm", "Watch at Harbour Radio"),
        # Pages, whatever their addresses hold.
        (ARTICLE, "Read more at Harbour Radio"),
        ("https://mp3.example.org/news/story", "Read more at Harbour Radio"),
        ("https://example.org/mp3/", "Read more at Harbour Radio"),
        ("https://example.org/reviews/best.mp3-players", "Read more at Harbour Radio"),
        ("https://example.org/story?file=ep12.mp3", "Read more at Harbour Radio"),
        (None, "Read more at Harbour Radio"),
    ],
)
def test_what_the_call_to_action_says_for_a_link(
    tmp_path: Path, url: str | None, said: str
) -> None:
    renderer = Renderer(sample_settings(tmp_path))
    story = Story(key="k", title="Episode 12", url=url, source="Harbour Radio", summary="")
    assert renderer.more_at(story) == said


def test_taverncast_episodes_say_listen_in_a_rendered_edition(tmp_path: Path) -> None:
    """The real feed: its episodes link their MP3s (their GUIDs, or the enclosure
    through podtrac's counter); an episode with a page of its own still reads on."""
    corpus = require_corpus()
    feeds: dict[str, str | Path] = {
        "Taverncast": corpus / "feeds" / "podcast-taverncast-dupguid.rss",
        "Accidental Tech Podcast": corpus / "feeds" / "podcast-atp.rss",
    }
    app, edition_id = _built(_project(tmp_path / "news", feeds))
    html, text = _message(app, edition_id)
    mp3 = 0
    for block in _blocks(html).values():
        for words, path in _labels(block).items():
            if words.endswith("→"):
                media = path.lower().endswith(".mp3")
                mp3 += media
                assert words.startswith("Listen at" if media else "Read more at"), (words, path)
    calls = _text_calls(text)
    assert calls
    for path, label in calls.items():
        assert label == ("Listen" if path.lower().endswith(".mp3") else "Read more"), (path, label)
    assert mp3 and list(calls.values()).count("Listen") >= mp3, calls
