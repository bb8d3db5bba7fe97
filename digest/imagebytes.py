"""What a picture's bytes are: JPEG, PNG, GIF or WebP, and how many pixels across and down.

Job: :func:`recognise` reads the few header bytes each raster format starts with and
gives the picture's media type, file extension and pixel size; anything else (SVG,
which can carry script; an HTML page a server labels image/jpeg; a truncated or
empty body) is None. A server's Content-Type is never believed.
Must not: decode pixels, fetch, or store anything.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["MAX_PIXELS", "MAX_SIDE", "Picture", "fits", "read_size", "recognise"]

#: A side longer than this is no illustration of a story (and a trap for a reader's
#: mail client, which would decode it).
MAX_SIDE = 10_000
#: Nor more pixels than this in all (a 6,000 x 4,000 camera's photo): 10,000 x 10,000
#: of one colour is a PNG of 100 KB that a phone decodes into 400 MB.
MAX_PIXELS = 25_000_000


#: The file extension a picture is served under, by its media type.
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True, slots=True)
class Picture:
    """A raster picture recognised by its bytes."""

    media_type: str  # image/jpeg, image/png, image/gif, image/webp
    extension: str  # jpg, png, gif, webp: the file name digest serves it under
    width: int  # pixels
    height: int


#: JPEG's start-of-frame markers (not DHT C4, JPG C8 or DAC CC), which give the size.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
#: Markers that stand alone, without a length.
_ALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _jpeg(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _ALONE:
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header first
            return None
        (length,) = struct.unpack_from(">H", data, at + 2)
        if marker in _SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack_from(">HH", data, at + 5)
            return width, height
        at += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    kind = data[12:16]
    if kind == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        (bits,) = struct.unpack_from("<I", data, 21)
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def _size(data: bytes) -> tuple[str, str, tuple[int, int] | None] | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg", _jpeg(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return "image/png", "png", struct.unpack_from(">II", data, 16)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return "image/gif", "gif", struct.unpack_from("<HH", data, 6)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp", _webp(data)
    return None


def read_size(data: bytes) -> Picture | None:
    """The picture `data` is by its header, whatever its size (None: no JPEG, PNG, GIF
    or WebP, or one whose header gives no size)."""
    found = _size(data)
    if found is None:
        return None
    media_type, extension, size = found
    return None if size is None else Picture(media_type, extension, *size)


def fits(picture: Picture) -> bool:
    """Whether a picture is between 1 and MAX_SIDE pixels each way, MAX_PIXELS in all."""
    width, height = picture.width, picture.height
    return 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and width * height <= MAX_PIXELS


def recognise(data: bytes) -> Picture | None:
    """The picture `data` is, or None when it is no JPEG, PNG, GIF or WebP whose header
    gives a size that :func:`fits`."""
    picture = read_size(data)
    return picture if picture is not None and fits(picture) else None
