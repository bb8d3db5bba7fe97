"""Text as a reader of Latin script sees it: letters that pass for Latin ones read as those.

Job: :func:`fold` gives the text that checks written in Latin letters (a notice's words,
a web address) must read, so that "Unsubscrіbe" with a Cyrillic і, "httрs://" with a
Cyrillic р, "Ｕｎｓｕｂｓｃｒｉｂｅ" in fullwidth letters or the same in mathematical bold
cannot pass them. Fullwidth, mathematical and other compatibility forms go by NFKC;
Cyrillic and Greek letters that look like a Latin one go by :data:`LATIN_LOOKALIKES`;
an ideographic full stop is a dot, as browsers read it in an address (UTS #46).

Why a table of our own and not the Unicode TR39 skeleton: the skeleton is made to compare
two strings that both pass through it, and it also changes plain Latin text ("rn" → "m",
"I" → "l", "0" → "O": "CONFIRM" reads "CONFlRM", "return" reads "retum"), so a pattern
written in Latin letters would no longer match its own words. Of the libraries on PyPI, none gives a
mapping to Latin that can be used on one side only: ``confusables`` (last release 2021,
Unicode 8 data) and ``confusable-homoglyphs`` (a 900 KB table read on import) list which
characters are confusable, with no fold; ``disarm`` (a beta, a 2 MB native build) is a
whole toolkit. The letters here are the TR39 confusables of a Cyrillic or Greek letter
with one basic Latin letter (checked against the Unicode data), the ones an impostor can
type. Must not: change real Cyrillic or Greek text. A word is folded only if it reads as
Latin in full once folded, and then only if it mixes scripts (no language writes
"Cоnfirm") or stands in text that is mostly Latin; "Александрóва" (a Latin ó marking
the stress) stays. The result is for matching only, never shown.
"""

from __future__ import annotations

import re
import unicodedata

#: Cyrillic and Greek letters that look like one basic Latin letter (TR39 confusables;
#: where TR39 gives "l" for a letter shaped like a capital I, the letter of its case).
LATIN_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "г": "r", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "ѕ": "s", "і": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԝ": "w", "ӏ": "l", "ү": "y",
    "ҽ": "e", "ѵ": "v", "ѡ": "w", "ꙇ": "i",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԝ": "W",
    "Ӏ": "I", "Ү": "Y", "Ь": "b", "Ԍ": "G", "Ѵ": "V",
    # Greek
    "α": "a", "ο": "o", "σ": "o", "ρ": "p", "ϱ": "p", "ν": "v", "υ": "u", "ι": "i",
    "γ": "y", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    "Ϝ": "F", "Ϻ": "M",
}  # fmt: skip
_TABLE = str.maketrans(LATIN_LOOKALIKES)
#: What browsers take for a dot between a domain's labels besides "." (UTS #46, after NFKC).
_DOTS = str.maketrans({"\u3002": "."})
_WORD = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """`text` with compatibility forms (NFKC) and letters that pass for Latin ones read
    as the Latin letters they pass for (see the module's notes)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_DOTS)
    if not any(ch in LATIN_LOOKALIKES for ch in text):
        return text
    latin_text = _mostly_latin(text)
    return _WORD.sub(lambda m: _folded(m.group(), latin_text), text)


def _folded(word: str, latin_text: bool) -> str:
    """`word` in Latin letters if it reads as Latin in full, and mixes scripts or stands
    in Latin text; else as written ("Александрóва", with a Latin ó for the stress)."""
    folded = word.translate(_TABLE)
    if not all(_latin(ch) for ch in folded):
        return word
    return folded if latin_text or any(_latin(ch) for ch in word) else word


def _mostly_latin(text: str) -> bool:
    """Whether most of `text`'s letters are Latin."""
    latin = other = 0
    for ch in text:
        if ch.isalpha():
            if _latin(ch):
                latin += 1
            else:
                other += 1
    return latin > other


def _latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN ")
