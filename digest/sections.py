"""Section names as people write them, matched to the configured ones.

The sections a subscriber can choose are those of the configured sources
(:attr:`digest.config.Settings.sections`). A name matches one in any case (and
Unicode normalisation): `denmark` is `Denmark`. A cell of an import may hold several,
separated by `;` (what an export writes) or `,` (what people type); a configured name
that holds a comma itself is still read as one. :func:`read_cell` refuses a name no
source has; :func:`spelled` serves, at send time and on the preferences page, what was
stored before imports checked (a name it cannot match is kept as stored).

A leaf module: no store, no network.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from digest.errors import SubscriberError

__all__ = ["read_cell", "spelled"]


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


def _index(configured: Sequence[str]) -> dict[str, str]:
    """Key -> the configured spelling (the first of two that differ only in case)."""
    found: dict[str, str] = {}
    for name in configured:
        found.setdefault(_key(name), name)
    return found


def _split(cell: str, index: dict[str, str]) -> tuple[list[str], str | None]:
    """The configured names in `cell`, and the first part that is none (or None)."""
    names: list[str] = []
    for part in cell.split(";"):
        pieces = part.split(",")
        i = 0
        while i < len(pieces):
            if not pieces[i].strip():
                i += 1
                continue
            # The longest run of comma pieces that is one name ("Arts, Culture").
            end = next(
                (j for j in range(len(pieces), i, -1) if _key(",".join(pieces[i:j])) in index),
                None,
            )
            if end is None:
                return names, pieces[i].strip()
            names.append(index[_key(",".join(pieces[i:end]))])
            i = end
    return names, None


def read_cell(cell: str, configured: Sequence[str]) -> list[str]:
    """The sections a cell names, in their configured spelling, sorted; raises
    SubscriberError naming the first one no configured source has."""
    names, unknown = _split(cell, _index(configured))
    if unknown is not None:
        have = ", ".join(configured)
        said = f"the list's sections are: {have}" if have else "no source has a section"
        raise SubscriberError(f"unknown section {unknown[:60]!r}; {said}")
    return sorted(set(names))


def spelled(chosen: Iterable[str], configured: Sequence[str]) -> tuple[str, ...]:
    """`chosen` (as stored) in the configured spelling, sorted; a stored name that
    matches none (nor splits into configured ones) is kept as it is."""
    index = _index(configured)
    out: set[str] = set()
    for name in chosen:
        names, unknown = _split(name, index)
        if unknown is None and names:
            out.update(names)
        else:
            out.add(name)
    return tuple(sorted(out))
