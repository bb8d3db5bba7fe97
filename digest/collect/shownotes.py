"""A podcast episode's show notes, which must never become its summary.

Job: a podcast feed's item description is the episode's show notes: chapter marks
("00:00 Intro", "(12:34) The vote", "[01:02:03] Questions"), lists of links, bare
addresses, "Subscribe on Apple Podcasts / Spotify", "Support the show". A reader who gets
"00:00 Intro 02:15 The vote" under a headline learns nothing about the episode.

- :func:`story_lines` gives a paragraph without its show-note lines: subscribe, follow
  and support lines (a line that is only "Subscribe on Apple Podcasts", not "Listeners
  who subscribe on Spotify…"), and in show notes (a text with such a line or with
  :data:`MIN_CHAPTERS` chapter marks or more: "10:30 is when the first ferry leaves"
  alone is a sentence) chapter marks and lines that are an address alone or after a
  label ("Harbour webcam: https://…"; elsewhere "Done: https://…" answers a question).
- :func:`episode_summary` gives an episode's summary where its show notes open with a
  list (of topics and links): the prose before the list, else the episode's own
  one-line summary from the feed (iTunes subtitle), else nothing (the caller keeps its
  own).

Must not: touch the article key or the body (only the summary is chosen here), fetch,
or parse HTML beyond finding where its first list starts (an episode's subtitle is read
as text by :mod:`digest.collect.sanitize`).
"""

from __future__ import annotations

import re
from typing import Any

from digest.collect.plaintext import html_to_text
from digest.collect.sanitize import sanitize_html

__all__ = [
    "MIN_CHAPTERS",
    "episode_summary",
    "episode_text",
    "is_episode",
    "is_show_notes",
    "story_lines",
]

#: Chapter-mark lines a text needs before they count as a chapter list.
MIN_CHAPTERS = 2
_STAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}"
#: A chapter mark: a time opening the line (bracketed or not, a dash or bar after it)
#: and a short title, or a short title with the time in brackets after it.
_CHAPTER = re.compile(
    rf"\s*(?:[\[(]{_STAMP}[\])]|{_STAMP}(?=\s+[-–—|:]?\s*[^\W\d_]|\s*$))\s*(?:[-–—|:]\s*)?"
    rf"(?:[^\n]{{0,100}})|[^\n]{{1,100}}?\s[\[(]{_STAMP}[\])]\s*"
)
_APPS = (
    r"apple podcasts|itunes|spotify|google podcasts|youtube(?: music)?|overcast|pocket casts"
    r"|castbox|stitcher|amazon music|audible|deezer|podcast addict|your (?:favou?rite )?"
    r"(?:podcast )?(?:app|player)|instagram|twitter|facebook|tiktok|mastodon|threads|bluesky"
)
#: A line that only says where to subscribe, follow, rate or support the show.
_FURNITURE = re.compile(
    rf"(?i)\W*(?:(?:subscribe|listen|follow|find|rate|review|watch)\b[^\n.!?]{{0,80}}\b"
    rf"(?:{_APPS})\b[^\n]{{0,80}}"
    r"|(?:support|sponsor) (?:the|this|our) (?:show|podcast|pod)\b\W*(?:https?://\S+)?\W*"
    r"|(?:become a (?:patron|member|supporter)|join (?:us on|our|the) patreon)\b[^\n]{0,80}"
    r"|(?:send|leave) us (?:a )?(?:voice ?mail|message|note|review)\b[^\n]{0,80})"
)
#: A line that is a web address, alone or after a short label.
_ADDRESS = re.compile(r"\s*(?:[^\n:]{1,60}:\s*)?(?:https?://|www\.)\S+\s*")
#: A line longer than this is prose, never a show note.
_LINE_CHARS = 240
#: Where a list starts in sanitised HTML.
_LIST = re.compile(r"<(?:ul|ol)\b", re.IGNORECASE)


def is_show_notes(text: str) -> bool:
    """Whether `text` reads as show notes: a subscribe or support line, or a chapter list."""
    lines = [line for line in text.splitlines() if len(line) <= _LINE_CHARS]
    marks = sum(1 for line in lines if _CHAPTER.fullmatch(line))
    return marks >= MIN_CHAPTERS or any(_FURNITURE.fullmatch(line) for line in lines)


def story_lines(paragraph: str, *, show_notes: bool) -> str:
    """`paragraph` without its show-note lines ("" when it has nothing else); chapter
    marks and addresses go only when the text it is from is `show_notes`."""
    lines = paragraph.split("\n")
    kept = [line for line in lines if not _show_note(line, show_notes)]
    return paragraph if len(kept) == len(lines) else "\n".join(kept).strip()


def _show_note(line: str, show_notes: bool) -> bool:
    if len(line) > _LINE_CHARS:
        return False  # a paragraph of prose
    if _FURNITURE.fullmatch(line):
        return True
    return show_notes and bool(_CHAPTER.fullmatch(line) or _ADDRESS.fullmatch(line))


def prose_before_list(html: str) -> str | None:
    """The sanitised `html` before its first list, or None when it has no list."""
    start = _LIST.search(html)
    return None if start is None else html[: start.start()]


def is_episode(e: Any) -> bool:
    """Whether feedparser's entry `e` is a podcast episode (its subtitle is then the
    iTunes one, which fastxml declines to read: the element is feedparser's to map)."""
    media = (enclosure.get("type", "") for enclosure in e.get("enclosures", []))
    return "itunes_duration" in e or any(t.startswith(("audio/", "video/")) for t in media)


def episode_text(html: str) -> str:
    """An episode's subtitle, which feedparser gives as HTML ("Q&amp;A", a "<b>" from
    CDATA), as one line of the text a reader sees: no tags, entities, controls or
    direction overrides."""
    return " ".join(html_to_text(sanitize_html(html, base_url=None)).split())


def episode_summary(opening: str, subtitle: str) -> str:
    """The summary of an episode whose show notes open with a list: `opening` (the
    standfirst of the prose before the list) when there is one, else `subtitle` (the
    episode's own one-line summary) as one line."""
    return opening or " ".join(subtitle.split())
