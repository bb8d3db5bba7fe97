"""The web edition (the email's "View in your browser") keeps a mark French sets after a
space with its word, as the email does: "200 €", "tactile ?", "LIDD : Liens".

QA of the seventh session's merges: the email bound the marks, the web edition did not,
so Chromium broke PC INpact's "…pour une tablette tactile ?" before the "?" and "…à
partir de 200 €" before the "€" on the page a reader opens from the email (at 325 to
800 px). The page's attributes (an image's alt text, the page title) keep plain spaces.
Over real HTTP, from a real SQLite file; the feed is our own.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import lxml.html

from tests.test_collect_aggregators import _rss
from tests.test_desk import running
from tests.test_render_link_posts import NOW, _collected

ITEMS = [
    ("Quelle est la diagonale idéale pour une tablette tactile ?", "https://port.example.fr/1"),
    ("Les nouveaux ReadyNAS sont disponibles à partir de 200 €", "https://port.example.fr/2"),
    ("424e édition des LIDD : Liens Idiots Du Dimanche", "https://port.example.fr/3"),
    ("Le ferry « de nuit » revient vendredi !", "https://port.example.fr/4"),
]

#: A breakable space before a mark French spaces, or after "«".
BREAKS = re.compile(r" [?!:;»€](?:\s|$)|« ")


def _web_edition(tmp_path: Path, home: str, items: list[tuple[str, str]]) -> lxml.html.HtmlElement:
    """The web edition of a list that reads one feed of `items`, sent and public."""
    app, edition_id = _collected(tmp_path, {"Le Port": _rss("Le Port", home, items)})
    app.store.set_edition_status(edition_id, "sent", now=NOW)
    with running(tmp_path / "news" / "digest.toml") as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{edition_id}")
    assert page.status_code == 200
    return lxml.html.document_fromstring(page.text)


def test_the_web_edition_keeps_each_mark_with_its_word(tmp_path: Path) -> None:
    document = _web_edition(tmp_path, "https://port.example.fr/", ITEMS)
    shown = [a.text_content() for a in document.iter("a")]
    titles = [t for t in shown if t.replace("\u00a0", " ") in {t for t, _ in ITEMS}]
    assert len(titles) == len(ITEMS)  # every headline is on the page
    for title in titles:
        assert not BREAKS.search(title), title
    assert "tactile\u00a0?" in " ".join(titles) and "200\u00a0€" in " ".join(titles)
    words = " ".join(document.find(".//body").text_content().split(" "))
    assert not BREAKS.search(words), words  # the standfirsts too
    # What a reader does not see laid out keeps plain spaces.
    for element in document.iter():
        for name in ("alt", "title", "aria-label", "content"):
            assert "\u00a0" not in (element.get(name) or ""), (name, element.get(name))
    assert "\u00a0" not in (document.findtext(".//title") or "")


def test_text_without_spaced_marks_is_shown_as_written(tmp_path: Path) -> None:
    """An English headline keeps its colon and question mark as they were."""
    title = "Harbour: a new pier for the ferries?"
    document = _web_edition(tmp_path, "https://port.example/", [(title, "https://port.example/1")])
    assert title in document.text_content()
