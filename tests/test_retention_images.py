"""Retention of hosted lead images: pictures no stored edition shows any more go.

Before, `digest prune` (and the scheduler's daily prune) never touched the `images`
table: every picture a build or a desk rebuild fetched stayed forever, including the
ones of stories a rebuild replaced and of builds that stored nothing. Now a picture
that no stored edition references (its payload, or the desk's base and operations)
and that was last hosted before the cut-off (`[database] keep_days`, at least a week)
is deleted, and the command says how many and how many bytes. A sent edition's
pictures (the archive shows it), a draft's and an edition being built (a picture
hosted lately, not yet stored with its edition) keep theirs. On SQLite and
PostgreSQL, through the real CLI and the real scheduler.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.codec import edition_to_dict
from digest.imagebytes import recognise
from digest.images import hosted_name
from digest.records import Edition, Image, Story
from digest.schedule import Scheduler
from digest.web import create_app
from tests.conftest import write_project
from tests.test_images_hosted import png

OLD = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
AT = ["--at", "2026-11-27T06:00:00Z"]


def _host(app: App, body: bytes, when: datetime) -> str:
    """Keep `body` as a build would at `when`; the name a story's image carries."""
    picture = recognise(body)
    assert picture is not None
    sha = hashlib.sha256(body).hexdigest()
    app.store.keep_image(sha, picture, body, source_url=f"https://p.example.org/{sha}", now=when)
    return hosted_name(sha, picture.extension)


def _story(key: str, hosted: str | None) -> Story:
    image = None if hosted is None else Image(f"https://p.example.org/{key}.png", hosted=hosted)
    return Story(key, f"Headline {key}", f"https://w.example.org/{key}", "Wire", "S.", image=image)


PICTURES = {
    name: png(10 + n, 10)
    for n, name in enumerate(
        ["sent", "draft", "base", "orphan", "building", "rehosted", "cancelled"]
    )
}


def _project(folder: Path, database: str) -> tuple[App, dict[str, str]]:
    """Editions of every kind, each showing its picture, and pictures nobody shows."""
    config = write_project(folder, database=database)
    text = config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72")
    config.write_text(text)  # keep_days: 90, the default
    app = App.from_config(config)
    names = {name: _host(app, body, OLD) for name, body in PICTURES.items()}
    names["building"] = _host(app, PICTURES["building"], NOW - timedelta(hours=1))
    # The same bytes as an orphan from May, hosted again by a build running now.
    _host(app, PICTURES["rehosted"], NOW - timedelta(minutes=5))
    store = app.store

    def edition(*stories: Story) -> Edition:
        return store.save_edition(Edition("daily", OLD, stories, ()), now=OLD)

    sent = edition(_story("a", names["sent"]))
    assert sent.id is not None
    store.set_edition_status(sent.id, "sent", now=OLD)
    cancelled = edition(_story("c", names["cancelled"]))
    assert cancelled.id is not None
    store.set_edition_status(cancelled.id, "cancelled", now=OLD)
    draft = edition(_story("b", names["draft"]), _story("b2", None))
    # The desk's curation: its base (the ranked edition, before the editor's changes)
    # still shows a story the payload dropped; undoing the drop brings it back.
    base = Edition("daily", OLD, (_story("b", names["draft"]), _story("x", names["base"])), ())
    overrides = {"base": edition_to_dict(base), "operations": []}
    assert store.save_curation(draft, overrides)
    return app, names


def _kept(app: App, names: dict[str, str]) -> set[str]:
    return {
        name
        for name, hosted in names.items()
        if app.store.hosted_image(hosted.split(".")[0]) is not None
    }


def test_digest_prune_deletes_the_pictures_no_edition_shows_and_says_how_much(
    tmp_path: Path, db_url: str
) -> None:
    app, names = _project(tmp_path / "news", db_url)
    config = ["--config", str(app.settings.path)]
    orphan = len(PICTURES["orphan"])
    dry = CliRunner().invoke(main, ["prune", "--dry-run", *config, *AT])
    assert dry.exit_code == 0, dry.output
    assert f"would delete 1 hosted picture ({orphan:,} bytes)" in dry.output, dry.output
    assert _kept(app, names) == set(names)

    done = CliRunner().invoke(main, ["prune", *config, *AT])
    assert done.exit_code == 0, done.output
    assert f"deleted 1 hosted picture ({orphan:,} bytes)" in done.output, done.output
    assert "that no edition shows, last hosted before 2026-08-29T06:00:00Z" in done.output
    # Every edition keeps its pictures; so does the build running now.
    assert _kept(app, names) == set(names) - {"orphan"}
    # The sent edition's page in the archive still shows its picture.
    client = create_app(app, clock=lambda: NOW).test_client()
    assert client.get(f"/images/{names['sent']}").status_code == 200
    assert client.get(f"/images/{names['orphan']}").status_code == 404

    again = CliRunner().invoke(main, ["prune", "--json", *config, *AT])
    out = json.loads(again.output)
    assert (out["images"], out["image_bytes"]) == (0, 0)
    assert out["images_before"] == "2026-08-29T06:00:00Z"
    # A year on, the pictures of the build that stored nothing go too; every stored
    # edition still shows its own.
    later = CliRunner().invoke(main, ["prune", *config, "--at", "2027-12-01T00:00:00Z"])
    both = len(PICTURES["building"]) + len(PICTURES["rehosted"])
    assert f"deleted 2 hosted pictures ({both:,} bytes)" in later.output, later.output
    assert _kept(app, names) == {"sent", "cancelled", "draft", "base"}
    app.close()


def test_a_picture_hosted_lately_is_kept_however_short_keep_days(tmp_path: Path) -> None:
    """keep_days may be as short as a build's reach; pictures stay at least a week."""
    config = write_project(tmp_path / "news", extra="keep_days = 5\n")
    text = config.read_text().replace("max_age_hours = 100000", "max_age_hours = 24")
    config.write_text(text)
    app = App.from_config(config)
    recent = _host(app, PICTURES["orphan"], NOW - timedelta(days=6))
    old = _host(app, PICTURES["building"], NOW - timedelta(days=8))
    pruned = app.prune(now=NOW)
    assert (pruned.images, pruned.image_bytes) == (1, len(PICTURES["building"]))
    assert app.store.hosted_image(recent.split(".")[0]) is not None
    assert app.store.hosted_image(old.split(".")[0]) is None
    app.close()


def test_the_scheduler_s_daily_prune_deletes_them_too(tmp_path: Path, db_url: str) -> None:
    app, names = _project(tmp_path / "news", db_url)
    noon = NOW + timedelta(hours=6)
    details = [o.detail for o in Scheduler(app).tick(noon) if o.action == "prune"]
    assert len(details) == 1 and "deleted 1 hosted picture" in details[0], details
    assert _kept(app, names) == set(names) - {"orphan"}
    app.close()


def test_a_prune_deletes_every_batch_of_old_pictures_not_only_the_first(
    tmp_path: Path, db_url: str
) -> None:
    """More old pictures than one DELETE takes (`batch`) all go, with the addresses that
    gave them: the second batch was read from the first's results and deleted nothing,
    so a prune deleted at most 500 pictures however many nobody showed."""
    config = write_project(tmp_path / "news", database=db_url)
    app = App.from_config(config)
    bodies = [png(20 + n, 7) for n in range(7)]
    for n, body in enumerate(bodies):
        picture = recognise(body)
        assert picture is not None
        sha = hashlib.sha256(body).hexdigest()
        address = f"https://p.example.org/{n}.png"
        app.store.keep_image(sha, picture, body, source_url=address, now=OLD)
    assert app.store.image_count() == 7

    count, size = app.store.prune_images(before=NOW - timedelta(days=90), batch=3)

    assert (count, size) == (7, sum(map(len, bodies)))
    assert app.store.image_count() == 0
    since = OLD - timedelta(days=1)
    assert all(
        app.store.fetched_image(f"https://p.example.org/{n}.png", since=since, now=NOW) is None
        for n in range(7)
    )
    app.close()
