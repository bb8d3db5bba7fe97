"""Read a folder of article files (``.txt``, ``.md``, ``.html``) into Articles.

``.txt`` files have the seed's shape: the first line is the headline, the next paragraph
the standfirst, the rest the body ("READ ALSO:" lines and a trailing list of teaser
links are not body). ``.md`` files carry front matter; ``.html`` pages go through
:func:`~digest.collect.pages.extract_page`. An article's key is ``file:SOURCE/PATH``, so
it is stable while the file stays where it is. A page credits its own outlet
(:attr:`~digest.records.Article.outlet`), so a folder of clippings from several
publishers names each. A file that cannot be read, is empty, is not text, has no
headline or nothing but one (a .txt or .md), or gives a title or a date that cannot be
read is skipped with a warning naming it, the line where there is one, and why (a
half-saved draft must not keep the folder's other articles out; an old story dated "now"
would lead the edition: :mod:`digest.collect.filedates` says which dates are read).
Files of other kinds are named once, in one warning. A folder none of whose files can
be read raises :class:`~digest.errors.SourceError`. This module must not write
anything and must not read the clock (file times are data; ``now`` is a parameter).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import yaml

from digest.collect.bounds import cap_article, future_dated, listed
from digest.collect.entry import FUTURE_SLACK, Parsed, language_tag, standfirst
from digest.collect.filedates import DATE_KEYS, UnreadDate, file_date, looks_like_a_date
from digest.collect.filetext import decode_text, is_binary
from digest.collect.frontmeta import front_matter, key_line
from digest.collect.hosts import absolute_url
from digest.collect.markdown import markdown_to_html
from digest.collect.pages import article_from_page, extract_page
from digest.collect.plaintext import html_to_text
from digest.collect.sanitize import (
    clean_text,
    plain_line,
    sanitize_html,
)
from digest.errors import SourceError
from digest.records import Article, Image
from digest.scripts import item_language
from digest.wording.told import untitled_title

_SUFFIX_ORDER = (".txt", ".md", ".markdown", ".html", ".htm")
SUFFIXES = frozenset(_SUFFIX_ORDER)
#: Saved web pages: a page may be its headline alone (a video's, a gallery's).
_PAGES = frozenset({".html", ".htm"})
_DATE_LINE = re.compile(r"^\s*(?:published|date|updated)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_DROPPED_LINE = re.compile(r"^\s*READ ALSO\s*:", re.IGNORECASE)
_TEASER = re.compile(r"^\s*[•·▪●◦]\s")
_SURROGATE = re.compile("[\ud800-\udfff]")


class SkippedFile(SourceError):
    """One file of a folder cannot be an article; the reason, without the file's name,
    and the `line` it is about if one is (1 is the file's first)."""

    def __init__(self, why: str, line: int | None = None) -> None:
        super().__init__(why)
        self.line = line


def read_folder(
    path: Path, *, source: str, now: datetime, section: str | None, zone: tzinfo = UTC
) -> Parsed:
    """One Article per article file under `path`, sorted by relative path, and warnings.
    A date a file gives without an offset is read in `zone` (the source's time zone)."""
    if not path.is_dir():
        raise SourceError(f"{source}: {path} is not a folder")
    every = sorted(
        (f for f in path.rglob("*") if f.is_file()), key=lambda f: f.relative_to(path).as_posix()
    )
    every = [f for f in every if not any(p.startswith(".") for p in f.relative_to(path).parts)]
    files = [f for f in every if f.suffix.lower() in SUFFIXES]
    other = [_printable(f.relative_to(path).as_posix()) for f in every if f not in files]
    articles: list[Article] = []
    warnings: list[str] = []
    skipped: list[tuple[str, str]] = []  # (name, why): each file that cannot be an article
    future: list[str] = []  # the files of articles dated in the future
    for f in files:
        # A file name that is not UTF-8 is read with surrogates: they could be neither
        # printed nor stored (UnicodeEncodeError stopped the collect).
        name = _printable(f.relative_to(path).as_posix())
        try:
            read, note = read_file(f, root=path, source=source, now=now, section=section, zone=zone)
        except SkippedFile as exc:
            where = f"{name}:{exc.line}" if exc.line else name
            skipped.append((where, _printable(str(exc))))
            continue
        article, cut = cap_article(read)
        articles.append(article)
        if future_dated([article], now):
            future.append(name)
        warnings.extend(f"{name}: {problem}" for problem in [*([note] if note else []), *cut])
    if skipped and not articles:  # nothing readable at all: the source failed
        whys = [f"{name}: {why}" for name, why in skipped[:3]]
        more = [f"and {len(skipped) - 3} more"] if len(skipped) > 3 else []
        where = _printable(str(path))
        raise SourceError(f"{source}: no file in {where} could be read ({'; '.join(whys + more)})")
    warnings[:0] = [f"{name}: skipped: {why}" for name, why in skipped]
    if other:  # once, all of them: a folder of notes and pictures is not a list of faults
        kinds = ", ".join(sorted(SUFFIXES, key=_SUFFIX_ORDER.index))
        files_ = "1 file" if len(other) == 1 else f"{len(other)} files"
        warnings.append(f"{files_} skipped: not a kind read here ({kinds}): {listed(other, 5)}")
    if in_future := future_dated(articles, now):
        warnings.append(f"{in_future}: {listed(future, 5)}")
    return Parsed(tuple(articles), tuple(warnings))


def _printable(text: str) -> str:
    """`text` with the surrogates of a non-UTF-8 file name shown as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def read_file(
    file: Path,
    *,
    root: Path,
    source: str,
    now: datetime,
    section: str | None,
    zone: tzinfo = UTC,
) -> tuple[Article, str | None]:
    """The Article in one file and a warning about how it was read, if any;
    :class:`SkippedFile` if it cannot be read, is empty, is not text, has no headline
    or nothing but one, or gives a date or title it cannot be read."""
    try:
        data = file.read_bytes()
        mtime = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
    except OSError as exc:
        raise SkippedFile(f"cannot read it: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SkippedFile("the file is empty")
    if is_binary(data):
        raise SkippedFile("not text (it holds binary data: a picture or a document?)")
    key = f"file:{source}/{file.relative_to(root).as_posix()}"
    suffix = file.suffix.lower()
    note = None
    if suffix in _PAGES:
        page = extract_page(data, url=None, zone=zone)
        if declared := _page_date(page.dates, data, zone):  # read as a file's date is
            page = replace(page, published=declared)
        article = article_from_page(
            page, source=source, url=page.url, now=now, section=section, key=key
        )
    else:
        text, note = decode_text(data)
        read = _markdown if suffix in {".md", ".markdown"} else _text
        article = read(text, key=key, source=source, section=section, zone=zone)
    if not article.title:
        raise SkippedFile("it has no headline")
    if suffix not in _PAGES and not (article.summary or article.text):
        raise SkippedFile("it has only a headline, no text")  # a draft, saved half written
    # A date the file declares is kept even in the future (the ranker does not take the
    # article before then; read_folder reports it). A file without one dates from its
    # mtime, unless that is after `now`: then the file was written or copied later than
    # the time we collect for, which says nothing about the article (undated, then).
    if article.published is None and mtime <= now.astimezone(UTC) + FUTURE_SLACK:
        return replace(article, published=mtime), note
    return article, note


def _page_date(dates: tuple[str, ...], data: bytes, zone: tzinfo) -> datetime | None:
    """The first of a page's declared `dates` that can be read; None when it declares
    none but placeholders; :class:`SkippedFile` naming the line of the first that cannot
    be read when none can (a guess from its text is no date: "2026-13-45" was 1 January)."""
    problems: list[tuple[str, str]] = []
    for value in dates:
        try:
            if when := file_date(value, zone):
                return when
        except UnreadDate as exc:
            problems.append((value, str(exc)))
    if not problems:
        return None
    value, why = problems[0]
    at = data.find(value.encode())
    raise SkippedFile(why, line=data.count(b"\n", 0, at) + 1 if at >= 0 else None)


def _text(text: str, *, key: str, source: str, section: str | None, zone: tzinfo) -> Article:
    numbered = [
        (n, line) for n, line in enumerate(text.splitlines(), 1) if not _DROPPED_LINE.match(line)
    ]
    published = None
    for i, (n, line) in enumerate(numbered[:8]):
        match = _DATE_LINE.match(line)
        if match and looks_like_a_date(match[1]):
            try:
                published = file_date(match[1], zone)
            except UnreadDate as exc:
                raise SkippedFile(str(exc), line=n) from None
            del numbered[i]
            break
    lines = [line for _, line in numbered]
    start = next((n for n, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise SkippedFile("the file is empty")
    title = lines[start]
    paragraphs = list(_paragraphs(_without_teasers(lines[start + 1 :])))
    summary, body = (paragraphs[0], paragraphs[1:]) if paragraphs else ("", [])
    html_body = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    return Article(
        key=key,
        source=source,
        title=clean_text(title),
        url=None,
        summary=summary,
        text="\n\n".join(body),
        html=sanitize_html(html_body, base_url=None),
        published=published,
        section=section,
    )


def _without_teasers(lines: list[str]) -> list[str]:
    """Cut a trailing list of teaser links: a bullet line followed only by indented lines."""
    for n, line in enumerate(lines):
        if _TEASER.match(line) and all(
            not rest.strip() or rest[:1].isspace() for rest in lines[n + 1 :]
        ):
            return lines[:n]
    return lines


def _paragraphs(lines: Iterable[str]) -> Iterable[str]:
    """Blank lines separate blocks; a block is one paragraph if it looks hard-wrapped,
    else each of its lines is a paragraph (text copied from a web page)."""
    block: list[str] = []
    for line in map(plain_line, [*lines, ""]):
        if line:
            block.append(line)
            continue
        wrapped = len(block) > 1 and all(50 <= len(b) <= 100 for b in block[:-1])
        yield from [" ".join(block)] if wrapped else block
        block = []


def _markdown(text: str, *, key: str, source: str, section: str | None, zone: tzinfo) -> Article:
    try:
        meta, body = front_matter(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SkippedFile(f"bad front matter: {exc}") from exc
    title = _title(meta, text)
    if not title:  # no title in the front matter: a leading "# Heading" is the headline
        first, _, rest = body.lstrip().partition("\n")
        if first.startswith("#"):
            title, body = first.lstrip("#").strip(), rest
    url = absolute_url(_str(meta.get("url")), None)
    clean = sanitize_html(markdown_to_html(body), base_url=url)
    text_body = html_to_text(clean)
    summary = _str(meta.get("standfirst") or meta.get("summary") or meta.get("description"))
    summary = clean_text(summary) or standfirst(text_body)
    # The front matter's language when the headline and summary are in its script
    language = item_language(language_tag(meta.get("language") or meta.get("lang")), title, summary)
    # No title and no heading: the body's first sentence (a short first line is one),
    # or its opening, as an untitled feed item is titled (wording.told.untitled_title).
    title = clean_text(title or untitled_title("", text_body, language))
    image_url = absolute_url(_str(meta.get("image")), url)
    alt = clean_text(_str(meta.get("image_alt"))) or title
    tags = meta.get("tags") or meta.get("categories") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    elif not isinstance(tags, list):  # `tags: 5` is one tag, not a TypeError
        tags = [tags]
    authors = meta.get("author")
    author = ", ".join(map(str, authors)) if isinstance(authors, list) else _str(authors)
    return Article(
        key=key,
        source=source,
        title=title,
        url=url,
        summary=summary,
        text=text_body,
        html=clean,
        published=_front_matter_date(meta, text, zone),
        author=clean_text(author) or None,
        categories=tuple(dict.fromkeys(t for t in (clean_text(str(t)) for t in tags) if t)),
        image=Image(url=image_url, alt=alt) if image_url else None,
        section=section,
        language=language,
    )


def _title(meta: dict[str, Any], text: str) -> str:
    """The front matter's title; :class:`SkippedFile` naming its line when it is not a
    piece of text (`title: [list, title]` was the headline "['list', 'title']")."""
    title = meta.get("title")
    if isinstance(title, (list, dict, bool)):
        shown = str(title).lower() if isinstance(title, bool) else "a list or a table"
        raise SkippedFile(
            f"its title is not text ({shown}): put it in quotes", line=key_line(text, "title")
        )
    return _str(title)


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _front_matter_date(meta: dict[str, Any], text: str, zone: tzinfo) -> datetime | None:
    """The first of :data:`DATE_KEYS` the front matter gives; :class:`SkippedFile` naming
    its line when it is not understood."""
    key = next((k for k in DATE_KEYS if meta.get(k) is not None), None)
    if key is None:
        return None
    try:
        return file_date(meta[key], zone)
    except UnreadDate as exc:
        raise SkippedFile(str(exc), line=key_line(text, key)) from None
