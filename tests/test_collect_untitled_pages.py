"""An untitled article page is titled as an untitled feed item is.

A page with no headline (no ``<title>``, ``<h1>`` or og:title), in a folder source or
added on the desk by its link, was stored with its summary's first 80 characters as its
title, cut mid-word without a mark ("…from her G4" for "G40 political faction"),
while the email's headline came from the clause rule. A Markdown file without a title
was titled with its whole first paragraph, and read it twice (headline, then summary).
Now every untitled story is titled one way (:func:`digest.wording.told.untitled_title`):
the desk, the web edition's lists, the archive and the email read one headline.
Must not change: a page's or a file's own headline; a Markdown file whose body opens
with a short line (its headline); a ``.txt`` file's first line, its headline by format.
Real files, the real App and SQLite, a real HTTP server on loopback for the desk.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from digest.app import App
from digest.collect.folder import read_folder
from digest.records import Article
from digest.web.desk_add import story_from_url
from digest.wording.told import told
from tests.conftest import write_project
from tests.corpus import require_corpus
from tests.feedserver import serve_feeds

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
LONG = (
    "After a long night of tuning the old valve radio in the shed, the whole street "
    "finally heard the harbour band play its winter concert on the air."
)
REST = (
    "Next week the band plays again, from the pier, and the radio club hopes that the "
    "fishermen out at sea will hear it too. The club meets every Thursday in the shed "
    "behind the harbour office, and newcomers are welcome to bring a set of their own."
)
HEADLINE = "After a long night of tuning the old valve radio in the shed…"
PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>
<article><p>{LONG}</p><p>{REST}</p><p>{REST}</p></article></body></html>"""


def _folder(tmp_path: Path, files: dict[str, str]) -> dict[str, Article]:
    folder = tmp_path / "desk"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    parsed = read_folder(folder, source="Desk", now=NOW, section=None)
    return {a.key.removeprefix("file:Desk/"): a for a in parsed.articles}


def test_an_untitled_page_in_a_folder_is_titled_as_its_story_shows_it(tmp_path: Path) -> None:
    article = _folder(tmp_path, {"radio.html": PAGE})["radio.html"]
    assert article.title == HEADLINE
    assert told(article)[0] == HEADLINE


def test_an_untitled_markdown_file_is_titled_as_its_story_shows_it(tmp_path: Path) -> None:
    articles = _folder(
        tmp_path,
        {
            "radio.md": f"---\ndate: 2026-11-26\n---\n{LONG}\n\n{REST}\n",
            "short.md": f"---\ndate: 2026-11-26\n---\nHarbour band on air\n\n{LONG}\n",
            "titled.md": f"---\ntitle: Radio club on air\n---\n{LONG}\n\n{REST}\n",
        },
    )
    assert articles["radio.md"].title == HEADLINE
    title, summary = told(articles["radio.md"])
    assert title == HEADLINE and summary.startswith(LONG)  # the sentence read once, whole
    # A short first line is the file's headline, and a title its own: as before.
    assert articles["short.md"].title == "Harbour band on air"
    assert told(articles["short.md"]) == ("Harbour band on air", LONG)
    assert articles["titled.md"].title == "Radio club on air"


def test_a_text_files_first_line_stays_its_headline(tmp_path: Path) -> None:
    article = _folder(tmp_path, {"radio.txt": f"Radio club on air\n\n{LONG}\n\n{REST}\n"})
    assert article["radio.txt"].title == "Radio club on air"


def test_corpus_untitled_page_is_not_cut_mid_word(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    corpus = require_corpus() / "articles"
    for name in ("rdb-telegraph.expected.html", "rdb-telegraph.html"):
        shutil.copy(corpus / name, pages / name)
    parsed = read_folder(pages, source="corpus pages", now=NOW, section=None)
    titles = {a.key.rsplit("/", 1)[1]: a for a in parsed.articles}
    untitled = titles["rdb-telegraph.expected.html"]
    assert untitled.title == (  # was "…two key figures from her G4"
        "Zimbabwe President Robert Mugabe, his wife Grace and two key figures from her "
        "G40 political faction…"
    )
    assert told(untitled)[0] == untitled.title
    assert titles["rdb-telegraph.html"].title == (  # the page's own headline: as it was
        "Zimbabwe coup: Robert Mugabe and wife Grace 'insisting he finishes his term', "
        "as priest steps in to mediate"
    )


def test_an_untitled_page_added_on_the_desk_is_stored_and_shown_one_way(tmp_path: Path) -> None:
    with serve_feeds({"/radio": PAGE.encode()}, types={"/radio": "text/html"}) as server:
        config = write_project(tmp_path / "news", extra="[serve]\nallow_private_fetch = true\n")
        app = App.from_config(config)
        try:
            story = story_from_url(app, server.url("/radio"), section=None, lead=True, now=NOW)
            stored = app.store.article_at(server.url("/radio"), server.url("/radio"))
        finally:
            app.close()
    assert stored is not None
    assert stored.title == HEADLINE  # what the desk's lists and the archive show
    assert story.title == HEADLINE  # what the email shows
    assert story.summary.startswith(LONG)
