"""A link's host as a reader may safely see it: lookalike letters spelled out.

Job: leave a host in Unicode where its letters are what they seem (københavn.dk,
日本語.jp, пример.рф), and give a label its ASCII (``xn--``) form where letters of other
scripts pass for Latin ones: "rеuters" with a Cyrillic е mixes Latin and Cyrillic, and
"аррӏе" is all Cyrillic letters that look Latin. That is what browsers do in their
address bars; the email's text part and a client's hover show a link's host as it is
stored. The link still goes where it went (the ASCII form is the same host).
Must not: change an ASCII host, or a port, user name or path.
"""

from __future__ import annotations

import unicodedata

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
