"""What a folder source makes of odd files, and that it says so, naming the file.

Each was stored with no warning: a .txt with only a headline, a UTF-16 byte-order mark
before text that is not UTF-16 (the headline came out as "戀摡戠…"), a front-matter
title that is a list (the headline "['list', 'title']"); a link whose address holds
brackets left a stray ")" in the text; the future-date warning did not say which file;
a file of a kind not read (notes.docx) was passed over without a word."""

from __future__ import annotations

import codecs
import os
from datetime import UTC, datetime
from pathlib import Path

from digest.collect.folder import read_folder

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
STORY = "Harbour reopens\n\nThe standfirst, in one sentence.\n\nThe body of the story.\n"


def _read(folder: Path) -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
    for f in folder.iterdir():
        os.utime(f, (NOW.timestamp() - 3600, NOW.timestamp() - 3600))
    parsed = read_folder(folder, source="Desk", now=NOW, section=None)
    return {a.key.rsplit("/", 1)[1]: (a.title, a.text) for a in parsed.articles}, parsed.warnings


def test_a_text_file_with_only_a_headline_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "draft.txt").write_text("Council to vote on bridge\n\n")
    (tmp_path / "story.txt").write_text(STORY)
    articles, warnings = _read(tmp_path)
    assert list(articles) == ["story.txt"]
    assert warnings == ("draft.txt: skipped: it has only a headline, no text",)


def test_utf16_is_decoded_by_its_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "le.txt").write_bytes(codecs.BOM_UTF16_LE + STORY.encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes(codecs.BOM_UTF16_BE + STORY.encode("utf-16-be"))
    # A little-endian mark before big-endian text: the mark is wrong, the text is not.
    (tmp_path / "mixed.txt").write_bytes(codecs.BOM_UTF16_LE + STORY.encode("utf-16-be"))
    (tmp_path / "cjk.txt").write_bytes(
        codecs.BOM_UTF16_LE + "港口重新开放\n\n船只今天返回。\n\n正文。\n".encode("utf-16-le")
    )
    articles, warnings = _read(tmp_path)
    for name in ("le.txt", "be.txt", "mixed.txt"):
        assert articles[name] == ("Harbour reopens", "The body of the story."), name
    assert articles["cjk.txt"][0] == "港口重新开放"
    assert warnings == ()


def test_a_utf16_mark_before_8_bit_text_is_read_as_that_text_with_a_warning(
    tmp_path: Path,
) -> None:
    (tmp_path / "bad.txt").write_bytes(
        b"\xff\xfe" + b"bad bridge repairs\n\nA standfirst.\n\nBody.\n"
    )
    articles, warnings = _read(tmp_path)
    assert articles["bad.txt"][0] == "bad bridge repairs"
    assert warnings == (
        "bad.txt: starts with a UTF-16 byte-order mark but its text is not UTF-16: read as UTF-8",
    )


def test_a_title_that_is_not_text_is_refused_naming_its_line(tmp_path: Path) -> None:
    (tmp_path / "list.md").write_text("---\nauthor: Desk\ntitle: [list, title]\n---\n\nBody.\n")
    (tmp_path / "yes.md").write_text("---\ntitle: yes\n---\n\nBody.\n")
    (tmp_path / "year.md").write_text("---\ntitle: 1917\n---\n\nBody.\n")
    articles, warnings = _read(tmp_path)
    assert list(articles) == ["year.md"]
    assert warnings == (
        "list.md:3: skipped: its title is not text (a list or a table): put it in quotes",
        "yes.md:2: skipped: its title is not text (true): put it in quotes",
    )


def test_a_link_whose_address_holds_brackets_leaves_no_bracket_in_the_text(
    tmp_path: Path,
) -> None:
    (tmp_path / "js.md").write_text(
        "---\ntitle: Links\n---\n\nClick [this](javascript:alert(1)) now, or read "
        "[Mercury](https://en.wikipedia.org/wiki/Mercury_(planet)) instead.\n"
    )
    parsed = read_folder(tmp_path, source="Desk", now=NOW, section=None)
    [article] = parsed.articles
    assert article.text == "Click this now, or read Mercury instead."
    assert "javascript" not in article.html
    assert 'href="https://en.wikipedia.org/wiki/Mercury_(planet)"' in article.html


def test_the_future_date_warning_names_the_files(tmp_path: Path) -> None:
    (tmp_path / "next-year.md").write_text("---\ntitle: Next year\ndate: 2027-06-01\n---\n\nB.\n")
    (tmp_path / "story.txt").write_text(STORY)
    _, warnings = _read(tmp_path)
    assert warnings == (
        "1 item dated in the future (after 2026-11-28 06:00 UTC): kept its date, "
        "not ranked before then: next-year.md",
    )


def test_files_of_kinds_not_read_are_named_once(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(STORY)
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04" + bytes(64))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(64))
    (tmp_path / ".draft.swp").write_bytes(b"x")  # hidden: an editor's, not the desk's
    articles, warnings = _read(tmp_path)
    assert list(articles) == ["story.txt"]
    assert warnings == (
        "2 files skipped: not a kind read here (.txt, .md, .markdown, .html, .htm): "
        "notes.docx, sub/photo.jpg",
    )
