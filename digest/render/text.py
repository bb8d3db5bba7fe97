"""The plain-text part's helpers: folding to 78 columns, numbered link references,
and cutting a line at a word.

These are the Jinja filters and objects the text template uses (`wrap`, `nobreak`,
`ref`, `references`) and the shortening of a subject or preheader. Pure functions of
their arguments: no template, no I/O.
"""

from __future__ import annotations

import textwrap
from typing import Any

import regex

#: A grapheme cluster: what a reader sees as one character (a letter with its marks,
#: a flag, an emoji with its joiners and skin tone), Unicode's extended clusters (UAX #29).
_GRAPHEME = regex.compile(r"\X")


def shorten(text: str, limit: int, *, floor: int = 0) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis
    (inside a word when the last boundary would leave fewer than `floor` characters,
    then between grapheme clusters: :func:`whole_graphemes`)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = whole_graphemes(text, limit - 1)
    if " " in cut and len(word := cut.rsplit(" ", 1)[0]) >= floor:
        cut = word
    return cut.rstrip(" ,;:·|-–—") + "…"


def whole_graphemes(text: str, end: int) -> str:
    """The longest start of ``text`` of at most ``end`` characters that ends between two
    grapheme clusters: never half a flag, an emoji without the rest of its sequence or a
    letter without its marks (only a cluster longer than ``end`` is cut inside)."""
    if len(text) <= end:
        return text
    last = 0  # the character after the cut is read too: it decides the boundary
    for cluster in _GRAPHEME.finditer(text, 0, end + 1):
        if cluster.end() > end:
            break
        last = cluster.end()
    return text[:last] if last else text[:end]


NOBREAK = "\u00a0"


def nobreak(text: str) -> str:
    """Keep a short phrase (a source's name) on one line when `wrap` folds the text."""
    return str(text).replace(" ", NOBREAK)


def wrap(text: str, width: int = 78, indent: str = "", first: str | None = None) -> str:
    """Fold text to `width` columns; URLs, long words and `nobreak` phrases are never
    broken (their no-break spaces become plain spaces again)."""
    words = str(text).replace(NOBREAK, "\x00").split()
    out = textwrap.fill(
        " ".join(words),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return out.replace("\x00", " ")


class References:
    """Numbered link references for the plain-text part: `[1]` in the text, URLs at the end."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str | None) -> str:
        if not url:
            return ""
        if url not in self.urls:
            self.urls.append(url)
        return f"[{self.urls.index(url) + 1}]"

    def items(self) -> list[tuple[int, str]]:
        return list(enumerate(self.urls, start=1))


class Lazy:
    """An iterable evaluated when the template reaches it (after every `ref` call)."""

    def __init__(self, make: Any) -> None:
        self._make = make

    def __iter__(self) -> Any:
        return iter(self._make())
