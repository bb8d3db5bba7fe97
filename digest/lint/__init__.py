"""Lint one outgoing newsletter message against the project's email standards.

The rules are those of DESIGN.md, "Email standards": the headers a list message needs
(RFC 5322, 2369, 2919, 8058), a `multipart/alternative` text-then-HTML structure, the
sizes at which Gmail clips or drops the stylesheet, accessible and safe HTML with a
preheader and a visible unsubscribe link, a readable text part, and no inline CSS that
Gmail or classic Outlook drops. Codes, levels and messages are in `digest.lint_rules`.

This package only reads bytes and reports :class:`Finding` values, one per problem (not
one per element); it never changes, renders or sends a message, and raises only when a
file cannot be read. The `digest lint` command is built on these functions.

This module runs the checks (:func:`lint_message`); each part of a message has its own:
:mod:`~digest.lint.headers` (raw lines and headers), :mod:`~digest.lint.mime` (the
structure), :mod:`~digest.lint.html`, :mod:`~digest.lint.text`, and
:mod:`~digest.lint.story` (is there a story at all), :mod:`~digest.lint.notice` (a
story that reads like our footer or a notice); :mod:`~digest.lint.findings` holds the
record they report.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

from digest.errors import DigestError
from digest.lint.findings import Finding, find, not_a_message
from digest.lint.headers import (
    LIST_ONLY,
    check_headers,
    check_raw_lines,
    transactional,
    unsubscribe_url,
)
from digest.lint.html import check_html
from digest.lint.mime import body, check_structure, flowed
from digest.lint.notice import check_notices
from digest.lint.story import html_has_story, text_has_story
from digest.lint.text import check_text
from digest.lint_rules import Level

__all__ = ["Finding", "Level", "format_findings", "lint_file", "lint_message"]


def lint_message(data: bytes) -> list[Finding]:
    """Every problem found in the raw bytes of one message, errors first; never raises.

    A transactional message (see :func:`~digest.lint.headers.transactional`, e.g. the
    double opt-in confirmation) is not held to the list rules: List-Unsubscribe, List-Id,
    an unsubscribe link in the text and an HTML part."""
    if (why := not_a_message(data)) is not None:
        return [find("not-a-message", why=why)]  # not 14 findings about a picture's bytes
    msg = BytesParser(policy=default).parsebytes(data)
    unsubscribe = unsubscribe_url(msg)
    findings = [*check_raw_lines(data), *check_headers(msg), *check_structure(msg)]
    if (html := body(msg, "html")) is not None:
        findings += [*check_html(html, unsubscribe), *check_notices(html)]
    if (text := body(msg, "plain")) is not None:
        findings += check_text(text, unsubscribe, flowed=flowed(msg))
    if transactional(msg):
        findings = [f for f in findings if f.code not in LIST_ONLY]
    if (html is not None or text is not None) and not (
        (html is not None and html_has_story(html, unsubscribe))
        or (text is not None and text_has_story(text, unsubscribe))
    ):
        findings.append(find("message-empty"))
    return sorted(findings, key=lambda f: f.level != "error")


def lint_file(path: Path) -> list[Finding]:
    """Lint the message stored at ``path`` (an .eml file)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DigestError(f"{path}: cannot read the message: {exc.strerror or exc}") from exc
    return lint_message(data)


def format_findings(findings: Iterable[Finding], *, name: str) -> list[str]:
    """One ``NAME: level code: message`` line per finding."""
    return [f"{name}: {f.level} {f.code}: {f.message}" for f in findings]
