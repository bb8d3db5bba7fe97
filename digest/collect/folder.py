"""Read a folder of article files (``.txt``, ``.md``, ``.html``) into Articles.

``.txt`` files have the seed's shape: the first line is the headline, the next paragraph
the standfirst, the rest the body ("READ ALSO:" lines and a trailing list of teaser
links are not body). ``.md`` files carry front matter; ``.html`` pages go through
:func:`~digest.collect.pages.extract_page`. An article's key is ``file:SOURCE/PATH``, so
it is stable while the file stays where it is. A page credits its own outlet
(:attr:`~digest.records.Article.outlet`), so a folder of clippings from several
publishers names each. An unreadable or empty file raises
:class:`~digest.errors.SourceError` naming it. This module must not write anything and
must not read the clock (file times are data; ``now`` is a parameter).
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
from digest.collect.markdown import markdown_to_html
from digest.collect.pages import article_from_page, extract_page, parse_date
from digest.collect.sanitize import (
    absolute_url,
    clean_text,
    html_to_text,
    plain_line,
    sanitize_html,
)
from digest.errors import SourceError
from digest.records import Article, Image

SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
_DATE_LINE = re.compile(r"^\s*(?:published|date|updated)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_DROPPED_LINE = re.compile(r"^\s*READ ALSO\s*:", re.IGNORECASE)
_TEASER = re.compile(r"^\s*[•·▪●◦]\s")
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    for f in files:
        try:
            read = read_file(f, root=path, source=source, now=now, section=section, zone=zone)
        except SourceError as exc:
            # A file name that is not UTF-8 is read with surrogates: they could be
            # neither printed nor stored (UnicodeEncodeError stopped the collect).
            raise SourceError(_printable(str(exc))) from exc
        article, cut = cap_article(read)
        articles.append(article)
        name = _printable(f.relative_to(path).as_posix())
        warnings.extend(f"{name}: {problem}" for problem in cut)
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
    """The Article in one file; :class:`SourceError` if it cannot be read or is empty."""
    try:
        data = file.read_bytes()
        mtime = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
    except OSError as exc:
        raise SourceError(f"{source}: cannot read {file}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SourceError(f"{source}: {file} is empty")
    key = f"file:{source}/{file.relative_to(root).as_posix()}"
    suffix = file.suffix.lower()
    if suffix in {".html", ".htm"}:
        page = extract_page(data, url=None, zone=zone)
        article = article_from_page(
            page, source=source, url=page.url, now=now, section=section, key=key
        )
    elif suffix in {".md", ".markdown"}:
        article = _markdown(_decode(data), file, key=key, source=source, section=section, zone=zone)
    else:
        article = _text(_decode(data), file, key=key, source=source, section=section, zone=zone)
    if not article.title:
        raise SourceError(f"{source}: {file} has no headline")
    # A date the file declares is kept even in the future (the ranker does not take the
    # article before then; read_folder reports it). A file without one dates from its
    # mtime, unless that is after `now`: then the file was written or copied later than
    # the time we collect for, which says nothing about the article (undated, then).
    if article.published is None and mtime <= now.astimezone(UTC) + FUTURE_SLACK:
        return replace(article, published=mtime)
    return article


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text(
    text: str, file: Path, *, key: str, source: str, section: str | None, zone: tzinfo
) -> Article:
    lines = [line for line in text.splitlines() if not _DROPPED_LINE.match(line)]
    published = None
    for n, line in enumerate(lines[:8]):
        match = _DATE_LINE.match(line)
        if match and (published := _date(match[1], zone)):
            del lines[n]
            break
    start = next((n for n, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise SourceError(f"{source}: {file} is empty")
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


def _markdown(
    text: str, file: Path, *, key: str, source: str, section: str | None, zone: tzinfo
) -> Article:
    try:
        post = frontmatter.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SourceError(f"{source}: {file}: bad front matter: {exc}") from exc
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
    title = clean_text(title or text_body.split("\n", 1)[0])
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
        language=language_tag(meta.get("language") or meta.get("lang")),
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
