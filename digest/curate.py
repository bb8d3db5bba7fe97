"""An editor's curation of an edition: operations, and the pure function that applies them.

An edition reads as one ordered run of stories, `leads + teasers`, split after the
first `len(leads)`. Each :class:`Operation` (pin, unpin, drop, move, promote, demote,
edit, add) turns an :class:`~digest.records.Edition` into a new one. The desk keeps the
operations, in the order the editor made them, with the edition (its `overrides`);
:func:`apply_all` replays them over the ranked edition, so they win over the ranking
even after a rebuild. An operation naming a story that is no longer there changes
nothing, except a pin and an added story, which carry their story and bring it back.

Rules, so that the desk's buttons do what they say:

- pin: the story goes first, after the stories pinned before it; the number of leads
  stays (the last lead becomes the first teaser when a teaser or new story is pinned).
- drop: the story goes; a dropped lead's place is taken by the first teaser.
- move up/down: swaps with its neighbour in the run; the lead/teaser boundary stays,
  so the first teaser moved up becomes the last lead.
- promote/demote: a teaser becomes the last lead / a lead becomes the first teaser
  (one lead more / less).
- edit: a new headline and/or summary; everything else stays.
- add: a new story (by URL or by hand) as the last lead or the first teaser.
- a story of the reserve (what only subscribers of some sections get) can be dropped,
  edited, or pinned, which brings it into every subscriber's edition; a pinned or
  added story is never carried twice, in the run and in the reserve.

Must not: read the clock, touch the store, the network or the templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from digest.bidi import without_controls
from digest.codec import story_from_dict, story_to_dict
from digest.errors import DigestError
from digest.records import Edition, Story

#: Longest headline and summary an editor may type.
MAX_TITLE = 300
MAX_SUMMARY = 2000


class CurationError(DigestError):
    """An operation is malformed (from a form, or a stored `overrides` value)."""


class CurationConflict(CurationError):
    """The edition changed since it was read (another editor's change, or the same
    editor's in another tab): nothing was stored; reload and try again."""


class NothingToChange(CurationError):
    """An edit that would change nothing the story has: nothing is stored."""


@dataclass(frozen=True, slots=True)
class Pin:
    """Put a story first (after earlier pins); `story` brings it back after a rebuild."""

    key: str
    story: Story | None = None


@dataclass(frozen=True, slots=True)
class Unpin:
    """Take a pin back; the story stays where it is."""

    key: str


@dataclass(frozen=True, slots=True)
class Drop:
    """Leave a story out; `others` are its cluster's other keys when it was dropped (a
    rebuild leaves them all out, so the story cannot come back under another face)."""

    key: str
    others: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Move:
    """Swap a story with the one before (`by` = -1) or after (`by` = 1) it."""

    key: str
    by: Literal[-1, 1]


@dataclass(frozen=True, slots=True)
class Promote:
    """A teaser becomes the last lead."""

    key: str


@dataclass(frozen=True, slots=True)
class Demote:
    """A lead becomes the first teaser."""

    key: str


@dataclass(frozen=True, slots=True)
class Edit:
    """A new headline and/or summary (None: keep the one there is)."""

    key: str
    title: str | None = None
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class Add:
    """A story the ranking did not choose: the last lead, or the first teaser."""

    story: Story
    lead: bool = False

    @property
    def key(self) -> str:
        return self.story.key


Operation = Pin | Unpin | Drop | Move | Promote | Demote | Edit | Add
#: The operations that also apply to a story of the edition's reserve.
ANY_STORY = (Pin, Drop, Edit)


# -- applying ---------------------------------------------------------------------------
def _find(stories: Sequence[Story], key: str) -> int | None:
    """Index of the story with this face key, else of one whose cluster has the key."""
    for i, story in enumerate(stories):
        if story.key == key:
            return i
    for i, story in enumerate(stories):
        if key in story.keys:
            return i
    return None


def _split(edition: Edition, run: list[Story], leads: int) -> Edition:
    leads = max(0, min(leads, len(run)))
    return replace(edition, leads=tuple(run[:leads]), teasers=tuple(run[leads:]))


def _clean(text: str) -> str:
    """An editor's words on one line, without the direction controls a paste from a
    web page or a feed can bring (digest.bidi): none reaches a reader."""
    return " ".join(without_controls(text).split())


def _first(stories: Sequence[Story], keys: Iterable[str]) -> int | None:
    return next((found for k in keys if (found := _find(stories, k)) is not None), None)


def _unreserved(edition: Edition, story: Story) -> Edition:
    """The edition without the reserve's telling of `story` (now in the run)."""
    keys = set(story.keys)
    kept = tuple(s for s in edition.reserve if not keys & set(s.keys))
    return edition if len(kept) == len(edition.reserve) else replace(edition, reserve=kept)


def narrowed(op: Edit, story: Story) -> Edit:
    """`op` as the change it makes to `story`: a field as the story has it already is
    None. A form sends the headline and the summary whichever the editor touched, and an
    edit holds what it names over every rebuild: the field they left alone stays the
    ranking's. A blank headline is refused; NothingToChange when neither differs."""
    title, summary = op.title, op.summary
    if title is not None and not _clean(title):
        raise CurationError(
            f"a headline cannot be blank: “{story.title}” was not changed "
            "(to leave the story out, drop it)"
        )
    if title is not None and _clean(title) == _clean(story.title):
        title = None
    if summary is not None and _clean(summary) == _clean(story.summary):
        summary = None
    if title is None and summary is None:
        raise NothingToChange(
            f"Nothing to save: “{story.title}” has that headline and summary already."
        )
    return Edit(op.key, title, summary)


def _edited(story: Story, op: Edit) -> Story:
    title = story.title if op.title is None else _clean(op.title) or story.title
    summary = story.summary if op.summary is None else without_controls(op.summary).strip()
    return replace(story, title=title, summary=summary)


def _in_reserve(edition: Edition, op: Drop | Edit, keys: Sequence[str]) -> Edition:
    """A drop or an edit of a story only subscribers of some sections get."""
    reserve = list(edition.reserve)
    j = _first(reserve, keys)
    if j is None:
        return edition
    if isinstance(op, Drop):
        del reserve[j]
    else:
        reserve[j] = _edited(reserve[j], op)
    return replace(edition, reserve=tuple(reserve))


def apply(edition: Edition, op: Operation) -> Edition:
    """The edition after one operation (the same edition when it does not apply)."""
    run = list(edition.stories)
    leads = len(edition.leads)
    if isinstance(op, Add):
        if _find(run, op.story.key) is not None:
            return edition
        run.insert(leads, op.story)
        return _split(_unreserved(edition, op.story), run, leads + 1 if op.lead else leads)
    keys = (op.key, *(op.others if isinstance(op, Drop) else ()))
    if isinstance(op, Pin) and op.story is not None:
        keys = (op.key, *op.story.keys)
    i = _first(run, keys)
    if isinstance(op, Pin):
        j = None if i is not None else _first(edition.reserve, keys)
        if i is not None:
            story = run.pop(i)  # the number of leads stays: the last lead may slide down
        elif j is not None:
            story = edition.reserve[j]  # as the editor may have rewritten it there
        elif op.story is not None:
            story = op.story
        else:
            return edition
        at = 0
        while at < len(run) and run[at].pinned:
            at += 1
        run.insert(at, replace(story, pinned=True))
        return _split(_unreserved(edition, story), run, leads)
    if i is None:
        return _in_reserve(edition, op, keys) if isinstance(op, Drop | Edit) else edition
    story = run[i]
    if isinstance(op, Unpin):
        run[i] = replace(story, pinned=False)
    elif isinstance(op, Drop):
        del run[i]
    elif isinstance(op, Move):
        j = i + op.by
        if not 0 <= j < len(run):
            return edition
        run[i], run[j] = run[j], run[i]
    elif isinstance(op, Promote):
        if i < leads:
            return edition
        run.insert(leads, run.pop(i))
        leads += 1
    elif isinstance(op, Demote):
        if i >= leads:
            return edition
        run.insert(leads - 1, run.pop(i))
        leads -= 1
    elif isinstance(op, Edit):
        run[i] = _edited(story, op)
    return _split(edition, run, leads)


def apply_all(edition: Edition, ops: Iterable[Operation]) -> Edition:
    """Replay the operations, in order, over an edition."""
    for op in ops:
        edition = apply(edition, op)
    return edition


def pinned_keys(ops: Iterable[Operation]) -> tuple[str, ...]:
    """Keys still pinned after the operations (for the ranking of a rebuild), in order."""
    keys: list[str] = []
    for op in ops:
        if isinstance(op, Pin) and op.key not in keys:
            keys.append(op.key)
        elif isinstance(op, Unpin | Drop) and op.key in keys:
            keys.remove(op.key)
    return tuple(keys)


# -- as JSON (the `overrides` column) -------------------------------------------------------
def to_dict(op: Operation) -> dict[str, Any]:
    if isinstance(op, Add):
        return {"op": "add", "story": story_to_dict(op.story), "lead": op.lead}
    if isinstance(op, Pin):
        story = None if op.story is None else story_to_dict(op.story)
        return {"op": "pin", "key": op.key, "story": story}
    if isinstance(op, Move):
        return {"op": "move", "key": op.key, "by": op.by}
    if isinstance(op, Edit):
        return {"op": "edit", "key": op.key, "title": op.title, "summary": op.summary}
    if isinstance(op, Drop):
        return {"op": "drop", "key": op.key, "others": list(op.others)}
    name = {Unpin: "unpin", Promote: "promote", Demote: "demote"}[type(op)]
    return {"op": name, "key": op.key}


def _text(d: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = d.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise CurationError(f"{name}: expected text of at most {limit} characters")
    return value


def from_dict(d: Mapping[str, Any]) -> Operation:
    """An operation from its JSON form; CurationError names what is wrong."""
    kind = d.get("op")
    try:
        if kind == "add":
            return Add(story_from_dict(d["story"]), bool(d.get("lead", False)))
        key = d["key"]
        if not isinstance(key, str) or not key:
            raise CurationError(f"{kind}: the story key is missing")
        if kind == "pin":
            story = d.get("story")
            return Pin(key, None if story is None else story_from_dict(story))
        if kind == "move":
            by = d.get("by")
            if by not in (-1, 1):
                raise CurationError(f"move: by = {by!r}; expected -1 or 1")
            return Move(key, -1 if by == -1 else 1)
        if kind == "edit":
            return Edit(key, _text(d, "title", MAX_TITLE), _text(d, "summary", MAX_SUMMARY))
        if kind == "drop":
            others = d.get("others") or ()
            if not all(isinstance(k, str) for k in others):
                raise CurationError("drop: others must be story keys")
            return Drop(key, tuple(others))
        simple: dict[Any, type[Unpin | Promote | Demote]] = {
            "unpin": Unpin,
            "promote": Promote,
            "demote": Demote,
        }
        if kind in simple:
            return simple[kind](key)
    except (KeyError, TypeError, ValueError) as exc:
        raise CurationError(f"{kind}: malformed operation ({exc!r})") from None
    raise CurationError(f"unknown curation operation {kind!r}")


def describe(op: Operation, titles: Mapping[str, str]) -> str:
    """One line for the desk's history of changes ("Dropped “Night bus N30 …”")."""
    title = op.story.title if isinstance(op, Add) else titles.get(op.key, op.key)
    quoted = f"“{title}”"
    if isinstance(op, Add):
        return f"Added {quoted} as {'a lead' if op.lead else 'a teaser'}"
    if isinstance(op, Move):
        return f"Moved {quoted} {'up' if op.by < 0 else 'down'}"
    if isinstance(op, Edit):
        what = " and ".join(
            w for w, v in (("headline", op.title), ("summary", op.summary)) if v is not None
        )
        return f"Edited the {what or 'text'} of {quoted}"
    verb = {
        Pin: "Pinned",
        Unpin: "Unpinned",
        Drop: "Dropped",
        Promote: "Promoted",
        Demote: "Demoted",
    }[type(op)]
    return f"{verb} {quoted}"


__all__ = [
    "ANY_STORY",
    "Add",
    "CurationConflict",
    "CurationError",
    "Demote",
    "Drop",
    "Edit",
    "Move",
    "NothingToChange",
    "Operation",
    "Pin",
    "Promote",
    "Unpin",
    "apply",
    "apply_all",
    "describe",
    "from_dict",
    "narrowed",
    "pinned_keys",
    "to_dict",
]
