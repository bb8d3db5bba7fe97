"""Records as comparable plain data, for the scripts that prove a change keeps results.

A record is a dict of its fields by name, without those at their default: a field
added to a record with a default compares the same wherever nothing sets it, so a
saved run from before the field still compares. Lists and tuples are lists; anything
else is its ``repr`` (every bit of a float).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def plain(value: Any) -> Any:
    """`value` as plain data (see the module doc)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not _at_default(f, getattr(value, f.name))
        }
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return repr(value)


def _at_default(field: dataclasses.Field[Any], value: Any) -> bool:
    if field.default is not dataclasses.MISSING:
        return bool(value == field.default)
    if field.default_factory is not dataclasses.MISSING:
        return bool(value == field.default_factory())
    return False
