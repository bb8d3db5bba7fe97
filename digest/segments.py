"""A prepared message cut at its per-subscriber placeholders: one join per copy.

:class:`Segments` splits a variant's header block and body once (by `digest.message`'s
`prepare`) into the constant byte strings between placeholders and the *slots* the
placeholders were: a subscriber's copy is then the pieces with each slot's value put
in, joined once, not a `bytes.replace` over the whole message per placeholder. A slot
has a *kind* (an index into the values given per copy), so the same placeholder can
take one value in the header (a raw URL) and another in the body (the URL
quoted-printable). A leaf module: bytes only, no digest imports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = ["Pieces", "Segments", "split"]


def split(data: bytes, marks: Mapping[bytes, int]) -> tuple[list[bytes], list[int]]:
    """`data`'s constant pieces (one more than the placeholders found) and the kind of
    each placeholder found, in order. Placeholders never overlap (distinct tags)."""
    if not marks:
        return [data], []
    found = re.compile(b"|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True)))
    pieces: list[bytes] = []
    kinds: list[int] = []
    last = 0
    for match in found.finditer(data):
        pieces.append(data[last : match.start()])
        kinds.append(marks[match.group()])
        last = match.end()
    pieces.append(data[last:])
    return pieces, kinds


class Pieces:
    """Constant byte strings with slots between them: `consts[0]`, slot 0,
    `consts[1]`, ... (a slot of kind k takes `values[k]` in :meth:`fill`)."""

    __slots__ = ("pieces", "slots")

    def __init__(self, consts: Sequence[bytes], kinds: Sequence[int]) -> None:
        #: the constants with a None where a slot is (every other one, from the 2nd)
        if len(consts) != len(kinds) + 1:
            raise ValueError("one more constant than slots")
        self.pieces: list[bytes | None] = [consts[0]]
        for const in consts[1:]:
            self.pieces += [None, const]
        #: (index in `pieces`, kind) of each slot
        self.slots = tuple((2 * i + 1, kind) for i, kind in enumerate(kinds))

    def fill(self, values: Sequence[bytes]) -> list[bytes]:
        """The pieces with each slot holding `values[kind]` (join them for the bytes)."""
        pieces = self.pieces.copy()
        for at, kind in self.slots:
            pieces[at] = values[kind]
        return pieces  # type: ignore[return-value]  # no None is left


class Segments(Pieces):
    """`head` + CRLF + `body` with each placeholder of `head_marks` in the header block
    and of `body_marks` in the body a slot (the mapping gives its kind)."""

    __slots__ = ("body_first", "body_prefix")

    def __init__(
        self,
        head: bytes,
        body: bytes,
        head_marks: Mapping[bytes, int],
        body_marks: Mapping[bytes, int],
    ) -> None:
        head_pieces, head_kinds = split(head, head_marks)
        body_pieces, body_kinds = split(body, body_marks)
        middle = head_pieces[-1] + b"\r\n" + body_pieces[0]
        super().__init__([*head_pieces[:-1], middle, *body_pieces[1:]], head_kinds + body_kinds)
        #: index in `pieces` of the body's first slot (None: the body has none), and
        #: the body before it (the same in every copy)
        self.body_first = 2 * len(head_kinds) + 1 if body_kinds else None
        self.body_prefix = body_pieces[0] if body_kinds else body
