"""Bounds on what one item may bring in, and the warnings that say what was done.

A hostile or broken item must not stall collection or make an edition unsendable: its
raw HTML is cut to :data:`MAX_HTML_CHARS`, its title to
:data:`~digest.collect.entry.TITLE_CHARS` and its text to
:data:`~digest.collect.entry.TEXT_CHARS` (each reported, naming the item), and dates
far in the future are counted and named. This module only measures and cuts strings: it must
not parse feeds, sanitise, or read the clock (``now`` is a parameter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from digest.collect.entry import FUTURE_SLACK, TEXT_CHARS, TITLE_CHARS, shorten
from digest.records import Article

#: Longest raw HTML of one item we parse; the rest is cut at a tag boundary.
MAX_HTML_CHARS = 1_000_000


def item_name(title: str, link: str | None) -> str:
    """``'Title…' (link)``: how a warning names an item."""
    where = f" ({link})" if link else ""
    return f"'{shorten(title, 48)}'{where}"


def cap_html(raw: str) -> tuple[str, str | None]:
    """`raw` cut to :data:`MAX_HTML_CHARS` after a tag's end, and the warning if it was."""
    if len(raw) <= MAX_HTML_CHARS:
        return raw, None
    cut = raw[:MAX_HTML_CHARS]
    cut = cut[: cut.rfind(">") + 1] or cut
    return cut, f"HTML cut from {len(raw):,} to {len(cut):,} characters"


def cap_article(article: Article) -> tuple[Article, list[str]]:
    """`article` with its title and text within bounds, and a warning for each cut."""
    problems = []
    title, text = article.title, article.text
    if len(title) > TITLE_CHARS:
        title = shorten(title, TITLE_CHARS)
        problems.append(f"title cut from {len(article.title):,} to {TITLE_CHARS:,} characters")
    if len(text) > TEXT_CHARS:
        text = _cut_text(text, TEXT_CHARS)
        problems.append(f"text cut from {len(article.text):,} to {TEXT_CHARS:,} characters")
    if not problems:
        return article, []
    capped = replace(article, title=title, text=text)
    if capped.image is not None and capped.image.alt == article.title:
        capped = replace(capped, image=replace(capped.image, alt=capped.title))
    name = item_name(capped.title, capped.url)
    return capped, [f"{name}: {problem}" for problem in problems]


def _cut_text(text: str, limit: int) -> str:
    """`text` (paragraphs kept) cut at a whitespace to at most `limit` characters."""
    head = text[: limit - 1]
    space = max(head.rfind(" "), head.rfind("\n"))
    return (head[:space] if space > 0 else head).rstrip() + "…"


def future_dated(articles: Sequence[Article], now: datetime) -> str | None:
    """A warning counting articles dated after ``now + FUTURE_SLACK``, or None."""
    count = len(_later(articles, now))
    if not count:
        return None
    items, kept = (
        ("1 item", "kept its date") if count == 1 else (f"{count} items", "kept their dates")
    )
    return (
        f"{items} dated in the future (after {_limit(now):%Y-%m-%d %H:%M} UTC): {kept}, "
        "not ranked before then"
    )


def future_named(articles: Sequence[Article], now: datetime, shown: int = 3) -> str | None:
    """:func:`future_dated`'s warning naming the first `shown` of those articles (by
    title, or link when untitled) and how many more: a feed's items have no file name."""
    warning = future_dated(articles, now)
    if warning is None:
        return None
    names = [f"'{shorten(a.title, 48)}'" if a.title else a.url or "" for a in _later(articles, now)]
    return f"{warning}: {listed(names, shown)}"


def listed(names: Sequence[str], shown: int) -> str:
    """``a, b, c, and 2 more``: the first `shown` names and how many are left out."""
    more = [f"and {len(names) - shown} more"] if len(names) > shown else []
    return ", ".join([*names[:shown], *more])


def _limit(now: datetime) -> datetime:
    return now.astimezone(UTC) + FUTURE_SLACK


def _later(articles: Sequence[Article], now: datetime) -> list[Article]:
    limit = _limit(now)
    return [a for a in articles if a.published is not None and a.published > limit]
