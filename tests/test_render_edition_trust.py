"""What a reader sees in one rendered variant (issue 13): never an empty body, a subject
that names the lead once, a story's own language and direction, a short "Also in", and
stories without a link that do not look like links."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import lxml.html
import pytest

from digest.app import App
from digest.config import load
from digest.errors import ConfigError
from digest.lint import lint_message
from digest.records import Also, Edition, Image, Story, Subscriber
from digest.render import STRINGS, Renderer, Variant
from tests.test_render_golden import (
    AT,
    EDITION_ID,
    TUNNEL,
    sample_edition,
    sample_settings,
    story,
)

NOTE = STRINGS["en"]["variant_fallback"]
SPORT = Subscriber(8, "sport@example.com", "Sport Reader", "daily", sections=("Sport",))


def sectioned_edition() -> Edition:
    """The sample edition without its one story of no section (which every variant gets)."""
    edition = sample_edition()
    return replace(edition, teasers=tuple(s for s in edition.teasers if s.section))


def parsed(data: bytes) -> EmailMessage:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> dict[str, str]:
    return {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}


def story_blocks(html: str) -> list[lxml.html.HtmlElement]:
    doc = lxml.html.document_fromstring(html)
    return [td for td in doc.iter("td") if {"lead", "teaser"} & set(td.classes)]


# --- 1. a variant with too few stories falls back to the whole edition ---------------------


def test_a_reader_whose_sections_have_no_stories_gets_the_whole_edition_with_a_note(
    tmp_path: Path,
) -> None:
    app = App(sample_settings(tmp_path))
    edition = sectioned_edition()
    variant, text_only = app.variant_for(SPORT)
    assert variant.sections == frozenset({"Sport"}) and not text_only
    prepared = app.prepare(edition, variant, text_only, now=AT)
    msg = parsed(app.message_for(prepared, EDITION_ID, SPORT))
    body = parts(msg)
    html, text = body["text/html"], body["text/plain"]
    assert NOTE in text and NOTE in " ".join(lxml.html.fromstring(html).text_content().split())
    seen = " ".join(lxml.html.fromstring(html).text_content().split())
    for s in edition.stories:  # the whole edition, every story
        assert s.title in seen
        assert s.title.split(":")[0] in " ".join(text.split())
    # The note is at the top: before the first headline, in both parts.
    assert html.index(NOTE) < html.index(edition.leads[0].title)
    assert text.index(NOTE) < text.index(edition.leads[0].title)
    assert len(story_blocks(html)) == len(edition.stories)
    assert not [f for f in lint_message(msg.as_bytes()) if f.level == "error"]


def test_a_variant_below_min_variant_stories_falls_back_and_one_at_it_does_not(
    tmp_path: Path,
) -> None:
    edition = sectioned_edition()
    culture = Variant(frozenset({"Culture"}))  # three Culture stories in the sample
    assert len(culture.apply(edition).stories) == 3
    strict = Renderer(sample_settings(tmp_path / "a", extra="[edition]\nmin_variant_stories = 4"))
    rendered = strict.render(edition, culture)
    assert NOTE in rendered.html and NOTE in rendered.text
    assert len(story_blocks(rendered.html)) == len(edition.stories)
    assert rendered.whole_edition

    enough = Renderer(sample_settings(tmp_path / "b", extra="[edition]\nmin_variant_stories = 3"))
    rendered = enough.render(edition, culture)
    assert NOTE not in rendered.html and NOTE not in rendered.text
    assert len(story_blocks(rendered.html)) == 3 and not rendered.whole_edition
    # The general variant never carries the note.
    general = enough.render(edition)
    assert NOTE not in general.html and NOTE not in general.text


@pytest.mark.parametrize(("language", "word"), [("da", "hele udgaven"), ("de", "ganze Ausgabe")])
def test_the_fallback_note_is_in_the_newsletter_language(
    tmp_path: Path, language: str, word: str
) -> None:
    rendered = Renderer(sample_settings(tmp_path, language=language)).render(
        sectioned_edition(), Variant(frozenset({"Sport"}))
    )
    assert word in rendered.html and word in rendered.text


def test_min_variant_stories_defaults_to_min_stories_and_is_checked(tmp_path: Path) -> None:
    settings = sample_settings(tmp_path / "a", extra="[edition]\nmin_stories = 4")
    assert settings.edition.min_variant_stories == 4
    settings = sample_settings(tmp_path / "b", extra="[edition]\nmin_variant_stories = 2")
    assert settings.edition.min_variant_stories == 2 and settings.edition.min_stories == 1
    for value in ("-1", '"two"', "true", "12"):
        with pytest.raises(ConfigError, match=r"digest\.toml:\d+: edition\.min_variant_stories"):
            sample_settings(tmp_path / "c", extra=f"[edition]\nmin_variant_stories = {value}")


# --- 2. the subject ------------------------------------------------------------------------


def test_an_edition_without_leads_names_its_first_story_and_the_name_once(tmp_path: Path) -> None:
    renderer = Renderer(sample_settings(tmp_path))
    edition = sample_edition()
    no_leads = replace(edition, leads=(), teasers=edition.stories)
    assert renderer.subject(no_leads).startswith(edition.leads[0].title)
    empty = replace(edition, leads=(), teasers=())
    subject = renderer.subject(empty)
    assert subject.count("The Sample Brief") == 1, subject
    assert subject == "The Sample Brief, 27 Nov"


def test_a_lead_that_names_the_newsletter_does_not_repeat_it(tmp_path: Path) -> None:
    renderer = Renderer(sample_settings(tmp_path))
    edition = sample_edition()
    lead = replace(edition.leads[0], title="The Sample Brief turns ten")
    subject = renderer.subject(replace(edition, leads=(lead,)))
    assert subject.lower().count("the sample brief") == 1, subject


def test_a_long_subject_is_cut_at_a_word_near_90_characters(tmp_path: Path) -> None:
    renderer = Renderer(sample_settings(tmp_path))
    edition = sample_edition()
    headline = (
        "Copenhagen council approves the Eastern Harbour Tunnel after a night of debate "
        "and opens an international contest for the construction of its first stage"
    )
    subject = renderer.subject(replace(edition, leads=(replace(edition.leads[0], title=headline),)))
    assert 70 <= len(subject) <= 90 and subject.endswith("…"), subject
    cut = subject.removesuffix("…")
    assert headline.startswith(cut) and headline[len(cut)] == " "  # at a word boundary


# --- 4. a story's own language and direction -----------------------------------------------

URDU = "کراچی میں بارش کے بعد شہر کی سڑکیں پانی میں ڈوب گئیں"


def test_an_urdu_story_in_an_english_edition_is_right_to_left(tmp_path: Path) -> None:
    edition = sample_edition()
    urdu_lead = replace(edition.leads[1], title=URDU, language="ur", summary="شہر میں بارش۔")
    urdu_teaser = replace(edition.teasers[0], title=URDU + " ٹیزر", language="ur-PK")
    english = replace(edition.teasers[1], language="en-GB")
    danish = replace(edition.teasers[2], language="da")
    edition = replace(
        edition,
        leads=(edition.leads[0], urdu_lead, edition.leads[2]),
        teasers=(urdu_teaser, english, danish, *edition.teasers[3:]),
    )
    rendered = Renderer(sample_settings(tmp_path)).render(edition)
    blocks = {
        b.text_content().strip().splitlines()[0].strip(): b for b in story_blocks(rendered.html)
    }
    by_title = {
        title: next(b for b in blocks.values() if title in b.text_content())
        for title in (URDU, URDU + " ٹیزر", english.title, danish.title, edition.leads[0].title)
    }
    assert (by_title[URDU].get("lang"), by_title[URDU].get("dir")) == ("ur", "rtl")
    assert (by_title[URDU + " ٹیزر"].get("lang"), by_title[URDU + " ٹیزر"].get("dir")) == (
        "ur-PK",
        "rtl",
    )
    assert by_title[english.title].get("lang") is None  # the newsletter's own language
    assert by_title[edition.leads[0].title].get("lang") is None  # language unknown
    assert (by_title[danish.title].get("lang"), by_title[danish.title].get("dir")) == ("da", "ltr")
    assert "dir=" not in rendered.text and "lang=" not in rendered.text
    assert URDU in rendered.text


def test_an_english_story_in_an_arabic_edition_is_left_to_right(tmp_path: Path) -> None:
    edition = sample_edition()
    english = replace(edition.leads[0], language="en")
    rendered = Renderer(sample_settings(tmp_path, language="ar")).render(
        replace(edition, leads=(english, *edition.leads[1:]))
    )
    doc = lxml.html.document_fromstring(rendered.html)
    assert (doc.get("lang"), doc.get("dir")) == ("ar", "rtl")
    block = next(b for b in story_blocks(rendered.html) if english.title in b.text_content())
    assert (block.get("lang"), block.get("dir")) == ("en", "ltr")


# --- 5. "Also in" ---------------------------------------------------------------------------


def many_outlets(**extra: int) -> Story:
    """A story from Copenhagen Desk that eight other items, some from the same outlets, carried."""
    names = ["Harbour Herald", "Nordic Ledger", "Harbour Herald", "Culture Wire", "Bird Notes"]
    names += ["Copenhagen Desk", "Nordic Ledger", "Ferry Times"]
    also = tuple(
        Also(name, f"https://{i}.example.org/x" if i % 3 else None, "t", f"k:{i}")
        for i, name in enumerate(names)
    )
    base = story(1, "Tunnel vote draws crowds", source="Copenhagen Desk", also=also)
    return replace(base, **extra)


def also_line(rendered_html: str) -> str:
    doc = lxml.html.document_fromstring(rendered_html)
    ps = [p for p in doc.iter("p") if "also" in p.classes]
    assert len(ps) == 1
    return " ".join(ps[0].text_content().split())


def text_also(text: str) -> str:
    flat = " ".join(text.split())
    start = flat.index("Also in:")
    return flat[start : flat.index(".", start) + 1] if "." in flat[start:] else flat[start:]


def test_also_in_shows_three_distinct_outlets_then_a_count(tmp_path: Path) -> None:
    lead = many_outlets()
    edition = Edition("daily", AT, (lead,), (), id=EDITION_ID)
    rendered = Renderer(sample_settings(tmp_path)).render(edition)
    # Distinct outlets other than the story's own: Herald, Ledger, Wire, Notes, Ferry Times.
    assert (
        also_line(rendered.html)
        == "Also in: Harbour Herald, Nordic Ledger, Culture Wire and 2 more"
    )
    flat = " ".join(rendered.text.split())
    assert (
        "Also in: Harbour Herald <https://2.example.org/x>, "
        "Nordic Ledger <https://1.example.org/x>, Culture Wire and 2 more"
    ) in flat  # a link in <>: no mail program takes the comma after it into the link
    assert flat.count("Harbour Herald") == 1 and flat.count("Nordic Ledger") == 1
    assert "Bird Notes" not in flat and "Ferry Times" not in flat
    assert "and 2 more" in flat


def test_also_in_counts_outlets_the_ranker_left_out(tmp_path: Path) -> None:
    lead = many_outlets(also_more=40)
    edition = Edition("daily", AT, (lead,), (), id=EDITION_ID)
    rendered = Renderer(sample_settings(tmp_path)).render(edition)
    assert also_line(rendered.html).endswith("Culture Wire and 42 more")
    assert "and 42 more" in " ".join(rendered.text.split())
    da = Renderer(sample_settings(tmp_path / "da", language="da")).render(edition)
    assert also_line(da.html).endswith("og 42 andre")


def test_two_or_three_outlets_are_all_named(tmp_path: Path) -> None:
    edition = sample_edition()
    rendered = Renderer(sample_settings(tmp_path)).render(edition)
    assert also_line(rendered.html) == "Also in: Harbour Herald, Copenhagen Desk"


# --- 6. images and stories without a link ---------------------------------------------------


def test_a_story_image_beside_its_headline_has_an_empty_alt(tmp_path: Path) -> None:
    edition = sample_edition()
    same = replace(
        edition.leads[2],
        image=Image("https://img.example.org/hall.jpg", edition.leads[2].title, 300),
    )
    edition = replace(edition, leads=(edition.leads[0], edition.leads[1], same))
    settings = sample_settings(tmp_path, extra='images = "remote"')  # src: the feed's
    html = Renderer(settings).render(edition).html
    images = {i.get("src"): i for i in lxml.html.document_fromstring(html).iter("img")}
    assert images["https://img.example.org/hall.jpg"].get("alt") == ""
    # A real description of the picture (not the headline) is kept.
    assert images["https://img.example.org/tunnel.jpg"].get("alt") == "The harbour at dusk"


def test_a_story_without_a_link_is_not_a_link_anywhere_without_an_archive_page(
    tmp_path: Path,
) -> None:
    """An edition not yet stored (no id: no page in the web archive) shows a story with
    no URL as text: no empty link, no [n] reference. (A stored edition links such a
    story to its archive page: tests/test_archive.py.)"""
    edition = replace(sample_edition(), id=None)
    pictured = replace(
        edition.leads[1], image=Image("https://img.example.org/vikings.jpg", "Players", 1200)
    )
    assert pictured.url is None
    edition = replace(edition, leads=(edition.leads[0], pictured, edition.leads[2]))
    rendered = Renderer(sample_settings(tmp_path)).render(edition)
    for block in story_blocks(rendered.html):
        if (
            pictured.title in block.text_content()
            or edition.teasers[2].title in block.text_content()
        ):
            assert list(block.iter("a")) == [], lxml.html.tostring(block)
            assert "underline" not in lxml.html.tostring(block).decode()
    # In the text part the story has no [n] reference.
    text = rendered.text
    block = text[text.index(pictured.title) : text.index(edition.leads[2].title)]
    assert "[" not in block, block
    teaser = text[text.index(edition.teasers[2].title) :].split("\n\n")[0]
    assert "[" not in teaser, teaser


def test_a_linked_image_is_hidden_from_screen_readers_as_a_repeat_of_the_headline(
    tmp_path: Path,
) -> None:
    html = Renderer(sample_settings(tmp_path)).render(sample_edition()).html
    img = next(
        i for i in lxml.html.document_fromstring(html).iter("img")
        if i.get("src") == f"https://brief.example.org/images/{TUNNEL}"
    )  # fmt: skip
    link = img.getparent()
    assert link.tag == "a" and link.get("aria-hidden") == "true" and link.get("tabindex") == "-1"


def test_config_file_with_min_variant_stories_loads(tmp_path: Path) -> None:
    settings = sample_settings(
        tmp_path, extra="[edition]\nmin_stories = 2\nmin_variant_stories = 3"
    )
    assert load(settings.path).edition.min_variant_stories == 3
