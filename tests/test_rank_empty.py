"""A story with neither a link nor any text gives a reader nothing: it never runs.

Not in an edition, not counted toward `[edition] min_stories`, and the build names the
reason (``empty``). A story with text but no link (a folder's article, a feed item
without a <link>) still runs. Real SQLite files, real feeds (the shared corpus, copied
so that their items are new in a later collect, and feeds written here).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.gate import refusal
from tests.corpus import require_corpus
from tests.test_rank_undated import project

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
EMPTY_RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
DATE = "Fri, 04 Dec 2026 07:00:00 GMT"


def _item(title: str, *, link: str = "", text: str = "") -> str:
    parts = [f"<title>{title}</title>", f"<pubDate>{DATE}</pubDate>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if text:
        parts.append(f"<description>{text}</description>")
    return f"<item>{''.join(parts)}</item>"


def test_corpus_items_without_link_or_text_do_not_run(tmp_path: Path) -> None:
    corpus = require_corpus() / "feeds"
    names = {
        "Crazy": "hostile-item-description-crazy.rss",
        "Base64": "atom03-content-base64.xml",
        "Grateful Dead": "sample-rss092-grateful-dead.xml",
    }
    feeds = {name: tmp_path / file for name, file in names.items()}
    for feed in feeds.values():
        feed.write_text(EMPTY_RSS)
    # One outlet's stories run: caps it may fill (else a thin edition is shorter).
    caps = "max_leads_per_source = 3\nmax_teasers_per_source = 30"
    app = project(tmp_path, feeds, edition=f"leads = 3\nteasers = 30\n{caps}")
    app.collect(now=NOW - timedelta(hours=3))  # empty: what comes next is new
    for name, feed in feeds.items():
        shutil.copyfile(corpus / names[name], feed)
    reports = app.collect(now=NOW - timedelta(hours=1))
    assert [r.error for r in reports] == [None] * 3
    built = app.draft(now=NOW, reports=reports)
    assert built.edition is not None
    stories = built.edition.stories
    # Every story leads somewhere or has something to read under its headline.
    assert [s.title for s in stories if not (s.url or s.summary.strip())] == []
    titles = {s.title for s in stories}
    assert "Example Atom" not in titles  # its whole text is its headline
    assert "I will execute here, too, if you mouse over me" not in titles
    # The Grateful Dead's one-line posts (the line is the headline) are left out too;
    # its posts with more to say run without a link.
    assert "DaveNet: The U.S. Blues" not in titles
    assert len(stories) == 15 and {s.source for s in stories} == {"Grateful Dead"}
    assert built.dropped["empty"] == 8
    assert "8 with no link and no text" in built.summary()


def test_stories_without_link_or_text_do_not_count_toward_min_stories(tmp_path: Path) -> None:
    feed = tmp_path / "news.rss"
    items = [
        _item("Harbour bath opens", link="https://news.example/1"),  # a link: it runs
        _item("Cycle bridge closes", text="The bridge closes for three weeks."),  # text
        _item("Headline only, nothing else"),
        _item("Another bare headline"),
    ]
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"{''.join(items)}</channel></rss>"
    )
    app = project(tmp_path, {"News": feed}, edition="min_stories = 3")
    built = app.draft(now=NOW, reports=app.collect(now=NOW - timedelta(hours=1)))
    assert built.edition is not None
    assert sorted(s.title for s in built.edition.stories) == [
        "Cycle bridge closes",
        "Harbour bath opens",
    ]
    assert built.dropped["empty"] == 2
    assert built.refusal == refusal(built.edition.id, 2, 3)
    assert built.refusal is not None and "only 2 new stories" in built.refusal


def test_a_page_whose_description_repeats_its_headline_runs_with_its_text() -> None:
    """A saved page whose meta description is its headline (seen: a news portal's page,
    683 characters of article) was dropped as `empty`: the description was read as all
    the text there was, and it only repeated the headline. The body speaks instead."""
    from digest.rank import RankOptions, rank
    from digest.records import Article

    title = "Harbour ferries to run all night from March"
    body = (
        "The city's harbour ferries will run through the night from the first of March, "
        "the transport office said on Thursday. Boats will leave every forty minutes "
        "between midnight and five in the morning."
    )
    page = Article(
        key="page:ferries",
        source="Clippings",
        title=title,
        url=None,
        summary=title,
        text=f"{title}\n\n{body}",
        published=NOW - timedelta(hours=2),
    )
    ranked = rank([page], now=NOW, options=RankOptions(leads=1, teasers=0))
    assert [s.title for s in ranked.leads] == [title]
    assert ranked.leads[0].summary.startswith("The city's harbour ferries will run")
