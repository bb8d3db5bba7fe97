"""A response body's Content-Encoding undone, never past a size cap.

httpx inflates a gzip or deflate body in whole socket reads: 64 KB of a hostile
server's zeros become 64 MB at once, and ``Content-Encoding: gzip, gzip`` turns a few
kilobytes into gigabytes before any cap is looked at (a feed's pictures come from
servers nobody chose). :class:`Inflater` undoes one gzip or deflate coding with zlib's
`max_length`, so it never makes more than the cap (and one byte) from what it is
given. A body coded twice is refused; codings it does not know are taken as identity,
as httpx takes them (servers write "Content-Encoding: utf-8").
Must not: fetch, or read what the body says.
"""

from __future__ import annotations

import zlib

__all__ = ["BadCoding", "BodyTooLarge", "Inflater"]

_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class BodyTooLarge(Exception):
    """The body, once inflated, would pass the cap."""


class BadCoding(ValueError):
    """A body coded twice, or bytes that do not inflate."""


class Inflater:
    """The decoded bytes of a body, chunk by chunk, at most `limit` in all
    (BodyTooLarge past it; BadCoding for a coding it refuses or bytes that do not
    inflate)."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        known = [c for c in codings if c in _WBITS]
        if len(known) > 1:
            raise BadCoding(f"a body coded more than once (Content-Encoding: {content_encoding})")
        self._wbits = _WBITS[known[0]] if known else None
        self._z = zlib.decompressobj(self._wbits) if self._wbits is not None else None
        self._limit = limit
        self._made = 0
        self._started = False

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes `data` gives."""
        if self._z is None:
            return self._count(data)
        try:
            out = self._z.decompress(data, self._limit - self._made + 1)
        except zlib.error as exc:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise BadCoding(f"the body does not inflate ({exc})") from None
            # "deflate" sent raw, without zlib's header (as httpx, try that at the start)
            self._wbits = -zlib.MAX_WBITS
            self._z = zlib.decompressobj(self._wbits)
            return self.feed(data)
        self._started = self._started or bool(data)
        return self._count(out)

    def flush(self) -> bytes:
        """What is left once the body has ended."""
        if self._z is None:
            return b""
        if self._z.unconsumed_tail:
            raise BodyTooLarge
        try:
            return self._count(self._z.flush())
        except zlib.error as exc:
            raise BadCoding(f"the body does not inflate ({exc})") from None

    def _count(self, out: bytes) -> bytes:
        self._made += len(out)
        if self._made > self._limit:
            raise BodyTooLarge
        return out
