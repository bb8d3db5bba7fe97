"""The text of a folder's file: its bytes decoded, and whether they are text at all.

UTF-16 is decoded by its byte-order mark, but the mark is evidence, not proof: Latin
text in UTF-16 has a NUL in every other byte, on the side the mark says. A mark whose
side is wrong (a little-endian mark before big-endian text) is overruled by the NULs;
a mark before text with no NULs that is valid UTF-8 (a stray mark pasted before an
8-bit file) is text in UTF-8, read so with a warning (as UTF-16 it was "戀摡戠…").
Text with no NULs that is not UTF-8 stays UTF-16 (Chinese, Japanese: no NULs there).
Any other file is UTF-8 (a UTF-8 mark dropped), else Windows-1252. Must not: read files.
"""

from __future__ import annotations

import codecs
import re

#: C0 controls other than tab, newlines, form feed and escape: a text file holds hardly
#: any (a stray one pasted from a web page does not make it binary).
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: How many bytes after the mark are weighed.
_SAMPLE = 8192
_NOT_UTF16 = "starts with a UTF-16 byte-order mark but its text is not UTF-16: read as UTF-8"


def is_binary(data: bytes) -> bool:
    """Whether `data` is not text: over 1% of its first 8 KB (and more than two bytes)
    are NUL or other control bytes (a UTF-16 file with its byte-order mark is text).
    A picture or a document is full of them; a text file with a stray one pasted in
    (or planted: the collect cleans it) is still the editor's article."""
    if data.startswith(_UTF16_BOMS):
        return False
    sample = data[:_SAMPLE]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """The text in `data`, and a warning when its byte-order mark was not believed."""
    if data.startswith(_UTF16_BOMS):
        return _utf16(data)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), None


def _utf16(data: bytes) -> tuple[str, str | None]:
    marked = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    body = data[2:]
    sample = body[:_SAMPLE]
    even = sample[0::2].count(0)  # a NUL first in a pair: the high byte of big-endian
    odd = sample[1::2].count(0)
    if not even and not odd:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode(marked, errors="replace"), None
        return text, _NOT_UTF16
    encoding = "utf-16-be" if even > odd else "utf-16-le"
    return body.decode(encoding, errors="replace").removeprefix("\ufeff"), None
