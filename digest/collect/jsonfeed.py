"""Read a JSON Feed 1.0 / 1.1 document (https://jsonfeed.org) into :class:`Entry` values.

feedparser does not read JSON Feed, so this is a small reader of our own. It checks the
type of every member it uses and reports the member's path (``items[3].title must be a
string, not int``) rather than guessing: a bad item is dropped and named in the
returned warnings, and a document that is not a feed, or whose every item is bad,
raises :class:`~digest.errors.SourceError`. The spec's own leniency is kept (a
numeric ``id`` is coerced to a string), and entities that publishers put in plain-text
members are decoded once. It must not
sanitise (the caller does), fetch, or read the clock.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from digest.collect.aggregators import home_sites
from digest.collect.entry import (
    Entry,
    as_utc,
    language_tag,
    link_post,
    plain_text_html,
    source_error,
)
from digest.collect.hosts import absolute_url
from digest.collect.pictures import own_pictures
from digest.records import Image

#: A lone surrogate: JSON may spell one (\\ud800, half an emoji cut in two), but it is
#: not a character, and no UTF-8 text (HTML, the database, a message) can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Invalid(Exception):
    """A member has the wrong type (the message is its path and what was wrong)."""


def read(
    body: bytes, *, source: str, url: str | None
) -> tuple[list[Entry], str | None, frozenset[str], list[str]]:
    """The entries of a JSON Feed document, its language, its own pictures (``icon``,
    ``favicon``: see :mod:`digest.collect.pictures`) and the items it dropped."""
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise source_error(source, url, f"invalid JSON ({exc})") from exc
    try:
        return _read(_whole(doc), url)
    except _Invalid as exc:
        raise source_error(source, url, f"JSON Feed {exc}") from exc
    except RecursionError:
        raise source_error(source, url, "JSON nested too deeply") from None


def _read(
    doc: object, url: str | None
) -> tuple[list[Entry], str | None, frozenset[str], list[str]]:
    if not isinstance(doc, dict):
        raise _Invalid(f"must be an object, not {_kind(doc)}")
    version = _str(doc, "version", "'version'")
    if version is not None and "jsonfeed.org" not in version:
        raise _Invalid(f"'version' is not a JSON Feed version: {version!r}")
    if "items" not in doc:
        raise _Invalid("has no 'items'")
    items = doc["items"]
    if not isinstance(items, list):
        raise _Invalid(f"'items' must be a list, not {_kind(items)}")
    for name in ("title", "home_page_url", "feed_url", "description"):
        _str(doc, name, f"'{name}'")
    feed_author = _author(doc, "")
    language = language_tag(_str(doc, "language", "'language'"))
    base = (
        absolute_url(url, None)
        or absolute_url(doc.get("feed_url"), None)
        or absolute_url(doc.get("home_page_url"), None)
    )
    homes = [doc.get("home_page_url"), doc.get("feed_url")]
    entries: list[Entry] = []
    dropped: list[str] = []
    first: _Invalid | None = None
    for i, item in enumerate(items):
        try:
            entries.append(_entry(item, f"items[{i}]", base, feed_author, homes))
        except _Invalid as exc:  # one bad item drops itself, not the feed
            first = first or exc
            raw_id = item.get("id") if isinstance(item, dict) else None
            named = f" (id {str(raw_id)!r})" if isinstance(raw_id, str | int) else ""
            dropped.append(f"item {i}{named} dropped: {exc}")
    if first is not None and not entries:
        raise first  # nothing readable at all: the feed is broken, say why
    return entries, language, own_pictures(base, doc.get("icon"), doc.get("favicon")), dropped


def _entry(
    item: object, path: str, base: str | None, feed_author: str | None, homes: list[Any]
) -> Entry:
    """`homes`: the feed's own addresses (its home page and feed URLs)."""
    if not isinstance(item, dict):
        raise _Invalid(f"{path} must be an object, not {_kind(item)}")
    raw_id = item.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int | float | None):
        raise _Invalid(f"{path}.id must be a string, not {_kind(raw_id)}")
    # `url` is the item's own post; `external_url` the article a link post is about,
    # elsewhere: the item links to its post, the site it is credited to (entry.link_post).
    post = absolute_url(_str(item, "url", f"{path}.url"), base)
    link = absolute_url(_str(item, "external_url", f"{path}.external_url"), base) or post
    link, elsewhere = link_post(link, [post], homes, base)
    content = _str(item, "content_html", f"{path}.content_html")
    if content is None:
        content = plain_text_html(_str(item, "content_text", f"{path}.content_text") or "")
    summary = _str(item, "summary", f"{path}.summary")
    images = []
    for name in ("image", "banner_image"):
        if src := absolute_url(_str(item, name, f"{path}.{name}"), link or base):
            images.append(Image(url=src))
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _Invalid(f"{path}.tags must be a list of strings")
    return Entry(
        guid=None if raw_id is None else (str(raw_id).strip() or None),
        link=link,
        title=htmlmod.escape(_str(item, "title", f"{path}.title") or "", quote=False),
        summary=plain_text_html(summary) if summary else "",
        content=content,
        published=_date(item, "date_published", path),
        updated=_date(item, "date_modified", path),
        author=_author(item, path) or feed_author,
        categories=tuple(tags),
        images=tuple(images),
        base=link or base,
        language=language_tag(_str(item, "language", f"{path}.language")),
        elsewhere=elsewhere,
        sites=home_sites(homes),
    )


def _whole(value: object) -> object:
    """`value` with each lone surrogate in its strings (keys too) as U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {_whole(k): _whole(v) for k, v in value.items()}
    return value


def _str(obj: Mapping[str, Any], name: str, path: str) -> str | None:
    value = obj.get(name)
    if value is None or isinstance(value, str):
        return value
    raise _Invalid(f"{path} must be a string, not {_kind(value)}")


def _author(obj: Mapping[str, Any], path: str) -> str | None:
    prefix = f"{path}." if path else ""
    authors = obj.get("authors")
    if authors is None:
        authors = [] if obj.get("author") is None else [obj["author"]]
        where = f"{prefix}author"
    elif not isinstance(authors, list):
        raise _Invalid(f"{prefix}authors must be a list, not {_kind(authors)}")
    else:
        where = f"{prefix}authors[]"
    for author in authors:
        if not isinstance(author, dict):
            raise _Invalid(f"{where} must be an object, not {_kind(author)}")
        if name := _str(author, "name", f"{where}.name"):
            return name
    return None


def _date(item: Mapping[str, Any], name: str, path: str) -> datetime | None:
    value = _str(item, name, f"{path}.{name}")
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value)  # seen in the wild: RFC 822 dates
        except (TypeError, ValueError, IndexError):
            return None  # a wrong value (not a wrong type) is treated as no date
    return as_utc(when)


def _kind(value: object) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )
