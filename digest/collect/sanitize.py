"""Make source HTML and text safe and plain.

Every piece of HTML a source gives us passes :func:`sanitize_html` (an nh3 allow-list)
before it is stored; titles pass :func:`clean_text`; plain-text bodies come from
:func:`~digest.collect.plaintext.html_to_text`. This module only transforms strings: it
must not fetch anything, must not read the clock, and must not decide what an article
*is* (that is the parsers').
"""

from __future__ import annotations

import html as htmlmod
import re
import unicodedata
from collections.abc import Callable
from types import EllipsisType
from typing import Literal
from urllib.parse import urlsplit

import nh3

from digest.bidi import CONTROLS, without_controls
from digest.collect.hosts import absolute_url
from digest.collect.marks import few_marks
from digest.collect.markup import escaped_markup

#: Tags kept (their attributes are filtered separately). Everything else is unwrapped.
ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "div", "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub"}
    | {"sup", "small", "cite", "q", "abbr", "ul", "ol", "li", "dl", "dt", "dd", "blockquote"}
    | {"h2", "h3", "h4", "figure", "figcaption", "img", "pre", "code", "table", "caption"}
    | {"thead", "tbody", "tfoot", "tr", "th", "td"}
)
#: Tags removed together with everything inside them.
DROPPED_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "noframes", "form", "object", "embed"}
    | {"applet", "noscript", "template", "textarea", "select", "button", "svg", "math"}
    | {"audio", "video", "canvas", "title", "head"}
)
ATTRIBUTES = {
    "*": set(),  # nh3 would otherwise allow title and lang everywhere
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
#: Deepest element nesting kept; deeper tags are dropped (their text stays), because
#: the HTML parser's work grows with the square of the depth.
MAX_DEPTH = 64
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_NUMERIC_ATTRIBUTES = frozenset({"width", "height", "colspan", "rowspan", "start"})

# nh3 output is normalised: attribute values are always double-quoted, `"` escaped.
#: An <img> tag of sanitised HTML (its attributes in group 1), and one attribute.
IMG_TAG = re.compile(r'<img((?:\s+[a-zA-Z_:][-\w:.]*(?:="[^"]*")?)*)\s*/?>')
TAG_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-\w:.]*)="([^"]*)"')
_EMPTY_LINK = re.compile(r'<a(?:\s+[a-zA-Z_:][-\w:.]*(?:="[^"]*")?)*\s*>\s*</a>')
#: Image URLs that are tracking pixels, feed "flare" buttons or spacers, not pictures.
PIXEL_URL = re.compile(
    r"(?i)(?:/~r/|/~ff/|feedsportal|doubleclick\.net|stats\.wordpress\.com|pixel\.(?:gif|png)"
    r"|/pixel(?:[/?]|$)|/track(?:ing)?/|tracking[-_]?pixel|/track\.gif|/open\.gif|/beacon"
    r"|spacer\.gif|blank\.gif|/1x1|\b1x1\.|pheedo|/b\.gif|/mf\.gif|feedburner\.com/~"
    r"|/count(?:er)?\.gif|/emoji/|/(?:piwik|matomo)\.php|[?&]idsite=)"  # Matomo's
)
_TAG = re.compile(r"<[^<>]*>")
_SCRIPTISH = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
#: Direction embeddings, overrides and isolates; marks with no right-to-left letter to
#: place: see digest.bidi.
_BIDI_CONTROL = CONTROLS
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6-\u02dc\u20ac]")
#: The byte each character stands for in cp1252 (else Latin-1); `_CONTINUATION` are those
#: of UTF-8's continuation bytes (0x80-0xBF). A run is the two bytes of a character from
#: U+0080 to U+00FF ("Ã©") or the three of one from U+2000 to U+2FFF ("â€“", "â‚¬"): only
#: these leads, as "ß“" (German quotes after ß) are bytes of a character no one writes.
_CP1252_BYTE = {bytes([b]).decode("cp1252", "ignore") or chr(b): b for b in range(0x80, 0x100)}
_CONTINUATION = "".join(c for c, b in _CP1252_BYTE.items() if b < 0xC0)
_MOJIBAKE_RUN = re.compile(f"[ÂÃ][{_CONTINUATION}]|â[{_CONTINUATION}]{{2}}")


# Text that merely *mentions* a script, a handler or a javascript: URL is harmless, but
# it gets a zero-width space so that no filter downstream (and no grep) mistakes it.
_MENTIONS = (
    re.compile(r"(?i)((?:java|vb)script)(\s*:)"),
    re.compile(r"(?i)(\son\w+)(\s*=)"),
    re.compile(r"(?i)(<|&lt;)(\s*/?\s*(?:script|iframe|form|style|object|embed)\b)"),
)
_TOKEN = re.compile(r'(</?[a-zA-Z][-\w]*(?:\s+[^\s="/>]+(?:="[^"]*")?)*\s*/?>)')


#: Every mention above has one of these characters: text without any is left as it is
#: (most text between two tags), and the three patterns are not run on it.
_MENTION_MARK = re.compile(r"[:=<&]")


def _defuse(text: str) -> str:
    if not _MENTION_MARK.search(text):
        return text
    for pattern in _MENTIONS:
        text = pattern.sub("\\1\u200b\\2", text)
    return text


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr in _NUMERIC_ATTRIBUTES:
        digits = value.strip().removesuffix("px").strip()
        return digits if digits.isdigit() and len(digits) < 6 else None
    if attr in {"href", "src"}:
        if re.sub(r"[\x00-\x20]+", "", value).lower().startswith(_BAD_SCHEMES):
            return None
        value = re.sub(r"(?i)(?<=script):", "%3A", value.strip())  # "?u=javascript:x"
        return value or None
    return _defuse(value)


def _is_pixel(src: str | None, width: str | None, height: str | None) -> bool:
    if not src:
        return True
    if width in {"0", "1"} or height in {"0", "1"}:
        return True
    return PIXEL_URL.search(src) is not None


def _drop_pixels(clean: str) -> str:
    def replace(match: re.Match[str]) -> str:
        attrs = dict(TAG_ATTRIBUTE.findall(match.group(1)))
        if _is_pixel(attrs.get("src"), attrs.get("width"), attrs.get("height")):
            return ""
        return match.group(0)

    return _EMPTY_LINK.sub("", IMG_TAG.sub(replace, clean))


_TAG_TOKEN = re.compile(r"<(/?)([a-zA-Z][-\w:]*)(?:\s[^>]*)?>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
#: Elements whose end tag may be left out: they are not counted towards the depth.
_LOOSE = frozenset(
    {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option"}
    | {"optgroup", "colgroup", "caption", "rb", "rt", "rp"}
)


def flatten_deep(html: str, max_depth: int = MAX_DEPTH) -> tuple[str, bool]:
    """`html` without the tags nested deeper than `max_depth` (their text stays).

    One linear pass over the tags; returns the HTML and whether anything was dropped.
    Tags whose content the sanitiser drops (script, style, …) are always kept.
    """
    if html.count("<") <= max_depth:
        return html, False
    stack: list[tuple[str, bool]] = []  # open elements: (name, kept)
    drop: list[tuple[int, int]] = []  # spans of tags to leave out
    for match in _TAG_TOKEN.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID or name in _LOOSE or name in DROPPED_TAGS or match.group(0)[-2] == "/":
            continue
        if not closing:
            kept = len(stack) < max_depth
            stack.append((name, kept))
            if not kept:
                drop.append(match.span())
            continue
        for depth in range(len(stack) - 1, max(len(stack) - 9, -1), -1):  # a few levels up
            if stack[depth][0] == name:
                kept = stack[depth][1]
                del stack[depth:]
                if not kept:
                    drop.append(match.span())
                break
    if not drop:
        return html, False
    parts, start = [], 0
    for begin, end in drop:
        parts.append(html[start:begin])
        start = end
    parts.append(html[start:])
    return "".join(parts), True


def _same_document(page: str | None, dropped: list[str]) -> Callable[[str, str, str], str | None]:
    """:func:`_attribute_filter`, with each link to a part of the document ("#note-1")
    sent to `page`; where `page` is None, taken off its link and named in `dropped`.
    (nh3 calls the filter before it resolves a relative URL against the base.)"""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "href" and value.lstrip().startswith("#"):
            target = absolute_url(value, page) if page else None
            if target is None:
                dropped.append(value)
                return None
            value = target
        return _attribute_filter(tag, attr, value)

    return attribute_filter


#: A link of sanitised HTML, its attributes in group 1 and its content in group 2 (links
#: do not nest: the parser closes one before the next opens).
_LINK = re.compile(r'<a((?:\s+[a-zA-Z_:][-\w:.]*(?:="[^"]*")?)*)\s*>(.*?)</a>', re.DOTALL)


def _web_base(base_url: str | None) -> str | None:
    if base_url and urlsplit(base_url).scheme in {"http", "https"} and urlsplit(base_url).netloc:
        return base_url
    return None


def _clean(
    html: str,
    relative: Literal["deny"] | tuple[Literal["rewrite_with_base"], str],
    attribute_filter: Callable[[str, str, str], str | None],
    classes: bool = False,
) -> str:
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    if classes:
        attributes["*"].add("class")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_TAGS),
        attributes=attributes,
        attribute_filter=attribute_filter,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes=set(URL_SCHEMES),
        url_relative=relative,
    )


def sanitize_html(
    html: str,
    *,
    base_url: str | None,
    page_url: str | EllipsisType | None = ...,
    class_filter: Callable[[str], str | None] | None = None,
) -> str:
    """Return `html` reduced to the allow-list, with absolute http(s) links and images.

    Scripts, styles, frames, forms and embeds go with their content; event handlers,
    styles and any URL that is not http(s)/mailto go; relative URLs are resolved against
    `base_url` (dropped when there is no http(s) base); links get
    ``rel="noopener noreferrer"``; tracking pixels are removed; elements nested deeper
    than :data:`MAX_DEPTH` are unwrapped first (see :func:`flatten_deep`).

    A link to a part of the same document (``href="#note-1"``) goes to `page_url`, the
    address of the document `html` is (a feed item's: its article's), with that
    fragment; where `page_url` is None (no http(s) address) such a link is unwrapped,
    its text kept. By default `page_url` is `base_url` (a page's own address). Either
    needs a `base_url`: without one every relative link goes.

    `class_filter`, where given, keeps a class attribute as it rewrites it (None: not
    kept): how :mod:`digest.collect.codeblocks` finds code blocks. Stored HTML has none.
    """
    if not html or not html.strip():
        return ""
    html, _ = flatten_deep(html)
    base = _web_base(base_url)
    page = base if page_url is ... else _web_base(page_url)
    dropped: list[str] = []  # same-document links there is no page for
    same = _same_document(page, dropped) if page != base and "#" in html else _attribute_filter
    if class_filter is not None:
        same = _with_classes(same, class_filter)
    classes = class_filter is not None
    try:
        clean = _clean(html, ("rewrite_with_base", base) if base else "deny", same, classes)
    except ValueError:  # a base URL that nh3's URL parser rejects: no base, then
        clean = _clean(html, "deny", same, classes)
    if dropped:  # a link that goes nowhere is its text
        clean = _LINK.sub(lambda link: link[0] if " href=" in link[1] else link[2], clean)
    parts = _TOKEN.split(_drop_pixels(clean))
    parts[::2] = [_defuse(text) for text in parts[::2]]  # text between the tags
    return "".join(parts).strip()


def _with_classes(
    attribute_filter: Callable[[str, str, str], str | None],
    class_filter: Callable[[str], str | None],
) -> Callable[[str, str, str], str | None]:
    def with_classes(tag: str, attr: str, value: str) -> str | None:
        return class_filter(value) if attr == "class" else attribute_filter(tag, attr, value)

    return with_classes


def _fold(s: str) -> str:
    return " ".join(s.split())


def plain_line(s: str) -> str:
    """One line of a plain-text source on one line: control characters, direction
    overrides and marks stacked past any writing's (:func:`few_marks`) out, as
    :func:`html_to_text` leaves them; white space folded."""
    return _fold(_CONTROL.sub("", without_controls(few_marks(s))))


def fix_mojibake(s: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1/cp1252 (``"Ã©"`` → ``"é"``), if it was:
    the whole of `s`, else each run (a publisher's "20 â‚¬" amid a correct "prépayé")."""
    if not _MOJIBAKE.search(s):
        return s
    for codec in ("cp1252", "latin-1"):
        try:
            return s.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return _MOJIBAKE_RUN.sub(_mended_run, s)


def _mended_run(run: re.Match[str]) -> str:
    """One run of mojibake as the character its bytes make in UTF-8, if they make one."""
    try:
        return bytes(_CP1252_BYTE[c] for c in run[0]).decode("utf-8")
    except UnicodeError:
        return run[0]


def clean_text(s: str) -> str:
    """A one-line plain-text title: entities decoded (twice-encoded too), no tags."""
    if not s:
        return ""
    markup = "<" in s or "&" in s  # without either there is no tag and no reference
    if not markup and s.isascii():  # nor marks, overrides or mojibake: most titles
        return _fold(_CONTROL.sub(" ", s))
    if markup:
        s = _TAG.sub(" ", _SCRIPTISH.sub(" ", s))
        for _ in range(3):
            decoded = htmlmod.unescape(s)
            if decoded == s:
                break
            s = decoded
        s = _TAG.sub(escaped_markup(s), _SCRIPTISH.sub(" ", s))  # escaped in the source
    s = unicodedata.normalize("NFC", fix_mojibake(without_controls(few_marks(s))))
    return _fold(_CONTROL.sub(" ", s))
