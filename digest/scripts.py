"""The language a story can be said to be in (its `lang`), from what its feed declared
and the script its title and summary are written in.

A feed's ``<language>`` is often its site's, not its items' (a Kannada portal's English
items say "kn"), and most feeds say none. A declared language is trusted only when the
text is plausibly in its script (:data:`SCRIPTS`); otherwise, and when none is declared,
a language is read from the text only where its letters tell it with confidence:

* a script that one language writes (Greek, Hangul, kana, Kannada, ...: :data:`ONE_LANGUAGE`);
* Cyrillic, which many languages write, only by a letter test: Russian when every
  letter is in the Russian alphabet and ы, э or ё is among them, or two words end as
  only Russian's cases and reflexive verbs do ("-ами", "-ской", "-тся"), and no ъ is a
  vowel; Ukrainian when every letter is in its alphabet and і, ї, є or ґ is among them;
  Bulgarian when every letter is in its alphabet, a ъ is a vowel ("път") and no word
  ends as Russian's do. Anything else (Serbian, Belarusian, Kazakh, a headline too
  short to tell) is said to be in no language: never the newsletter's by default.

Latin letters tell no language. Pure and cheap: each distinct character is classified once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

#: The scripts (ISO 15924) each language (primary subtag) is written in. A language not
#: listed is trusted whatever its text: we do not know what it looks like.
SCRIPTS: dict[str, frozenset[str]] = {
    language: frozenset(scripts.split())
    for scripts, languages in {
        "Latn": "af az br ca cs cy da de en eo es et eu fi fil fo fr fy ga gd gl hr hu id "
        "is it lb lt lv ms mt nb nl nn no oc pl pt rm ro sk sl sq sv sw tl tr vi",
        "Cyrl": "be bg kk ky mk mn ru tg tt uk",
        "Cyrl Latn": "bs sr uz",
        "Grek": "el",
        "Arab": "ar fa ps sd ug ur",
        "Arab Latn": "ku",
        "Hebr": "he iw yi",
        "Deva": "hi mr ne sa",
        "Beng": "as bn",
        "Guru": "pa",
        "Gujr": "gu",
        "Orya": "or",
        "Taml": "ta",
        "Telu": "te",
        "Knda": "kn",
        "Mlym": "ml",
        "Sinh": "si",
        "Thai": "th",
        "Laoo": "lo",
        "Khmr": "km",
        "Mymr": "my",
        "Geor": "ka",
        "Armn": "hy",
        "Ethi": "am ti",
        "Hani": "zh yue",
        "Hani Kana": "ja",
        "Hang Hani": "ko",
    }.items()
    for language in languages.split()
}

#: Scripts a tag may name (`sr-Latn`, `zh-Hant`, `ja-Jpan`) that are written with others.
_SCRIPT_SUBTAGS = {"Hans": "Hani", "Hant": "Hani", "Jpan": "Hani Kana", "Kore": "Hang Hani"}

#: Scripts that one language writes: said to be in it with no declaration needed.
ONE_LANGUAGE = {
    "Grek": "el", "Geor": "ka", "Armn": "hy", "Hang": "ko", "Kana": "ja", "Thai": "th",
    "Knda": "kn", "Taml": "ta", "Telu": "te", "Mlym": "ml", "Gujr": "gu", "Guru": "pa",
    "Sinh": "si", "Orya": "or", "Khmr": "km", "Laoo": "lo",
}  # fmt: skip

#: The first word of a letter's Unicode name -> its script (a letter of any other is None).
_NAMES = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARABIC": "Arab", "HEBREW": "Hebr",
    "DEVANAGARI": "Deva", "BENGALI": "Beng", "GURMUKHI": "Guru", "GUJARATI": "Gujr",
    "ORIYA": "Orya", "TAMIL": "Taml", "TELUGU": "Telu", "KANNADA": "Knda",
    "MALAYALAM": "Mlym", "SINHALA": "Sinh", "THAI": "Thai", "LAO": "Laoo", "KHMER": "Khmr",
    "MYANMAR": "Mymr", "GEORGIAN": "Geor", "ARMENIAN": "Armn", "ETHIOPIC": "Ethi",
    "CJK": "Hani", "HIRAGANA": "Kana", "KATAKANA": "Kana", "HANGUL": "Hang",
}  # fmt: skip

_KNOWN = frozenset(_NAMES.values()) | frozenset(_SCRIPT_SUBTAGS.values())

#: A declared language is trusted when at least this share of the letters is in its script.
PLAUSIBLE = 0.2
#: A language is read from a script only when at least this share of the letters is in it
#: (a Russian headline naming "iPhone" is still Russian)...
DOMINANT = 0.5
#: ... and, for Cyrillic, when there are this many Cyrillic letters to judge by.
CYRILLIC_LETTERS = 20

_RUSSIAN = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
#: Of the Cyrillic alphabets of Europe, only Russian's (and Belarusian's) have these.
_RUSSIAN_ONLY = frozenset("ыэё")
_UKRAINIAN = frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя")
_UKRAINIAN_ONLY = frozenset("іїєґ")  # not in Russian's
_BULGARIAN = _RUSSIAN - _RUSSIAN_ONLY
#: Word endings of Russian's cases and reflexive verbs, which Bulgarian (no cases, "се"
#: for the reflexive) does not write: "водителями", "Оренбургской", "начнется".
_RUSSIAN_ENDINGS = re.compile(r"\w{2,}(?:ами|ями|ской|ский|ских|ского|тся|ться)\b")
#: ъ as a vowel (Bulgarian "съобщиха", "път"); Russian writes it only before е, ё, ю, я.
_BULGARIAN_VOWEL = re.compile(r"ъ(?![еёюя])")


@lru_cache(maxsize=4096)
def script_of(ch: str) -> str | None:
    """The ISO 15924 script of a letter (kana as "Kana"); None for a character that is
    no letter, or a letter of a script not in :data:`_NAMES`."""
    if ch.isascii():
        return "Latn" if ch.isalpha() else None
    if not ch.isalpha():
        return None
    return _NAMES.get(unicodedata.name(ch, "").split(" ", 1)[0])


def letters(*texts: str) -> Counter[str]:
    """How many letters of each script ``texts`` have."""
    counts: Counter[str] = Counter()
    for ch, n in Counter("".join(texts)).items():
        script = script_of(ch)
        if script is not None:
            counts[script] += n
    return counts


def item_language(declared: str | None, *texts: str) -> str | None:
    """The BCP 47 tag a story whose feed declared `declared` (None: nothing) and whose
    title and summary are ``texts`` can be said to be in; None when it cannot be said."""
    counts = letters(*texts)
    total = sum(counts.values())
    if declared and (not total or _plausible(declared, counts, total)):
        return declared
    return _told(counts, total, texts)


def _plausible(tag: str, counts: Counter[str], total: int) -> bool:
    primary, *rest = tag.split("-")
    named = next((p.title() for p in rest if len(p) == 4 and p.isalpha()), "")
    named = _SCRIPT_SUBTAGS.get(named, named)
    if named in _KNOWN:  # the tag names its script: `sr-Latn`, `zh-Hant`
        scripts = frozenset(named.split())
    else:
        scripts = SCRIPTS.get(primary.lower(), frozenset())
    if not scripts:
        return True  # a language or script we do not know: nothing to doubt it by
    return sum(counts[s] for s in scripts) >= PLAUSIBLE * total


def _told(counts: Counter[str], total: int, texts: tuple[str, ...]) -> str | None:
    """The language the letters tell, when they tell one (see the module's notes)."""
    if not total:
        return None
    script, n = counts.most_common(1)[0]
    if script in ("Kana", "Hani") and counts["Kana"]:  # Japanese: kana among the kanji
        script, n = "Kana", counts["Kana"] + counts["Hani"]
    if n < DOMINANT * total:
        return None
    if script == "Cyrl":
        return _cyrillic(texts) if n >= CYRILLIC_LETTERS else None
    return ONE_LANGUAGE.get(script)


def _cyrillic(texts: tuple[str, ...]) -> str | None:
    """Russian, Ukrainian or Bulgarian, when the letters tell which; None otherwise."""
    text = unicodedata.normalize("NFC", " ".join(texts)).casefold()  # ё, not е and a diaeresis
    found = {ch for ch in text if script_of(ch) == "Cyrl"}
    bulgarian = _BULGARIAN_VOWEL.search(text) is not None
    endings = len(_RUSSIAN_ENDINGS.findall(text))
    if found <= _RUSSIAN and not bulgarian and (found & _RUSSIAN_ONLY or endings >= 2):
        return "ru"
    if found <= _UKRAINIAN and found & _UKRAINIAN_ONLY:
        return "uk"
    if found <= _BULGARIAN and bulgarian and not endings:
        return "bg"
    return None
