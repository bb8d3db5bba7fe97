"""What a fetch asks and gives, and the answers every fetcher words the same way.

The records :func:`digest.collect.fetch.fetch_all` takes and returns, the failures and
file reads it shares with :mod:`digest.collect.revalidate`, without importing an HTTP
client: an unchanged collect that needs none loads none (issue 16).
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from digest import __version__
from digest.collect.hosts import shown_url

USER_AGENT = f"digest/{__version__} (+https://github.com/digest-newsletter/digest)"
MAX_BYTES = 10_000_000  # a response's cap, inflated, unless the caller gives another
_TYPES = {".json": "application/feed+json"}


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One document to fetch, with the validators the last fetch gave."""

    name: str  # the source's name (named in every error)
    url: str  # http(s)://, file: or a plain path
    etag: str | None = None  # sent as If-None-Match
    last_modified: str | None = None  # sent as If-Modified-Since


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch gave; ``error`` is set (and ``body`` None) when it failed."""

    name: str
    url: str  # the final URL after redirects
    status: int | None = None  # HTTP status (200 for a file read); None when no answer
    body: bytes | None = None  # None on error and on 304
    etag: str | None = None  # validators to send next time
    last_modified: str | None = None
    content_type: str | None = None
    error: str | None = None  # "NAME: what went wrong (URL)"
    not_modified: bool = False  # 304: keep what we have
    elapsed: float = 0.0  # seconds
    late: bool = False  # not fetched within fetch_all's `deadline` for all of them
    # The kind of `error`, for words a person reads (a picture's note): "unresolved",
    # "timeout", "unreachable", "private" (not `allowed`), "http", "too_large", "scheme"
    # (not an http(s) address), "invalid" or "other"; None when the fetch did not fail.
    failure: str | None = None


def failed(
    request: FetchRequest, problem: str, status: int | None = None, failure: str = "other"
) -> FetchResult:
    """A failed fetch: its error names the source and the URL (its secrets hidden)."""
    error = f"{request.name}: {problem} ({shown_url(request.url)})"
    return FetchResult(request.name, request.url, status, error=error, failure=failure)


def too_large(max_bytes: int) -> str:
    """The words for a response over the cap."""
    return f"response larger than {max_bytes:,} bytes"


def read_file(request: FetchRequest, max_bytes: int) -> FetchResult:
    """A ``file:`` URL or a plain path read from disk, with an ETag of its size and
    modification time (a 304 when it matches the one sent)."""
    parts = urlsplit(request.url)
    if parts.scheme.lower() == "file":
        path = Path(_url2pathname(unquote(parts.path)))
    else:
        path = Path(request.url).expanduser()
    try:
        stat = path.stat()
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if request.etag == etag:
            return FetchResult(
                request.name, request.url, 304, None, etag, modified, not_modified=True
            )
        if stat.st_size > max_bytes:
            return failed(request, too_large(max_bytes), None, "too_large")
        body = path.read_bytes()
    except OSError as exc:
        return failed(request, f"cannot read {path}: {exc.strerror or exc}")
    except ValueError as exc:  # a NUL in the path: no file could be named so
        return failed(request, f"cannot read {path!r}: {exc}")
    content_type = _TYPES.get(path.suffix.lower())
    return FetchResult(request.name, request.url, 200, body, etag, modified, content_type)


def _url2pathname(path: str) -> str:
    """urllib's reading of a file: URL's path, its module imported only for one."""
    from urllib.request import url2pathname

    return url2pathname(path)
