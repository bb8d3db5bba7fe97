"""Lint the raw bytes and the headers: line lengths, bare newlines, the headers a list
message needs (RFC 5322, 2369, 2919, 8058), and what makes a message transactional.

Reads a parsed message and its bytes; reports findings, never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage, Message

from digest import lint_rules as rules
from digest.lint.findings import Finding, find

MAX_LINE = 998  # octets per line, CRLF excluded (RFC 5322 section 2.1.1)
ONE_CLICK = "List-Unsubscribe=One-Click"
SUBJECT_WARN = 90  # characters: inboxes show far fewer; the renderer cuts near this

_FIELD_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]*:|[\t ]")  # as email.feedparser reads one


def check_raw_lines(data: bytes) -> Iterator[Finding]:
    lines = data.split(b"\n")
    end = next((i for i, line in enumerate(lines) if line in (b"", b"\r")), len(lines))
    crlf = lines[0].endswith(b"\r")
    long: dict[str, list[tuple[int, int]]] = {"header": [], "body": []}
    broken: list[int] = []
    for number, line in enumerate(lines, 1):
        content = line.removesuffix(b"\r")
        if len(content) > MAX_LINE:
            long["header" if number <= end else "body"].append((number, len(content)))
        if number > end:
            continue
        bare_lf = crlf and not line.endswith(b"\r") and number < len(lines)
        stray = not _FIELD_LINE.match(content) and not (number == 1 and line.startswith(b"From "))
        if bare_lf or b"\r" in content or stray:
            broken.append(number)
    for part, found in long.items():
        if found:
            yield find(f"{part}-line-too-long", n=len(found), line=found[0][0], octets=found[0][1])
    if broken:
        yield find("header-bare-newline", line=broken[0], n=len(broken))


def raw_values(msg: Message, name: str) -> list[str]:
    """The unparsed values of a header, as they appear in the message."""
    return [str(value) for key, value in msg.raw_items() if key.lower() == name.lower()]


def header_value(msg: Message, name: str) -> str | None:
    return str(msg[name]) if raw_values(msg, name) else None


def unsubscribe_url(msg: Message) -> str | None:
    urls = re.findall(
        r"<\s*(https://[^>\s]+)\s*>", header_value(msg, "List-Unsubscribe") or "", re.I
    )
    return str(urls[0]) if urls else None


LIST_ONLY = frozenset(
    {
        "header-list-unsubscribe-missing",
        "header-list-unsubscribe-post",
        "header-list-id-missing",
        "text-unsubscribe-missing",
        "mime-no-html",
    }
)  # codes that only a list message (an edition) must satisfy


def transactional(msg: Message) -> bool:
    """A one-off automatic mail to one person (RFC 3834 `Auto-Submitted`), not a list
    message: it carries no List-* header and no edition."""
    auto = (header_value(msg, "Auto-Submitted") or "no").strip().lower()
    list_headers = ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "X-Digest-Edition")
    return auto != "no" and not any(raw_values(msg, name) for name in list_headers)


def check_headers(msg: EmailMessage) -> Iterator[Finding]:
    if (froms := len(raw_values(msg, "From"))) != 1:
        yield find("header-from", n=froms)
    if not raw_values(msg, "Date"):
        yield find("header-date-missing")
    elif getattr(msg["Date"], "datetime", None) is None:
        yield find("header-date-invalid", value=raw_values(msg, "Date")[0].strip())
    if not raw_values(msg, "Message-ID"):
        yield find("header-message-id-missing")
    if (subject := header_value(msg, "Subject")) is None:
        yield find("header-subject-missing")
    elif not subject.strip():
        yield find("header-subject-empty")
    elif (n := len(" ".join(subject.split()))) > SUBJECT_WARN:
        yield find("header-subject-long", n=n)
    if not raw_values(msg, "MIME-Version"):
        yield find("header-mime-version-missing")
    if not (unsubscribe := raw_values(msg, "List-Unsubscribe")):
        yield find("header-list-unsubscribe-missing")
    else:
        if any("=?" in value for value in unsubscribe):
            yield find("header-list-unsubscribe-encoded")
        if unsubscribe_url(msg) is None:
            yield find("header-list-unsubscribe-https")
    if (post := header_value(msg, "List-Unsubscribe-Post")) is None or post.strip() != ONE_CLICK:
        yield find("header-list-unsubscribe-post", value=repr(post.strip()) if post else "missing")
    if (list_id := header_value(msg, "List-Id")) is None:
        yield find("header-list-id-missing")
    elif not (match := rules.LIST_ID.fullmatch(list_id.strip())) or len(match[1]) > 255:
        yield find("header-list-id-invalid", value=list_id.strip())
