"""A site's share card is no story's picture: when one source gives the same picture
(by its address, or by its bytes once fetched) to two different stories of an edition,
it is the site's logo or default og:image, and those stories go out text-only; a
picture by its address is then not even fetched.

Before, every story of a site whose feed item (or page) named its default card led
with the same logo, edition after edition: two such items in a feed of six passed
the collect stage's check (a picture on 3 items and half of them).

Must not change: a picture on one story only is kept; two outlets running the same
wire photo, for the same story or for two, keep it (only one source's repeats over its
different stories count).

Real loopback HTTP (tests.feedserver), the real App and SQLite.
"""

from __future__ import annotations

from pathlib import Path

from digest.app import App
from digest.records import Story
from tests.feedserver import FeedServer, serve_feeds
from tests.test_images_hosted import NOW, png

HERALD = [  # (headline, summary, picture path)
    (
        "Harbour ferry gets an electric twin",
        "The ferry company orders a battery ship.",
        "/h/card.png",
    ),
    ("Council publishes the bridge tender", "Builders have until March to bid.", "/h/card.png"),
    ("Zoo welcomes two snow leopards", "The cats arrive from a Finnish park.", "/h/leopards.png"),
    ("Library extends winter opening hours", "Doors stay open until ten.", "/h/copy-1.png"),
    ("Marathon route crosses the old port", "Runners start at the fish market.", "/h/copy-2.png"),
    (
        "Storm closes the coastal railway line",
        "Waves washed ballast off the track.",
        "/wire/storm.png",
    ),
]
COURIER = [
    (
        "Storm closes the coastal railway line",
        "Waves washed ballast off the track.",
        "/wire/storm.png",
    ),
    (
        "Tram drivers vote to accept pay offer",
        "The union backs a two-year deal.",
        "/h/leopards.png",
    ),
]
CARD = png(1200, 630)
PICTURES = {
    "/h/card.png": CARD,  # one address on two Herald stories: the Herald's card
    "/h/copy-1.png": png(640, 360),  # the same bytes under two addresses: a card too
    "/h/copy-2.png": png(640, 360),
    "/h/leopards.png": png(800, 450),  # a Herald story's own (a Courier story runs it too)
    "/wire/storm.png": png(900, 600),  # one wire photo, one story, both outlets
}


def feed(server: FeedServer, name: str, items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"""<item><title>{title}</title><link>https://{name}.example.org/{n}</link>
<guid>{name}-{n}</guid><pubDate>Thu, 26 Nov 2026 {10 + n:02d}:00:00 +0000</pubDate>
<description>{summary} More on {title.lower()} from our reporters.</description>
<enclosure url="{server.url(path)}" type="image/png" length="0"/></item>"""
        for n, (title, summary, path) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{name}</title><link>https://{name}.example.org/</link>
<description>Test</description>{body}</channel></rss>""".encode()


def project(folder: Path, server: FeedServer, images: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Test Brief"
sender = "The Test Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"
images = "{images}"

[[sources]]
name = "Harbour Herald"
url = "{server.url("/herald.xml")}"

[[sources]]
name = "City Courier"
url = "{server.url("/courier.xml")}"

[edition]
leads = 4
teasers = 10
max_leads_per_source = 4
max_teasers_per_source = 10
max_age_hours = 100000

[[lists]]
name = "daily"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "sqlite:///digest.db"

[serve]
allow_private_fetch = true
""")
    return config


def pictures(tmp_path: Path, images: str = "hosted") -> tuple[dict[str, str | None], int]:
    """Each story's picture (its address's path, or None), by source and headline; and
    how many requests the picture server had besides the two feeds."""
    with serve_feeds(PICTURES, types=dict.fromkeys(PICTURES, "image/png")) as server:
        server.feeds["/herald.xml"] = feed(server, "herald", HERALD)
        server.feeds["/courier.xml"] = feed(server, "courier", COURIER)
        app = App.from_config(project(tmp_path / images, server, images))
        built = app.draft(now=NOW, reports=app.collect(now=NOW))
        fetched = server.requests - 2
    assert built.edition is not None and built.images == ()
    stories: list[Story] = [*built.edition.leads, *built.edition.teasers, *built.edition.reserve]
    assert len(stories) == 7  # the storm is one story of two outlets
    prefix = f"http://127.0.0.1:{server.port}"
    return {
        f"{s.source}: {s.title}": s.image.url.removeprefix(prefix) if s.image else None
        for s in stories
    }, fetched


def test_one_sources_picture_on_two_of_its_stories_is_its_card(tmp_path: Path) -> None:
    shown, fetched = pictures(tmp_path)
    # The same address on two Herald stories: both text-only.
    assert shown["Harbour Herald: Harbour ferry gets an electric twin"] is None
    assert shown["Harbour Herald: Council publishes the bridge tender"] is None
    # The same bytes under two addresses: both text-only once fetched.
    assert shown["Harbour Herald: Library extends winter opening hours"] is None
    assert shown["Harbour Herald: Marathon route crosses the old port"] is None
    # The card's address was never fetched: leopards, storm and the two copies were.
    assert fetched == 4


def test_a_picture_on_one_story_of_a_source_is_kept(tmp_path: Path) -> None:
    shown, _ = pictures(tmp_path)
    # One Herald story's own picture, which a Courier story runs too: two outlets.
    assert shown["Harbour Herald: Zoo welcomes two snow leopards"] == "/h/leopards.png"
    assert shown["City Courier: Tram drivers vote to accept pay offer"] == "/h/leopards.png"
    # One wire photo, one story that both outlets report (clustered: one story).
    (storm,) = (k for k in shown if k.endswith("Storm closes the coastal railway line"))
    assert shown[storm] == "/wire/storm.png"


def test_remote_pictures_lose_the_card_by_its_address(tmp_path: Path) -> None:
    """images = "remote" fetches nothing: the same address is all there is to go by."""
    shown, fetched = pictures(tmp_path, "remote")
    assert fetched == 0
    assert shown["Harbour Herald: Harbour ferry gets an electric twin"] is None
    assert shown["Harbour Herald: Council publishes the bridge tender"] is None
    assert shown["Harbour Herald: Library extends winter opening hours"] == "/h/copy-1.png"
    assert shown["Harbour Herald: Zoo welcomes two snow leopards"] == "/h/leopards.png"
