"""Which tags in a title, once its escaping is decoded, are markup and which are text.

A feed that escapes its markup ("&lt;b&gt;Slack&lt;/b&gt; stock") means a bold word; one
that writes about tags ("Die Rückkehr von <i> und <b>", a JSON Feed title, plain text by
its spec) means the characters. :func:`escaped_markup` tells them apart for
:func:`~digest.collect.sanitize.clean_text`: a tag with attributes, a closing tag, an
opening tag something closes and ``<br>`` are markup; an opening tag with no attributes
that nothing closes is text. Must not: touch tags that were not escaped in the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["escaped_markup"]

_BARE_TAG = re.compile(r"<([a-zA-Z][-\w]*)>")
_CLOSING = re.compile(r"</\s*([a-zA-Z][-\w]*)")
_VOID = frozenset({"br", "hr", "wbr"})


def escaped_markup(s: str) -> Callable[[re.Match[str]], str]:
    """What a tag found in `s` becomes: " " (markup), or itself (text; see the module
    doc)."""
    closed = {name.lower() for name in _CLOSING.findall(s)}

    def replace(match: re.Match[str]) -> str:
        bare = _BARE_TAG.fullmatch(match.group())
        text = bare is not None and bare.group(1).lower() not in closed | _VOID
        return match.group() if text else " "

    return replace
