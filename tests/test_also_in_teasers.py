"""A teaser that several outlets carried names them, as a lead does ("Also in: NJ.com,
TheHill, USA TODAY"), and the text part's masthead keeps the newsletter's name as written.

Readers saw "Also in" under the leads only: a story four outlets reported that ranked
into the teasers named none of the other three, in the text part or the HTML. And the
text part's masthead shouted the name ("IPHONE WEEKLY") the HTML and footer spell as
the newsletter does ("iPhone Weekly").
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import lxml.html

from digest.app import App
from digest.lint import lint_message
from digest.records import Edition
from digest.render import Renderer
from tests.conftest import write_project
from tests.test_render_edition_trust import many_outlets
from tests.test_render_golden import AT, EDITION_ID, sample_settings

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
TEASER = "Meth. We're on it: Spokane ad agencies divided over the county campaign"
OUTLETS = ["Spokesman.com", "NJ.com", "TheHill", "USA TODAY", "Wire Five", "Wire Six"]
# Each lead cluster: all six outlets; the teaser cluster: the first four.
LEADS = [
    ("tunnel", "Harbour tunnel vote draws record crowds to the city hall"),
    ("ferry", "Ferry strike strands commuters across the northern islands"),
    ("budget", "Regional budget deal funds new hospital wing after long talks"),
]


def _words(tag: str) -> str:
    return " ".join(f"{tag}{n}" for n in range(40))


def _article(folder: Path, name: str, title: str, tag: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{tag}.txt"
    path.write_text(f"{title}\n\nWhat happened, {_words(tag)}.\n\nMore of it, {_words(tag)}.\n")
    stamp = NOW.timestamp() - 3600
    os.utime(path, (stamp, stamp))


def _project(tmp_path: Path, name: str = "The Test Brief") -> Path:
    root = tmp_path / "news"
    sources = ""
    for n, outlet in enumerate(OUTLETS):
        folder = root / "sources" / f"outlet{n}"
        for tag, title in LEADS:
            _article(folder, outlet, title, tag)
        if n < 4:
            _article(folder, outlet, TEASER, "meth")
        _article(folder, outlet, f"Own story {n}: harbour notes", f"own{n}x")
        sources += (
            f'[[sources]]\nname = "{outlet}"\npath = "sources/outlet{n}/"\n'
            f'section = "News"\nweight = {1.0 - n / 100}\n\n'
        )
    config = write_project(root, sources=sources)
    text = config.read_text().replace('name = "The Test Brief"', f'name = "{name}"', 1)
    config.write_text(text)
    return config


def _parts(config: Path) -> tuple[str, str, bytes]:
    """The text and HTML parts a subscriber gets of a real build, and the message."""
    app = App.from_config(config)
    try:
        reports = app.collect(now=NOW)
        assert all(r.error is None for r in reports), [r.error for r in reports]
        edition = app.build(now=NOW)
        assert edition.id is not None
        preview = app.preview(edition.id, email=None, now=NOW)
    finally:
        app.close()
    msg = message_from_bytes(preview.message, policy=policy.default)
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    return parts["text/plain"].replace("\r\n", "\n"), parts["text/html"], preview.message


def _block(text: str, title: str) -> str:
    """The text part's lines of the story headed `title` (to the blank line after it),
    each soft line break of format=flowed undone."""
    joined = text.replace(" \n", " ")
    start = joined.index(title)
    return joined[start : joined.index("\n\n", start)]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_grouped_teaser_names_the_other_outlets_in_both_parts(tmp_path: Path) -> None:
    text, html, _ = _parts(_project(tmp_path))
    doc = lxml.html.document_fromstring(html)
    teaser = next(
        td for td in doc.iter("td") if "teaser" in td.classes and TEASER[:20] in td.text_content()
    )
    also = [p for p in teaser.iter("p") if "also" in p.classes]
    assert [_flat(p.text_content()) for p in also] == ["Also in: NJ.com, TheHill, USA TODAY"]
    assert "Also in: NJ.com, TheHill, USA TODAY" in _block(text, TEASER).splitlines()


def test_leads_keep_their_capped_also_line(tmp_path: Path) -> None:
    text, html, _ = _parts(_project(tmp_path))
    doc = lxml.html.document_fromstring(html)
    leads = [td for td in doc.iter("td") if "lead" in td.classes]
    lines = [_flat(p.text_content()) for td in leads for p in td.iter("p") if "also" in p.classes]
    assert lines == ["Also in: NJ.com, TheHill, USA TODAY and 2 more"]
    # In the text part too, above the teasers' section, capped as before.
    lead_part = _flat(text[: text.index("\nNEWS\n")])  # the teasers' section heading
    assert lead_part.count("Also in:") == 1
    assert "Also in: NJ.com, TheHill, USA TODAY and 2 more" in lead_part


def test_the_edition_still_lints_clean(tmp_path: Path) -> None:
    _, _, message = _parts(_project(tmp_path))
    assert lint_message(message) == []


def test_the_text_masthead_keeps_the_name_as_written(tmp_path: Path) -> None:
    text, html, _ = _parts(_project(tmp_path, name="iPhone Weekly"))
    assert text.splitlines()[:2] == ["iPhone Weekly", "Friday, November 27, 2026"]
    assert "IPHONE WEEKLY" not in text and "IPHONE WEEKLY" not in html


def test_a_teaser_names_distinct_outlets_capped_and_its_text_line_is_compact(
    tmp_path: Path,
) -> None:
    """The same three names and count as a lead (one per publisher, never the story's
    own), in the text part without each outlet's link: a teaser's line stays short."""
    lead = many_outlets()
    teaser = replace(many_outlets(), key="teaser", title="Ferry times change in spring")
    teaser = replace(teaser, url="https://desk.example.org/ferry", section="Denmark")
    edition = Edition("daily", AT, (replace(lead, also=()),), (teaser,), id=EDITION_ID)
    rendered = Renderer(sample_settings(tmp_path)).render(edition)
    doc = lxml.html.document_fromstring(rendered.html)
    (block,) = [td for td in doc.iter("td") if "teaser" in td.classes]
    also = [_flat(p.text_content()) for p in block.iter("p") if "also" in p.classes]
    assert also == ["Also in: Harbour Herald, Nordic Ledger, Culture Wire and 2 more"]
    text = rendered.text.replace("\r\n", "\n")
    lines = _block(text, teaser.title).splitlines()
    assert "Also in: Harbour Herald, Nordic Ledger, Culture Wire and 2 more" in lines
    assert "Also in:" not in text[: text.index(teaser.title)]  # the lead carried none
