"""The newsletter's language: the theme's fixed strings, plural forms, and the
writing direction of a language tag.

:data:`STRINGS` holds the fixed strings per language (English for the others);
:class:`Strings` is `t("key", ...)` in the templates, with Babel's plural rules;
:func:`direction` says whether a BCP 47 tag is written right to left, and
:func:`text_direction` which way a text without a tag reads, and :func:`capitals` writes
a text in capitals as its language does. No I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from babel import Locale, UnknownLocaleError
from markupsafe import Markup

from digest.errors import ConfigError, RenderError
from digest.render import french

#: The theme's fixed strings per language (the primary subtag of `[newsletter] language`);
#: other languages get English. A key ending in `.one` / `.other` is a plural form
#: (Babel's plural rules pick one). "listen" and "watch" stand for "read_more" where a
#: story's link is an audio or video file (digest.render.media_links). "colon" follows
#: a label ("Read more: URL"): French sets a no-break space before it.
STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "view_online": "View in your browser",
        "read_online": "Read it in your browser",
        "read_more_at": "Read more at {source}",
        "read_more": "Read more",
        "listen_at": "Listen at {source}",
        "listen": "Listen",
        "watch_at": "Watch at {source}",
        "watch": "Watch",
        "link": "Link",
        "colon": ":",
        "via": "{site} via {source}",
        "also_in": "Also in",
        "more_stories": "More stories",
        "more_online.one": "{n} more story in the web edition",
        "more_online.other": "{n} more stories in the web edition",
        "footer": "You receive {list} because you subscribed with this address.",
        "preferences": "Preferences",
        "change_preferences": "Change your preferences",
        "unsubscribe": "Unsubscribe",
        "unsubscribe_one_click": "Unsubscribe with one click",
        "and_more.one": "and {n} more",
        "and_more.other": "and {n} more",
        "update": "Update",
        "first_reported": "first reported {date}",
        "variant_fallback": "Little news in your sections today: here is the whole edition.",
    },
    "da": {
        "view_online": "Vis i browseren",
        "read_online": "Læs det i din browser",
        "read_more_at": "Læs mere hos {source}",
        "read_more": "Læs mere",
        "listen_at": "Lyt hos {source}",
        "listen": "Lyt",
        "watch_at": "Se hos {source}",
        "watch": "Se",
        "link": "Link",
        "colon": ":",
        "via": "{site} via {source}",
        "also_in": "Også hos",
        "more_stories": "Flere historier",
        "more_online.one": "{n} historie mere i webudgaven",
        "more_online.other": "{n} historier mere i webudgaven",
        "footer": "Du modtager {list}, fordi du har tilmeldt dig med denne adresse.",
        "preferences": "Indstillinger",
        "change_preferences": "Skift dine indstillinger",
        "unsubscribe": "Afmeld",
        "unsubscribe_one_click": "Afmeld med ét klik",
        "and_more.one": "og {n} anden",
        "and_more.other": "og {n} andre",
        "update": "Opdatering",
        "first_reported": "først omtalt den {date}",
        "variant_fallback": "Der er kun lidt nyt i dine sektioner i dag, så her er hele udgaven.",
    },
    "de": {
        "view_online": "Im Browser ansehen",
        "read_online": "Im Browser lesen",
        "read_more_at": "Weiterlesen bei {source}",
        "read_more": "Weiterlesen",
        "listen_at": "Anhören bei {source}",
        "listen": "Anhören",
        "watch_at": "Ansehen bei {source}",
        "watch": "Ansehen",
        "link": "Link",
        "colon": ":",
        "via": "{site} via {source}",
        "also_in": "Auch bei",
        "more_stories": "Weitere Meldungen",
        "more_online.one": "{n} weitere Meldung in der Webausgabe",
        "more_online.other": "{n} weitere Meldungen in der Webausgabe",
        "footer": "Sie erhalten {list}, weil Sie sich mit dieser Adresse angemeldet haben.",
        "preferences": "Einstellungen",
        "change_preferences": "Einstellungen ändern",
        "unsubscribe": "Abmelden",
        "unsubscribe_one_click": "Mit einem Klick abmelden",
        "and_more.one": "und {n} weiteren",
        "and_more.other": "und {n} weiteren",
        "update": "Aktualisiert",
        "first_reported": "zuerst gemeldet am {date}",
        "variant_fallback": (
            "Heute gibt es wenig Neues in Ihren Rubriken. Hier ist die ganze Ausgabe."
        ),
    },
    "fr": french.EDITION,
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


class Strings:
    """The theme's fixed strings in one language: `t("key", field=...)` in templates.
    `tables` is :data:`STRINGS` (the edition's) unless given, e.g. the subscriber pages'
    :data:`digest.render.page_strings.PAGE_STRINGS`; a language it lacks gets English."""

    def __init__(self, language: str, tables: Mapping[str, Mapping[str, str]] = STRINGS) -> None:
        self.locale = babel_locale(language)
        self.english = tables["en"]
        self.table = tables.get(self.locale.language, self.english)

    def __contains__(self, key: str) -> bool:
        return key in self.english

    def __call__(self, key: str, **fields: Any) -> str:
        template = self.table.get(key, self.english.get(key))
        if template is None:
            raise RenderError(f"no theme string {key!r} (strings: {', '.join(self.english)})")
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
            "Babel knows, such as en, da, de or fr"
        ) from None


def direction(tag: str) -> str:
    """ "rtl" or "ltr" for a BCP 47 language tag."""
    parts = tag.lower().split("-")
    scripts = [p for p in parts[1:] if len(p) == 4 and p.isalpha()]
    if scripts:
        return "rtl" if scripts[0] in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


#: Bidi classes of the characters that decide a paragraph's direction (UAX #9, P2).
_STRONG = {"L": "ltr", "R": "rtl", "AL": "rtl"}
#: Isolates whose content P2 skips, and the character that closes each of them.
_ISOLATE_OPEN = frozenset({"LRI", "RLI", "FSI"})


def text_direction(*texts: str) -> str | None:
    """ "rtl" or "ltr" as a browser's `dir="auto"` would choose for the first of
    ``texts`` with a strong character (UAX #9, rule P2: the first letter of a strong
    direction, skipping isolated runs); None when none has one (digits, punctuation).
    For a story whose language no feed declared (most do not say)."""
    for text in texts:
        depth = 0
        for ch in text:
            kind = unicodedata.bidirectional(ch)
            if kind in _ISOLATE_OPEN:
                depth += 1
            elif kind == "PDI":
                depth = max(depth - 1, 0)
            elif depth == 0 and kind in _STRONG:
                return _STRONG[kind]
    return None


def story_attributes(tag: str | None, texts: tuple[str, ...], language: str) -> Markup:
    """`lang` and `dir` for a story shown in a newsletter in ``language``: a story in
    another declared language gets its tag and direction; a story whose language no
    feed declared gets the direction its text reads in (:func:`text_direction`) when
    that is not the newsletter's, so an Arabic headline in an English edition (or an
    English one in an Arabic edition) is laid out, aligned and punctuated as it reads."""
    tag = (tag or "").strip()
    if LANGUAGE_TAG.fullmatch(tag):
        if tag.split("-")[0].lower() == language.split("-")[0].lower():
            return Markup("")
        return Markup(' lang="{}" dir="{}"').format(tag, direction(tag))
    found = text_direction(*texts)
    if found is None or found == direction(language):
        return Markup("")
    return Markup(' dir="{}"').format(found)


#: Greek letters (basic and extended), which lose their accent (tonos) in capitals.
_GREEK_ACCENTED = re.compile("([\u0370-\u03ff\u1f00-\u1fff])\u0301")


def capitals(text: str, language: str | None) -> str:
    """`text` in capitals as `language` writes them (the plain text's headings): Turkish
    and Azerbaijani capitalise i as İ (Python's `upper` gives I: "İZMIR" for İzmir),
    and Greek capitals drop the tonos ("ΚΑΘΗΜΕΡΙΝΗ", not "ΚΑΘΗΜΕΡΙΝΉ"). Others: `upper`."""
    primary = (language or "").split("-")[0].lower()
    if primary in ("tr", "az"):
        text = text.replace("i", "\u0130")
    upper = text.upper()
    if primary == "el":
        bare = _GREEK_ACCENTED.sub(r"\1", unicodedata.normalize("NFD", upper))
        upper = unicodedata.normalize("NFC", bare)
    return upper
