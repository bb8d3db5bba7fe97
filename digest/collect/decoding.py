"""A fetched feed document's bytes as the parsers take them: gunzipped (bounded), told
apart as JSON or XML, and XML in an encoding feedparser need not guess.

Raises :class:`~digest.errors.SourceError` naming the source for corrupt or oversized
gzip data; must not parse.
"""

from __future__ import annotations

import codecs
import re
import zlib

from digest.collect.entry import source_error

#: Largest feed we accept after gzip decompression.
MAX_DECOMPRESSED = 50_000_000

_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8)
_BOMS16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=", re.IGNORECASE)
HTML_PAGE = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def gunzip(data: bytes, source: str, url: str | None) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(data, MAX_DECOMPRESSED)
    except zlib.error as exc:
        raise source_error(source, url, f"corrupt gzip data ({exc})") from exc
    if inflater.unconsumed_tail:
        raise source_error(source, url, f"larger than {MAX_DECOMPRESSED:,} bytes uncompressed")
    return body


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    head = body[:64].lstrip(codecs.BOM_UTF8).lstrip()
    return head.startswith((b"{", b"["))


def to_utf8(body: bytes, content_type: str | None) -> bytes:
    """Bytes feedparser can read without guessing: UTF-8, or an explicit declaration/BOM.

    A BOM or an XML encoding declaration is left to feedparser (it falls back when a
    declaration lies). Undeclared bytes are UTF-8 if they decode as such, else the HTTP
    charset, else Windows-1252, and are re-encoded as UTF-8.
    """
    if body.startswith(_BOMS + _BOMS16):
        return body
    body = body.lstrip()
    if _DECLARED.match(body):
        return body
    match = _CHARSET.search(content_type or "")
    for codec in ("utf-8", match.group(1) if match else None, "cp1252", "latin-1"):
        if codec is None:
            continue
        try:
            text = body.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
        if codec != "utf-8" and not body.startswith(b"<?xml"):
            text = '<?xml version="1.0" encoding="utf-8"?>' + text
        return text.encode("utf-8")
    return body  # unreachable: latin-1 decodes anything
