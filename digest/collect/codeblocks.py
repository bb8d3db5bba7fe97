"""An item's HTML without its code blocks: what a summary is made of.

Job: :func:`prose_html` gives an item's HTML, sanitised, without the blocks of source
code a technical post shows between its paragraphs, so that a summary (and a lead's
standfirst) reads the post's prose: "doc = Nokogiri::Slop(<<-eohtml) <html> <body>…"
printed as a sentence is no standfirst. A code block is a ``<pre>``; a ``<code>`` that
holds more than one line; any block whose class names code (a highlighter's: "codesnip",
"highlight", "syntaxhighlighter", "sourceCode", "gist", "wp-block-code"), which the
sanitiser would make a plain ``<div>``; and, in :func:`prose_text`, a paragraph that is
a shell session ("$ sudo port install …", ">>> import os"). The paragraph that only led
in to a block ("Given this document:") goes with it: with the code gone it leads
nowhere. :func:`code_texts` gives the plain text of the blocks left out (the evidence
that a feed's own excerpt, tags stripped, ran into them).

Must not: change the stored body or its HTML (only the summary is made of this), drop
code inside a sentence ("call <code>foo()</code> first"), or cost anything for HTML
with no sign of code (:func:`prose_html` is None for it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import EllipsisType

from digest.collect.entry import shorten
from digest.collect.plaintext import html_to_text
from digest.collect.sanitize import sanitize_html
from digest.wording.trim import join_paragraphs

__all__ = [
    "Prose",
    "code_within",
    "cut_short",
    "excerpt_of",
    "prose_excerpt",
    "prose_html",
    "prose_text",
    "shows_code",
]

#: Raw HTML with any sign of a code block; HTML without one is not read twice.
_SIGNS = re.compile(
    r"(?i)<(?:pre|code|xmp)\b|\bclass\s*=\s*[\"']?[^\"'>]*(?:code|highlight|syntax|gist)"
    r"|(?:^|>|\n)\s*(?:\$|&gt;&gt;&gt;|>>>)\s+[a-z]"
)
#: A class name that says its element is code (a word of it: "codesnip-container",
#: "highlighter-rouge", "wp-block-code", "sourceCode", "gist-file"), not "barcode".
_CODE_CLASS = re.compile(
    r"(?i)(?:^|[-_\s])(?:code|codesnip|codeblock|highlight|highlighter|syntax|sourcecode"
    r"|syntaxhighlighter|gist|prettyprint|hljs)(?:[-_\s]|$)"
)
#: The mark the code-aware sanitising pass leaves on an element whose class names code.
_MARK = "digest-code"
#: A tag of sanitised HTML: its slash, its name, its attributes.
_TAG = re.compile(r'<(/?)([a-z][-\w]*)((?:\s+[^\s="/>]+(?:="[^"]*")?)*)\s*/?>')
#: Elements a class mark makes a code block (a marked <span> or <code> inside a
#: sentence is a word of code, and stays).
_BLOCKS = frozenset({"div", "pre", "table", "figure", "p", "blockquote", "ol", "ul", "dl"})
_VOID = frozenset({"br", "hr", "img"})
#: What stands for a block left out, until :func:`prose_text` reads it.
_GAP = "\ue0c0"
#: A shell session's opening line: a prompt and a command word ("$ 5 million" is money).
_PROMPT = re.compile(r"^(?:\$|%|>>>|[A-Z]:\\>)\s+[A-Za-z_./]")
#: The sentence that leads in to what followed it: ends with a colon (a sentence ends
#: after a letter's stop: "am 09. Januar" goes on).
_LEAD_IN = re.compile(r"(?:^|(?<=[^\W\d_][.!?…]\s))[^.!?…]*(?:\d\.[^.!?…]*)*[:：]\s*$")
#: Words a lead-in has at most to go with its code ("Given this document:"); a longer
#: one says something of its own, and ends with a full stop instead.
_LEAD_IN_WORDS = 8
#: What code is written with and prose seldom is.
_SYMBOLS = frozenset("{}[]()<>=;$#\\|*&^~`")
#: Words on a line of prose, at least (or a sentence's end: "Ack."); and the share of a
#: block's words on such lines,
#: of its words with a small letter, and at most of its characters that are symbols.
_LINE_WORDS = 6
_PROSE_SHARE = 0.6
_SYMBOL_SHARE = 0.08


@dataclass(frozen=True)
class Prose:
    """An item's HTML without code blocks (a gap marked where each was) and the plain
    text of the blocks left out."""

    html: str
    code: tuple[str, ...]

    @property
    def clean_html(self) -> str:
        """The HTML without the gap marks: what the text's helpers compare with."""
        return self.html.replace(f"<p>{_GAP}</p>", "")


def prose_html(
    raw: str, *, base_url: str | None, page_url: str | EllipsisType | None = ...
) -> Prose | None:
    """`raw` sanitised as :func:`sanitize_html` does, without its code blocks; None when
    it has none (nothing would differ from its sanitised HTML)."""
    if not raw or not _SIGNS.search(raw):
        return None
    marked = sanitize_html(raw, base_url=base_url, page_url=page_url, class_filter=_code_mark)
    html, code = _without_blocks(marked)
    if not code and not any(_PROMPT.match(p) for p in html_to_text(html).split("\n\n")):
        return None
    return Prose(html, tuple(code))


def prose_text(text: str) -> str:
    """`text` (of :attr:`Prose.html`) without the gaps, the shell sessions and the
    lead-ins of what was left out."""
    kept: list[str] = []
    for paragraph in text.split("\n\n"):
        if paragraph.strip() == _GAP or _PROMPT.match(paragraph):
            if kept and (lead := _LEAD_IN.search(kept[-1])):
                if len(lead[0].split()) > _LEAD_IN_WORDS:
                    kept[-1] = kept[-1][: lead.start()] + lead[0].rstrip().rstrip(":：") + "."
                elif lead.start() > 0:
                    kept[-1] = kept[-1][: lead.start()].rstrip()
                else:
                    kept.pop()
            continue
        kept.append(paragraph.replace(_GAP, "").strip())
    return "\n\n".join(p for p in kept if p)


_CUT_MARKS = ("…", "...")
#: Where a sentence ends: a stop after a letter (or a closing quote), then a space.
_SENTENCE_END = re.compile(r"(?<=[^\W\d_])[.!?…][\"'”’)]?(?=\s|$)")
#: Characters of a block's opening that, found in a summary, show it ran into the block.
_OPENING = 24
#: A block's opening shorter than this is too common to tell ("end", "x = 1").
_SHORTEST = 12


def shows_code(summary: str, code: tuple[str, ...]) -> bool:
    """Whether `summary` holds the opening of one of the blocks `code` (a feed's own
    excerpt, the post without its tags: "Given this document: doc = Nokogiri::…")."""
    folded = _fold(summary)
    for block in code:
        opening = _fold(block)[:_OPENING]
        if len(opening) >= _SHORTEST and opening in folded:
            return True
    return any(_PROMPT.match(p) for p in summary.split("\n\n"))


def cut_short(summary: str) -> bool:
    """Whether `summary` ends in a cut mark ("…", "..."): an excerpt a reader is meant to
    read on from (the ranker does, in the body: digest.wording.told)."""
    return summary.rstrip().endswith(_CUT_MARKS)


def excerpt_of(summary: str, text: str) -> bool:
    """Whether `summary` is the opening of `text` (white space aside), cut short: the
    ranker would read on into the body, code and all."""
    kept = _fold(summary.rstrip().removesuffix("…").removesuffix("..."))
    return cut_short(summary) and bool(kept) and _fold(text[: 2 * len(kept) + 80]).startswith(kept)


def code_within(text: str, code: tuple[str, ...], reach: int) -> bool:
    """Whether one of the blocks `code` begins within the first `reach` characters of
    `text` (its body, code and all), white space folded: as far as a reader reads on."""
    folded = _fold(text)[: reach + _OPENING]
    return any(
        len(opening := _fold(block)[:_OPENING]) >= _SHORTEST and opening in folded for block in code
    ) or any(_PROMPT.match(p) for p in text[:reach].split("\n\n"))


def prose_excerpt(prose: str, length: int) -> str:
    """The opening of `prose` (paragraphs joined) in `length` characters at most: to the
    last sentence end there, else to a whole word and "…"."""
    joined = join_paragraphs(prose)
    if len(joined) <= length:
        return joined
    head = joined[: length + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= length // 2:
        return head[: ends[-1]].rstrip()
    return shorten(joined, length)


def _fold(text: str) -> str:
    return " ".join(text.split())


def _code_mark(value: str) -> str | None:
    return _MARK if _CODE_CLASS.search(value) else None


def _without_blocks(html: str) -> tuple[str, list[str]]:
    """`html` (sanitised, class marks on code) without its code blocks, each a gap
    paragraph; and the text of each block left out."""
    parts: list[str] = []
    code: list[str] = []
    start = 0
    skipping: str | None = None  # the name of the block being left out
    depth = 0
    block_start = 0
    for tag in _TAG.finditer(html):
        closing, name, attrs = tag.group(1), tag.group(2), tag.group(3)
        if name in _VOID:
            continue
        if skipping is not None:
            if name == skipping:
                depth += -1 if closing else 1
                if depth == 0:
                    said = html_to_text(html[block_start : tag.end()])
                    skipping = None
                    if _reads_as_prose(said):  # a mail's <pre>: prose after all
                        continue
                    code.append(said)
                    parts.append(html[start:block_start])
                    parts.append(f"<p>{_GAP}</p>")
                    start = tag.end()
            continue
        if closing or not _is_block(name, attrs, html, tag.end()):
            continue
        skipping, depth, block_start = name, 1, tag.start()
    if skipping is not None and not _reads_as_prose(said := html_to_text(html[block_start:])):
        code.append(said)  # a block left open: to the end
        parts.append(html[start:block_start])
        parts.append(f"<p>{_GAP}</p>")
    else:
        parts.append(html[start:])
    cleaned = "".join(parts) if code else html
    return re.sub(rf'\sclass="{_MARK}"', "", cleaned), code


def _reads_as_prose(text: str) -> bool:
    """Whether a block's `text` is prose set in a block of code's shape (a mailing list's
    message in a <pre>): most of its words on long lines, in small letters, few symbols;
    no shell prompt."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    words = sum(len(line) for line in lines)
    if not words or any(_PROMPT.match(" ".join(line)) for line in lines):
        return False
    on_long = sum(len(line) for line in lines if len(line) >= _LINE_WORDS or _said(line[-1]))
    small = sum(1 for line in lines for word in line if any(c.islower() for c in word))
    chars = "".join(word for line in lines for word in line)
    symbols = sum(1 for c in chars if c in _SYMBOLS)
    return (
        on_long >= _PROSE_SHARE * words
        and small >= _PROSE_SHARE * words
        and symbols <= _SYMBOL_SHARE * len(chars)
    )


def _said(word: str) -> bool:
    """Whether `word` ends a sentence: a stop after a letter ("works.", "anything ;).")."""
    return len(word) > 1 and word[-1] in ".!?" and (word[-2].isalpha() or word[-2] == ")")


def _is_block(name: str, attrs: str, html: str, after: int) -> bool:
    if name == "pre":
        return True
    if name == "code":  # a block of code: more than one line of it
        end = html.find("</code>", after)
        inner = html[after : end if end >= 0 else len(html)]
        return "\n" in inner.strip() or "<br" in inner
    return name in _BLOCKS and f'class="{_MARK}"' in attrs
