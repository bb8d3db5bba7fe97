"""Rendering an edition: language, subject, campaign links, images, preheader, size guard."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import lxml.html
import pytest

from digest.app import App
from digest.config import load
from digest.errors import ConfigError, RenderError
from digest.lint import lint_message
from digest.message import prepare
from digest.records import Edition, Image, Subscriber
from digest.render import HTML_LIMIT, STRINGS, Renderer, Variant, shorten, with_utm
from tests.test_render_golden import AT, EDITION_ID, sample_edition, sample_settings, story

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
READER = Subscriber(7, "reader@example.com", "Søren Ærø", "daily")


def message(app: App, edition: Edition, *, text_only: bool = False) -> EmailMessage:
    """The message one subscriber gets, parsed."""
    prepared = app.prepare(edition, Variant(), text_only, now=NOW)
    data = app.message_for(prepared, EDITION_ID, READER)
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def bodies(msg: EmailMessage) -> tuple[str, str]:
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    return parts["text/plain"], parts.get("text/html", "")


def links(html: str) -> dict[str, list[str]]:
    """Each link's text (whitespace folded) -> its hrefs."""
    out: dict[str, list[str]] = {}
    for a in lxml.html.document_fromstring(html).iter("a"):
        out.setdefault(" ".join(a.text_content().split()), []).append(a.get("href"))
    return out


# --- language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "date", "html_has", "text_has"),
    [
        (
            "da",
            "fredag den 27. november 2026",
            [
                "Læs mere hos Nordic Ledger",
                "Afmeld",
                "Indstillinger",
                "Vis i browseren",
                "Også hos:",
                "Flere historier",
                "Du modtager The Sample Brief, fordi",
            ],
            ["Læs det i din browser:", "Læs mere:", "Afmeld med ét klik:", "FLERE HISTORIER"],
        ),
        (
            "de",
            "Freitag, 27. November 2026",
            [
                "Weiterlesen bei Nordic Ledger",
                "Abmelden",
                "Einstellungen",
                "Im Browser ansehen",
                "Auch bei:",
                "Weitere Meldungen",
                "Sie erhalten The Sample Brief, weil",
            ],
            ["Im Browser lesen:", "Weiterlesen:", "Mit einem Klick abmelden:", "WEITERE MELDUNGEN"],
        ),
    ],
)
def test_fixed_strings_and_dates_follow_the_newsletter_language(
    tmp_path: Path, language: str, date: str, html_has: list[str], text_has: list[str]
) -> None:
    rendered = Renderer(sample_settings(tmp_path, language=language)).render(sample_edition())
    html = " ".join(lxml.html.document_fromstring(rendered.html).text_content().split())
    assert f'<html lang="{language}"' in rendered.html
    assert date in html and date in rendered.text
    for phrase in html_has:
        assert phrase in html
    for phrase in text_has:
        assert phrase in rendered.text
    for english in ("Read more", "Unsubscribe", "Preferences", "More stories"):
        assert english not in html and english not in rendered.text


def test_the_plural_of_the_web_edition_note_follows_the_language(tmp_path: Path) -> None:
    settings = sample_settings(tmp_path, language="de")
    renderer = Renderer(settings)
    assert renderer.strings.plural("more_online", 1) == "1 weitere Meldung in der Webausgabe"
    assert renderer.strings.plural("more_online", 7) == "7 weitere Meldungen in der Webausgabe"


def test_every_language_has_every_string() -> None:
    for language, table in STRINGS.items():
        assert set(table) == set(STRINGS["en"]), language
        for key, text in table.items():
            fields = set(re.findall(r"\{(\w+)\}", text))
            assert fields == set(re.findall(r"\{(\w+)\}", STRINGS["en"][key])), (language, key)


def test_a_language_without_strings_gets_english_and_a_babel_date(tmp_path: Path) -> None:
    """Portuguese (French has strings of its own since; the config warns of this)."""
    rendered = Renderer(sample_settings(tmp_path, language="pt")).render(sample_edition())
    assert '<html lang="pt"' in rendered.html
    assert "sexta-feira, 27 de novembro de 2026" in rendered.text
    assert "Read more at Nordic Ledger" in rendered.html and "Unsubscribe" in rendered.html


def test_a_regional_tag_keeps_its_region_in_lang(tmp_path: Path) -> None:
    rendered = Renderer(sample_settings(tmp_path, language="de-AT")).render(sample_edition())
    assert '<html lang="de-AT"' in rendered.html
    assert "Weiterlesen bei" in rendered.html


def test_a_language_babel_does_not_know_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"digest\.toml:\d+: newsletter\.language = 'klingon'"):
        sample_settings(tmp_path, language="klingon")


# --- subject -----------------------------------------------------------------------------


def test_the_default_subject_is_lead_name_and_date(tmp_path: Path) -> None:
    renderer = Renderer(sample_settings(tmp_path))
    edition = sample_edition()
    short = replace_lead(edition, "Harbour tunnel approved")
    assert renderer.subject(short) == "Harbour tunnel approved | The Sample Brief, 27 Nov"


def test_the_default_subject_drops_date_then_name_when_they_do_not_fit(tmp_path: Path) -> None:
    renderer = Renderer(sample_settings(tmp_path))
    edition = sample_edition()
    fifty, fifty_five, sixty_five = "x" * 50, "y" * 55, "z" * 65
    assert renderer.subject(replace_lead(edition, fifty)) == f"{fifty} | The Sample Brief, 27 Nov"
    assert renderer.subject(replace_lead(edition, fifty_five)) == f"{fifty_five} | The Sample Brief"
    assert renderer.subject(replace_lead(edition, sixty_five)) == sixty_five
    assert len(renderer.subject(replace_lead(edition, "word " * 80))) <= 250


def test_a_custom_subject_template(tmp_path: Path) -> None:
    settings = sample_settings(tmp_path, language="da", extra='subject = "{name} · {date}: {lead}"')
    edition = replace_lead(sample_edition(), "Havnetunnel vedtaget")
    # A Danish day number has its full stop ("27. nov."; this said "27 nov." before).
    subject = "The Sample Brief · 27. nov.: Havnetunnel vedtaget"
    assert Renderer(settings).subject(edition) == subject


@pytest.mark.parametrize("template", ["{lead} {nope}", "{lead.__class__}", "{0}"])
def test_a_bad_subject_template_names_the_key(tmp_path: Path, template: str) -> None:
    # digest.toml rejects these at load (tests/test_config_validation.py); settings made
    # in code are still checked when the subject is filled.
    settings = sample_settings(tmp_path)
    settings = replace(settings, newsletter=replace(settings.newsletter, subject=template))
    with pytest.raises(RenderError, match=r"digest\.toml: newsletter\.subject: .*lead, name, date"):
        Renderer(settings).subject(sample_edition())


def test_a_non_ascii_subject_is_rfc2047_encoded_and_reads_back_whole(tmp_path: Path) -> None:
    settings = sample_settings(tmp_path, extra='subject = "{lead} — Københavnerbrevet, {date}"')
    edition = replace_lead(sample_edition(), "Ærø’s ferry “Ærøskøbing” returns after 2½ years")
    expected = "Ærø’s ferry “Ærøskøbing” returns after 2½ years — Københavnerbrevet, 27 Nov"
    rendered = Renderer(settings).render(edition)
    assert rendered.subject == expected
    prepared = prepare(
        rendered,
        sender="Københavnerbrevet <brief@example.org>",
        list_name="daily",
        list_title="Københavnerbrevet",
        edition_id=EDITION_ID,
        nonce="3f9a0c1d2e4b5a67",
        date=NOW,
    )
    head = prepared.head.decode("ascii")  # every header is ASCII on the wire
    subject = re.search(r"^Subject: (.*?)\r\n(?! )", head, re.M | re.S)
    assert subject and subject[1].startswith("=?utf-8?")
    assert all(len(line) <= 78 for line in subject[0].split("\r\n"))
    msg = message_from_bytes(prepared.head + b"\r\n" + prepared.body, policy=policy.default)
    assert msg["Subject"] == expected
    assert msg["From"].addresses[0].display_name == "Københavnerbrevet"
    assert msg["From"].addresses[0].addr_spec == "brief@example.org"
    assert str(msg["List-Id"]).endswith("<daily.example.org>")
    assert "Københavnerbrevet" in str(msg["List-Id"])


def replace_lead(edition: Edition, title: str) -> Edition:
    from dataclasses import replace

    return replace(edition, leads=(replace(edition.leads[0], title=title), *edition.leads[1:]))


# --- campaign parameters -----------------------------------------------------------------

UTM = 'utm = { source = "digest", medium = "email", campaign = "{list}-{date}" }'
CAMPAIGN = "utm_source=digest&utm_medium=email&utm_campaign=daily-2026-11-27"


def test_story_links_carry_campaign_parameters_end_to_end(tmp_path: Path) -> None:
    app = App(sample_settings(tmp_path, extra=UTM))
    text, html = bodies(message(app, sample_edition()))
    found = links(html)
    story_links = [
        href
        for text_, hrefs in found.items()
        for href in hrefs
        if "example.org/2026" in href or "ledger" in href or "herald" in href
    ]
    assert len(story_links) >= 8
    assert all(CAMPAIGN in href for href in story_links), story_links
    # A link with a query keeps it as written, the parameters come after it (the
    # publisher's "ref=feed" is taken off: tests/test_render_trackers.py).
    assert (
        f"https://ledger.example.com/wind?id=5&{CAMPAIGN}"
        in found["Ravnsborg Flak offshore wind farm reaches final investment decision"]
    )
    assert f"https://news.example.org/2026/11/4/story?{CAMPAIGN}" in text
    # Our own links never get them: unsubscribe, preferences, web edition.
    own = found["Unsubscribe"] + found["Preferences"] + found["View in your browser"]
    assert len(own) == 4
    assert all("utm_" not in href and href.startswith("https://brief.example.org/") for href in own)
    for line in text.splitlines():
        if "brief.example.org" in line:
            assert "utm_" not in line


def test_without_utm_settings_links_are_untouched(tmp_path: Path) -> None:
    rendered = Renderer(sample_settings(tmp_path)).render(sample_edition())
    assert "utm_" not in rendered.html and "utm_" not in rendered.text


def test_with_utm_keeps_what_the_link_already_has() -> None:
    utm = {"source": "digest", "utm_medium": "email"}
    assert with_utm("https://a.example/x?utm_source=feed#top", utm) == (
        "https://a.example/x?utm_source=feed&utm_medium=email#top"
    )
    assert with_utm("https://a.example/x?q=a%20b", {"campaign": "Daily brief"}) == (
        "https://a.example/x?q=a%20b&utm_campaign=Daily%20brief"
    )
    assert with_utm("mailto:desk@example.org", utm) == "mailto:desk@example.org"
    assert with_utm(None, utm) is None


def test_a_bad_utm_field_names_the_key(tmp_path: Path) -> None:
    settings = sample_settings(tmp_path, extra='utm = { campaign = "{issue}" }')
    with pytest.raises(RenderError, match=r"newsletter\.utm\.campaign"):
        Renderer(settings).render(sample_edition())


# --- images, preheader, sections -----------------------------------------------------------


def test_lead_images_have_alt_text_and_a_numeric_width(tmp_path: Path) -> None:
    edition = sample_edition()
    pixel = story(
        20, "A story with a tracking pixel", image=Image("https://t.example/p.gif", "", 1)
    )
    unknown = story(
        21, "A story with an image of unknown size", image=Image("https://i.example/u.jpg")
    )
    edition = Edition("daily", AT, (*edition.leads, pixel, unknown), (), id=EDITION_ID)
    # At the feeds' addresses (images = "remote"): the width and alt rules are the same
    # for pictures digest hosts (tests/test_images_hosted.py).
    settings = sample_settings(tmp_path, extra='images = "remote"')
    html = Renderer(settings).render(edition).html
    images = {img.get("src"): img for img in lxml.html.document_fromstring(html).iter("img")}
    assert images["https://img.example.org/tunnel.jpg"].get("width") == "536"  # 1200 wide
    assert images["https://img.example.org/hall.jpg"].get("width") == "300"  # kept small
    assert images["https://i.example/u.jpg"].get("width") == "536"
    assert "https://t.example/p.gif" not in images  # an icon or pixel is not shown
    assert images["https://img.example.org/tunnel.jpg"].get("alt") == "The harbour at dusk"
    # No alt from the source: decorative beside its headline, not the headline again.
    assert images["https://img.example.org/hall.jpg"].get("alt") == ""


def test_the_preheader_is_the_next_headlines_cut_at_a_word(tmp_path: Path) -> None:
    rendered = Renderer(sample_settings(tmp_path)).render(sample_edition())
    assert rendered.preheader.startswith(
        "Amager Vikings snatch late win in handball derby · Kødbyen’s food hall"
    )
    assert len(rendered.preheader) <= 140 and rendered.preheader.endswith("…")
    body = lxml.html.document_fromstring(rendered.html).find("body")
    first = next(body.iter("div"))
    assert first.text_content().startswith(rendered.preheader)
    assert "display:none" in first.get("style").replace(" ", "")
    assert shorten("one two three", 9) == "one two…"


def test_teasers_are_grouped_under_their_sections_in_rank_order(tmp_path: Path) -> None:
    rendered = Renderer(sample_settings(tmp_path)).render(sample_edition())
    doc = lxml.html.document_fromstring(rendered.html)
    headings = [h.text_content() for h in doc.iter("h3")]
    assert headings == ["Denmark", "Business", "Culture", "More stories"]
    text_headings = [
        line for line in rendered.text.splitlines() if line in map(str.upper, headings)
    ]
    assert text_headings == [h.upper() for h in headings]


def test_the_text_part_reads_well_at_78_columns(tmp_path: Path) -> None:
    rendered = Renderer(sample_settings(tmp_path)).render(sample_edition())
    lines = rendered.text.splitlines()
    assert all(len(line) <= 78 or re.fullmatch(r"\[\d+\] https://\S+", line) for line in lines)
    title = "Kødbyen’s food hall reopens: “Smørrebrød & <small> plates”"
    assert title in rendered.text  # the title as written, not escaped
    assert not re.search(r"</?[a-z]+[ >]|\|---|&\w+;|&#", rendered.text.replace(title, ""))
    assert "(Copenhagen Desk)" in rendered.text  # a source's name is never split


# --- size guard ----------------------------------------------------------------------------


def test_a_150_teaser_edition_stays_under_100_kb_and_links_to_the_web_edition(
    tmp_path: Path,
) -> None:
    app = App(sample_settings(tmp_path))
    edition = sample_edition(teasers=150)
    rendered = app.renderer.render(edition)
    assert 0 < rendered.dropped_teasers < 150
    assert 1 <= rendered.inline_passes <= 3
    text, html = bodies(message(app, edition))
    size = len(html.encode())
    assert size < HTML_LIMIT
    assert size > HTML_LIMIT * 0.9  # it dropped no more than it had to
    kept = 150 - rendered.dropped_teasers
    doc = lxml.html.document_fromstring(html)
    assert [h.text_content() for h in doc.iter("h2")] == [s.title for s in edition.leads]
    titles = [h.text_content() for h in doc.iter("h4")]
    by_section = sorted(edition.teasers[:kept], key=lambda s: "DBC".index(s.section[0]))
    assert titles == [s.title for s in by_section]
    note = f"{rendered.dropped_teasers} more stories in the web edition"
    assert links(html)[f"{note} →"] == [f"https://brief.example.org/archive/{EDITION_ID}"]
    assert f"{note}: https://brief.example.org/archive/{EDITION_ID}" in " ".join(text.split())
    assert all(s.title not in text for s in edition.teasers[kept:])
    findings = lint_message(
        app.message_for(app.prepare(edition, Variant(), False, now=NOW), EDITION_ID, READER)
    )
    assert [f.code for f in findings if f.level == "error"] == []
    assert "</html>" in html  # whole, never clipped


def test_an_edition_that_fits_drops_nothing_in_one_pass(tmp_path: Path) -> None:
    rendered = Renderer(sample_settings(tmp_path)).render(sample_edition(teasers=30))
    assert rendered.dropped_teasers == 0 and rendered.inline_passes == 1
    assert "web edition" not in rendered.html and "web edition" not in rendered.text


def test_leads_too_big_for_any_message_are_an_error_not_a_clipped_message(tmp_path: Path) -> None:
    edition = sample_edition(teasers=3)
    huge = tuple(
        story(30 + i, f"Lead {i}", summary="A very long standfirst indeed. " * 1200)
        for i in range(3)
    )
    from dataclasses import replace

    with pytest.raises(RenderError, match=r"edition 42 \(daily\).*even without teasers"):
        Renderer(sample_settings(tmp_path)).render(replace(edition, leads=huge))


def test_config_loads_the_sample(tmp_path: Path) -> None:
    assert load(sample_settings(tmp_path).path).newsletter.language == "en"


@pytest.mark.parametrize(
    ("url", "width"),
    [
        ("https://tc.example.com/2018/01/photo.jpg?w=150", 150),  # WordPress / Photon
        ("https://img.example.org/p.jpg?width=300&q=80", 300),
        ("https://img.example.org/p.jpg?w=80", None),  # a thumbnail too small to lead
        ("https://img.example.org/p.jpg?w=2400", 536),  # a big original: the column
        ("https://img.example.org/p.jpg", 536),  # no hint: the column, as before
        ("https://img.example.org/p.jpg?w=abc", 536),
    ],
)
def test_a_lead_image_without_a_declared_width_takes_the_width_its_url_asks_for(
    url: str, width: int | None
) -> None:
    """A feed's thumbnail (TechCrunch's ``?w=150``) was stretched to the 536 px column,
    blurred; the width an image service is asked for in the URL is the image's width."""
    from digest.render.stories import lead_image_width

    assert lead_image_width(Image(url)) == width
    assert lead_image_width(Image(url, width=400)) == 400  # a declared width wins
