"""Lint one outgoing newsletter message against the project's email standards.

The rules are those of DESIGN.md, "Email standards": the headers a list message needs
(RFC 5322, 2369, 2919, 8058), a `multipart/alternative` text-then-HTML structure, the
sizes at which Gmail clips or drops the stylesheet, accessible and safe HTML with a
preheader and a visible unsubscribe link, a readable text part, and no inline CSS that
Gmail or classic Outlook drops. Codes, levels and messages are in `digest.lint_rules`.

This module only reads bytes and reports :class:`Finding` values, one per problem (not
one per element); it never changes, renders or sends a message, and raises only when a
file cannot be read. The `digest lint` command is built on these functions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html

from digest import lint_rules as rules
from digest.errors import DigestError
from digest.lint_rules import FINDINGS, Level

__all__ = ["Finding", "Level", "format_findings", "lint_file", "lint_message"]

MAX_LINE = 998  # octets per line, CRLF excluded (RFC 5322 section 2.1.1)
CLIP_BYTES = 102_000  # Gmail clips a message whose decoded HTML reaches this size
NEAR_CLIP_BYTES = 90_000
MAX_STYLE_BYTES = 16 * 1024  # Gmail drops all <style> content beyond 16 KB
TEXT_WIDTH = 78
FORBIDDEN_TAGS = ("script", "iframe", "form", "object", "embed")
ONE_CLICK = "List-Unsubscribe=One-Click"
SUBJECT_WARN = 90  # characters: inboxes show far fewer; the renderer cuts near this
STORY_CLASSES = frozenset({"lead", "teaser", "story"})  # our theme's story blocks

_FIELD_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]*:|[\t ]")  # as email.feedparser reads one


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem the linter found in a message."""

    level: Level  # "error" fails `digest lint`; "warning" is advice
    code: str  # short kebab-case id, e.g. "header-date-missing"
    message: str  # one sentence naming the header, element or CSS property at fault


def _find(code: str, **fields: object) -> Finding:
    level, template = FINDINGS[code]
    return Finding(level, code, template.format(**fields))


def lint_message(data: bytes) -> list[Finding]:
    """Every problem found in the raw bytes of one message, errors first; never raises.

    A transactional message (see :func:`_transactional`, e.g. the double opt-in
    confirmation) is not held to the list rules: List-Unsubscribe, List-Id, an
    unsubscribe link in the text and an HTML part."""
    msg = BytesParser(policy=default).parsebytes(data)
    unsubscribe = _unsubscribe_url(msg)
    findings = [*_raw_lines(data), *_headers(msg), *_structure(msg)]
    if (html := _body(msg, "html")) is not None:
        findings += _html(html, unsubscribe)
    if (text := _body(msg, "plain")) is not None:
        findings += _text(text, unsubscribe)
    if _transactional(msg):
        findings = [f for f in findings if f.code not in LIST_ONLY]
    if (html is not None or text is not None) and not (
        (html is not None and _html_has_story(html, unsubscribe))
        or (text is not None and _text_has_story(text, unsubscribe))
    ):
        findings.append(_find("message-empty"))
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


# --- raw bytes and headers -------------------------------------------------------------


def _raw_lines(data: bytes) -> Iterator[Finding]:
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
            yield _find(f"{part}-line-too-long", n=len(found), line=found[0][0], octets=found[0][1])
    if broken:
        yield _find("header-bare-newline", line=broken[0], n=len(broken))


def _raw(msg: Message, name: str) -> list[str]:
    """The unparsed values of a header, as they appear in the message."""
    return [str(value) for key, value in msg.raw_items() if key.lower() == name.lower()]


def _value(msg: Message, name: str) -> str | None:
    return str(msg[name]) if _raw(msg, name) else None


def _unsubscribe_url(msg: Message) -> str | None:
    urls = re.findall(r"<\s*(https://[^>\s]+)\s*>", _value(msg, "List-Unsubscribe") or "", re.I)
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


def _transactional(msg: Message) -> bool:
    """A one-off automatic mail to one person (RFC 3834 `Auto-Submitted`), not a list
    message: it carries no List-* header and no edition."""
    auto = (_value(msg, "Auto-Submitted") or "no").strip().lower()
    list_headers = ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "X-Digest-Edition")
    return auto != "no" and not any(_raw(msg, name) for name in list_headers)


def _headers(msg: EmailMessage) -> Iterator[Finding]:
    if (froms := len(_raw(msg, "From"))) != 1:
        yield _find("header-from", n=froms)
    if not _raw(msg, "Date"):
        yield _find("header-date-missing")
    elif getattr(msg["Date"], "datetime", None) is None:
        yield _find("header-date-invalid", value=_raw(msg, "Date")[0].strip())
    if not _raw(msg, "Message-ID"):
        yield _find("header-message-id-missing")
    if (subject := _value(msg, "Subject")) is None:
        yield _find("header-subject-missing")
    elif not subject.strip():
        yield _find("header-subject-empty")
    elif (n := len(" ".join(subject.split()))) > SUBJECT_WARN:
        yield _find("header-subject-long", n=n)
    if not _raw(msg, "MIME-Version"):
        yield _find("header-mime-version-missing")
    if not (unsubscribe := _raw(msg, "List-Unsubscribe")):
        yield _find("header-list-unsubscribe-missing")
    else:
        if any("=?" in value for value in unsubscribe):
            yield _find("header-list-unsubscribe-encoded")
        if _unsubscribe_url(msg) is None:
            yield _find("header-list-unsubscribe-https")
    if (post := _value(msg, "List-Unsubscribe-Post")) is None or post.strip() != ONE_CLICK:
        yield _find("header-list-unsubscribe-post", value=repr(post.strip()) if post else "missing")
    if (list_id := _value(msg, "List-Id")) is None:
        yield _find("header-list-id-missing")
    elif not (match := rules.LIST_ID.fullmatch(list_id.strip())) or len(match[1]) > 255:
        yield _find("header-list-id-invalid", value=list_id.strip())


# --- MIME structure --------------------------------------------------------------------


def _structure(msg: EmailMessage) -> Iterator[Finding]:
    kind = msg.get_content_type()
    alternative = kind == "multipart/alternative"
    kinds = [part.get_content_type() for part in msg.iter_parts()] if alternative else [kind]
    if kinds == ["text/plain"]:
        yield _find("mime-no-html")
    elif kind == "text/html" or (alternative and "text/plain" not in kinds):
        yield _find("mime-html-only")
    elif not alternative:
        yield _find("mime-not-alternative", kind=kind)
    elif kinds[0] != "text/plain" or kinds[-1] != "text/html":
        yield _find("mime-part-order", kinds=", ".join(kinds))
    charsets, eight_bit, bad = [], [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind, charset = part.get_content_type(), part.get_content_charset() or "none"
        if part.get_content_maintype() == "text" and charset not in ("utf-8", "utf8"):
            charsets.append(f"{kind} ({charset})")
        cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
        if cte == "8bit":
            eight_bit.append(kind)
        elif cte not in ("quoted-printable", "base64") and not (cte == "7bit" and _is_7bit(part)):
            bad.append(f"{kind} ({cte})")
    if charsets:
        yield _find("mime-charset", parts=", ".join(charsets))
    if bad:
        yield _find("mime-transfer-encoding", parts=", ".join(bad))
    if eight_bit:
        yield _find("mime-8bit", parts=", ".join(eight_bit))


def _is_7bit(part: Message) -> bool:
    payload = part.get_payload()
    if not isinstance(payload, str) or not payload.isascii():
        return False
    return all(len(line) <= MAX_LINE for line in payload.splitlines())


def _body(msg: EmailMessage, subtype: str) -> str | None:
    """The decoded text of the first inline text/<subtype> part, or None."""
    for part in msg.walk():
        if part.get_content_type() == f"text/{subtype}" and not part.is_attachment():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            try:
                return data.decode(part.get_content_charset() or "utf-8", "replace")
            except LookupError:
                return data.decode("utf-8", "replace")
    return None


# --- HTML ------------------------------------------------------------------------------


def _html(html: str, unsubscribe: str | None) -> Iterator[Finding]:
    size = len(html.encode("utf-8", "surrogatepass"))
    if size >= NEAR_CLIP_BYTES:
        yield _find("html-too-large" if size >= CLIP_BYTES else "html-size", size=size)
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        yield _find("html-unparseable", reason=exc)
        return
    elements = list(doc.iter(lxml.etree.Element))
    if doc.tag != "html" or not (doc.get("lang") or "").strip():
        yield _find("html-lang-missing")
    yield from _stylesheets(doc)
    if layout := [table for table in doc.iter("table") if not _presentational(table)]:
        yield _find("html-layout-table", n=len(layout))
    images = list(doc.iter("img"))
    if no_alt := [img for img in images if img.get("alt") is None]:
        src = no_alt[0].get("src")
        yield _find("img-alt-missing", n=len(no_alt), total=len(images), src=src)
    if no_width := [img for img in images if not (img.get("width") or "").strip().isdigit()]:
        yield _find("img-width", n=len(no_width), src=no_width[0].get("src"))
    if forbidden := Counter(el.tag for el in doc.iter(*FORBIDDEN_TAGS)):
        tags = ", ".join(f"{n} <{tag}>" for tag, n in sorted(forbidden.items()))
        yield _find("html-forbidden-tag", tags=tags)
    if handlers := sorted({a for el in elements for a in el.attrib if a.startswith("on")}):
        yield _find("html-event-handler", names=", ".join(handlers))
    if scripted := [el for el in elements if any(_script_url(k, v) for k, v in el.attrib.items())]:
        yield _find("html-javascript-url", n=len(scripted), tag=scripted[0].tag)
    links = list(doc.iter("a"))
    if plain := [a for a in links if (a.get("href") or "").strip().lower().startswith("http:")]:
        yield _find("link-insecure", n=len(plain), href=plain[0].get("href").strip())
    if not any(_unsubscribe_link(a, unsubscribe) for a in links):
        yield _find("unsubscribe-link-missing")
    yield from _preheader(doc)
    yield from _inline_css(elements)


def _presentational(table: Any) -> bool:
    if (table.get("role") or "").strip().lower() == "presentation":
        return True
    return any(next(th.iterancestors("table"), None) is table for th in table.iter("th"))


def _script_url(name: str, value: str) -> bool:
    return name in rules.URL_ATTRIBUTES and bool(
        rules.SCRIPT_URL.match(re.sub(r"[\s\x00-\x1f]+", "", value).lower())
    )


def _hidden(el: Any) -> bool:
    return bool(rules.HIDDEN.search(re.sub(r"\s+", "", (el.get("style") or "").lower())))


def _unsubscribe_link(a: Any, url: str | None) -> bool:
    href = (a.get("href") or "").strip()
    named = bool(rules.UNSUB_WORDS.search(a.text_content()) or rules.UNSUB_WORDS.search(href))
    visible = not _hidden(a) and not any(_hidden(up) for up in a.iterancestors())
    return visible and (named or (url is not None and href == url))


def _real_text(text: str | None) -> bool:
    return any(c.isalnum() for c in (text or "") if c not in rules.SPACERS)


def _first_text(el: Any) -> Any:
    """The hidden element holding the preheader, False if visible text comes first, or None."""
    if el.tag in ("head", "style", "script", "title"):
        return None
    if _hidden(el):
        return el if _real_text(el.text_content()) else None
    if _real_text(el.text):
        return False
    for child in el:
        if isinstance(child.tag, str) and (found := _first_text(child)) is not None:
            return found
        if _real_text(child.tail):
            return False
    return None


def _preheader(doc: Any) -> Iterator[Finding]:
    if (pre := _first_text(doc)) is None or pre is False:
        yield _find("preheader-missing")
        return
    # The colours the preheader's text is drawn in: its own, else the nearest inherited one.
    colours = {rules.colour_of(el) for el in pre.iter(lxml.etree.Element)} - {None}
    inherited = (colour for up in pre.iterancestors() if (colour := rules.colour_of(up)))
    colours = colours or {next(inherited, None)}
    background = next(
        filter(None, map(rules.background_of, [pre, *pre.iterancestors()])), "#ffffff"
    )
    if background in colours:
        yield _find("preheader-low-contrast", colour=background)


# --- CSS -------------------------------------------------------------------------------


def _stylesheets(doc: Any) -> Iterator[Finding]:
    sheets = [el.text_content() or "" for el in doc.iter("style")]
    if (size := sum(len(s.encode("utf-8", "surrogatepass")) for s in sheets)) > MAX_STYLE_BYTES:
        yield _find("css-style-too-large", size=size)
    css = re.sub(r"/\*.*?\*/", "", "\n".join(sheets), flags=re.S)
    if "@import" in css.lower():
        yield _find("css-import")
    if any("stylesheet" in (link.get("rel") or "").lower().split() for link in doc.iter("link")):
        yield _find("css-link")
    if not rules.DARK_MODE.search(css):
        yield _find("css-dark-mode-missing")
    if weak := [block for block in rules.media_blocks(css) if not rules.has_important(block)]:
        yield _find("css-media-not-important", n=len(weak))


def _hidden_everywhere(el: Any) -> bool:
    """Hidden in Gmail and the rest (display:none) and in classic Outlook (mso-hide:all)."""
    style = re.sub(r"\s+", "", (el.get("style") or "").lower())
    return "display:none" in style and "mso-hide:all" in style


def _inline_css(elements: list[Any]) -> Iterator[Finding]:
    """Unsupported properties in `style` attributes; `<style>` blocks are enhancement.

    Elements hidden in every client (a preheader) are skipped: nothing there is laid out.
    """
    hits: dict[str, list[Any]] = {}
    hidden = {id(el) for el in elements if _hidden_everywhere(el)}
    for el in elements:
        if id(el) in hidden or any(id(up) in hidden for up in el.iterancestors()):
            continue
        for prop, value in rules.declarations(el.get("style") or ""):
            for rule in rules.CSS_RULES:
                if (rule.only and el.tag not in rule.only) or el.tag in rule.skip:
                    continue
                if rule.prop.fullmatch(prop) and (rule.value is None or rule.value.search(value)):
                    found = hits.setdefault(rule.label, [])
                    if not found or found[-1] is not el:
                        found.append(el)
    for rule in {rule.label: rule for rule in rules.CSS_RULES}.values():
        if els := hits.get(rule.label):
            tag, n = els[0].tag, len(els)
            yield _find("css-unsupported", label=rule.label, n=n, tag=tag, clients=rule.clients)


# --- is there a story at all? --------------------------------------------------------


def _html_has_story(html: str, unsubscribe: str | None) -> bool:
    """Whether the visible HTML shows a story, not only a masthead and a footer: a story
    block of our theme, an <article>, a headline below the masthead (h2-h6), or a link
    that is none of the newsletter's own (web view, preferences, unsubscribe)."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return True  # html-unparseable says what is wrong
    body = doc.find("body")
    for el in (body if body is not None else doc).iter(lxml.etree.Element):
        if _hidden(el) or any(_hidden(up) for up in el.iterancestors()):
            continue
        if el.tag == "article" or STORY_CLASSES & set((el.get("class") or "").split()):
            return True
        if el.tag in ("h2", "h3", "h4", "h5", "h6") and _real_text(el.text_content()):
            return True
        if el.tag == "a" and _content_link(el.get("href") or "", el.text_content(), unsubscribe):
            return True
    return False


def _content_link(href: str, words: str, unsubscribe: str | None) -> bool:
    href = href.strip()
    if not href.lower().startswith(("http://", "https://")) or href == unsubscribe:
        return False
    return not (rules.CHROME_WORDS.search(words) or rules.CHROME_WORDS.search(href))


def _text_has_story(text: str, unsubscribe: str | None) -> bool:
    """Whether the text part shows a story: a rule of "=" above something other than
    the newsletter's own links, or a link (inline or a numbered reference) that a line
    other than those of the masthead and footer points to."""
    lines = [line.strip() for line in text.splitlines()]
    refs = {m[1]: m[2] for line in lines if (m := rules.TEXT_REFERENCE.fullmatch(line))}
    said = ""  # the last line with words, for a URL on a line of its own
    for i, line in enumerate(lines):
        if not line or rules.TEXT_REFERENCE.fullmatch(line):
            continue
        if rules.TEXT_RULE.fullmatch(line):
            after = next((x for x in lines[i + 1 :] if x and not rules.TEXT_RULE.fullmatch(x)), "")
            if after and not rules.CHROME_WORDS.search(after):
                return True
            continue
        words = rules.TEXT_URL.sub("", line)
        context = words if _real_text(re.sub(r"\[\d+\]", "", words)) else said
        urls = rules.TEXT_URL.findall(line)
        urls += [refs[n] for n in re.findall(r"\[(\d+)\]", line) if n in refs]
        if any(_content_link(url, context, unsubscribe) for url in urls):
            return True
        if _real_text(words):
            said = words
    return False


# --- text part -------------------------------------------------------------------------


def _text(text: str, unsubscribe: str | None) -> Iterator[Finding]:
    if not (unsubscribe in text if unsubscribe else rules.UNSUB_WORDS.search(text)):
        yield _find("text-unsubscribe-missing", url=unsubscribe or "none in List-Unsubscribe")
    lines = text.splitlines()
    wide = (len(line) > TEXT_WIDTH and not rules.URL_LINE.fullmatch(line) for line in lines)
    if long := [i for i, too_wide in enumerate(wide, 1) if too_wide]:
        yield _find("text-line-too-long", n=len(long), line=long[0])
    if tag := rules.HTML_TAG.search(text):
        yield _find("text-html-tags", tag=tag[0][:40])
    if pipes := [i for i, line in enumerate(lines, 1) if rules.PIPE_ROW.fullmatch(line)]:
        yield _find("text-markdown-table", line=pipes[0])
