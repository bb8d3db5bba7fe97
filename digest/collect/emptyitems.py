"""Empty ``<item />`` elements, taken out of a feed document before it is parsed.

An empty item is nothing to show (no title, link or text), but where a feed nests one
inside another item (PCMag's Dvorak feed writes ``<item />`` in each of its items,
before the item's ``feedburner:origLink``), feedparser ends the enclosing item at it:
what follows, the item's origLink, was read as the channel's, and the story linked to
FeedBurner's dead redirect instead of the article. An empty ``<item/>``, ``<item />``
or ``<item></item>`` (no attributes, nothing inside) outside CDATA is removed; its
line breaks are kept, so a parse error's line number still names the document's line.
Must not: touch anything else, or an item with attributes or content.
"""

from __future__ import annotations

import re

_EMPTY_ITEM = re.compile(rb"<item\s*/>|<item\s*>\s*</item\s*>")
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)


def without_empty_items(body: bytes) -> bytes:
    """`body` with each empty item element outside CDATA removed (see the module)."""
    if not _EMPTY_ITEM.search(body):
        return body  # the usual case: nothing to do, nothing copied
    parts: list[bytes] = []
    at = 0
    for cdata in _CDATA.finditer(body):
        parts.append(_EMPTY_ITEM.sub(_line_breaks, body[at : cdata.start()]))
        parts.append(cdata.group())
        at = cdata.end()
    parts.append(_EMPTY_ITEM.sub(_line_breaks, body[at:]))
    return b"".join(parts)


def _line_breaks(match: re.Match[bytes]) -> bytes:
    return b"\n" * match.group().count(b"\n")
