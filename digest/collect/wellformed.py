"""The warning for a feed that is not well-formed XML but still gave items.

feedparser reads such a feed with its loose parser and says so only in ``bozo``: a feed
cut off in the middle of an item (a publisher's half-written file, a transfer cut
short) or broken part way came in as far as it could be read, with no word in the
collect's warnings, so nobody knew that stories were missing or mangled. The warning
names the line expat stopped at and whether that was the end of the document (cut
off) or inside it. Other ``bozo`` reasons (a charset the document misstates, a
content type that is not XML's) are not the document's shape and are not reported.
Must not: parse, or change what was read.
"""

from __future__ import annotations

from typing import Any
from xml.sax import SAXParseException


def malformed_warning(parsed: Any, document: bytes) -> str | None:
    """What to tell about feedparser's result `parsed` of `document`, or None."""
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not isinstance(problem, SAXParseException):
        return None
    line: int | None = problem.getLineNumber()
    at_end = line is None or line >= document.rstrip().count(b"\n") + 1
    what = "the feed ends early (cut off?)" if at_end else "the feed is malformed"
    what += f" at line {line}" if line else ""
    items = len(parsed.entries)
    read = "1 item read" if items == 1 else f"{items} items read"
    after = "; any after it are missing" if at_end else " leniently; check them"
    return f"{what} ({problem.getMessage()}): {read}{after}"
