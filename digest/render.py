"""Render an edition into the HTML and plain-text bodies of one variant.

A *variant* is what differs between groups of subscribers (the sections they chose);
each variant is rendered and CSS-inlined once. The per-subscriber parts (unsubscribe
and preferences links) are left as placeholders that :mod:`digest.message` fills in
the prepared bytes. This module does no I/O besides reading templates.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date
from markupsafe import Markup
from premailer import Premailer

from digest.config import Settings
from digest.errors import RenderError
from digest.records import Edition, Story

#: Placeholders substituted per subscriber; ASCII letters and @ only, so that they
#: pass quoted-printable encoding untouched.
UNSUBSCRIBE = "@@UNSUBSCRIBE_URL@@"
PREFERENCES = "@@PREFERENCES_URL@@"
PLACEHOLDERS = (UNSUBSCRIBE, PREFERENCES)

PACKAGE = Path(__file__).resolve().parent


def default_project() -> Path:
    """The bundled sample newsletter (in the wheel) or the repository root (a checkout)."""
    bundled = PACKAGE / "_project"
    return bundled if bundled.is_dir() else PACKAGE.parent


def default_templates() -> Path:
    return default_project() / "templates"


@dataclass(frozen=True, slots=True)
class Variant:
    """Which stories a group of subscribers gets: None means every section."""

    sections: frozenset[str] | None = None

    def admits(self, story: Story) -> bool:
        return self.sections is None or story.section is None or story.section in self.sections

    def apply(self, edition: Edition) -> Edition:
        """The edition this variant's subscribers get: their sections' stories, best
        first, with the freed lead places taken by the best remaining stories."""
        if self.sections is None:
            return edition
        stories = [s for s in edition.stories if self.admits(s)]
        n = len(edition.leads)
        return replace(edition, leads=tuple(stories[:n]), teasers=tuple(stories[n:]))

    @property
    def key(self) -> str:
        return "all" if self.sections is None else "+".join(sorted(self.sections)) or "none"


@dataclass(frozen=True, slots=True)
class Rendered:
    """One variant of an edition, ready to be wrapped into messages."""

    subject: str
    preheader: str
    html: str  # CSS inlined, with placeholders
    text: str  # 78-column plain text, with placeholders
    dropped_teasers: int = 0  # teasers left out to keep the HTML under the size limit


HTML_LIMIT = 100_000  # decoded bytes; Gmail clips near 102 KB


class Theme:
    """The Jinja environment over the project's templates, then the bundled defaults.

    A project's `templates/` overrides the default theme file by file; a template can
    extend the default it overrides as `default/NAME`.
    """

    def __init__(self, project_templates: Path | None) -> None:
        defaults = jinja2.FileSystemLoader(str(default_templates()))
        loaders: list[jinja2.BaseLoader] = []
        if project_templates is not None and project_templates.is_dir():
            loaders.append(jinja2.FileSystemLoader(str(project_templates)))
        loaders += [jinja2.PrefixLoader({"default": defaults}), defaults]
        self.env = jinja2.Environment(
            extensions=[],
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["wrap"] = wrap

    def render(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise RenderError(f"template {exc.name!r} not found in the theme") from None
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"{exc.filename}:{exc.lineno}: {exc.message}") from None
        except jinja2.UndefinedError as exc:
            raise RenderError(f"template {name}: {exc.message}") from None


def with_utm(url: str | None, utm: Mapping[str, str]) -> str | None:
    """Append campaign parameters to a story link (kept if the link already has them)."""
    if not url or not utm:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    have = {k for k, _ in query}
    query += [
        (k if k.startswith("utm_") else f"utm_{k}", v)
        for k, v in utm.items()
        if (k if k.startswith("utm_") else f"utm_{k}") not in have
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


class _Lazy:
    """An iterable evaluated when the template reaches it (after every `ref` call)."""

    def __init__(self, make: Any) -> None:
        self._make = make

    def __iter__(self) -> Any:
        return iter(self._make())


class Renderer:
    """Renders editions of one newsletter with its theme and settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.theme = Theme(settings.templates)

    @cached_property
    def _css(self) -> Markup:
        return Markup(self.theme.render("email.css"))

    @cached_property
    def _responsive_css(self) -> Markup:
        return Markup(self.theme.render("email-responsive.css"))

    def subject(self, edition: Edition) -> str:
        news = self.settings.newsletter
        lead = (
            edition.leads[0].title
            if edition.leads
            else (edition.teasers[0].title if edition.teasers else news.name)
        )
        fields = {"lead": lead, "name": news.name, "date": self.date(edition, "d MMM")}
        try:
            subject = news.subject.format(**fields)
        except (KeyError, IndexError, ValueError) as exc:
            raise RenderError(
                f"{self.settings.path}: newsletter.subject: {exc!r}; fields: {', '.join(fields)}"
            ) from None
        return " ".join(subject.split())[:250]

    def date(self, edition: Edition, fmt: str = "full") -> str:
        tz = ZoneInfo(self.settings.list(edition.list).timezone)
        local: datetime = edition.at.astimezone(tz)
        return format_date(local.date(), format=fmt, locale=self.settings.newsletter.language)

    def preheader(self, edition: Edition) -> str:
        parts = [s.title for s in edition.stories[1:4]]
        text = " · ".join(parts) if parts else self.settings.newsletter.name
        return text[:140]

    def context(
        self, edition: Edition, teasers: Iterable[Story], web_url: str | None
    ) -> dict[str, Any]:
        news = self.settings.newsletter
        lst = self.settings.list(edition.list)
        utm = news.utm

        def link(story: Story) -> Story:
            return replace(story, url=with_utm(story.url, utm))

        groups: dict[str, list[Story]] = {}
        for story in teasers:
            groups.setdefault(story.section or "", []).append(link(story))
        return {
            "newsletter": news,
            "list_title": lst.title or news.name,
            "edition": edition,
            "date": self.date(edition),
            "leads": [link(s) for s in edition.leads],
            "teaser_groups": list(groups.items()),
            "preheader": self.preheader(edition),
            "unsubscribe_url": UNSUBSCRIBE,
            "preferences_url": PREFERENCES,
            "web_url": web_url,
            "css": self._css,
            "responsive_css": self._responsive_css,
            "lang": news.language,
        }

    def render(self, edition: Edition, variant: Variant = Variant()) -> Rendered:
        """Render and inline one variant; drop teasers until the HTML fits the limit."""
        edition = variant.apply(edition)
        teasers = list(edition.teasers)
        web_url = (
            f"{self.settings.newsletter.base_url}/editions/{edition.id}"
            if edition.id is not None
            else None
        )
        dropped = 0
        while True:
            ctx = self.context(edition, teasers, web_url)
            ctx["dropped_teasers"] = dropped
            raw = self.theme.render("email.html", **ctx)
            html = inline(raw)
            if len(html.encode()) < HTML_LIMIT or not teasers:
                break
            # Too big for Gmail: drop teasers (a link to the web edition replaces them).
            cut = max(1, len(teasers) // 10)
            teasers, dropped = teasers[:-cut], dropped + cut
        refs = References()
        ctx.update(
            ref=refs,
            references=_Lazy(refs.items),
            also_line=lambda st: ", ".join(f"{a.source} {refs(a.url)}".strip() for a in st.also),
        )
        text = self.theme.render("email.txt", **ctx)
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        return Rendered(self.subject(edition), ctx["preheader"], html, text, dropped)


def inline(html: str) -> str:
    """Inline the CSS once per variant; leave `data-premailer="ignore"` styles alone."""
    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    try:
        out = Premailer(
            html,
            allow_network=False,
            disable_basic_attributes=["width", "height"],
            strip_important=False,
            keep_style_tags=False,
            remove_classes=False,
            cssutils_logging_level=logging.CRITICAL,
        ).transform()
    except Exception as exc:  # premailer raises bare exceptions on broken CSS
        raise RenderError(f"CSS inlining failed: {exc}") from None
    assert isinstance(out, str)
    return out


def wrap(text: str, width: int = 78, indent: str = "", first: str | None = None) -> str:
    """Fold text to `width` columns; URLs and long words are never broken."""
    out = textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return out


class References:
    """Numbered link references for the plain-text part: `[1]` in the text, URLs at the end."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str | None) -> str:
        if not url:
            return ""
        if url not in self.urls:
            self.urls.append(url)
        return f"[{self.urls.index(url) + 1}]"

    def items(self) -> list[tuple[int, str]]:
        return list(enumerate(self.urls, start=1))
