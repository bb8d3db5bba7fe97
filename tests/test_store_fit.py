"""What a feed gives is stored whatever its length or bytes: a GUID of any length or
with NUL, a language tag longer than any real one. On PostgreSQL each of them failed
the whole `digest collect` with a DataError (the sources after it were never
collected); on SQLite the same GUID was stored whole."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from digest.app import App
from digest.cli import main
from digest.store import schema as t
from digest.store._sources import MAX_KEY, fitted_key
from tests.conftest import write_project

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
LONG = "https://example.org/" + "a" * 1200


def _item(guid: str, title: str) -> dict[str, object]:
    return {
        "id": guid,
        "url": f"https://example.org/{title.lower()}",
        "title": title,
        "content_text": f"{title}: what happened today, told in a sentence.",
        "date_published": "2026-11-26T20:00:00Z",
    }


def _project(tmp_path: Path, db_url: str) -> tuple[App, Path]:
    hostile = tmp_path / "hostile.json"
    hostile.write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Hostile",
                "language": "en-" + "-".join(["abcdefgh"] * 6),  # 57 characters
                "items": [_item("a\u0000b", "Nul"), _item(LONG, "Long"), _item("ok", "Fine")],
            }
        )
    )
    plain = tmp_path / "plain.json"
    plain.write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Plain",
                "items": [_item("p1", "Plain")],
            }
        )
    )
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nurl = "{path}"\n\n'
        for name, path in (("Hostile", hostile), ("Plain", plain))
    )
    return App.from_config(
        write_project(tmp_path / "news", sources=sources, database=db_url)
    ), hostile


def test_a_guid_of_any_length_or_with_nul_is_stored_and_the_next_source_too(
    tmp_path: Path, db_url: str
) -> None:
    app, _ = _project(tmp_path, db_url)
    reports = app.collect(now=NOW)
    assert [(r.name, r.new, r.error) for r in reports] == [("Hostile", 3, None), ("Plain", 1, None)]
    stored = {a.title: a for a in app.store.articles()}
    assert set(stored) == {"Nul", "Long", "Fine", "Plain"}
    assert all(len(a.key) <= MAX_KEY and "\x00" not in a.key for a in stored.values())
    assert stored["Long"].key == fitted_key(f"guid:{LONG}") != f"guid:{LONG}"
    assert stored["Fine"].key == "guid:ok" and stored["Fine"].language is None
    # The same GUID fits the same way every time: nothing is new the second time.
    again = app.collect(now=NOW + timedelta(hours=1))
    assert [(r.new, r.updated) for r in again] == [(0, 0), (0, 0)]
    edition = app.build(now=NOW)
    assert {"Nul", "Long", "Fine", "Plain"} <= {s.title for s in edition.stories}


def test_a_long_key_stored_whole_before_is_still_the_same_article(tmp_path: Path) -> None:
    """SQLite held a long key whole before keys were fitted: that row is found by it,
    so the article is not stored again as new (and not sent twice)."""
    app, hostile = _project(tmp_path, "sqlite:///digest.db")
    with app.store.engine.begin() as conn:
        sid = conn.execute(
            insert(t.sources).values(name="Hostile", location=str(hostile), consecutive_failures=0)
        ).inserted_primary_key[0]
        conn.execute(
            insert(t.articles).values(
                key=f"guid:{LONG}",
                source_id=sid,
                url="https://example.org/long",
                title="Long",
                summary="",
                text="",
                html="",
                categories=[],
                first_seen_at=NOW - timedelta(days=1),
                updated_at=NOW - timedelta(days=1),
                content_hash="old",
            )
        )
    (hostile_report, _plain) = app.collect(now=NOW)
    assert (hostile_report.new, hostile_report.updated) == (2, 1)
    with app.store.engine.connect() as conn:
        keys = set(conn.execute(select(t.articles.c.key)).scalars())
    assert f"guid:{LONG}" in keys and fitted_key(f"guid:{LONG}") not in keys


@pytest.mark.parametrize("key", ["guid:x", "url:https://example.org/" + "b" * (MAX_KEY - 24)])
def test_a_key_that_fits_is_kept_as_it_is(key: str) -> None:
    assert len(key) <= MAX_KEY and fitted_key(key) == key


WIDE_RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Wide</title>
<link>https://example.org/</link>
<item><title>Wide</title><link>https://example.org/wide</link><guid>wide-1</guid>
<pubDate>Thu, 26 Nov 2026 20:00:00 GMT</pubDate>
<description>A picture wider than any screen, told in a sentence.</description>
<media:content url="https://example.org/wide.jpg" medium="image" width="99999999999"/>
</item></channel></rss>"""


def test_an_image_width_beyond_the_column_or_a_lone_surrogate_does_not_stop_the_collect(
    tmp_path: Path, db_url: str
) -> None:
    """A feed's width="99999999999" raised DataError (integer out of range) out of
    `digest collect` on PostgreSQL; a JSON Feed's "\\ud800" (a lone surrogate, not UTF-8)
    raised UnicodeEncodeError on both databases. The sources after them went uncollected."""
    wide = tmp_path / "wide.xml"
    wide.write_text(WIDE_RSS)
    broken = tmp_path / "broken.json"  # json.dumps writes the lone surrogate as \ud800
    broken.write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "items": [
                    {
                        **_item("b\ud800", "Broken \ud800 emoji"),
                        "authors": [{"name": "Ann \udc00"}],
                        "tags": ["x\ud800"],
                    }
                ],
            }
        )
    )
    plain = tmp_path / "plain.json"
    plain.write_text(
        json.dumps({"version": "https://jsonfeed.org/version/1", "items": [_item("p1", "Plain")]})
    )
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nurl = "{path}"\n\n'
        for name, path in (("Wide", wide), ("Broken", broken), ("Plain", plain))
    )
    app = App.from_config(write_project(tmp_path / "news", sources=sources, database=db_url))
    reports = app.collect(now=NOW)
    assert [(r.name, r.new, r.error) for r in reports] == [
        ("Wide", 1, None),
        ("Broken", 1, None),
        ("Plain", 1, None),
    ]
    stored = {a.source: a for a in app.store.articles()}
    assert stored["Wide"].image is not None
    assert (stored["Wide"].image.url, stored["Wide"].image.width) == (
        "https://example.org/wide.jpg",
        None,
    )
    assert stored["Broken"].title == "Broken \ufffd emoji"
    assert (stored["Broken"].author, stored["Broken"].categories) == ("Ann \ufffd", ("x\ufffd",))
    assert stored["Broken"].key == "guid:b\ufffd"
    again = app.collect(now=NOW + timedelta(hours=1))
    assert [(r.new, r.updated, r.error) for r in again] == [(0, 0, None)] * 3
    edition = app.build(now=NOW)
    assert {"Wide", "Broken", "Plain"} <= {s.source for s in edition.stories}


def test_a_file_name_that_is_not_utf8_is_kept_under_a_key_the_database_holds(
    tmp_path: Path, db_url: str
) -> None:
    """A folder source's file whose name is not UTF-8 (b"\\xff.txt": Python reads it with
    surrogates) made a key no driver can send: UnicodeEncodeError out of the collect on
    both databases. It is stored under its fitted key, the same every time."""
    folder = tmp_path / "files"
    folder.mkdir()
    body = b"\n\nA standfirst long enough to be one, told in a plain sentence.\n"
    (folder / "plain.txt").write_bytes(b"Plain" + body)
    odd = Path(os.fsdecode(bytes(folder) + b"/\xff\xfe-odd.txt"))
    odd.write_bytes(b"Odd" + body)
    sources = f'[[sources]]\nname = "Files"\npath = "{folder}"\n'
    app = App.from_config(write_project(tmp_path / "news", sources=sources, database=db_url))
    (report,) = app.collect(now=NOW)
    assert (report.new, report.error) == (2, None)
    keys = {a.title: a.key for a in app.store.articles()}
    assert keys["Odd"] == fitted_key("file:Files/\udcff\udcfe-odd.txt")
    assert keys["Odd"].startswith("file-sha256:") and keys["Plain"] == "file:Files/plain.txt"
    (again,) = app.collect(now=NOW + timedelta(hours=1))
    assert (again.new, again.updated, again.error) == (0, 0, None)


def test_a_source_error_naming_a_file_that_is_not_utf8_is_recorded_and_the_next_source_too(
    tmp_path: Path, db_url: str
) -> None:
    """An empty b"\\xff-empty.txt" fails its source with an error naming the file, with
    surrogates in it: storing that error raised UnicodeEncodeError out of `digest collect`
    on both databases, and the next source was never collected."""
    broken, plain = tmp_path / "broken", tmp_path / "plain"
    broken.mkdir()
    plain.mkdir()
    Path(os.fsdecode(bytes(broken) + b"/\xff-empty.txt")).write_bytes(b"")
    (plain / "plain.txt").write_bytes(b"Plain\n\nA standfirst long enough, in a plain sentence.\n")
    sources = "".join(
        f'[[sources]]\nname = "{name}"\npath = "{path}"\n\n'
        for name, path in (("Broken", broken), ("Plain", plain))
    )
    config = write_project(tmp_path / "news", sources=sources, database=db_url)
    result = CliRunner().invoke(main, ["collect", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "empty" in result.output and "Traceback" not in result.output
    app = App.from_config(config)
    health = {h.name: h for h in app.store.health()}
    assert health["Broken"].last_error == (
        f"Broken: no file in {broken} could be read (\ufffd-empty.txt: the file is empty)"
    )
    assert health["Broken"].consecutive_failures == 1
    assert [a.title for a in app.store.articles()] == ["Plain"]
