"""A mark written after a space ("200 €", "tactile ?", "LIDD : Liens", "« made in
France »") never starts a line of the email, nor "«" ends one.

French puts a space before ":", ";", "!", "?", "»" and "€" and after "«". The space is a
line-break opportunity, so the edition broke there: PC INpact's headline "[Sondage] Quelle
est la diagonale d'écran idéale pour une tablette tactile ?" ended with a line holding
only "?" in Chromium at 600 px, "…ReadyNAS sont disponibles à partir de 200 €" with "€"
alone at 375 px, and in the text part ("…à partir de 200" / "€"). Both parts now keep
such a mark with the word before it (after it, for "«"), as French typesetting does.

Must not change: the words and spaces a reader sees (the text part keeps a plain space;
the HTML a no-break one), text without such marks ("Harbour: a new pier?"), the
subject line.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from digest.records import Edition, Story
from digest.render import Renderer, Variant
from digest.render.text import FLOW_WIDTH
from tests.test_email_demo import browser, png  # noqa: F401 (fixture)
from tests.test_render_golden import sample_edition, sample_settings, story

#: Headlines and standfirsts of our own, in French; several lengths, so that some line
#: of a 375 px, 600 px or 76-column layout would break right before a mark.
STEMS = [
    "Le ferry de nuit entre le quai et le port du nord revient-il vendredi",
    "Les pilotes du port obtiennent une hausse de salaire dès le mois de mai",
    "Le quai sud rouvre après deux ans de travaux sur la digue principale du port",
    "Faut-il agrandir le bassin des voiliers avant la saison des régates",
    "La capitainerie publie son bilan de l'année pour les passagers du ferry",
    "Le nouveau phare du cap est allumé pour la première fois depuis la tempête",
]
MARKS = [" ?", " !", " : le point", " €", " »", " ;"]


def french_stories() -> list[Story]:
    out = []
    for n in range(24):
        stem = " ".join(STEMS[n % len(STEMS)].split()[: 8 + n % 7])
        mark = MARKS[n % len(MARKS)]
        title = f"« {stem} »" if mark == " »" else f"{stem}{mark}"
        summary = (
            f"Le billet coûte désormais {20 + n} € : c'est « raisonnable », dit la capitainerie "
            f"du port {('nord', 'sud', 'est')[n % 3]} ; les usagers, eux, attendent la suite !"
        )
        out.append(story(100 + n, title, summary=summary, section="Port", language="fr"))
    return out


#: Headlines that the text part's 76 columns would break right before their mark.
AT_THE_EDGE = [
    "Les abonnements du ferry de nuit sont en vente au guichet du port sud à 200 €",
    "Faut-il agrandir le bassin des voiliers du vieux port avant la saison d’été ?",
    "Le bilan de la capitainerie pour les passagers du ferry de nuit cette année : hausse",
]


def french_edition() -> Edition:
    edition = sample_edition()
    edge = [story(200 + n, title, section="Port") for n, title in enumerate(AT_THE_EDGE)]
    stories = french_stories()
    return replace(edition, leads=tuple(stories[:3]), teasers=(*edge, *stories[3:]))


BAD_START = re.compile(r"^[?!:;»€](?:\s|$)")


def test_no_line_of_the_text_part_starts_with_a_spaced_mark(tmp_path: Path) -> None:
    for title in AT_THE_EDGE:  # folded as words alone, the mark starts the second line
        assert BAD_START.match(textwrap.wrap(title, FLOW_WIDTH)[1])
    rendered = Renderer(sample_settings(tmp_path)).render(french_edition())
    lines = [line.strip() for line in rendered.text.splitlines()]
    assert not [line for line in lines if BAD_START.match(line)]
    assert not [line for line in lines if line.endswith(" «")]
    assert "\u00a0" not in rendered.text  # the reader's words, plain spaces between them
    assert "€ : c'est « raisonnable », dit" in " ".join(lines)


def test_the_html_keeps_each_mark_with_its_word(tmp_path: Path) -> None:
    rendered = Renderer(sample_settings(tmp_path)).render(french_edition())
    document = lxml.html.document_fromstring(rendered.html)
    texts = [
        e.text_content()
        for e in document.iter()
        if e.get("class") in {"lead-title", "standfirst", "teaser-title", "teaser-summary"}
    ]
    assert texts
    for text in texts:
        assert not re.search(r" [?!:;»€](?:\s|$)", text), text
        assert " « " not in f" {text} ".replace("\u00a0", "_"), text
    assert any("23\u00a0€\u00a0: c'est «\u00a0raisonnable\u00a0»" in text for text in texts)


@pytest.mark.parametrize(
    "title",
    ["Harbour: a new pier for the ferries?", "Pilots win 5% rise – €45 a shift (Reuters)"],
)
def test_text_without_spaced_marks_is_shown_as_written(tmp_path: Path, title: str) -> None:
    edition = sample_edition()
    edition = replace(edition, leads=(replace(edition.leads[0], title=title),))
    renderer = Renderer(sample_settings(tmp_path))
    rendered = renderer.render(edition)
    assert title in rendered.text
    assert title in lxml.html.document_fromstring(rendered.html).text_content()


def test_the_subject_keeps_plain_spaces(tmp_path: Path) -> None:
    edition = french_edition()
    subject = Renderer(sample_settings(tmp_path)).render(edition).subject
    assert "\u00a0" not in subject
    assert subject.startswith(edition.leads[0].title.split()[0])


LINE_STARTS = """() => {
    const found = [];
    const selector = '.lead-title, .standfirst, .teaser-title, .teaser-summary';
    for (const block of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const text = node.textContent;
            for (let i = 2; i < text.length; i++) {
                if (!'?!:;»€'.includes(text[i]) || !/\\s/.test(text[i - 1])) continue;
                const mark = document.createRange();
                mark.setStart(node, i);
                mark.setEnd(node, i + 1);
                const before = document.createRange();
                before.setStart(node, i - 2);
                before.setEnd(node, i - 1);
                const a = mark.getClientRects()[0], b = before.getClientRects()[0];
                if (a && b && a.top > b.top + 2) found.push(text.slice(Math.max(0, i - 30), i + 1));
            }
        }
    }
    return found;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 600])
def test_in_chromium_no_line_starts_with_a_spaced_mark(
    tmp_path: Path,
    browser: Any,  # noqa: F811
    width: int,
) -> None:
    html = Renderer(sample_settings(tmp_path)).render(french_edition(), Variant()).html
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route("**/*", lambda route: route.fulfill(status=200, body=png(8, 8, (90, 90, 90))))
    page = context.new_page()
    try:
        page.set_content(html, wait_until="load")
        found = page.evaluate(LINE_STARTS)
    finally:
        context.close()
    assert found == []


def test_the_emails_attributes_keep_plain_spaces(tmp_path: Path) -> None:
    """A screen reader's label ("Read more at …: <headline>", a link post's "host:
    <headline>") is not laid out: no no-break space is put in it (QA, seventh session:
    the bound headline was copied into every aria-label)."""
    edition = french_edition()
    lead = replace(edition.leads[0], linked="https://autre.example.fr/article")
    edition = replace(edition, leads=(lead, *edition.leads[1:]))
    html = Renderer(sample_settings(tmp_path)).render(edition).html
    labels = [e.get("aria-label") for e in lxml.html.document_fromstring(html).iter()]
    labels = [label for label in labels if label and lead.title in label.replace("\u00a0", " ")]
    assert len(labels) == 2  # the headline's "Read more" and its "Link:" line
    for element in lxml.html.document_fromstring(html).iter():
        for name in ("alt", "title", "aria-label"):
            assert "\u00a0" not in (element.get(name) or ""), (name, element.get(name))
