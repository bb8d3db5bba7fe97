"""Read a folder of article files (``.txt``, ``.md``, ``.html``) into Articles.

``.txt`` files have the seed's shape: the first line is the headline, the next paragraph
the standfirst, the rest the body ("READ ALSO:" lines and a trailing list of teaser
links are not body). ``.md`` files carry front matter; ``.html`` pages go through
:func:`~digest.collect.pages.extract_page`. An article's key is ``file:SOURCE/PATH``, so
it is stable while the file stays where it is. A page credits its own outlet
(:attr:`~digest.records.Article.outlet`), so a folder of clippings from several
publishers names each. A file that cannot be read, is empty, is not text or has no
headline is skipped with a warning naming it and why (a half-saved draft must not keep
the folder's other articles out); a folder none of whose files can be read raises
:class:`~digest.errors.SourceError`. This module must not write anything and must not
read the clock (file times are data; ``now`` is a parameter).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from digest.collect.bounds import cap_article, future_dated
from digest.collect.entry import FUTURE_SLACK, Parsed, as_utc, language_tag, standfirst
from digest.collect.hosts import absolute_url
from digest.collect.markdown import markdown_to_html
from digest.collect.pages import article_from_page, extract_page, parse_date
from digest.collect.plaintext import html_to_text
from digest.collect.sanitize import (
    clean_text,
    plain_line,
    sanitize_html,
)
from digest.errors import SourceError
from digest.records import Article, Image
from digest.wording.told import untitled_title

SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
_DATE_LINE = re.compile(r"^\s*(?:published|date|updated)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_DROPPED_LINE = re.compile(r"^\s*READ ALSO\s*:", re.IGNORECASE)
_TEASER = re.compile(r"^\s*[•·▪●◦]\s")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: C0 controls other than tab, newlines, form feed and escape: a text file holds hardly
#: any (a stray one pasted from a web page does not make it binary).
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class SkippedFile(SourceError):
    """One file of a folder cannot be an article; the reason, without the file's name."""


def read_folder(
    path: Path, *, source: str, now: datetime, section: str | None, zone: tzinfo = UTC
) -> Parsed:
    """One Article per article file under `path`, sorted by relative path, and warnings.
    A date a file gives without an offset is read in `zone` (the source's time zone)."""
    if not path.is_dir():
        raise SourceError(f"{source}: {path} is not a folder")
    files = sorted(
        (f for f in path.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file()),
        key=lambda f: f.relative_to(path).as_posix(),
    )
    files = [f for f in files if not any(p.startswith(".") for p in f.relative_to(path).parts)]
    articles: list[Article] = []
    warnings: list[str] = []
    skipped: list[tuple[str, str]] = []  # (name, why): each file that cannot be an article
    for f in files:
        # A file name that is not UTF-8 is read with surrogates: they could be neither
        # printed nor stored (UnicodeEncodeError stopped the collect).
        name = _printable(f.relative_to(path).as_posix())
        try:
            read = read_file(f, root=path, source=source, now=now, section=section, zone=zone)
        except SkippedFile as exc:
            skipped.append((name, _printable(str(exc))))
            continue
        article, cut = cap_article(read)
        articles.append(article)
        warnings.extend(f"{name}: {problem}" for problem in cut)
    if skipped and not articles:  # nothing readable at all: the source failed
        whys = [f"{name}: {why}" for name, why in skipped[:3]]
        more = [f"and {len(skipped) - 3} more"] if len(skipped) > 3 else []
        where = _printable(str(path))
        raise SourceError(f"{source}: no file in {where} could be read ({'; '.join(whys + more)})")
    warnings[:0] = [f"{name}: skipped: {why}" for name, why in skipped]
    if future := future_dated(articles, now):
        warnings.append(future)
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
) -> Article:
    """The Article in one file; :class:`SkippedFile` if it cannot be read, is empty, is
    not text or has no headline."""
    try:
        data = file.read_bytes()
        mtime = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
    except OSError as exc:
        raise SkippedFile(f"cannot read it: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SkippedFile("the file is empty")
    if _binary(data):
        raise SkippedFile("not text (it holds binary data: a picture or a document?)")
    key = f"file:{source}/{file.relative_to(root).as_posix()}"
    suffix = file.suffix.lower()
    if suffix in {".html", ".htm"}:
        page = extract_page(data, url=None, zone=zone)
        article = article_from_page(
            page, source=source, url=page.url, now=now, section=section, key=key
        )
    elif suffix in {".md", ".markdown"}:
        article = _markdown(_decode(data), key=key, source=source, section=section, zone=zone)
    else:
        article = _text(_decode(data), key=key, source=source, section=section, zone=zone)
    if not article.title:
        raise SkippedFile("it has no headline")
    # A date the file declares is kept even in the future (the ranker does not take the
    # article before then; read_folder reports it). A file without one dates from its
    # mtime, unless that is after `now`: then the file was written or copied later than
    # the time we collect for, which says nothing about the article (undated, then).
    if article.published is None and mtime <= now.astimezone(UTC) + FUTURE_SLACK:
        return replace(article, published=mtime)
    return article


def _binary(data: bytes) -> bool:
    """Whether `data` is not text: over 1% of its first 8 KB (and more than two bytes)
    are NUL or other control bytes (a UTF-16 file with its byte-order mark is text).
    A picture or a document is full of them; a text file with a stray one pasted in
    (or planted: the collect cleans it) is still the editor's article."""
    if data.startswith(_UTF16_BOMS):
        return False
    sample = data[:8192]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


def _decode(data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text(text: str, *, key: str, source: str, section: str | None, zone: tzinfo) -> Article:
    lines = [line for line in text.splitlines() if not _DROPPED_LINE.match(line)]
    published = None
    for n, line in enumerate(lines[:8]):
        match = _DATE_LINE.match(line)
        if match and (published := _date(match[1], zone)):
            del lines[n]
            break
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
        post = frontmatter.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SkippedFile(f"bad front matter: {exc}") from exc
    meta: dict[str, Any] = dict(post.metadata)
    body = post.content
    title = _str(meta.get("title"))
    if not title:  # no title in the front matter: a leading "# Heading" is the headline
        first, _, rest = body.lstrip().partition("\n")
        if first.startswith("#"):
            title, body = first.lstrip("#").strip(), rest
    url = absolute_url(_str(meta.get("url")), None)
    clean = sanitize_html(markdown_to_html(body), base_url=url)
    text_body = html_to_text(clean)
    summary = _str(meta.get("standfirst") or meta.get("summary") or meta.get("description"))
    language = language_tag(meta.get("language") or meta.get("lang"))
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
        summary=clean_text(summary) or standfirst(text_body),
        text=text_body,
        html=clean,
        published=_date(meta.get("date"), zone),
        author=clean_text(author) or None,
        categories=tuple(dict.fromkeys(t for t in (clean_text(str(t)) for t in tags) if t)),
        image=Image(url=image_url, alt=alt) if image_url else None,
        section=section,
        language=language,
    )


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _date(value: object, zone: tzinfo) -> datetime | None:
    """A file's date in UTC; without an offset it is in `zone` (a date alone: its
    midnight there), as a newsroom writes `date: 2026-11-27 05:30` in its own time."""
    if isinstance(value, datetime):
        return as_utc(value, zone)
    if isinstance(value, date):
        return as_utc(datetime(value.year, value.month, value.day), zone)
    if not isinstance(value, str) or not value.strip():
        return None
    if when := parse_date(value, zone):
        return when
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return as_utc(parsed, zone)  # "-0000": a time whose zone the writer did not say
