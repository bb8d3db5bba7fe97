"""Coverage counts outlets, not configured sources.

A blog configured twice (its Atom feed and its JSON feed, under two source names) gives
every post twice, at the same address. The copies are one story, shown once without an
"Also in"; they must not count as two outlets' coverage either, or every post of that
blog outscores a story one other outlet carries alone. Another outlet reporting the
same story (its own page) still counts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.conftest import write_project

NOW = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
TITLE = "Phone maker drops the headphone socket from its new range"
TEXT = (
    "The company confirmed on Tuesday that none of its new phones will have a headphone "
    "socket. Wireless earbuds will be sold separately; an adapter stays in the box."
)


def _post(source: str, key: str, url: str, hours: float = 3) -> Article:
    return Article(
        key=key,
        source=source,
        title=TITLE,
        url=url,
        text=TEXT,
        published=NOW - timedelta(hours=hours),
    )


def test_one_blog_configured_twice_is_one_outlets_coverage() -> None:
    url = "https://fireball.example/2026/11/socket"
    twice = [
        _post("Fireball (Atom)", "guid:socket", url),
        _post("Fireball (JSON)", "src2:guid:socket", url),
    ]
    ranked = rank(twice, now=NOW, options=RankOptions())
    [story] = ranked.stories
    assert story.why["coverage"] == 1.0
    assert story.also == ()


def test_the_same_page_with_a_tracking_fragment_is_the_same_page() -> None:
    twice = [
        _post("Fireball (Atom)", "a", "https://fireball.example/socket"),
        _post("Fireball (JSON)", "b", "https://www.fireball.example/socket#rss"),
    ]
    [story] = rank(twice, now=NOW, options=RankOptions()).stories
    assert story.why["coverage"] == 1.0
    assert story.also == ()


def test_another_outlets_report_still_counts() -> None:
    reports = [
        _post("Fireball (Atom)", "a", "https://fireball.example/socket"),
        _post("Fireball (JSON)", "b", "https://fireball.example/socket"),
        _post("Tech Daily", "c", "https://techdaily.example/phones/socket", hours=4),
    ]
    [story] = rank(reports, now=NOW, options=RankOptions()).stories
    assert story.why["coverage"] == 2.0
    assert [a.source for a in story.also] == ["Tech Daily"]


def _project(folder: Path) -> Path:
    feeds = folder / "feeds"
    feeds.mkdir(parents=True)
    when = (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    link = "https://fireball.example/2026/11/socket"
    (feeds / "fireball.atom").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Fireball</title><id>tag:fireball.example,2026:feed</id>"
        f"<updated>{when}</updated><entry><title>{TITLE}</title>"
        f'<link rel="alternate" href="{link}"/><id>tag:fireball.example,2026:socket</id>'
        f"<updated>{when}</updated><summary>{TEXT}</summary></entry></feed>"
    )
    item = {
        "id": "tag:fireball.example,2026:socket",
        "url": link,
        "title": TITLE,
        "content_text": TEXT,
        "date_published": when,
    }
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Fireball", "items": [item]}
    (feeds / "fireball.json").write_text(json.dumps(feed))
    lone = "https://harbour.example/ferry"
    (feeds / "harbour.rss").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Harbour</title>'
        f"<link>https://harbour.example/</link><item><title>Ferry line adds a night crossing"
        f"</title><link>{lone}</link><guid>{lone}</guid><description>The night ferry runs "
        "from Friday, the operator said, with two crossings each way.</description>"
        f"<pubDate>{(NOW - timedelta(hours=3)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        "</pubDate></item></channel></rss>"
    )
    sources = "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "feeds/{file}"\n'
        for name, file in (
            ("Fireball", "fireball.atom"),
            ("Fireball JSON", "fireball.json"),
            ("Harbour News", "harbour.rss"),
        )
    )
    return write_project(folder, sources=sources)


def test_the_build_scores_a_blogs_two_feeds_as_one_outlet(tmp_path: Path) -> None:
    config = _project(tmp_path / "news")
    res = CliRunner().invoke(
        main, ["build", "--config", str(config), "--at", "2026-11-29T07:00:00Z", "--json"]
    )
    assert res.exit_code == 0, res.output
    edition = json.loads(res.output[res.output.find("{") :])
    stories = edition["leads"] + edition["teasers"]
    socket = [s for s in stories if s["title"] == TITLE]
    ferry = [s for s in stories if s["title"].startswith("Ferry")]
    assert len(socket) == 1 and len(ferry) == 1, stories
    assert socket[0]["why"]["coverage"] == 1.0
    assert socket[0]["also"] == []
    assert socket[0]["score"] == ferry[0]["score"]  # same age, same kind of report
