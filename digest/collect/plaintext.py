"""The plain text of sanitised HTML: what a reader's text part, a summary and an
article's key are made of.

:func:`html_to_text` reads HTML as :func:`~digest.collect.sanitize.sanitize_html` writes
it (every tag in nh3's one shape) without HTMLParser, five times cheaper; HTML of any
other shape is read by HTMLParser, whole. Either way the text is the same: paragraphs
apart by a blank line, white space folded, no control characters, direction overrides
or stacks of marks. Must not: change the text of any HTML (a key is made of it).
"""

from __future__ import annotations

import html as htmlmod
import re
from html.parser import HTMLParser

from digest.bidi import without_controls
from digest.collect.marks import few_marks
from digest.collect.sanitize import _BIDI_CONTROL, _CONTROL, DROPPED_TAGS, _fold

_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "ul", "ol"}
    | {"table", "tr", "dl", "section", "article", "header", "footer", "aside", "main"}
    | {"figcaption", "caption", "hr", "address", "details", "summary", "nav"}
    | {"li", "dt", "dd"}  # a list item is a paragraph of its own, never half a sentence
)
_LINES = frozenset({"br"})
_CELLS = frozenset({"td", "th"})
_SKIPPED = DROPPED_TAGS
_PARA, _LINE = "\x00P", "\x00L"


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping.append(tag)
        elif not self.skipping:
            self._mark(tag)
            self.pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping and tag not in _SKIPPED:
            self._mark(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        self._mark(tag, end=True)
        if tag == "pre" and self.pre:
            self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            self.parts.append(data.replace("\n", _LINE))
        else:
            self.parts.append(data)

    def _mark(self, tag: str, *, end: bool = False) -> None:
        if tag in _BLOCKS:
            self.parts.append(_PARA)
        elif tag in _LINES and not (end and tag == "br"):
            self.parts.append(_LINE)
        elif tag in _CELLS:
            self.parts.append(" ")


#: A tag as the sanitiser writes one (nh3: names in lower case, values in double
#: quotes): its slash, its name, and the slash of one that closes itself.
_WRITTEN_TAG = re.compile(r'<(/?)([a-z][-\w]*)(?:\s+[^\s="/>]+(?:="[^"]*")?)*\s*(/?)>')
#: Elements whose content HTMLParser reads as text, not as tags.
_RAW_TEXT = frozenset({"script", "style"})


def _read_written(html: str, collector: _TextCollector) -> bool:
    """Hand `collector` the tags and text of `html` as HTMLParser would, read as the
    sanitiser writes HTML: every ``<`` opens a tag of :data:`_WRITTEN_TAG`'s shape and
    text holds only references. False (and the collector half fed) for HTML of any
    other shape, which HTMLParser must read. Five times cheaper than HTMLParser on what
    every feed item's HTML is once sanitised."""
    unescape, start = htmlmod.unescape, 0
    for match in _WRITTEN_TAG.finditer(html):
        text = html[start : match.start()]
        if "<" in text:
            return False
        if text:
            collector.handle_data(unescape(text) if "&" in text else text)
        closing, name, closed = match.groups()
        if name in _RAW_TEXT:
            return False
        if closing:
            if closed or match.end() - match.start() != len(name) + 3:
                return False  # an end tag with more in it than its name
            collector.handle_endtag(name)
        elif closed:
            collector.handle_startendtag(name, [])
        else:
            collector.handle_starttag(name, [])
        start = match.end()
    text = html[start:]
    if "<" in text:
        return False
    if text:
        collector.handle_data(unescape(text) if "&" in text else text)
    return True


def html_to_text(html: str) -> str:
    """Plain text of `html`: paragraphs separated by blank lines, whitespace folded;
    no control characters, direction overrides or stacks of marks (:func:`few_marks`)."""
    if not html:
        return ""
    collector = _TextCollector()
    if not _read_written(html, collector):
        collector = _TextCollector()
        collector.feed(html)
        collector.close()
    text = without_controls(few_marks("".join(collector.parts)))  # see digest.bidi
    if "\x00" in html:  # a NUL of the source's own must not make a marker of what follows
        blocks = [[_fold(_no_control(line)) for line in b.split(_LINE)] for b in text.split(_PARA)]
    else:  # the only NULs are the markers: the rest goes in one pass
        text = _CONTROL_BUT_NUL.sub("", text)
        blocks = [[_fold(line) for line in b.split(_LINE)] for b in text.split(_PARA)]
    paragraphs = ("\n".join(line for line in lines if line) for lines in blocks)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


#: What html_to_text removes (:data:`_CONTROL` and :data:`_BIDI_CONTROL`) but NUL.
_CONTROL_BUT_NUL = re.compile(
    "[\x01-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]"
)


def _no_control(line: str) -> str:
    return _CONTROL.sub("", _BIDI_CONTROL.sub("", line))
