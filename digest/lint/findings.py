"""What the linter reports: one :class:`Finding` per problem, made from the catalogue of
codes in :mod:`digest.lint_rules`; a record, its constructor, and :func:`not_a_message`
(bytes no rule applies to, reported alone)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.lint_rules import FINDINGS, Level


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem the linter found in a message."""

    level: Level  # "error" fails `digest lint`; "warning" is advice
    code: str  # short kebab-case id, e.g. "header-date-missing"
    message: str  # one sentence naming the header, element or CSS property at fault


def find(code: str, **fields: object) -> Finding:
    level, template = FINDINGS[code]
    return Finding(level, code, template.format(**fields))


#: A header field's first line (RFC 5322 2.2: printable ASCII but the colon, then ":").
_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")


def not_a_message(data: bytes) -> str | None:
    """Why `data` is no email message at all (empty, binary, or not starting with a
    header); None when it may be one, however broken (an mbox `From ` line may lead)."""
    if not data.strip():
        return "the file is empty"
    lines = data.lstrip(b"\r\n").splitlines()
    first = lines[1] if lines[0].startswith(b"From ") and len(lines) > 1 else lines[0]
    if _FIELD.match(first):
        return None  # a NUL further on (in a charset, say) is a finding of its own
    if b"\0" in data[:8192]:
        return "it holds binary data"
    return "its first line is not a header (such as From: or Subject:)"
