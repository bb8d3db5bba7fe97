"""Lead images are hosted by digest: fetched once when the edition is built, kept in the
database by their SHA-256, and served by `digest serve` under base_url.

Before, the email's <img> pointed at the feed's own server: its owner saw when and
from where each subscriber opened an edition, and could swap the picture after the
editor approved it. Everything here runs over real loopback HTTP: a publisher's server
(tests.feedserver) and the desk's werkzeug server.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import lxml.html
import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.feedserver import FeedServer, serve_feeds
from tests.test_desk import running

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
BASE = "https://brief.example.org"


def png(width: int, height: int) -> bytes:
    """A real grey PNG of this size (any viewer opens it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([(x * 7) % 256 for x in range(width)]) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_head(width: int, height: int, padding: int = 0) -> bytes:
    """The start of a baseline JPEG of this size: SOI, JFIF, SOF0, then `padding` bytes."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\x00" * padding + b"\xff\xd9"


FERRY = png(300, 200)  # narrower than the column: its own width, read from its bytes
PAGE = b"<!doctype html><html><body><h1>Sign in to see this picture</h1></body></html>"
HUGE = jpeg_head(1600, 900, padding=6_000_000)  # a real header, but over the size cap

STORIES = [
    ("Harbour ferry gets an electric twin", "/img/ferry.png"),
    ("Council publishes the bridge tender", "/img/tender.jpg"),
    ("Zoo welcomes two snow leopards", "/img/leopards.jpg"),
    ("Library extends winter opening hours", "/img/library.jpg"),
]


def feed(server: FeedServer, stories: list[tuple[str, str]] = STORIES) -> bytes:
    items = "".join(
        f"""<item><title>{title}</title><link>https://harbour.example.org/{n}</link>
<guid>harbour-{n}</guid><pubDate>Thu, 26 Nov 2026 {10 + n:02d}:00:00 +0000</pubDate>
<description>Story {n} about {title.lower()}, with details of its own.</description>
<enclosure url="{server.url(path)}" type="image/jpeg" length="0"/></item>"""
        for n, (title, path) in enumerate(stories)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Herald</title>
<link>https://harbour.example.org/</link><description>Test</description>
{items}</channel></rss>""".encode()


def project(
    folder: Path,
    server: FeedServer,
    newsletter: str = "",
    serve: str = "",
    database: str = "sqlite:///digest.db",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Test Brief"
sender = "The Test Brief <brief@example.org>"
base_url = "{BASE}"
address = "1 Test Street, Copenhagen"
{newsletter}

[[sources]]
name = "Harbour Herald"
url = "{server.url("/feed.xml")}"

[edition]
leads = 4
teasers = 0
max_leads_per_source = 4
max_age_hours = 100000

[[lists]]
name = "daily"
timezone = "Europe/Copenhagen"

[transport]
kind = "outbox"
path = "outbox/"

[database]
url = "{database}"

[serve]
{serve or "allow_private_fetch = true"}
""")
    return config


def publisher() -> tuple[dict[str, bytes], dict[str, str]]:
    bodies = {"/img/ferry.png": FERRY, "/img/tender.jpg": PAGE, "/img/leopards.jpg": HUGE}
    types = dict.fromkeys(bodies, "image/jpeg")  # the page and the ferry lie about it
    return bodies, types


def images(html: str) -> list[lxml.html.HtmlElement]:
    return list(lxml.html.document_fromstring(html).iter("img"))


def test_lead_images_are_served_by_digest_and_the_bad_ones_left_out(
    tmp_path: Path, db_url: str
) -> None:
    """On SQLite and on PostgreSQL: the picture is in the database every process shares."""
    bodies, types = publisher()
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = feed(server)
        config = project(tmp_path / "news", server, database=db_url)
        app = App.from_config(config)
        built = app.draft(now=NOW, reports=app.collect(now=NOW))
        fetched = server.requests
    edition = built.edition
    assert edition is not None and len(edition.leads) == 4
    name = hashlib.sha256(FERRY).hexdigest() + ".png"
    src = f"{BASE}/images/{name}"

    # The email points at digest's own copy, as wide as the picture is (300 px).
    (img,) = images(app.renderer.render(edition).html)
    assert img.get("src") == src
    assert img.get("width") == "300"
    # The others go out without an image (never a broken box), and the build says why,
    # naming the source and the picture's address.
    said = "\n".join(built.images)
    for path in ("/img/tender.jpg", "/img/leopards.jpg", "/img/library.jpg"):
        line = next(x for x in built.images if path in x)
        assert line.startswith("Harbour Herald: "), line
    assert "not a picture" in said and "too large" in said and "404" in said

    # Each picture was fetched once (the feed, then four pictures).
    assert fetched == 5

    with running(config) as base, httpx.Client(base_url=base) as c:
        r = c.get(f"/images/{name}")
        assert r.status_code == 200
        assert r.content == FERRY
        assert r.headers["content-type"] == "image/png"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "max-age=31536000" in r.headers["cache-control"]
        assert "immutable" in r.headers["cache-control"]
        assert "public" in r.headers["cache-control"]
        assert "set-cookie" not in r.headers
        for unknown in (
            f"/images/{'0' * 64}.png",
            f"/images/{name[:-4]}.jpg",  # the right picture, the wrong type
            f"/images/{name[:-4]}",
            "/images/ferry.png",
            f"/images/{name.upper()}",
        ):
            assert c.get(unknown).status_code == 404, unknown
        # The web archive shows the same copy.
        app.store.set_edition_status(edition.id or 0, "sent", now=NOW)
        page = c.get(f"/archive/{edition.id}").text
        srcs = [i.get("src") for i in images(page)]
        assert srcs == [f"/images/{name}"]


def test_the_same_picture_is_stored_once(tmp_path: Path) -> None:
    bodies = {f"/img/{n}.png": FERRY for n in ("ferry", "tender", "leopards", "library")}
    stories = [(title, path) for (title, _), path in zip(STORIES, bodies, strict=True)]
    with serve_feeds(bodies, types=dict.fromkeys(bodies, "image/png")) as server:
        server.feeds["/feed.xml"] = feed(server, stories)
        app = App.from_config(project(tmp_path / "news", server))
        built = app.draft(now=NOW, reports=app.collect(now=NOW))
    assert built.images == ()
    assert built.edition is not None
    assert app.store.image_count() == 1
    # One source's same bytes on its four stories are its share card, not their picture
    # (tests/test_share_cards.py): they go out text-only.
    html = app.renderer.render(built.edition).html
    assert images(html) == []


def test_digest_build_says_which_pictures_were_left_out(tmp_path: Path) -> None:
    bodies, types = publisher()
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = feed(server)
        config = project(tmp_path / "news", server)
        result = CliRunner().invoke(
            main, ["build", "--config", str(config), "--at", "2026-11-27T06:00:00Z"]
        )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert f"Harbour Herald: no image for “{STORIES[1][0]}”" in out
    assert server.url("/img/tender.jpg") in out


def test_images_from_private_addresses_are_not_fetched_unless_allowed(tmp_path: Path) -> None:
    """A feed names its pictures: without [serve] allow_private_fetch, digest does not
    fetch from loopback or private networks for it (no request reaches the server)."""
    bodies, types = publisher()
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = feed(server)
        config = project(tmp_path / "news", server, serve="allow_private_fetch = false")
        app = App.from_config(config)
        reports = app.collect(now=NOW)
        before = server.requests
        built = app.draft(now=NOW, reports=reports)
        assert server.requests == before
    assert built.edition is not None
    assert images(app.renderer.render(built.edition).html) == []
    assert len(built.images) == 4 and all("not a public address" in x for x in built.images)


def test_remote_keeps_the_old_behaviour_and_none_shows_no_image(tmp_path: Path) -> None:
    bodies, types = publisher()
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = feed(server)
        for mode in ("remote", "none"):
            config = project(tmp_path / mode, server, newsletter=f'images = "{mode}"')
            app = App.from_config(config)
            before = server.requests
            built = app.draft(now=NOW, reports=app.collect(now=NOW))
            assert server.requests == before + 1  # the feed only: no picture fetched
            assert built.edition is not None and built.images == ()
            srcs = [i.get("src") for i in images(app.renderer.render(built.edition).html)]
            if mode == "remote":
                assert sorted(srcs) == sorted(server.url(p) for _, p in STORIES)
            else:
                assert srcs == []


def test_pictures_are_known_by_their_bytes_never_by_their_label() -> None:
    from digest.imagebytes import recognise

    gif = b"GIF89a" + struct.pack("<HH", 320, 240) + b"\x00\x00\x00" + b";"
    vp8l = b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f" + struct.pack(
        "<I", (640 - 1) | ((480 - 1) << 14)
    )
    vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00" + (
        (800 - 1).to_bytes(3, "little") + (600 - 1).to_bytes(3, "little")
    )
    found = {
        name: (p.media_type, p.width, p.height) if (p := recognise(data)) else None
        for name, data in {
            "png": FERRY,
            "jpeg": jpeg_head(1024, 768),
            "gif": gif,
            "vp8l": vp8l,
            "vp8x": vp8x,
            "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "page": PAGE,
            "truncated": FERRY[:20],
            "jpeg without a frame": b"\xff\xd8\xff\xd9",
            "empty": b"",
            "too wide": png(1, 1)[:16] + struct.pack(">II", 50_000, 10) + png(1, 1)[24:],
        }.items()
    }
    assert found == {
        "png": ("image/png", 300, 200),
        "jpeg": ("image/jpeg", 1024, 768),
        "gif": ("image/gif", 320, 240),
        "vp8l": ("image/webp", 640, 480),
        "vp8x": ("image/webp", 800, 600),
        "svg": None,
        "page": None,
        "truncated": None,
        "jpeg without a frame": None,
        "empty": None,
        "too wide": None,
    }


def test_the_desk_hosts_pictures_and_says_which_it_left_out(tmp_path: Path) -> None:
    """A rebuild keeps the copies the editor saw (not fetched again) and names those
    left out; a story added by its link has its picture hosted too."""
    from tests.test_desk import add_editor, editor_client, payload, post

    page = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Night buses return to the harbour line</title>
<meta property="og:image" content="/img/bus.png">
<meta name="description" content="The night buses run again from Friday.">
</head><body><article><h1>Night buses return to the harbour line</h1>
<p>The night buses run again from Friday, every twenty minutes until five.</p>
<p>The transport company said the works on the line were done.</p></article></body></html>"""
    bus = png(400, 250)
    bodies, types = publisher()
    bodies |= {"/news/buses": page, "/img/bus.png": bus}
    types |= {"/news/buses": "text/html; charset=utf-8", "/img/bus.png": "image/png"}
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = feed(server)
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        edition = app.build(now=NOW, reports=app.collect(now=NOW))
        eid = edition.id or 0
        add_editor(config)
        with running(config) as base, editor_client(base) as c:
            before = server.requests
            r = post(c, eid, "rebuild")
            assert r.status_code == 303
            shown = " ".join(c.get(r.headers["location"]).text.split())
            # The three that failed are tried again; the ferry's copy is kept as it was.
            assert server.requests == before + 3
            assert f"Harbour Herald: no image for “{STORIES[1][0]}”" in shown
            assert server.url("/img/library.jpg") in shown

            r = post(c, eid, "add", how="url", url=server.url("/news/buses"), place="lead")
            assert r.status_code == 303
    hosted = {
        s["title"]: (s["image"] or {}).get("hosted")
        for s in payload(config, eid)["leads"]  # type: ignore[attr-defined]
    }
    assert hosted["Night buses return to the harbour line"] == (
        hashlib.sha256(bus).hexdigest() + ".png"
    )
    assert hosted[STORIES[0][0]] == hashlib.sha256(FERRY).hexdigest() + ".png"
    assert hosted[STORIES[1][0]] is None


def test_an_unknown_images_setting_is_refused_by_name(tmp_path: Path) -> None:
    from digest.config import load
    from digest.errors import ConfigError
    from tests.conftest import write_project

    config = write_project(tmp_path / "news", images="proxied")
    with pytest.raises(ConfigError) as refused:
        load(config)
    message = str(refused.value)
    assert str(config) in message and "images" in message
    assert '"hosted", "remote" or "none"' in message
