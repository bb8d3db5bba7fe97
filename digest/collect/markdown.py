"""A minimal Markdown to HTML converter for article files (no Markdown library is installed).

It knows paragraphs, ``#`` headings, bullet and numbered lists, block quotes, fenced
code, and inline code, links, images, ``**strong**`` and ``*emphasis*``. As in Markdown,
raw HTML passes through, so the output is *not* safe: callers must hand it to
:func:`~digest.collect.sanitize.sanitize_html`. It must not do anything but convert text.
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
#: (url "optional title"); the url may hold balanced brackets, as CommonMark's do
#: ("wiki/Mercury_(planet)", "javascript:alert(1)": cut at the first ")", the rest of it
#: was left in the text).
_TARGET = r"\(\s*((?:[^()\s]|\([^()\s]*\))+)(?:\s+\"[^)]*\")?\s*\)"
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]" + _TARGET), r'<img src="\2" alt="\1">'),
    (re.compile(r"\[([^\]]+)\]" + _TARGET), r'<a href="\2">\1</a>'),
    (re.compile(r"<(https?://[^\s>]+)>"), r'<a href="\1">\1</a>'),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"<strong>\2</strong>"),
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"<em>\2</em>"),
)


def markdown_to_html(text: str) -> str:
    """HTML for `text` written in (a small, common subset of) Markdown."""
    out: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    block: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            out.extend(_block(block))
            block = []
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence[1]), None)
            code = lines[i + 1 : end if end is not None else len(lines)]
            out.append(f"<pre><code>{html.escape(chr(10).join(code))}</code></pre>")
            i = (end if end is not None else len(lines)) + 1
            continue
        if line.strip():
            block.append(line)
        else:
            out.extend(_block(block))
            block = []
        i += 1
    out.extend(_block(block))
    return "\n".join(out)


def _block(lines: list[str]) -> list[str]:
    if not lines:
        return []
    heading = _HEADING.match(lines[0])
    if heading:
        level = min(max(len(heading[1]), 2), 4)
        rest = _block(lines[1:])
        return [f"<h{level}>{_inline(heading[2])}</h{level}>", *rest]
    for tag, marker in (("ul", _BULLET), ("ol", _NUMBERED)):
        items = [marker.match(line) for line in lines]
        if all(items):
            return [_list(tag, [item[1] for item in items if item])]
    if all(line.lstrip().startswith(">") for line in lines):
        inner = [line.lstrip()[1:].removeprefix(" ") for line in lines]
        return [f"<blockquote>{''.join(_block(inner))}</blockquote>"]
    return [f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>"]


def _list(tag: str, items: list[str]) -> str:
    return f"<{tag}>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + f"</{tag}>"


def _inline(text: str) -> str:
    parts = re.split(r"(`[^`]+`)", text)
    for n, part in enumerate(parts):
        if n % 2:
            parts[n] = f"<code>{html.escape(part[1:-1])}</code>"
            continue
        for pattern, replacement in _INLINE:
            part = pattern.sub(replacement, part)
        parts[n] = part
    return "".join(parts)
