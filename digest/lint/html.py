"""Lint the HTML part: its size against Gmail's clipping, accessible and safe markup,
images that stay inside a phone's screen while they are off, a preheader that shows, a
visible unsubscribe link, and CSS that Gmail and classic Outlook keep (the rules are
in :mod:`digest.lint_rules`).

Parses the HTML with lxml; reports findings, never raises.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import lxml.etree
import lxml.html

from digest import lint_rules as rules
from digest.lint.findings import Finding, find

CLIP_BYTES = 102_000  # Gmail clips a message whose decoded HTML reaches this size
NEAR_CLIP_BYTES = 90_000
MAX_STYLE_BYTES = 16 * 1024  # Gmail drops all <style> content beyond 16 KB
FORBIDDEN_TAGS = ("script", "iframe", "form", "object", "embed")
PHONE_COLUMN = 280  # px: a 320 px phone's screen less 20 px padding on each side


def check_html(html: str, unsubscribe: str | None) -> Iterator[Finding]:
    size = len(html.encode("utf-8", "surrogatepass"))
    if size >= NEAR_CLIP_BYTES:
        yield find("html-too-large" if size >= CLIP_BYTES else "html-size", size=size)
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        yield find("html-unparseable", reason=exc)
        return
    elements = list(doc.iter(lxml.etree.Element))
    if doc.tag != "html" or not (doc.get("lang") or "").strip():
        yield find("html-lang-missing")
    yield from _stylesheets(doc)
    if layout := [table for table in doc.iter("table") if not _presentational(table)]:
        yield find("html-layout-table", n=len(layout))
    images = list(doc.iter("img"))
    if no_alt := [img for img in images if img.get("alt") is None]:
        src = no_alt[0].get("src")
        yield find("img-alt-missing", n=len(no_alt), total=len(images), src=src)
    if no_width := [img for img in images if not (img.get("width") or "").strip().isdigit()]:
        yield find("img-width", n=len(no_width), src=no_width[0].get("src"))
    if fixed := [img for img in images if _fixed_width(img) > PHONE_COLUMN]:
        first = fixed[0]
        yield find("img-fixed-width", n=len(fixed), width=_fixed_width(first), src=first.get("src"))
    if forbidden := Counter(el.tag for el in doc.iter(*FORBIDDEN_TAGS)):
        tags = ", ".join(f"{n} <{tag}>" for tag, n in sorted(forbidden.items()))
        yield find("html-forbidden-tag", tags=tags)
    if handlers := sorted({a for el in elements for a in el.attrib if a.startswith("on")}):
        yield find("html-event-handler", names=", ".join(handlers))
    if scripted := [el for el in elements if any(_script_url(k, v) for k, v in el.attrib.items())]:
        yield find("html-javascript-url", n=len(scripted), tag=scripted[0].tag)
    links = list(doc.iter("a"))
    if plain := [a for a in links if (a.get("href") or "").strip().lower().startswith("http:")]:
        yield find("link-insecure", n=len(plain), href=plain[0].get("href").strip())
    if not any(_unsubscribe_link(a, unsubscribe) for a in links):
        yield find("unsubscribe-link-missing")
    yield from _preheader(doc)
    yield from _inline_css(elements)


def _presentational(table: Any) -> bool:
    if (table.get("role") or "").strip().lower() == "presentation":
        return True
    return any(next(th.iterancestors("table"), None) is table for th in table.iter("th"))


def _fixed_width(img: Any) -> int:
    """The width an image keeps when it cannot load: its numeric width attribute, unless
    its style makes it fluid (a percentage width); 0 when it has neither."""
    width = (img.get("width") or "").strip()
    fluid = re.match(r"\d+(\.\d+)?%", rules.declared(img, "width") or "")
    return int(width) if width.isdigit() and not fluid else 0


def _script_url(name: str, value: str) -> bool:
    return name in rules.URL_ATTRIBUTES and bool(
        rules.SCRIPT_URL.match(re.sub(r"[\s\x00-\x1f]+", "", value).lower())
    )


def hidden(el: Any) -> bool:
    return bool(rules.HIDDEN.search(re.sub(r"\s+", "", (el.get("style") or "").lower())))


def _unsubscribe_link(a: Any, url: str | None) -> bool:
    href = (a.get("href") or "").strip()
    named = bool(rules.UNSUB_WORDS.search(a.text_content()) or rules.UNSUB_WORDS.search(href))
    visible = not hidden(a) and not any(hidden(up) for up in a.iterancestors())
    return visible and (named or (url is not None and href == url))


def real_text(text: str | None) -> bool:
    return any(c.isalnum() for c in (text or "") if c not in rules.SPACERS)


def _first_text(el: Any) -> Any:
    """The hidden element holding the preheader, False if visible text comes first, or None."""
    if el.tag in ("head", "style", "script", "title"):
        return None
    if hidden(el):
        return el if real_text(el.text_content()) else None
    if real_text(el.text):
        return False
    for child in el:
        if isinstance(child.tag, str) and (found := _first_text(child)) is not None:
            return found
        if real_text(child.tail):
            return False
    return None


def _preheader(doc: Any) -> Iterator[Finding]:
    if (pre := _first_text(doc)) is None or pre is False:
        yield find("preheader-missing")
        return
    # The colours the preheader's text is drawn in: its own, else the nearest inherited one.
    colours = {rules.colour_of(el) for el in pre.iter(lxml.etree.Element)} - {None}
    inherited = (colour for up in pre.iterancestors() if (colour := rules.colour_of(up)))
    colours = colours or {next(inherited, None)}
    background = next(
        filter(None, map(rules.background_of, [pre, *pre.iterancestors()])), "#ffffff"
    )
    if background in colours:
        yield find("preheader-low-contrast", colour=background)


# --- CSS -------------------------------------------------------------------------------


def _stylesheets(doc: Any) -> Iterator[Finding]:
    sheets = [el.text_content() or "" for el in doc.iter("style")]
    if (size := sum(len(s.encode("utf-8", "surrogatepass")) for s in sheets)) > MAX_STYLE_BYTES:
        yield find("css-style-too-large", size=size)
    css = re.sub(r"/\*.*?\*/", "", "\n".join(sheets), flags=re.S)
    if "@import" in css.lower():
        yield find("css-import")
    if any("stylesheet" in (link.get("rel") or "").lower().split() for link in doc.iter("link")):
        yield find("css-link")
    if not rules.DARK_MODE.search(css):
        yield find("css-dark-mode-missing")
    if weak := [block for block in rules.media_blocks(css) if not rules.has_important(block)]:
        yield find("css-media-not-important", n=len(weak))


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
            yield find("css-unsupported", label=rule.label, n=n, tag=tag, clients=rule.clients)
