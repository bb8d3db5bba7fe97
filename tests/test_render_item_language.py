"""The `lang` each story of a rendered edition carries, in the email and on the web
edition, so that a screen reader reads it in its own voice: built by the real pipeline
(collect, rank, render) from feeds of our own writing and from the shared corpus's
real feeds (a Kannada portal's English items; Russian news without a <language>)."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import httpx

from digest.app import App
from digest.records import Edition
from digest.render import Renderer
from tests.conftest import write_project
from tests.corpus import require_corpus
from tests.test_desk import running
from tests.test_item_language import BULGARIAN, ENGLISH, KANNADA, RUSSIAN, SERBIAN, UKRAINIAN
from tests.test_render_golden import sample_edition, sample_settings
from tests.test_scripts_editions import NOW, _built, build, message, parts, story_cells

HERALD = [ENGLISH, ("Ferry strike called off!", "The ferry union called off Monday's strike.")]


def _web_stories(app: App, edition: Edition) -> dict[str, str]:
    """Each story's headline on the web edition -> the attributes of its lead's section
    or its teaser's paragraph."""
    assert edition.id is not None
    app.store.set_edition_status(edition.id, "sent", now=NOW)
    with running(app.settings.path) as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{edition.id}").text
    assert re.search(r'<article lang="en" dir="ltr">', page), page[:2000]
    stories = re.finditer(
        r"<(?:section|p)([^>]*)>\s*(?:<img [^>]*>\s*)?(?:<h\d[^>]*>|<b>)(?:<a [^>]*>)?([^<]*)", page
    )
    return {unescape(m[2]): re.sub(r'\s*style="[^"]*"', "", m[1]).strip() for m in stories}


def _cells(app: App, edition: Edition) -> dict[str, str]:
    """Each story's headline in the email's HTML -> the attributes of its cell."""
    cells = story_cells(parts(message(app, edition))["text/html"])
    return {unescape(title): attributes for title, attributes in cells.items()}


def test_english_items_of_a_feed_that_says_kannada_are_not_said_to_be_kannada(
    tmp_path: Path,
) -> None:
    """A feed whose channel says <language>kn</language> and whose items are English:
    each story said lang="kn", and a screen reader read English with a Kannada voice.
    Its English stories say nothing now (they read as the edition does); its Kannada
    one still says lang="kn"."""
    feeds = {"Portal": ("kn", [ENGLISH, KANNADA]), "Herald": (None, HERALD[1:])}
    app, edition = build(tmp_path, feeds)
    cells = _cells(app, edition)
    assert cells[ENGLISH[0]] == ""
    assert cells[KANNADA[0]] == 'lang="kn" dir="ltr"'
    web = _web_stories(app, edition)
    assert web[ENGLISH[0]] == "" and web[KANNADA[0]] == 'lang="kn" dir="ltr"'


def test_russian_items_of_a_feed_that_says_no_language_say_russian(tmp_path: Path) -> None:
    """Most feeds do not say their language: a Russian story in an English edition got
    no lang, and was read with an English voice. It says lang="ru" now; a Ukrainian one
    lang="uk", a Bulgarian one lang="bg"; a Serbian one, which its letters do not
    tell from Macedonian, nothing (never the edition's English)."""
    feeds = {
        "Orenburg": (None, [RUSSIAN]),
        "Lviv": (None, [UKRAINIAN]),
        "Plovdiv": (None, [BULGARIAN]),
        "Beograd": (None, [SERBIAN]),
        "Herald": (None, HERALD),
    }
    app, edition = build(tmp_path, feeds)
    cells = _cells(app, edition)
    assert cells[RUSSIAN[0]] == 'lang="ru" dir="ltr"'
    assert cells[UKRAINIAN[0]] == 'lang="uk" dir="ltr"'
    assert cells[BULGARIAN[0]] == 'lang="bg" dir="ltr"'
    assert cells[SERBIAN[0]] == ""
    assert cells[HERALD[0][0]] == "" and cells[HERALD[1][0]] == ""
    web = _web_stories(app, edition)
    assert web[RUSSIAN[0]] == 'lang="ru" dir="ltr"' and web[UKRAINIAN[0]] == 'lang="uk" dir="ltr"'
    assert web[BULGARIAN[0]] == 'lang="bg" dir="ltr"'
    assert web[SERBIAN[0]] == "" and web[HERALD[0][0]] == ""


def test_a_russian_edition_says_nothing_on_its_russian_stories(tmp_path: Path) -> None:
    feeds = {"Orenburg": (None, [RUSSIAN]), "Herald": ("en", HERALD[:1])}
    app, edition = build(tmp_path, feeds, language="ru")
    cells = _cells(app, edition)
    assert cells[RUSSIAN[0]] == ""
    assert cells[ENGLISH[0]] == 'lang="en" dir="ltr"'


# -- the shared corpus's real feeds ------------------------------------------------------------
def _corpus_edition(tmp_path: Path, *names: str) -> tuple[App, Edition]:
    """An English edition of the corpus feeds `names`, read in place, every item kept."""
    feeds = require_corpus() / "feeds"
    sources = "".join(f'[[sources]]\nname = "{n}"\nurl = "{feeds / n}"\n\n' for n in names)
    config = write_project(tmp_path / "news", sources=sources)
    text = config.read_text(encoding="utf-8")
    text = text.replace("max_age_hours = 100000\n", "max_age_hours = 1000000\n")  # 2014, 2017
    config.write_text(text.replace("teasers = 8\n", "teasers = 40\n"), encoding="utf-8")
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None] * len(names)
    return app, _built(app, reports)


KANNADA_FEED = "news-varthabharathi-kannada.rss"  # <language>kn</language>, English items
ORENBURG_FEED = "news-orenburg-ru-windows1251.xml"  # Russian items, no <language>


def test_the_corpus_kannada_portal_and_orenburg_news_carry_the_right_lang(
    tmp_path: Path,
) -> None:
    app, edition = _corpus_edition(tmp_path, KANNADA_FEED, ORENBURG_FEED)
    stories = [*edition.leads, *edition.teasers]
    portal = [s for s in stories if s.source == KANNADA_FEED]
    orenburg = [s for s in stories if s.source == ORENBURG_FEED]
    assert len(portal) >= 5 and len(orenburg) >= 5, [s.source for s in stories]
    html = parts(message(app, edition))["text/html"]
    assert 'lang="kn"' not in html
    cells = _cells(app, edition)
    for story in portal:
        assert cells[story.title] == "", story.title
    for story in orenburg:
        assert cells[story.title] == 'lang="ru" dir="ltr"', story.title
    web = _web_stories(app, edition)
    assert all(web[s.title] == "" for s in portal)
    assert all(web[s.title] == 'lang="ru" dir="ltr"' for s in orenburg)


def test_a_story_stored_before_as_kannada_renders_without_lang_kn(tmp_path: Path) -> None:
    """Stories collected before the fix carry the feed's "kn" in the database; the
    rendered edition judges the tag by the story's text as collect now does."""
    stored = sample_edition()
    lead = replace(stored.leads[0], language="kn")
    kannada = replace(stored.leads[1], title=KANNADA[0], summary=KANNADA[1], language="kn")
    edition = replace(stored, leads=(lead, kannada, *stored.leads[2:]))
    html = Renderer(sample_settings(tmp_path)).render(edition).html
    cells = {unescape(t): a for t, a in story_cells(html).items()}
    assert cells[lead.title] == "" and cells[KANNADA[0]] == 'lang="kn" dir="ltr"'


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Wire</title><id>urn:hw</id>
<updated>2026-11-26T08:00:00Z</updated>
<entry xml:lang="zh-Hans"><title>港口渡轮周一恢复运营</title><id>urn:hw:1</id>
<link href="https://wire.example.org/1"/><updated>2026-11-26T08:00:00Z</updated>
<summary>渡轮工会取消了周一的罢工，港口的渡轮将按时刻表运行。</summary></entry>
<entry><title>Ferry strike called off</title><id>urn:hw:2</id>
<link href="https://wire.example.org/2"/><updated>2026-11-26T07:00:00Z</updated>
<summary>The ferry union called off Monday's strike.</summary></entry>
</feed>"""


def test_an_atom_entry_s_own_xml_lang_is_its_language(tmp_path: Path) -> None:
    """An Atom feed says each entry's language with xml:lang (the BBC's Chinese feed on
    every title and summary); it was not read, and the stories said lang="en"."""
    from digest.collect.feeds import read_feed

    parsed = read_feed(ATOM.encode(), source="Harbour Wire", url=None, now=NOW)
    assert [a.language for a in parsed.articles] == ["zh-Hans", None]
    app, edition = _corpus_edition(tmp_path, "news-bbc-chinese.atom")
    stories = [*edition.leads, *edition.teasers]
    assert stories
    cells = _cells(app, edition)
    assert all(cells[s.title] == 'lang="zh-Hans" dir="ltr"' for s in stories), cells
