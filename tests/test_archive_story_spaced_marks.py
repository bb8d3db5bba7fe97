"""The page of a story without a link of its own (`/archive/<id>/story/<ref>`: the
newsroom's own article, from a folder source) keeps a mark French sets after a space
with its word, as the email and the web edition do: "200 €", "tactile ?".

Before, its headline, standfirst and text were shown as stored, so Chromium could start
a line with "?" or "€" on the page a reader opens from the message; the web edition
bound them already. The page's <title> and its attributes keep plain spaces (they are
not laid out). Over real HTTP, from a real SQLite file; the article is our own.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import lxml.html

from digest.app import App
from digest.config import load
from digest.render.stories import story_ref
from tests.test_archive_spaced_marks import BREAKS
from tests.test_desk import running
from tests.test_render_link_posts import NOW, _project

TITLE = "Faut-il une tablette tactile à 200 € ?"
STANDFIRST = "Le port teste ses nouveaux écrans : les dockers « sceptiques » !"
BODY = [
    "Les écrans coûtent 200 € pièce ; ils arrivent vendredi.",
    "Le syndicat demande : « pour quoi faire ? »",
]


def _story_page(tmp_path: Path, title: str, standfirst: str, body: list[str]) -> str:
    """The page of the folder article `title`, in an edition that went out."""
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "ecrans.txt").write_text("\n\n".join([title, standfirst, *body]) + "\n")
    config = _project(tmp_path / "news", {})
    with config.open("a", encoding="utf-8") as f:
        f.write(f'\n[[sources]]\nname = "La Rédaction"\npath = "{desk}"\n')
    app = App(load(config))
    edition = app.build(now=NOW, reports=app.collect(now=NOW))
    assert edition.id is not None
    own = next(s for s in edition.stories if not s.url)
    app.store.set_edition_status(edition.id, "sent", now=NOW)
    with running(config) as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{edition.id}/story/{story_ref(own.key)}")
    assert page.status_code == 200
    return page.text


def test_the_story_page_keeps_each_mark_with_its_word(tmp_path: Path) -> None:
    document = lxml.html.document_fromstring(_story_page(tmp_path, TITLE, STANDFIRST, BODY))
    shown = document.find(".//article")
    assert shown is not None
    headline = shown.findtext(".//h1") or ""
    assert headline == TITLE.replace(" €", "\u00a0€").replace(" ?", "\u00a0?")
    paragraphs = [p.text_content() for p in shown.iter("p")]
    plain = [p.replace("\u00a0", " ") for p in paragraphs]
    assert STANDFIRST in plain and all(b in plain for b in BODY)  # all of it, as written
    for text in [headline, *paragraphs]:
        assert not BREAKS.search(text), text
    # What a reader does not see laid out keeps plain spaces.
    for element in document.iter():
        for name in ("alt", "title", "aria-label", "content"):
            assert "\u00a0" not in (element.get(name) or ""), (name, element.get(name))
    assert document.findtext(".//title") == TITLE


def test_a_story_without_spaced_marks_is_shown_as_written(tmp_path: Path) -> None:
    """An English headline and text keep their colons and question marks as they were."""
    title, standfirst = "Harbour: a new pier for the ferries?", "Work starts: in May."
    body = ["Who pays? The port: all of it."]
    page = _story_page(tmp_path, title, standfirst, body)
    assert "\u00a0" not in page
    document = lxml.html.document_fromstring(page)
    assert document.findtext(".//h1") == title
    assert document.findtext(".//title") == title
    assert body[0] in document.text_content() and standfirst in document.text_content()
