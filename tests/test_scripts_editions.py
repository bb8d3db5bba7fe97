"""Editions of newsrooms that do not write English, built by the real pipeline from
feeds (collect, rank, render, compose) and read as their readers get them: the HTML's
direction, the subject, the plain text, the web archive."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest

from digest.app import App
from digest.lint import lint_message
from digest.records import Edition
from tests.conftest import write_project
from tests.test_desk import running
from tests.test_hostile_headlines import _built, _message, _parts

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
Items = list[tuple[str, str]]  # (headline, description)


def _feed(name: str, tag: str, items: Items, language: str | None) -> str:
    body = "".join(
        f"<item><title>{escape(title)}</title><link>https://{tag}.example/{n}</link>"
        f"<guid>{tag}-{n}</guid><pubDate>Thu, 26 Nov 2026 {20 - n:02d}:00:00 +0000</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for n, (title, text) in enumerate(items)
    )
    said = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>https://{tag}.example/</link>{said}{body}"
        "</channel></rss>"
    )


def build(
    tmp_path: Path,
    feeds: dict[str, tuple[str | None, Items]],
    *,
    language: str = "en",
) -> tuple[App, Edition]:
    """An edition of `feeds` ({outlet: (its feed's <language> or None, items)}) for a
    newsletter in `language`, with one subscriber."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    sources = ""
    for n, (name, (said, items)) in enumerate(feeds.items()):
        path = tmp_path / f"feed{n}.rss"
        path.write_text(_feed(name, f"outlet{n}", items, said), encoding="utf-8")
        sources += f'[[sources]]\nname = "{name}"\nurl = "{path}"\n\n'
    config = write_project(tmp_path / "news", sources=sources)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("address =", f'language = "{language}"\naddress ='))
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None] * len(feeds)
    return app, _built(app, reports)


message, parts = _message, _parts


def story_cells(html: str) -> dict[str, str]:
    """Each story's headline -> the attributes of its lead or teaser cell."""
    cells = re.finditer(r'<td class="(?:lead|teaser)"([^>]*)>(.*?)</td>\s*</tr>', html, re.S)
    out = {}
    for cell in cells:
        title = re.search(r'class="(?:lead|teaser)-title"[^>]*>(?:<a [^>]*>)?([^<]*)', cell[2])
        assert title, cell[0][:200]
        out[title[1]] = re.sub(r'\s*style="[^"]*"', "", cell[1]).strip()
    return out


# -- right to left, when no feed says its language ------------------------------------------
ARABIC = ("ارتفاع أسعار الذهب 3% في أسبوع!", "ارتفعت أسعار الذهب بنسبة ثلاثة في المئة.")
HEBREW = ("מחירי הדירות עלו ב-5% בשנה האחרונה.", "מחירי הדירות בישראל עלו בחמישה אחוזים.")
ENGLISH = [
    ("Harbour baths reopen after the storm", "The harbour baths reopen on Monday."),
    ("Ferry strike called off!", "The ferry union called off Monday's strike."),
]


def test_an_arabic_and_a_hebrew_headline_in_an_english_edition_read_right_to_left(
    tmp_path: Path,
) -> None:
    """Most feeds do not say their language. An Arabic or Hebrew story in an English
    edition was laid out left to right: its closing "!" or "." shown at its start (the
    right end), the text flush left. Its cell says dir="rtl" now; the English ones say
    nothing, as before."""
    feeds = {
        "Harbour Herald": (None, ENGLISH),
        "Al Ahram": (None, [ARABIC]),
        "Haaretz": (None, [HEBREW]),
    }
    app, edition = build(tmp_path, feeds)
    html = parts(message(app, edition))["text/html"]
    assert re.search(r'<html lang="en"[^>]*>', html) and 'dir="rtl" xmlns' not in html
    cells = story_cells(html)
    assert cells[ARABIC[0]] == 'dir="rtl"'
    assert cells[HEBREW[0]] == 'dir="rtl"'
    assert cells[ENGLISH[0][0]] == "" and cells[ENGLISH[1][0]] == ""


def test_an_english_headline_in_an_arabic_edition_reads_left_to_right(tmp_path: Path) -> None:
    feeds = {"Al Ahram": (None, [ARABIC]), "Harbour Herald": (None, ENGLISH[:1])}
    app, edition = build(tmp_path, feeds, language="ar")
    html = parts(message(app, edition))["text/html"]
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    cells = story_cells(html)
    assert cells[ENGLISH[0][0]] == 'dir="ltr"'
    assert cells[ARABIC[0]] == ""  # it reads as the edition does


def test_a_declared_language_still_gives_lang_and_dir(tmp_path: Path) -> None:
    app, edition = build(tmp_path, {"Al Ahram": ("ar", [ARABIC]), "Herald": (None, ENGLISH)})
    cells = story_cells(parts(message(app, edition))["text/html"])
    assert cells[ARABIC[0]] == 'lang="ar" dir="rtl"'


def test_the_web_archive_of_an_arabic_newsletter_reads_right_to_left(tmp_path: Path) -> None:
    """The archive page ("View in your browser") of an edition in Arabic said lang="ar"
    and nothing of its direction: the whole edition read left to right."""
    feeds = {"Al Ahram": (None, [ARABIC]), "Harbour Herald": (None, ENGLISH[:1])}
    app, edition = build(tmp_path, feeds, language="ar")
    assert edition.id is not None
    app.store.set_edition_status(edition.id, "sent", now=NOW)
    with running(app.settings.path) as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{edition.id}").text
        index = c.get("/archive").text
    assert re.search(r'<article lang="ar" dir="rtl">', page), page[:2000]
    english = re.search(r"<section([^>]*)>(?:(?!</section>).)*Harbour baths", page, re.S)
    assert english and 'dir="ltr"' in english[1]
    # The index lists the edition by its subject, an Arabic headline
    listed = re.search(r'<a class="title"[^>]*>', index)
    assert listed and 'dir="auto"' in listed[0]


# -- a subject shortened inside a headline with no spaces --------------------------------------
def test_a_subject_is_never_cut_inside_an_emoji_or_a_letter_with_its_marks(
    tmp_path: Path,
) -> None:
    """A Japanese headline has no space to cut the subject at: it is cut inside the
    text, and was cut between the two halves of a flag (a lone "🇯", which shows as a
    boxed letter) or inside a family emoji (two parents, no children). It is cut
    between whole characters as the reader sees them (grapheme clusters) now."""
    flag = "東" * 88 + "🇯🇵" + "京" * 10  # the cut falls between 🇯 and 🇵
    family = "東" * 86 + "👨‍👩‍👧‍👦" + "京" * 10  # ... inside the family
    accent = "कि" * 44 + "कि" + "क" * 20  # ... between a consonant and its vowel sign
    items = [(flag, "東京。"), (family, "京都。"), (accent, "नमस्ते।")]
    for n, item in enumerate(items):
        app, edition = build(tmp_path / str(n), {"Asahi": (None, [item])})
        subject = message(app, edition)["Subject"]
        assert subject.endswith("…") and len(subject) <= 90, subject
        kept = subject[:-1]
        assert item[0].startswith(kept)
        whole = item[0][: len(kept) + 1]
        assert not kept.endswith("🇯"), subject
        assert not kept.endswith(("\u200d", "👨‍👩", "👨‍👩‍👧")), subject
        assert not (whole.endswith("ि") and not kept.endswith("ि")), subject  # no lone "क"


# -- the plain-text part of an edition in Japanese or Chinese -----------------------------------
JA_SUMMARY = (
    "東京都は二十六日、都内の保育所の待機児童がゼロになったと発表した。"
    "待機児童がゼロになるのは統計を取り始めてから初めてで、都は新しい保育所を三年間で"
    "二百か所増やしてきた。小池知事は記者会見で「子育てをする家庭を引き続き支えたい」と述べた。"
)
ZH_SUMMARY = (
    "上海市政府二十六日宣布，地铁十九号线将于明年一月正式开通运营。"
    "这条线路全长四十七公里，设有三十五座车站，连接浦东新区和闵行区，预计每天运送乘客超过五十万人次。"
)


def _columns(line: str) -> int:
    """The columns a line takes in a fixed-width font (a CJK character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_japanese_and_chinese_plain_text_is_folded_at_78_columns(tmp_path: Path) -> None:
    """The plain-text part folds at spaces, and Japanese and Chinese have none: a whole
    summary was one line of 118 characters (236 columns), which `digest lint` itself
    reports (text-line-too-long). It is folded between characters now, within 78
    columns, never starting a line with 、 。 ， or a closing bracket."""
    feeds = {
        "朝日テスト": ("ja", [("東京都の待機児童、初めてゼロに", JA_SUMMARY)]),
        "新华测试": ("zh", [("上海地铁十九号线明年一月开通", ZH_SUMMARY)]),
    }
    app, edition = build(tmp_path, feeds, language="ja")
    assert edition.id is not None
    data = app.preview(edition.id, email="ann@example.com", now=NOW).message
    assert "text-line-too-long" not in {f.code for f in lint_message(data)}
    text = parts(message(app, edition))["text/plain"]
    lines = text.splitlines()
    # A labelled link ("Unsubscribe with one click: https://…") is one line, as lint allows.
    assert max(_columns(line) for line in lines if "://" not in line) <= 78, text
    assert not [line for line in lines if line.strip()[:1] in set("、。，」）")], text
    joined = "".join(line.strip() for line in lines)
    for summary in (JA_SUMMARY, ZH_SUMMARY):
        assert summary[:60] in joined  # folded, not changed


# -- the subject's date ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "date"),
    [
        ("ja", "11月27日"),  # was "27 11月": a day number, then "November"
        ("zh", "11月27日"),
        ("ko", "11월 27일"),  # was "27 11월"
        ("de", "27. Nov."),  # was "27 Nov.": a German day number has its full stop
        ("da", "27. nov."),
        ("hu", "nov. 27."),  # was "27 nov."
        ("en", "27 Nov"),  # as it was
        ("fr", "27 nov."),  # as it was
    ],
)
def test_the_subject_date_is_written_as_the_language_writes_it(
    tmp_path: Path, language: str, date: str
) -> None:
    app, edition = build(
        tmp_path, {"Herald": (None, [("Tunnel", "The tunnel opens.")])}, language=language
    )
    subject = message(app, edition)["Subject"]
    assert subject == f"Tunnel | The Test Brief, {date}"


@pytest.mark.parametrize(
    ("name", "headline"),
    [
        ("İzmir Gazetesi", "İZMİR GAZETESİ okurlarına yeni yıl hediyesi"),  # "İ" folds to "i̇"
        ("Ελληνική Ενημέρωση", "ΕΛΛΗΝΙΚΗ ΕΝΗΜΕΡΩΣΗ: νέα εποχή"),  # Greek capitals drop accents
    ],
)
def test_a_headline_that_names_the_newsletter_in_capitals_does_not_repeat_it(
    tmp_path: Path, name: str, headline: str
) -> None:
    """The subject leaves the newsletter's name out when the headline already gives it.
    Written in capitals, a Turkish name's "İ" casefolds to "i" with a dot and a Greek
    name loses its accents, so the name was not found and the subject said it twice
    ("İZMİR GAZETESİ okurlarına ... | İzmir Gazetesi, 27 Kas")."""
    app, edition = build(tmp_path, {"Src": (None, [(headline, "Metin.")])})
    config = app.settings.path
    config.write_text(config.read_text(encoding="utf-8").replace("The Test Brief", name))
    app = App.from_config(config)
    subject = message(app, edition)["Subject"]
    assert subject == f"{headline}, 27 Nov", subject


# -- capitals in the plain text ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "outlet", "capitals"),
    [
        ("tr", "İzmir Gazetesi", "İZMİR GAZETESİ"),  # was "İZMIR GAZETESI"
        ("el", "Καθημερινή", "ΚΑΘΗΜΕΡΙΝΗ"),  # was "ΚΑΘΗΜΕΡΙΝΉ": capitals drop the tonos
        ("en", "Harbour Herald", "HARBOUR HERALD"),  # as it was
    ],
)
def test_the_plain_texts_headings_are_in_the_languages_own_capitals(
    tmp_path: Path, language: str, outlet: str, capitals: str
) -> None:
    """The plain text sets a story's outlet (or section) in capitals, as the HTML does
    with CSS, which browsers capitalise by the page's `lang`; the text part used
    Python's `upper`, which knows no language."""
    items = [("Liman köprüsü yeniden açıldı", "Köprü iki yıl sonra trafiğe açıldı.")]
    app, edition = build(tmp_path, {outlet: (language, items)}, language=language)
    text = parts(message(app, edition))["text/plain"]
    assert capitals in text.splitlines(), text
