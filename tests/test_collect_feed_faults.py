"""A feed cut off or broken part way is read as far as it goes, and `digest collect`
says so (its warnings column was empty); one feed configured under two names is a
configuration error naming both (the second reported "8 new": each story was stored
under both names, and an edition shows a story once). Real feeds served on loopback by
tests/feedserver.py, the real command."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.config import load
from digest.errors import ConfigError
from tests.conftest import write_project
from tests.feedserver import sample_feed, serve_feeds

AT = datetime(2026, 11, 27, 6, 0, tzinfo=UTC).isoformat()


def _collect(config: Path) -> str:
    result = CliRunner().invoke(
        main, ["collect", "--config", str(config), "--at", AT], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def _project(tmp_path: Path, url: str) -> Path:
    return write_project(
        tmp_path / "news", sources=f'[[sources]]\nname = "Herald"\nurl = "{url}"\n'
    )


def test_a_feed_cut_off_mid_item_is_read_with_a_warning_naming_the_line(tmp_path: Path) -> None:
    whole = sample_feed(1, items=10)
    cut = whole[: whole.index(b"<item>", whole.index(b"item 1008")) + 40]  # inside item 9
    line = cut.count(b"\n") + 1
    with serve_feeds({"/herald.xml": cut}) as server:
        config = _project(tmp_path, server.url("/herald.xml"))
        output = _collect(config)
    assert f"the feed ends early (cut off?) at line {line}" in output
    titles = [a.title for a in App.from_config(config).store.articles()]
    assert len(titles) >= 8 and all(t.startswith("Story") for t in titles)


def test_a_feed_broken_in_the_middle_is_read_with_a_warning_naming_the_line(
    tmp_path: Path,
) -> None:
    whole = sample_feed(1, items=10).decode()
    broken = whole.replace("<title>Story 3 from", "<title>Story 3 <b>from", 1).encode()
    line = broken[: broken.index(b"<b>")].count(b"\n") + 1
    with serve_feeds({"/herald.xml": broken}) as server:
        output = _collect(_project(tmp_path, server.url("/herald.xml")))
    assert f"the feed is malformed at line {line}" in output


def test_a_well_formed_feed_gives_no_warning(tmp_path: Path) -> None:
    with serve_feeds({"/herald.xml": sample_feed(1, items=10)}) as server:
        output = _collect(_project(tmp_path, server.url("/herald.xml")))
    assert "malformed" not in output and "ends early" not in output


@pytest.mark.parametrize(
    "second", ["https://herald.example.org/feed.xml", "HTTPS://Herald.Example.org:443/feed.xml#x"]
)
def test_one_feed_under_two_names_is_a_configuration_error(tmp_path: Path, second: str) -> None:
    sources = (
        '[[sources]]\nname = "Herald"\nurl = "https://herald.example.org/feed.xml"\n\n'
        '[[sources]]\nname = "Ledger"\nurl = "https://ledger.example.org/rss"\n\n'
        f'[[sources]]\nname = "Herald again"\nsection = "Sport"\nurl = "{second}"\n'
    )
    config = write_project(tmp_path / "news", sources=sources)
    with pytest.raises(ConfigError) as caught:
        load(config)
    line = config.read_text().splitlines().index('name = "Herald again"')  # 1-based: header
    assert str(caught.value) == (
        f"{config}:{line}: sources 'Herald' and 'Herald again' read the same feed "
        "(https://herald.example.org/feed.xml); keep one of the two (each story would be "
        "stored twice and shown once, under one of them)"
    )
    result = CliRunner().invoke(main, ["collect", "--config", str(config)])
    assert result.exit_code != 0 and "'Herald' and 'Herald again'" in result.output


def test_two_feeds_of_one_site_are_two_sources(tmp_path: Path) -> None:
    sources = (
        '[[sources]]\nname = "News"\nurl = "https://herald.example.org/feed.xml?cat=news"\n\n'
        '[[sources]]\nname = "Sport"\nurl = "https://herald.example.org/feed.xml?cat=sport"\n'
    )
    settings = load(write_project(tmp_path / "news", sources=sources))
    assert [s.name for s in settings.sources] == ["News", "Sport"]
