"""A link's host as a reader may safely see it: lookalike letters spelled out.

Job: leave a host in Unicode where its letters are what they seem (københavn.dk,
日本語.jp, пример.рф), and give a label its ASCII (``xn--``) form where letters of other
scripts pass for Latin ones: "rеuters" with a Cyrillic е mixes Latin and Cyrillic, and
"аррӏе" is all Cyrillic letters that look Latin. That is what browsers do in their
address bars; the email's text part and a client's hover show a link's host as it is
stored. The link still goes where it went (the ASCII form is the same host).
Must not: change an ASCII host, or a port, user name or path.
:func:`absolute_url` makes every link a reader is shown absolute, and its host so;
:func:`shown_url` is an address as an error or a log shows it, its credentials hidden.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

#: Scripts whose letters pass for one another's (the usual homograph attacks).
_CONFUSABLE = frozenset({"LATIN", "CYRILLIC", "GREEK"})
#: Cyrillic and Greek lowercase letters a reader takes for Latin ones in a host.
_LATIN_LOOKALIKES = frozenset("аеорсухіјѕһӏԁԛԝьοαρνικτυ")


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def _deceives(label: str) -> bool:
    """Does this label pass for another: Latin mixed with Cyrillic or Greek (or those
    two mixed), or only non-Latin letters that look Latin?"""
    letters = [ch for ch in label.casefold() if ch.isalpha()]
    scripts = {_script(ch) for ch in letters} & _CONFUSABLE
    if len(scripts) > 1:
        return True
    return bool(letters) and scripts != {"LATIN"} and set(letters) <= _LATIN_LOOKALIKES


def _ascii(label: str) -> str:
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid IDNA label: its Punycode all the same
        return "xn--" + label.casefold().encode("punycode").decode("ascii")


def shown_host(netloc: str) -> str:
    """``netloc`` (host and port, no user name) with each deceiving label in ASCII."""
    if netloc.isascii():
        return netloc
    host, colon, port = netloc.partition(":")
    labels = [_ascii(label) if _deceives(label) else label for label in host.split(".")]
    return ".".join(labels) + colon + port


def absolute_url(link: str | None, base: str | None) -> str | None:
    """`link` made absolute against `base`; None unless the result is http(s)."""
    if not link:
        return None
    link = link.strip()
    try:
        joined = urljoin(base, link) if base else link
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    if not joined.isprintable():
        return None  # a control character: a broken link, not a URL
    # "https://www.reuters.com@evil.example/": the part before the @ is a user name, not
    # the site; shown in the text part or on hover it names a site the link does not go
    # to. "rеuters.com" (a Cyrillic е) does the same with letters. The link goes where a
    # browser would take it, and says so.
    netloc = shown_host(parts.netloc.rpartition("@")[2])
    if netloc != parts.netloc:
        joined = urlunsplit(parts._replace(netloc=netloc))
    return joined.replace(" ", "%20")


#: Query parameters whose value is a credential (a paywalled feed's `?key=`): not shown.
_SECRET_PARAMS = ("key", "token", "secret", "password", "passwd", "auth", "sig", "signature")


def shown_url(url: str) -> str:
    """`url` as an error shows it: a password in it, and the values of query parameters
    named like a credential (api_key, token, ...), replaced with ``***``. The error is
    logged by `digest run` at every collect and stored in schedule_runs and sources."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https"):
        return url
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(any(w in k.lower() for w in _SECRET_PARAMS) for k, _v in pairs):
            query = urlencode(
                [
                    (k, "***" if any(w in k.lower() for w in _SECRET_PARAMS) else v)
                    for k, v in pairs
                ],
                safe="*",
            )
    return urlunsplit(parts._replace(netloc=netloc, query=query))
