"""A picture an earlier build hosted is not fetched again while it is fresh.

Before, every build fetched every story picture again, though an earlier edition had
hosted the very same address the day before: a daily newsletter asked each publisher
for the same pictures every morning. Now a build looks the address up among the
pictures hosted and uses that copy, without a request, when it was fetched within
:data:`digest.images.FRESH`; an older one is fetched again, and bytes that changed under
the same address are kept as a copy of their own (the earlier edition keeps its own).
Everything runs over real loopback HTTP (tests.feedserver) and a real database.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner
from sqlalchemy import func, select

from digest.app import App
from digest.cli import main
from digest.imagebytes import recognise
from digest.images import FRESH
from digest.store import schema
from tests.conftest import write_project
from tests.feedserver import serve_feeds
from tests.test_images_hosted import FERRY, NOW, STORIES, feed, images, png, project

LEOPARDS = png(320, 180)
BODIES = {"/img/ferry.png": FERRY, "/img/leopards.jpg": LEOPARDS}
TYPES = dict.fromkeys(BODIES, "image/png")
PICTURED = [STORIES[0], STORIES[2]]  # the ferry's and the leopards' stories


def name(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest() + ".png"


def shown(app: App, edition_id: int | None) -> set[str]:
    """The hosted pictures' names the edition's email shows."""
    edition = app.store.edition(edition_id or 0)
    html = app.renderer.render(edition).html
    return {str(i.get("src")).rsplit("/", 1)[-1] for i in images(html)}


def test_the_next_build_makes_no_picture_request(tmp_path: Path, db_url: str) -> None:
    """On SQLite and PostgreSQL: the next day's draft shows the same stories and
    pictures, hosted by the first, without a request to the publisher."""
    with serve_feeds(BODIES, types=TYPES) as server:
        server.feeds["/feed.xml"] = feed(server, PICTURED)
        app = App.from_config(project(tmp_path / "news", server, database=db_url))
        reports = app.collect(now=NOW)
        before = server.requests
        first = app.draft(now=NOW, reports=reports)
        assert server.requests == before + 2  # each picture fetched once
        day2 = NOW + timedelta(days=1)
        reports = app.collect(now=day2)
        before = server.requests
        second = app.draft(now=day2, reports=reports)
        assert server.requests == before  # no picture fetched again
    assert first.edition is not None and second.edition is not None
    assert second.edition.id != first.edition.id
    assert first.images == second.images == ()
    both = {name(FERRY), name(LEOPARDS)}
    assert shown(app, first.edition.id) == shown(app, second.edition.id) == both
    assert app.store.image_count() == 2
    app.close()


def test_a_picture_fetched_longer_ago_than_fresh_is_fetched_again(tmp_path: Path) -> None:
    """Fresh counts from when the picture was fetched, not from when a build last used
    it: a newsletter built every day still asks for it again once FRESH has passed.
    The publisher changed the picture meanwhile: the new bytes are kept under their own
    name, and the first edition keeps showing the copy its editor saw."""
    with serve_feeds(BODIES, types=TYPES) as server:
        server.feeds["/feed.xml"] = feed(server, PICTURED)
        app = App.from_config(project(tmp_path / "news", server))
        first = app.draft(now=NOW, reports=app.collect(now=NOW))
        server.feeds["/img/ferry.png"] = changed = png(300, 201)
        requests = []
        days = (FRESH - timedelta(hours=1), FRESH + timedelta(hours=1))
        built = []
        for later in days:
            reports = app.collect(now=NOW + later)
            before = server.requests
            built.append(app.draft(now=NOW + later, reports=reports))
            requests.append(server.requests - before)
    assert requests == [0, 2]  # reused within FRESH; both fetched again after it
    early, late = (b.edition for b in built)
    assert early is not None and late is not None and first.edition is not None
    assert shown(app, first.edition.id) == {name(FERRY), name(LEOPARDS)}
    assert shown(app, early.id) == {name(FERRY), name(LEOPARDS)}
    assert shown(app, late.id) == {name(changed), name(LEOPARDS)}
    assert app.store.hosted_image(name(FERRY)[:-4]) is not None  # the first's copy stays
    assert app.store.image_count() == 3
    app.close()


def test_digest_build_says_which_pictures_it_reused(tmp_path: Path) -> None:
    """The build's output counts the pictures fetched, those an earlier build hosted
    (not fetched again) and those left out, each named on a line of its own."""
    bodies = {**BODIES, "/img/tender.jpg": b"<html>not a picture</html>"}
    stories = [STORIES[0], STORIES[1], STORIES[2]]
    with serve_feeds(bodies, types=dict.fromkeys(bodies, "image/png")) as server:
        server.feeds["/feed.xml"] = feed(server, stories)
        config = project(tmp_path / "news", server)
        run = CliRunner().invoke
        args = ["build", "--config", str(config), "--at"]
        first = run(main, [*args, "2026-11-27T06:00:00Z"])
        second = run(main, [*args, "2026-11-28T06:00:00Z"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    said = [" ".join(r.output.split()) for r in (first, second)]
    assert "Pictures: 2 fetched, 1 left out" in said[0], said[0]
    assert "Pictures: 2 hosted by an earlier build (not fetched again), 1 left out" in said[1]
    assert "no image for “Council publishes the bridge tender”" in said[1]


def test_a_build_for_a_later_time_keeps_its_pictures_as_fetched_now(tmp_path: Path) -> None:
    """`digest build --at` a month ahead (an editor's look at a later edition) fetches
    the pictures now: they were kept as fetched at that later time, so every build
    reused them for a month plus FRESH, however much the publisher changed them. They
    are kept as fetched when they were: a build due 8 days after it fetches them again."""
    with serve_feeds(BODIES, types=TYPES) as server:
        server.feeds["/feed.xml"] = feed(server, PICTURED)
        config = project(tmp_path / "news", server)
        run = CliRunner().invoke
        args = ["build", "--config", str(config), "--at"]
        clock = datetime.now(UTC)
        ahead = run(main, [*args, (clock + timedelta(days=30)).isoformat()])
        before = server.requests
        later = run(main, [*args, (clock + FRESH + timedelta(days=1)).isoformat()])
        fetched = server.requests - before
    assert ahead.exit_code == 0 and later.exit_code == 0, ahead.output + later.output
    assert "Pictures: 2 fetched" in " ".join(ahead.output.split())
    assert fetched == 3  # the feed, and each picture again
    assert "Pictures: 2 fetched" in " ".join(later.output.split())
    app = App.from_config(config)
    with app.store.engine.connect() as conn:
        kept = conn.execute(select(func.max(schema.image_sources.c.fetched_at))).scalar_one()
    assert kept.replace(tzinfo=UTC) < clock + timedelta(days=1)  # never a time to come
    app.close()


def test_a_pruned_picture_is_fetched_again_and_its_address_forgotten(tmp_path: Path) -> None:
    """Retention deletes a picture no edition shows, and with it the addresses that gave
    it (the table does not grow with every day's addresses); an address as long as a
    signed CDN link's is known as well as a short one."""
    app = App.from_config(write_project(tmp_path / "news"))
    app.store.migrate()
    long = "https://cdn.example.org/p.png?sig=" + "a" * 2000
    picture = recognise(FERRY)
    assert picture is not None
    sha = hashlib.sha256(FERRY).hexdigest()
    since = NOW - FRESH
    for address in (long, long + "b"):  # two addresses that differ past the cut
        app.store.keep_image(sha, picture, FERRY, source_url="x", now=NOW, address=address)
    assert app.store.fetched_image(long[:-1], since=since, now=NOW) is None
    found = app.store.fetched_image(long, since=since, now=NOW)
    assert found is not None and found.sha256 == sha and found.picture.width == 300
    assert app.store.prune_images(before=NOW + timedelta(days=1)) == (1, len(FERRY))
    assert app.store.fetched_image(long, since=since, now=NOW) is None
    with app.store.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(schema.image_sources)).scalar()
    assert left == 0
    app.close()


def test_a_long_non_latin_picture_address_is_kept_on_postgresql(
    tmp_path: Path, db_url: str
) -> None:
    """An address of up to 700 characters was kept as it is, but 700 characters of a
    script beyond the BMP are 2,800 bytes, more than a PostgreSQL index entry holds:
    keeping where the picture came from failed, and with it the whole build (no
    edition for anyone). Such an address is known by a hash of itself; the picture is
    hosted, and the next build reuses it."""
    prefix = "/img/"
    room = 700 - len("http://127.0.0.1:65535") - len(prefix) - len(".png")
    path = prefix + "".join(chr(0x20000 + n * 37) for n in range(room)) + ".png"
    with serve_feeds({}, types={}) as server:
        address = server.url(path)
        assert len(address) <= 700 < len(address.encode())
        server.feeds[quote(path)] = FERRY
        server.types[quote(path)] = "image/png"
        server.feeds["/feed.xml"] = feed(server, [(STORIES[0][0], path)])
        app = App.from_config(project(tmp_path / "news", server, database=db_url))
        first = app.draft(now=NOW, reports=app.collect(now=NOW))
        day2 = NOW + timedelta(days=1)
        reports = app.collect(now=day2)
        before = server.requests
        second = app.draft(now=day2, reports=reports)
        assert server.requests == before  # the picture is not fetched again
    assert first.edition is not None and second.edition is not None
    assert first.images == second.images == ()
    assert shown(app, first.edition.id) == shown(app, second.edition.id) == {name(FERRY)}
    app.close()
