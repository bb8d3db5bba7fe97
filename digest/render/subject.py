"""The subject line and the other templates of the configuration (`[newsletter]
subject`, `utm`): filled with plain fields only, empty fields dropped with their
separator.

:func:`fill` is `str.format` without attribute or index lookups, so a template in
`digest.toml` cannot reach into the objects it is given. No I/O.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

from digest.errors import RenderError

SUBJECT_FIT = 78  # characters: the default subject drops date, then name, beyond this
SUBJECT_MAX = 90  # characters: a longer subject is cut at a word, with an ellipsis
SUBJECT_MIN_CUT = 60  # ... unless that word boundary is shorter than this (cut in the word)
PREHEADER_MAX = 140


class _Fields(string.Formatter):
    """`str.format` limited to plain field names: no attribute or index lookups."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if not field_name.isidentifier():
            raise KeyError(field_name)
        return kwargs[field_name], field_name


def fill(template: str, fields: Mapping[str, Any], *, where: str) -> str:
    """Fill a template from the config; an unknown field is a RenderError naming `where`."""
    try:
        return _Fields().vformat(template, (), fields)
    except (KeyError, IndexError, ValueError) as exc:
        known = ", ".join(fields)
        raise RenderError(f"{where}: {exc!r} in {template!r}; fields: {known}") from None


EMPTY_FIELD = "\x00"  # a subject field with nothing to say, removed with its separator
_SEPARATOR = r"[\s|·:,;/–—-]*"


def without_empty(subject: str) -> str:
    """A filled subject without its empty fields: each goes with the separator before it
    (or, first in line, the one after it), then whitespace is folded."""
    subject = re.sub(rf"(?<=\S){_SEPARATOR}{EMPTY_FIELD}", "", subject)
    subject = re.sub(rf"{EMPTY_FIELD}{_SEPARATOR}", "", subject)
    return " ".join(subject.split())
