"""The rule tables of the email linter: every finding it reports, and the inline CSS that
Gmail or classic Outlook drops.

:data:`FINDINGS` is the catalogue of codes, levels and message templates `digest.lint`
reports. :data:`CSS_RULES` names each CSS property (and, where it matters, a value or the
elements it applies to) that Gmail (webmail, Android or iOS) or classic Outlook on
Windows does not support and that changes the layout when dropped. The comment on each
rule cites the caniemail feature and the clients marked "n" (not supported) or "a"
(partial) in /work/shared/email/caniemail-support.json (commit 6b086a34, June 2026); the
data itself is not copied here. This module holds data and small pure helpers, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

_NONZERO = r"(?<![\d.])(?:0*[1-9]|0*\.\d*[1-9])"  # a number that is not zero
_NEGATIVE = r"(?:^|[\s(,])-(?:\d|\.\d)"

Level = Literal["error", "warning"]

#: Every finding `digest.lint` can report: code -> (level, message template).
FINDINGS: dict[str, tuple[Level, str]] = {
    "not-a-message": ("error", "Not an email message: {why}."),  # then nothing else is said
    # raw bytes
    "header-line-too-long": (
        "error",
        "{n} header line(s) exceed 998 octets (first: line {line}, {octets} octets).",
    ),
    "body-line-too-long": (
        "error",
        "{n} body line(s) exceed 998 octets (first: line {line}, {octets} octets); "
        "relays break or bounce them.",
    ),
    "header-bare-newline": (
        "error",
        "Header line {line} holds a raw CR or LF inside a value instead of a folded "
        "continuation ({n} line(s)).",
    ),
    # headers
    "header-from": ("error", "The message has {n} From headers; it needs exactly one."),
    "header-date-missing": ("error", "The Date header is missing."),
    "header-date-invalid": ("error", "The Date header {value!r} is not an RFC 5322 date."),
    "header-message-id-missing": ("error", "The Message-ID header is missing."),
    "header-subject-missing": ("error", "The Subject header is missing."),
    "header-subject-empty": ("error", "The Subject header is empty."),
    "header-subject-long": (
        "warning",
        "The Subject is {n} characters; inboxes cut it well before that, keep it under 90.",
    ),
    "header-mime-version-missing": ("error", "The MIME-Version header is missing."),
    "header-list-unsubscribe-missing": ("error", "The List-Unsubscribe header is missing."),
    "header-list-unsubscribe-encoded": (
        "error",
        "The List-Unsubscribe header is RFC 2047-encoded (=?...?=), which mail clients "
        "cannot parse; keep its URL short.",
    ),
    "header-list-unsubscribe-https": (
        "error",
        "The List-Unsubscribe header has no https URL in angle brackets.",
    ),
    "header-list-unsubscribe-post": (
        "error",
        "The List-Unsubscribe-Post header is {value}; RFC 8058 needs exactly "
        "'List-Unsubscribe=One-Click'.",
    ),
    "header-list-id-missing": ("warning", "The List-Id header (RFC 2919) is missing."),
    "header-list-id-invalid": (
        "error",
        "The List-Id header {value!r} is not of the RFC 2919 form 'Name <label.domain>'.",
    ),
    # MIME structure
    "mime-no-html": ("warning", "The message has only a text/plain part (no HTML part)."),
    "mime-html-only": (
        "error",
        "The message has no text/plain part (text-only readers get nothing).",
    ),
    "mime-not-alternative": (
        "error",
        "The top-level Content-Type is {kind}, not multipart/alternative.",
    ),
    "mime-part-order": (
        "error",
        "The multipart/alternative parts are {kinds}; text/plain must come first and "
        "text/html last.",
    ),
    "mime-charset": ("error", "Text parts without charset=utf-8: {parts}."),
    "mime-transfer-encoding": (
        "error",
        "Content-Transfer-Encoding must be quoted-printable or base64 (7bit only for short "
        "ASCII lines): {parts}.",
    ),
    "mime-8bit": (
        "warning",
        "Content-Transfer-Encoding 8bit on {parts} needs 8BITMIME on every relay; use "
        "quoted-printable.",
    ),
    # content
    "message-empty": (
        "error",
        "The message has no story: no story block, headline or article link in the HTML "
        "and no article link or story section in the text part, only the masthead and "
        "the footer.",
    ),
    "story-reads-like-notice": (
        "warning",
        "Story text that reads like the newsletter's own footer or a notice to the reader: "
        "{n} {stories} (first: {title!r}, saying {words!r}); readers may take its link for "
        "ours: check the source, or drop the story.",
    ),
    # sizes
    "html-too-large": (
        "error",
        "The decoded HTML is {size:,} bytes; Gmail clips messages at about 102,000.",
    ),
    "html-size": (
        "warning",
        "The decoded HTML is {size:,} bytes, close to where Gmail clips (about 102,000).",
    ),
    "css-style-too-large": (
        "error",
        "<style> content totals {size:,} bytes; Gmail drops all of it beyond 16 KB.",
    ),
    # HTML
    "html-unparseable": ("error", "The HTML part cannot be parsed ({reason})."),
    "html-lang-missing": ("error", "The <html> element has no lang attribute."),
    "html-layout-table": (
        "warning",
        '{n} <table> element(s) have neither role="presentation" nor <th>; screen readers '
        "announce them as data tables.",
    ),
    "img-alt-missing": (
        "error",
        '{n} of {total} <img> element(s) have no alt attribute (first: {src}); use alt="" '
        "for decorative images.",
    ),
    "img-width": (
        "warning",
        "{n} <img> element(s) lack a numeric width attribute (first: {src}); Outlook then "
        "uses the file's own width.",
    ),
    "img-fixed-width": (
        "warning",
        "{n} <img> element(s) wider than a phone's column have no percentage width in "
        "their style (first: {width} px, {src}); while images are off or loading they keep "
        "that width and the message scrolls sideways on a phone: add width:100% and "
        "max-width:{width}px.",
    ),
    "html-forbidden-tag": (
        "error",
        "The HTML contains {tags}, which mail clients strip and spam filters penalise.",
    ),
    "html-event-handler": ("error", "The HTML has event-handler attributes: {names}."),
    "html-javascript-url": (
        "error",
        "{n} element(s) carry a javascript: URL (first: <{tag}>).",
    ),
    "link-insecure": (
        "warning",
        "{n} link(s) use http: instead of https: (first: {href}).",
    ),
    "unsubscribe-link-missing": ("error", "The HTML has no visible unsubscribe link."),
    "preheader-missing": (
        "warning",
        "The body does not open with a hidden preheader (display:none, max-height:0, "
        "mso-hide:all) holding the preview text.",
    ),
    "preheader-low-contrast": (
        "warning",
        "The preheader text is coloured like its background ({colour}), which spam filters "
        "penalise (HTML_FONT_LOW_CONTRAST).",
    ),
    # CSS
    "css-unsupported": (
        "warning",
        "Inline style {label} on {n} element(s) (first: <{tag}>) is dropped by {clients}.",
    ),
    # css-at-import and html-link: n in Gmail webmail, Android and iOS.
    "css-import": ("warning", "@import in a <style> block is not supported by Gmail."),
    "css-link": ("warning", '<link rel="stylesheet"> is not supported by Gmail; inline it.'),
    "css-dark-mode-missing": (
        "warning",
        "No <style> block has an @media (prefers-color-scheme: dark) rule.",
    ),
    "css-media-not-important": (
        "warning",
        "{n} @media block(s) have no !important declaration, so inline styles override "
        'them; keep them in <style data-premailer="ignore">.',
    ),
    # text part
    "text-unsubscribe-missing": (
        "error",
        "The text part does not mention the unsubscribe URL ({url}).",
    ),
    "text-line-too-long": (
        "warning",
        "{n} text line(s) exceed 78 characters (first: line {line}); only a bare URL may.",
    ),
    "text-html-tags": ("warning", "The text part contains HTML tags (first: {tag})."),
    "text-markdown-table": (
        "warning",
        "The text part contains Markdown table pipes (first: line {line}).",
    ),
    "text-flowed-unstuffed": (
        "warning",
        '{n} line(s) of the format=flowed text part begin with ">" or "From " unstuffed '
        "(first: line {line}): clients show them as a quotation or mailboxes change them "
        "(RFC 3676, 4.4: put a space before).",
    ),
    "text-signature-hides-unsubscribe": (
        "warning",
        'A signature separator ("-- ", line {line}) comes before the unsubscribe link: '
        "mail clients fold a signature away.",
    ),
}


# --- patterns the linter matches HTML, headers and the text part against ---------------

#: RFC 2919 List-Id: an optional phrase, then <list-label.domain> (dot-atom).
LIST_ID = re.compile(
    r"(?:[^<>]*\s)?<([\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)+)>", re.ASCII
)
#: "Unsubscribe" in the languages our newsletters are written in (en, da, de, fr, nl, nb, sv).
UNSUB_WORDS = re.compile(
    r"unsubscri|opt[- ]?out|afmeld|abmeld|abbestell|d[ée]sabonn|d[ée]sinscri|uitschrijv"
    r"|avmeld|avregistrer|avsluta",
    re.I,
)
#: Words of a newsletter's own links (masthead and footer: web view, preferences,
#: unsubscribe) in en, da, de; a link or text line without them may be a story.
CHROME_WORDS = re.compile(
    UNSUB_WORDS.pattern + r"|preferen|settings|indstilling|einstellung|browser|web ?version"
    r"|webudgave|webausgabe|view (it )?online|online (ansehen|lesen)|manage (your )?subscri"
    r"|forward (this|to a friend)",
    re.I,
)
#: A rule of "=" under which the text part sets a story or a section of stories.
TEXT_RULE = re.compile(r"\s*={3,}\s*")
#: A numbered link reference in a text part: "[3] https://..." or "[3]: https://...".
TEXT_REFERENCE = re.compile(r"\s*\[(\d+)\]:?\s+(\S+)\s*")
TEXT_URL = re.compile(r"https?://[^\s<>\]\[)]+", re.I)
SCRIPT_URL = re.compile(r"(?:javascript|vbscript):")  # matched with whitespace removed
#: Attributes whose value is a URL (where a javascript: URL would run).
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "background", "data", "poster", "xlink:href"}
)
#: A hidden element, matched against a style attribute with whitespace removed.
HIDDEN = re.compile(r"display:none|mso-hide:all|max-height:0(?![.\d])|visibility:hidden")
#: Characters preheaders are padded with, which are not "real text".
SPACERS = "\u00a0\u00ad\u034f\u180e\u2007\u200b\u200c\u200d\u2060\ufeff"
DARK_MODE = re.compile(r"@media[^{]*prefers-color-scheme\s*:\s*dark", re.I)
#: A text line allowed past 78 characters: an optional label ("[3]:"), then one URL.
URL_LINE = re.compile(r"\s*(?:\S+\s+)?<?(?:https?|mailto):\S+\s*")
HTML_TAG = re.compile(
    r"</?(?:a|b|i|p|br|hr|em|strong|span|div|img|table|tr|td|th|ul|ol|li|h[1-6]|font|html"
    r"|body|head|style|center|blockquote)(?:\s[^<>]*)?/?>",
    re.I,
)
#: A Markdown table row: a |---|---| separator, or a line with pipes at both ends.
PIPE_ROW = re.compile(r"\s*\|?\s*:?-{3,}:?\s*\|[\s|:-]*|\s*\|.*\|.*\|\s*")


@dataclass(frozen=True, slots=True)
class CssRule:
    """A property an important client drops from an inline `style` attribute."""

    label: str  # what the finding calls it, e.g. "display:flex"
    clients: str  # the clients that drop it, as the data says
    prop: re.Pattern[str]  # full match on the lower-cased property name
    value: re.Pattern[str] | None = None  # searched in the lower-cased value; None = any
    only: frozenset[str] = frozenset()  # applies only to these elements (empty = all)
    skip: frozenset[str] = frozenset()  # never applies to these elements


def _rule(label: str, clients: str, prop: str, value: str | None = None, **tags: str) -> CssRule:
    return CssRule(
        label,
        clients,
        re.compile(prop),
        re.compile(value) if value is not None else None,
        frozenset(tags.get("only", "").split()),
        frozenset(tags.get("skip", "").split()),
    )


GMAIL = "Gmail"
OUTLOOK = "classic Outlook on Windows"
BOTH = f"{GMAIL} and {OUTLOOK}"
OUTLOOK_GMAIL_APPS = f"{OUTLOOK} and the Gmail apps with non-Google accounts"

CSS_RULES: tuple[CssRule, ...] = (
    # css-position: n in Gmail webmail/Android/iOS and Outlook Windows 2007-2019.
    _rule("position", BOTH, "position"),
    # css-left-right-top-bottom, css-inset: n in Gmail (all) and Outlook Windows.
    _rule("top/right/bottom/left", BOTH, "top|right|bottom|left|inset(-.*)?"),
    # css-z-index: n in Gmail (all) and Outlook Windows.
    _rule("z-index", BOTH, "z-index"),
    # css-transform: n in Gmail (all) and Outlook Windows.
    _rule("transform", BOTH, "transform"),
    # css-display-flex: n in Outlook Windows; a in Gmail Android/iOS (non-Google accounts).
    _rule("display:flex", OUTLOOK_GMAIL_APPS, "display", r"\bflex\b"),
    # css-display-grid: n in Outlook Windows; a in Gmail Android/iOS (non-Google accounts).
    _rule("display:grid", OUTLOOK_GMAIL_APPS, "display", r"\bgrid\b"),
    # css-flex-direction, css-flex-wrap, css-justify-content, css-align-items:
    # n in Gmail (all) and Outlook Windows.
    _rule("flexbox properties", BOTH, "flex(-.*)?|justify-content|align-items"),
    # css-grid-template: n in Gmail (all) and Outlook Windows.
    _rule("grid properties", BOTH, "grid(-.*)?"),
    # css-gap: a in Gmail (all), n in Outlook Windows.
    _rule("gap", BOTH, "(row-|column-)?gap"),
    # css-float: n in Outlook Windows (use the align attribute); a in Gmail Android/iOS.
    _rule("float", OUTLOOK, "float"),
    # css-background-image: n in Outlook Windows 2007-2019 (needs VML).
    _rule("background-image", OUTLOOK, "background(-image)?", r"url\("),
    # css-max-width: n in Outlook Windows 2007-2016; 2019 supports it on <table> only.
    # Not on <img>: Outlook sizes images by the numeric width attribute the linter requires.
    _rule("max-width", OUTLOOK, "max-width", skip="table img"),
    # css-min-width: n in Outlook Windows 2007-2019.
    _rule("min-width", OUTLOOK, "min-width"),
    # css-width: a in Outlook Windows, "not supported on <body>, <span>, <div>, <p> or <img>"
    # (images are covered by the numeric width attribute the linter requires).
    _rule("width on <div>/<p>/<span>/<body>", OUTLOOK, "width", only="body span div p"),
    # css-padding: a in Outlook Windows, "only supported on table cells".
    _rule("padding outside table cells", OUTLOOK, "padding(-.*)?", _NONZERO, skip="td th"),
    # css-margin: a in Gmail and Outlook Windows, "negative values are not supported".
    _rule("negative margin", BOTH, "margin(-.*)?", _NEGATIVE),
    # css-margin: a in Outlook Windows, "not supported on <span> and <body> elements".
    _rule("margin on <span>/<body>", OUTLOOK, "margin(-.*)?", _NONZERO, only="span body"),
    # css-variables: n in Gmail (var() is kept but declarations are dropped, so nothing
    # resolves) and in Outlook Windows.
    _rule("CSS variables", BOTH, "--.*"),
    _rule("CSS variables", BOTH, ".*", r"var\("),
    # css-unit-calc: n in Outlook Windows, a in Gmail Android/iOS.
    _rule("calc()", OUTLOOK, ".*", r"calc\("),
    # css-unit-rem, css-unit-vw, css-unit-vh, css-unit-vmin/vmax: n in Outlook Windows.
    _rule("rem/vw/vh units", OUTLOOK, ".*", r"\d(rem|vw|vh|vmin|vmax)\b"),
)

_NAMED = {"white": "#ffffff", "black": "#000000", "silver": "#c0c0c0", "gray": "#808080"}


def normalise_colour(value: str) -> str | None:
    """`#abc`, `#AABBCC`, `rgb(170, 187, 204)` and a few names as `#aabbcc`; else None."""
    value = value.strip().lower().replace("!important", "").strip()
    value = _NAMED.get("gray" if value == "grey" else value, value)
    if m := re.fullmatch(r"#([0-9a-f]{3})", value):
        return "#" + "".join(c * 2 for c in m[1])
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    if m := re.fullmatch(r"rgba?\((\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*1(?:\.0*)?\s*)?\)", value):
        return "#" + "".join(f"{min(int(n), 255):02x}" for n in m.groups())
    return None


def declarations(style: str) -> list[tuple[str, str]]:
    """The ``(property, value)`` pairs of a style attribute or rule body, lower-cased."""
    style = re.sub(r"/\*.*?\*/", "", style, flags=re.S)
    pairs = (part.partition(":") for part in style.split(";"))
    return [(p.strip().lower(), v.strip().lower()) for p, sep, v in pairs if sep and p.strip()]


def media_blocks(css: str) -> Iterator[str]:
    """The bodies of the ``@media`` blocks in a stylesheet (comments already removed)."""
    for match in re.finditer(r"@media[^{]*\{", css, re.I):
        depth, end = 1, match.end()
        while depth and end < len(css):
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        yield css[match.end() : end - 1]


def has_important(block: str) -> bool:
    """Whether a block's rules have an ``!important`` declaration (or no declaration)."""
    bodies = re.findall(r"\{([^{}]*)\}", block)
    decls = [d for body in bodies for d in body.split(";") if ":" in d]
    return not decls or any("!important" in d.lower() for d in decls)


def declared(el: Any, prop: str) -> str | None:
    """The last value an lxml element's style attribute gives ``prop``, or None."""
    values = [v for p, v in declarations(el.get("style") or "") if p == prop]
    return values[-1] if values else None


def colour_of(el: Any) -> str | None:
    """The text colour an element declares itself (style or <font color>), normalised."""
    return normalise_colour(declared(el, "color") or el.get("color") or "")


def background_of(el: Any) -> str | None:
    """The background colour an element declares itself (style or bgcolor), normalised."""
    shorthand = (declared(el, "background") or "").split()
    candidates = [declared(el, "background-color"), *shorthand, el.get("bgcolor")]
    return next(filter(None, (normalise_colour(c) for c in candidates if c)), None)
