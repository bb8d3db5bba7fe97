"""The language a story is said to be in (`lang` on its cell, so that a screen reader
picks the right voice and a browser the right hyphenation): a feed's declared language
only when the item's text is written in that language's script; a language read from
the text only when its letters tell it (digest.scripts). Texts of our own writing,
and the shared corpus's feeds as collect reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect.feeds import read_feed
from digest.collect.folder import read_folder
from digest.records import Article
from digest.scripts import item_language
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)

ENGLISH = (
    "Harbour baths reopen after the storm",
    "The harbour baths reopen on Monday, the council said.",
)
KANNADA = (
    "ಬೆಂಗಳೂರಿನಲ್ಲಿ ಹೊಸ ಮೆಟ್ರೋ ಮಾರ್ಗ ಆರಂಭ",
    "ನಗರದ ಹೊಸ ಮೆಟ್ರೋ ಮಾರ್ಗವನ್ನು ಶುಕ್ರವಾರ ಉದ್ಘಾಟಿಸಲಾಯಿತು.",
)
RUSSIAN = (
    "В Оренбурге открыли новый мост через Урал",
    "Движение по мосту откроют в пятницу, сообщили в мэрии города.",
)
UKRAINIAN = (
    "У Львові відкрили новий міст через річку",
    "Рух мостом відкриють у п’ятницю, повідомили в міській раді.",
)
BULGARIAN = (
    "В Пловдив откриха нов мост над Марица",
    "Движението по моста ще започне в петък, съобщиха от общината.",
)
#: Russian with none of ы, э, ё: its case endings tell it from Bulgarian ("-ями", "-ской").
RUSSIAN_PLAIN = (
    "Полиция провела рейд в Оренбургской области",
    "Инспектора говорили с водителями и пешеходами о правилах движения.",
)
SERBIAN = ("Нови мост у Београду отворен за саобраћај", "Мост је отворен у петак.")
BELARUSIAN = ("У Мінску адкрылі новы мост праз раку", "Рух па мосце пачнецца ў пятніцу.")
GREEK = ("Νέα γέφυρα στη Θεσσαλονίκη", "Η γέφυρα ανοίγει την Παρασκευή, είπε ο δήμος.")
JAPANESE = (
    "東京都の待機児童、初めてゼロに",
    "東京都は二十六日、待機児童がゼロになったと発表した。",
)
CHINESE = ("上海地铁十九号线明年一月开通", "这条线路全长四十七公里，设有三十五座车站。")


@pytest.mark.parametrize(
    ("declared", "texts", "expected"),
    [
        # a declared language whose script the text is written in: trusted, as before
        ("kn", KANNADA, "kn"),
        ("en", ENGLISH, "en"),
        ("de", ENGLISH, "de"),  # Latin letters cannot tell German from English
        ("ru", RUSSIAN, "ru"),
        ("bg", BULGARIAN, "bg"),
        ("sr-Latn", ("Novi most u Beogradu", "Most je otvoren u petak."), "sr-Latn"),
        ("ja", JAPANESE, "ja"),
        ("zh-Hant", CHINESE, "zh-Hant"),  # the text's Han characters are its script
        ("el", ("", ""), "el"),  # no letters: nothing to doubt it by
        ("xx", ENGLISH, "xx"),  # a language we do not know the script of
        # ... whose script the text is not in: not trusted
        ("kn", ENGLISH, None),
        ("ar", ENGLISH, None),
        ("ru", ENGLISH, None),
        ("en", RUSSIAN, "ru"),  # told by its letters instead
        ("kn", RUSSIAN, "ru"),
        # no declaration: Cyrillic only where its letters tell the language
        (None, RUSSIAN, "ru"),
        (None, UKRAINIAN, "uk"),
        (None, RUSSIAN_PLAIN, "ru"),
        (None, BULGARIAN, "bg"),  # ъ as a vowel ("съобщиха"), and no Russian case endings
        (None, ("Нов мост в Пловдив", "Движението по моста започва в сряда."), None),
        (None, SERBIAN, None),
        (None, BELARUSIAN, None),  # ы, but also і and ў: not Russian
        (None, ("Новости", ""), None),  # too few letters to tell
        (None, ENGLISH, None),  # Latin letters tell no language
        # scripts one language writes
        (None, GREEK, "el"),
        (None, KANNADA, "kn"),
        (None, JAPANESE, "ja"),  # kana
        (None, CHINESE, None),  # Han alone: Chinese, Cantonese or Japanese
    ],
)
def test_the_language_a_story_is_said_to_be_in(
    declared: str | None, texts: tuple[str, str], expected: str | None
) -> None:
    assert item_language(declared, *texts) == expected


def test_a_few_latin_words_do_not_unsay_a_cyrillic_story() -> None:
    """Brand names and quoted English in a Russian item leave it Russian; one Russian
    word in an English item leaves that English."""
    russian = ("Apple представила новый iPhone 17 Pro Max", "Продажи начнутся в пятницу.")
    assert item_language("ru", *russian) == "ru"
    assert item_language(None, *russian) == "ru"
    english = ("Pravda: the word «правда» means truth", "The paper was founded in 1912.")
    assert item_language("en", *english) == "en"


# -- the shared corpus's real feeds, as collect reads them ---------------------------------------
def _collected(name: str) -> list[Article]:
    path = require_corpus() / "feeds" / name
    return list(read_feed(path.read_bytes(), source=name, url=path.as_uri(), now=NOW).articles)


def test_the_english_items_of_the_corpus_kannada_portal_are_not_said_to_be_kannada() -> None:
    """news-varthabharathi-kannada.rss says <language>kn</language>; its 15 items are
    English (not one Kannada letter): each was stored as Kannada."""
    articles = _collected("news-varthabharathi-kannada.rss")
    assert len(articles) == 15
    assert [a.language for a in articles] == [None] * 15


def test_the_russian_items_of_the_corpus_orenburg_feed_are_said_to_be_russian() -> None:
    """news-orenburg-ru-windows1251.xml says no language; its 10 items are Russian."""
    articles = _collected("news-orenburg-ru-windows1251.xml")
    assert len(articles) == 10
    assert [a.language for a in articles] == ["ru"] * 10


def test_a_folders_markdown_and_pages_are_judged_as_feed_items_are(tmp_path: Path) -> None:
    """A Markdown file's `language:` and an HTML page's `<html lang>` are trusted only
    when the text is in their script; a page that says nothing gets what its letters tell."""
    (tmp_path / "kn.md").write_text(
        f"---\ntitle: {ENGLISH[0]}\nlanguage: kn\n---\n\n{ENGLISH[1]}\n", encoding="utf-8"
    )
    (tmp_path / "ru.md").write_text(
        f"---\ntitle: {RUSSIAN[0]}\n---\n\n{RUSSIAN[1]}\n", encoding="utf-8"
    )
    (tmp_path / "page.html").write_text(
        f'<html lang="en"><head><title>{UKRAINIAN[0]}</title></head><body><article>'
        f"<h1>{UKRAINIAN[0]}</h1><p>{UKRAINIAN[1]}</p><p>{UKRAINIAN[1]}</p></article></body></html>",
        encoding="utf-8",
    )
    parsed = read_folder(tmp_path, source="Desk", now=NOW, section=None)
    said = {a.title: a.language for a in parsed.articles}
    assert said == {ENGLISH[0]: None, RUSSIAN[0]: "ru", UKRAINIAN[0]: "uk"}
