"""Is there a story at all? A message whose parts show only a masthead and a footer
(the newsletter's own links) is empty, whatever its headers say.

Pure functions of a part's text; no findings of their own (the caller reports
`message-empty`).
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from digest import lint_rules as rules
from digest.lint.html import hidden, real_text

STORY_CLASSES = frozenset({"lead", "teaser", "story"})  # our theme's story blocks


def html_has_story(html: str, unsubscribe: str | None) -> bool:
    """Whether the visible HTML shows a story, not only a masthead and a footer: a story
    block of our theme, an <article>, a headline below the masthead (h2-h6), or a link
    that is none of the newsletter's own (web view, preferences, unsubscribe)."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return True  # html-unparseable says what is wrong
    body = doc.find("body")
    for el in (body if body is not None else doc).iter(lxml.etree.Element):
        if hidden(el) or any(hidden(up) for up in el.iterancestors()):
            continue
        if el.tag == "article" or STORY_CLASSES & set((el.get("class") or "").split()):
            return True
        if el.tag in ("h2", "h3", "h4", "h5", "h6") and real_text(el.text_content()):
            return True
        if el.tag == "a" and _content_link(el.get("href") or "", el.text_content(), unsubscribe):
            return True
    return False


def _content_link(href: str, words: str, unsubscribe: str | None) -> bool:
    href = href.strip()
    if not href.lower().startswith(("http://", "https://")) or href == unsubscribe:
        return False
    return not (rules.CHROME_WORDS.search(words) or rules.CHROME_WORDS.search(href))


def text_has_story(text: str, unsubscribe: str | None) -> bool:
    """Whether the text part shows a story: a rule of "=" above something other than
    the newsletter's own links, or a link (inline or a numbered reference) that a line
    other than those of the masthead and footer points to."""
    lines = [line.strip() for line in text.splitlines()]
    refs = {m[1]: m[2] for line in lines if (m := rules.TEXT_REFERENCE.fullmatch(line))}
    said = ""  # the last line with words, for a URL on a line of its own
    for i, line in enumerate(lines):
        if not line or rules.TEXT_REFERENCE.fullmatch(line):
            continue
        if rules.TEXT_RULE.fullmatch(line):
            after = next((x for x in lines[i + 1 :] if x and not rules.TEXT_RULE.fullmatch(x)), "")
            if after and not rules.CHROME_WORDS.search(after):
                return True
            continue
        words = rules.TEXT_URL.sub("", line)
        context = words if real_text(re.sub(r"\[\d+\]", "", words)) else said
        urls = rules.TEXT_URL.findall(line)
        urls += [refs[n] for n in re.findall(r"\[(\d+)\]", line) if n in refs]
        if any(_content_link(url, context, unsubscribe) for url in urls):
            return True
        if real_text(words):
            said = words
    return False
