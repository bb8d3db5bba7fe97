"""Render an edition into the HTML and plain-text bodies of one variant.

A *variant* is what differs between groups of subscribers (the sections they chose);
each variant is rendered and CSS-inlined once. The per-subscriber parts (unsubscribe
and preferences links) are left as placeholders that :mod:`digest.message` fills in
the prepared bytes. Fixed strings come from :data:`STRINGS` in the newsletter's
language and dates are formatted by Babel in that locale. This module does no I/O
besides reading templates, and never renders or inlines per subscriber.
"""

from __future__ import annotations

import logging
import re
import string
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup
from premailer import Premailer

from digest.config import DEFAULT_SUBJECT, Settings
from digest.diversity import place
from digest.errors import ConfigError, RenderError

# Placeholders substituted per subscriber (see digest.placeholders).
from digest.placeholders import PLACEHOLDERS as PLACEHOLDERS
from digest.placeholders import PREFERENCES as PREFERENCES
from digest.placeholders import UNSUBSCRIBE as UNSUBSCRIBE
from digest.records import Also, Edition, Image, Story

PACKAGE = Path(__file__).resolve().parent

HTML_LIMIT = 100_000  # decoded bytes; Gmail clips near 102 KB
PLACEHOLDER_ROOM = 256  # bytes kept free per placeholder for the subscriber's URL
SIZE_MARGIN = 0.985  # aim a little under the limit when estimating how many teasers fit
CLOSE_ENOUGH = 0.96  # a fitting size this close to the limit is not refined further
MAX_PASSES = 3  # inlining passes after which a fitting result is taken as it is
SUBJECT_FIT = 78  # characters: the default subject drops date, then name, beyond this
SUBJECT_MAX = 90  # characters: a longer subject is cut at a word, with an ellipsis
SUBJECT_MIN_CUT = 60  # ... unless that word boundary is shorter than this (cut in the word)
ALSO_NAMES = 3  # "Also in" names this many outlets, then counts the rest
PREHEADER_MAX = 140
IMAGE_WIDTH = 536  # the lead image column: 600 px less 2 x 32 px padding
IMAGE_MIN_WIDTH = 120  # narrower declared images are icons, not illustrations

#: The theme's fixed strings per language (the primary subtag of `[newsletter] language`);
#: other languages get English. A key ending in `.one` / `.other` is a plural form
#: (Babel's plural rules pick one).
STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "view_online": "View in your browser",
        "read_online": "Read it in your browser",
        "read_more_at": "Read more at {source}",
        "read_more": "Read more",
        "also_in": "Also in",
        "more_stories": "More stories",
        "more_online.one": "{n} more story in the web edition",
        "more_online.other": "{n} more stories in the web edition",
        "footer": "You receive {list} because you subscribed with this address.",
        "preferences": "Preferences",
        "change_preferences": "Change your preferences",
        "unsubscribe": "Unsubscribe",
        "unsubscribe_one_click": "Unsubscribe with one click",
        "links": "Links",
        "and_more.one": "and {n} more",
        "and_more.other": "and {n} more",
        "variant_fallback": "Little news in your sections today: here is the whole edition.",
    },
    "da": {
        "view_online": "Vis i browseren",
        "read_online": "Læs det i din browser",
        "read_more_at": "Læs mere hos {source}",
        "read_more": "Læs mere",
        "also_in": "Også hos",
        "more_stories": "Flere historier",
        "more_online.one": "{n} historie mere i webudgaven",
        "more_online.other": "{n} historier mere i webudgaven",
        "footer": "Du modtager {list}, fordi du har tilmeldt dig med denne adresse.",
        "preferences": "Indstillinger",
        "change_preferences": "Skift dine indstillinger",
        "unsubscribe": "Afmeld",
        "unsubscribe_one_click": "Afmeld med ét klik",
        "links": "Links",
        "and_more.one": "og {n} anden",
        "and_more.other": "og {n} andre",
        "variant_fallback": "Kun lidt nyt i dine sektioner i dag: her er hele udgaven.",
    },
    "de": {
        "view_online": "Im Browser ansehen",
        "read_online": "Im Browser lesen",
        "read_more_at": "Weiterlesen bei {source}",
        "read_more": "Weiterlesen",
        "also_in": "Auch bei",
        "more_stories": "Weitere Meldungen",
        "more_online.one": "{n} weitere Meldung in der Webausgabe",
        "more_online.other": "{n} weitere Meldungen in der Webausgabe",
        "footer": "Sie erhalten {list}, weil Sie sich mit dieser Adresse angemeldet haben.",
        "preferences": "Einstellungen",
        "change_preferences": "Einstellungen ändern",
        "unsubscribe": "Abmelden",
        "unsubscribe_one_click": "Mit einem Klick abmelden",
        "links": "Links",
        "and_more.one": "und {n} weiteren",
        "and_more.other": "und {n} weiteren",
        "variant_fallback": "Wenig Neues in Ihren Rubriken heute: hier ist die ganze Ausgabe.",
    },
}

#: Languages written right to left (primary subtags), and the scripts that decide the
#: direction when a tag names one (`ku-Arab`, `az-Latn`).
RTL_LANGUAGES = frozenset(
    {
        "ar", "arc", "ckb", "dv", "fa", "glk", "he", "iw", "ji", "ks", "lrc", "mzn",
        "nqo", "pnb", "ps", "sd", "syr", "ug", "ur", "yi",
    }
)  # fmt: skip
RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand", "samr"})
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def default_project() -> Path:
    """The bundled sample newsletter (in the wheel) or the repository root (a checkout)."""
    bundled = PACKAGE / "_project"
    return bundled if bundled.is_dir() else PACKAGE.parent


def default_templates() -> Path:
    return default_project() / "templates"


def _source(story: Story) -> str:
    return story.source


@dataclass(frozen=True, slots=True)
class Variant:
    """Which stories a group of subscribers gets: None means every section."""

    sections: frozenset[str] | None = None

    def admits(self, story: Story) -> bool:
        return self.sections is None or story.section is None or story.section in self.sections

    def select(
        self, edition: Edition, minimum: int, *, lead_cap: int = 1, teaser_cap: int = 2
    ) -> tuple[Edition, bool]:
        """What this variant's subscribers get, and whether it is the whole edition in
        place of a selection of fewer than `minimum` stories (never an empty one)."""
        own = self.apply(edition, lead_cap=lead_cap, teaser_cap=teaser_cap)
        if self.sections is None or len(own.stories) >= max(minimum, 1):
            return own, False
        return edition, True

    def apply(self, edition: Edition, *, lead_cap: int = 1, teaser_cap: int = 2) -> Edition:
        """The edition this variant's subscribers get: their sections' stories, best
        first, with the freed lead places taken by the best remaining stories, at most
        ``lead_cap`` leads and ``teaser_cap`` teasers per outlet (relaxed only when short:
        :func:`digest.diversity.place`)."""
        if self.sections is None:
            return edition
        stories = [s for s in edition.carried if self.admits(s)]
        leads = place(stories, slots=len(edition.leads), cap=lead_cap, source=_source)
        rest = [s for s in stories if all(s is not lead for lead in leads)]
        teasers = place(rest, slots=len(edition.teasers), cap=teaser_cap, source=_source)
        return replace(edition, leads=tuple(leads), teasers=tuple(teasers), reserve=())

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
    inline_passes: int = 1  # premailer runs it took to fit the size limit
    whole_edition: bool = False  # the variant had too few stories: the whole edition, noted


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
        self.env.filters["nobreak"] = nobreak

    def render(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise RenderError(f"template {exc.name!r} not found in the theme") from None
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"{exc.filename}:{exc.lineno}: {exc.message}") from None
        except jinja2.UndefinedError as exc:
            raise RenderError(f"template {name}: {exc.message}") from None


class _Fields(string.Formatter):
    """`str.format` limited to plain field names: no attribute or index lookups."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if not field_name.isidentifier():
            raise KeyError(field_name)
        return kwargs[field_name], field_name


def fill(template: str, fields: Mapping[str, Any], *, where: str) -> str:
    """Fill a template from the config; an unknown field is a RenderError naming `where`."""
    try:
        return _Fields().vformat(template, (), fields)
    except (KeyError, IndexError, ValueError) as exc:
        known = ", ".join(fields)
        raise RenderError(f"{where}: {exc!r} in {template!r}; fields: {known}") from None


class Strings:
    """The theme's fixed strings in one language: `t("key", field=...)` in templates."""

    def __init__(self, language: str) -> None:
        self.locale = babel_locale(language)
        self.table = STRINGS.get(self.locale.language, STRINGS["en"])

    def __call__(self, key: str, **fields: Any) -> str:
        template = self.table.get(key, STRINGS["en"].get(key))
        if template is None:
            raise RenderError(f"no theme string {key!r} (strings: {', '.join(STRINGS['en'])})")
        return template.format(**fields)

    def plural(self, key: str, n: int, **fields: Any) -> str:
        form = f"{key}.{self.locale.plural_form(n)}"
        return self(form if form in self.table else f"{key}.other", n=n, **fields)


def babel_locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise ConfigError(
            f"newsletter.language = {language!r} is not allowed; expected a language tag "
            "Babel knows, such as en, da or de"
        ) from None


def with_utm(url: str | None, utm: Mapping[str, str]) -> str | None:
    """Append campaign parameters to an http(s) link, keeping its query as it was written
    (a parameter the link already has is not repeated)."""
    if not url or not utm:
        return url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    have = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    names = ((k if k.startswith("utm_") else f"utm_{k}", v) for k, v in utm.items())
    extra = [(k, v) for k, v in names if k not in have]
    if not extra:
        return url
    query = "&".join(filter(None, [parts.query, urlencode(extra, quote_via=quote)]))
    return urlunsplit(parts._replace(query=query))


def lead_image_width(image: Image | None) -> int | None:
    """The `width` attribute of a lead image: the column, or less for a smaller image;
    None when the image is too small to illustrate a story (an icon or a pixel)."""
    if image is None:
        return None
    if image.width is None or image.width >= IMAGE_WIDTH:
        return IMAGE_WIDTH
    return image.width if image.width >= IMAGE_MIN_WIDTH else None


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
        try:
            self.strings = Strings(settings.newsletter.language)
        except ConfigError as exc:
            raise ConfigError(f"{settings.path}: {exc}") from None

    @cached_property
    def _css(self) -> Markup:
        return Markup(self.theme.render("email.css"))

    @cached_property
    def _responsive_css(self) -> Markup:
        return Markup(self.theme.render("email-responsive.css"))

    def subject(self, edition: Edition) -> str:
        """The `[newsletter] subject` template filled with lead, name and date; the
        default template leaves out the date, then the name, when they do not fit.

        The lead is the edition's first headline. A field with nothing to say (no story;
        a name the headline already gives) is left out with the separator before it, so
        the name never appears twice; the result is cut at a word near SUBJECT_MAX.
        """
        news = self.settings.newsletter
        lead = " ".join(edition.stories[0].title.split()) if edition.stories else ""
        name = "" if news.name.casefold() in lead.casefold() else news.name
        fields = {"lead": lead or EMPTY_FIELD, "name": name or EMPTY_FIELD}
        fields["date"] = self.date(edition, "d MMM")
        templates = [news.subject]
        if news.subject == DEFAULT_SUBJECT:
            templates += ["{lead} | {name}", "{lead}"]
        where = f"{self.settings.path}: newsletter.subject"
        subject = ""
        for template in templates:
            subject = _without_empty(fill(template, fields, where=where))
            if subject and len(subject) <= SUBJECT_FIT:
                break
        return shorten(subject or news.name, SUBJECT_MAX, floor=SUBJECT_MIN_CUT)

    def date(self, edition: Edition, fmt: str = "full") -> str:
        tz = ZoneInfo(self.settings.list(edition.list).timezone)
        local: datetime = edition.at.astimezone(tz)
        return format_date(local.date(), format=fmt, locale=self.strings.locale)

    def preheader(self, edition: Edition) -> str:
        """The inbox preview: the headlines after the lead (the subject has the lead)."""
        parts = [s.title for s in edition.stories[1:4]]
        if parts:
            text = " · ".join(parts)
        elif edition.leads and edition.leads[0].summary:
            text = edition.leads[0].summary
        else:
            text = self.settings.newsletter.name
        return shorten(text, PREHEADER_MAX)

    def _utm(self, edition: Edition) -> dict[str, str]:
        fields = {
            "list": edition.list,
            "edition": "" if edition.id is None else str(edition.id),
            "date": self.date(edition, "yyyy-MM-dd"),
        }
        return {
            key: fill(value, fields, where=f"{self.settings.path}: newsletter.utm.{key}")
            for key, value in self.settings.newsletter.utm.items()
        }

    def context(
        self, edition: Edition, teasers: Iterable[Story], web_url: str | None
    ) -> dict[str, Any]:
        news = self.settings.newsletter
        lst = self.settings.list(edition.list)
        utm = self._utm(edition)

        def link(story: Story) -> Story:
            if not utm:
                return story
            also = tuple(replace(a, url=with_utm(a.url, utm)) for a in story.also)
            return replace(story, url=with_utm(story.url, utm), also=also)

        language = str(self.strings.locale).replace("_", "-")
        own = language.split("-")[0].lower()

        def lang_attrs(story: Story) -> Markup:
            """`lang` and `dir` for a story in another language than the newsletter's."""
            tag = (story.language or "").strip()
            if not LANGUAGE_TAG.fullmatch(tag) or tag.split("-")[0].lower() == own:
                return Markup("")
            return Markup(' lang="{}" dir="{}"').format(tag, direction(tag))

        return {
            "newsletter": news,
            "list_title": lst.title or news.name,
            "edition": edition,
            "date": self.date(edition),
            "leads": [link(s) for s in edition.leads],
            "teaser_groups": _groups(link(s) for s in teasers),
            "preheader": self.preheader(edition),
            "unsubscribe_url": UNSUBSCRIBE,
            "preferences_url": PREFERENCES,
            "web_url": web_url,
            "css": self._css,
            "responsive_css": self._responsive_css,
            "lang": language,
            "dir": direction(language),
            "lang_attrs": lang_attrs,
            "also": also_shown,
            "image_alt": image_alt,
            "fallback_note": None,
            "t": self.strings,
            "image_width": lead_image_width,
            "image_column": IMAGE_WIDTH,
            "dropped_teasers": 0,
        }

    def render(self, edition: Edition, variant: Variant = Variant()) -> Rendered:
        """Render and inline one variant; drop teasers until the HTML fits the limit."""
        caps = self.settings.edition
        edition, whole = variant.select(
            edition,
            caps.min_variant_stories,
            lead_cap=caps.max_leads_per_source,
            teaser_cap=caps.max_teasers_per_source,
        )
        note = self.strings("variant_fallback") if whole else None
        web_url = (
            f"{self.settings.newsletter.base_url}/archive/{edition.id}"
            if edition.id is not None
            else None
        )
        teasers = edition.teasers

        def context(keep: int) -> dict[str, Any]:
            ctx = self.context(edition, teasers[:keep], web_url)
            ctx["dropped_teasers"] = len(teasers) - keep
            ctx["fallback_note"] = note
            return ctx

        def raw(keep: int) -> str:
            return self.theme.render("email.html", **context(keep))

        keep, html, passes = _fit(raw, len(teasers))
        if not _fits(html):
            raise RenderError(
                f"edition {edition.id} ({edition.list}): the HTML is "
                f"{len(html.encode()):,} bytes even without teasers; Gmail clips messages "
                f"over {HTML_LIMIT:,} (shorten the leads or the theme)"
            )
        ctx = context(keep)
        refs = References()

        def also_line(story: Story) -> str:
            shown, more = also_shown(story)
            line = ", ".join(f"{a.source} {refs(a.url)}".strip() for a in shown)
            return f"{line} {self.strings.plural('and_more', more)}" if more else line

        ctx.update(ref=refs, references=_Lazy(refs.items), also_line=also_line)
        text = self.theme.render("email.txt", **ctx)
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        dropped = len(teasers) - keep
        subject = self.subject(edition)
        return Rendered(subject, ctx["preheader"], html, text, dropped, passes, whole)


EMPTY_FIELD = "\x00"  # a subject field with nothing to say, removed with its separator
_SEPARATOR = r"[\s|·:,;/–—-]*"


def _without_empty(subject: str) -> str:
    """A filled subject without its empty fields: each goes with the separator before it
    (or, first in line, the one after it), then whitespace is folded."""
    subject = re.sub(rf"(?<=\S){_SEPARATOR}{EMPTY_FIELD}", "", subject)
    subject = re.sub(rf"{EMPTY_FIELD}{_SEPARATOR}", "", subject)
    return " ".join(subject.split())


def direction(tag: str) -> str:
    """ "rtl" or "ltr" for a BCP 47 language tag."""
    parts = tag.lower().split("-")
    scripts = [p for p in parts[1:] if len(p) == 4 and p.isalpha()]
    if scripts:
        return "rtl" if scripts[0] in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def also_shown(story: Story) -> tuple[tuple[Also, ...], int]:
    """The outlets "Also in" names (each once, never the story's own, at most ALSO_NAMES)
    and how many more there are (the rest, plus those the ranker counted but left out)."""
    own = " ".join(story.source.split()).casefold()
    distinct: dict[str, Also] = {}  # by outlet name, in first-seen order
    for also in story.also:
        name = " ".join(also.source.split())
        if not name or name.casefold() == own:
            continue
        first = distinct.get(name.casefold())
        if first is None:
            distinct[name.casefold()] = replace(also, source=name)
        elif not first.url and also.url:  # the name once, with a link when one has it
            distinct[name.casefold()] = replace(first, url=also.url)
    # `also_more`: outlets the ranker counted but did not keep in the record.
    more = max(len(distinct) - ALSO_NAMES, 0) + story.also_more
    return tuple(distinct.values())[:ALSO_NAMES], more


def image_alt(story: Story) -> str:
    """A story image's alt text: empty (decorative) when it only repeats the headline,
    which is right beside it; the source's own description otherwise."""
    if story.image is None:
        return ""
    alt = " ".join(story.image.alt.split()).casefold()
    title = " ".join(story.title.split()).casefold()
    return "" if not alt or alt in title or title in alt else " ".join(story.image.alt.split())


def _groups(stories: Iterable[Story]) -> list[tuple[str, list[Story]]]:
    """Teasers grouped under their sections, in the order each section first appears."""
    groups: dict[str, list[Story]] = {}
    for story in stories:
        groups.setdefault(story.section or "", []).append(story)
    return list(groups.items())


def _fits(html: str) -> bool:
    return _budget(html) >= 0


def _budget(html: str) -> int:
    """Bytes left under the limit once the subscriber's links replace the placeholders."""
    room = sum(html.count(p) for p in PLACEHOLDERS) * PLACEHOLDER_ROOM
    return HTML_LIMIT - room - len(html.encode())


def _fit(raw: Callable[[int], str], teasers: int) -> tuple[int, str, int]:
    """Keep as many teasers as fit: (kept, inlined HTML, inlining passes).

    Rendering is cheap and inlining is not, so the number to keep is estimated from the
    measured sizes: inlined bytes are modelled as a line over the raw template bytes
    (through the last two measurements), and the raw size of each candidate is cheap to
    compute. The first estimate that fits is refined once when it leaves much room, so
    this takes one inlining pass when everything fits and two or three otherwise.
    """
    raw_sizes: dict[int, int] = {}

    def raw_size(k: int) -> int:
        if k not in raw_sizes:
            raw_sizes[k] = len(raw(k).encode())
        return raw_sizes[k]

    points: list[tuple[int, int]] = []
    best: tuple[int, str] | None = None  # the most teasers known to fit, and their HTML
    too_many = teasers + 1  # the fewest teasers known not to fit
    keep, passes = teasers, 0
    while True:
        source = raw(keep)
        raw_sizes[keep] = len(source.encode())
        html = inline(source)
        passes += 1
        size = len(html.encode())
        points.append((raw_sizes[keep], size))
        largest = size + _budget(html)  # the largest inlined size that fits
        if _fits(html):
            best = (keep, html)
            if keep + 1 >= too_many or passes >= MAX_PASSES or size >= largest * CLOSE_ENOUGH:
                return keep, html, passes
        else:
            too_many = keep
            if keep == 0:
                return keep, html, passes  # nothing left to drop; the caller reports it
        lo, hi = (best[0] + 1 if best else 0), too_many - 1
        predict, target = _line(points), largest * SIZE_MARGIN
        if best and (lo > hi or predict(raw_size(lo)) > target):
            return best[0], best[1], passes  # no larger number is expected to fit
        while lo < hi:  # the largest number of teasers predicted to fit, at least `lo`
            mid = (lo + hi + 1) // 2
            if predict(raw_size(mid)) <= target:
                lo = mid
            else:
                hi = mid - 1
        keep = lo


def _line(points: list[tuple[int, int]]) -> Callable[[int], float]:
    """Inlined size as a function of raw size, through the last two measurements."""
    (r1, s1) = points[-1]
    if len(points) >= 2:
        (r0, s0) = points[-2]
        if r0 != r1 and (slope := (s0 - s1) / (r0 - r1)) > 0:
            return lambda r: s1 + slope * (r - r1)
    return lambda r: r * s1 / r1


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
            # cssutils' validation only logs (its first use compiles ~30 regexes, most
            # of a send's start-up); the inlined output is the same without it.
            disable_validation=True,
        ).transform()
    except Exception as exc:  # premailer raises bare exceptions on broken CSS
        raise RenderError(f"CSS inlining failed: {exc}") from None
    assert isinstance(out, str)
    return out


def shorten(text: str, limit: int, *, floor: int = 0) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis
    (inside a word when the last boundary would leave fewer than `floor` characters)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and len(word := cut.rsplit(" ", 1)[0]) >= floor:
        cut = word
    return cut.rstrip(" ,;:·|-–—") + "…"


NOBREAK = "\u00a0"


def nobreak(text: str) -> str:
    """Keep a short phrase (a source's name) on one line when `wrap` folds the text."""
    return str(text).replace(" ", NOBREAK)


def wrap(text: str, width: int = 78, indent: str = "", first: str | None = None) -> str:
    """Fold text to `width` columns; URLs, long words and `nobreak` phrases are never
    broken (their no-break spaces become plain spaces again)."""
    words = str(text).replace(NOBREAK, "\x00").split()
    out = textwrap.fill(
        " ".join(words),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return out.replace("\x00", " ")


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
