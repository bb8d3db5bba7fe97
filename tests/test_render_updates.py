"""An update (a development of a story an earlier edition carried) reads as one.

The reader must see, in the HTML and in the plain text, that a story is an update and
when it was first reported; other stories carry no such label. Rendered through the
same entry points as the other render tests (Renderer.render, App.prepare).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.app import App
from digest.codec import edition_from_dict, edition_to_dict
from digest.lint import lint_message
from digest.records import Edition
from digest.render import Renderer, Variant
from tests.test_render import NOW, READER, bodies, message
from tests.test_render_golden import EDITION_ID, sample_edition, sample_settings

# The first report of the story: 25 November, 23:30 UTC, is the 26th in Copenhagen.
FIRST = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)


def _with_updates() -> Edition:
    """The sample edition with its first lead and its first teaser as updates."""
    edition = sample_edition()
    lead = replace(edition.leads[0], update=True, first_reported=FIRST)
    teaser = replace(edition.teasers[0], update=True, first_reported=FIRST)
    return replace(
        edition, leads=(lead, *edition.leads[1:]), teasers=(teaser, *edition.teasers[1:])
    )


def _text(html: str) -> str:
    return " ".join(lxml.html.document_fromstring(html).text_content().split())


def test_an_update_is_labelled_in_the_html_and_the_text(tmp_path: Path) -> None:
    edition = _with_updates()
    lead, teaser = edition.leads[0], edition.teasers[0]
    rendered = Renderer(sample_settings(tmp_path)).render(edition)
    doc = lxml.html.document_fromstring(rendered.html)
    kickers = [" ".join(p.text_content().split()) for p in doc.find_class("kicker")]
    assert kickers == ["Update · first reported 26 Nov · Business", "Denmark", "Culture"]
    titles = [" ".join(h.text_content().split()) for h in doc.iter("h4")]
    assert titles[0] == f"Update: {teaser.title}"
    assert all(not t.startswith("Update") for t in titles[1:])
    assert f"({teaser.source} · first reported 26 Nov)" in _text(rendered.html)
    assert _text(rendered.html).count("Update") == 2

    lines = rendered.text.splitlines()
    kicker = lines[lines.index(lead.title) + 1]
    assert kicker == f"UPDATE · FIRST REPORTED 26 NOV · BUSINESS · {lead.source}"
    first_teaser = next(n for n, line in enumerate(lines) if teaser.title in line)
    assert lines[first_teaser].startswith(f"Update: {teaser.title}")
    assert f"({teaser.source} · first reported 26 Nov)" in "\n".join(lines[first_teaser:][:4])
    assert rendered.text.count("Update") + rendered.text.count("UPDATE") == 2


def test_an_update_without_a_dated_first_report_is_labelled_without_a_date(
    tmp_path: Path,
) -> None:
    edition = _with_updates()
    lead = replace(edition.leads[0], first_reported=None)
    rendered = Renderer(sample_settings(tmp_path)).render(replace(edition, leads=(lead,)))
    doc = lxml.html.document_fromstring(rendered.html)
    assert " ".join(doc.find_class("kicker")[0].text_content().split()) == "Update · Business"
    assert f"UPDATE · BUSINESS · {lead.source}" in rendered.text


@pytest.mark.parametrize(
    ("language", "html_has", "text_has"),
    [
        ("da", "Opdatering · først omtalt den 26. nov.", "OPDATERING · FØRST OMTALT DEN 26. NOV."),
        ("de", "Aktualisiert · zuerst gemeldet am 26. Nov.", "AKTUALISIERT · ZUERST"),
    ],
)
def test_the_label_follows_the_newsletter_language(
    tmp_path: Path, language: str, html_has: str, text_has: str
) -> None:
    rendered = Renderer(sample_settings(tmp_path, language=language)).render(_with_updates())
    assert html_has in _text(rendered.html)
    assert text_has in rendered.text
    assert "Update" not in _text(rendered.html) and "first reported" not in rendered.text


def test_a_stored_update_keeps_its_label_and_its_message_passes_the_lint(tmp_path: Path) -> None:
    edition = edition_from_dict(edition_to_dict(_with_updates()))
    assert edition.leads[0].update and edition.leads[0].first_reported == FIRST
    assert not edition.leads[1].update and edition.leads[1].first_reported is None
    app = App(sample_settings(tmp_path))
    text, html = bodies(message(app, edition))
    assert "Update · first reported 26 Nov" in _text(html)
    assert "UPDATE · FIRST REPORTED 26 NOV" in text
    data = app.message_for(app.prepare(edition, Variant(), False, now=NOW), EDITION_ID, READER)
    assert [f.code for f in lint_message(data) if f.level == "error"] == []


def test_an_update_kicker_in_the_text_part_is_folded_to_78_columns(tmp_path: Path) -> None:
    # The label adds 45 columns in German before the section and the outlet: an outlet
    # with a long name made a line of 90 that `digest lint` warned about.
    edition = _with_updates()
    lead = replace(edition.leads[0], source="Frankfurter Allgemeine Zeitung", section="Wirtschaft")
    edition = replace(edition, leads=(lead, *edition.leads[1:]))
    app = App(sample_settings(tmp_path, language="de"))
    text, _ = bodies(message(app, edition))
    after = text.splitlines()[text.splitlines().index(lead.title) + 1 :]
    kicker = "".join(after[: after.index("")])  # flowed: a soft break keeps its space
    assert kicker == (
        "AKTUALISIERT · ZUERST GEMELDET AM 26. NOV. · WIRTSCHAFT · Frankfurter Allgemeine Zeitung"
    )
    assert "Allgemeine Zeitung" in "\n".join(after)  # the outlet's name is not broken
    data = app.message_for(app.prepare(edition, Variant(), False, now=NOW), EDITION_ID, READER)
    assert [f.code for f in lint_message(data) if f.code == "text-line-too-long"] == []
