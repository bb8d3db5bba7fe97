"""A decorative mark set off at the very start or end of a headline or a text: ★, ●, ▶.

Job: :func:`unadorned` gives a headline or a text without a lone ornament at its start
or its end: "★ The 2017 iPad Pros" (Daring Fireball marks its own articles so) is "The
2017 iPad Pros", "This is a fun challenge. ★" (the post's "★" permalink after its text)
is "This is a fun challenge.". The email credits the outlet beside the headline; the
mark tells a subscriber nothing.

An ornament is one character of Unicode's general category So ("Symbol, other": stars,
bullets, geometric shapes, dingbats, check marks, pictographs), perhaps with the emoji
variation selector after it, that is:

- **alone**: no other symbol beside it ("★★★★ review" and "★ ★ ★" are a rating);
- **set off** by whitespace from the words ("5★ hotel" is a word of the text);
- **at the very start or end**: an emoji amid the words stays;
- **not a sign that stands for a word or a unit**: the So signs of the Latin-1 and
  Letterlike Symbols blocks ("©", "®", "°", "™", "№ 5") stay, as do currency signs
  (category Sc: "200 €") and punctuation (category P: "- ", "• ");
- **not an emoji by default** (Unicode's Emoji_Presentation: "😉", "🔥"): a face or a
  pictograph is read as a word or a tone ("…schließt. 😉" is a wink); a mark that is
  text by default ("★", "●", "▶", "✔") is an ornament even with the emoji selector;
- **beside more than one word**: "♥ Berlin" and "Berlin ♥" say something with it;
- at the start, **used once**: "● Apples\n● Pears" is a list, its bullets stay.

Must not: touch anything but the text's first and last character (and the space after
or before them), or a text that is only the mark (the caller decides what that is).
"""

from __future__ import annotations

import regex

__all__ = ["unadorned", "without_end_mark"]

#: An ornament and the space that sets it off from the words, at the start of a text.
_START = regex.compile(r"\s*(?P<mark>\p{So})\ufe0f?\s+(?=[^\p{So}\s])")
#: The space and an ornament at the end of a text, after a character that is no symbol.
_END = regex.compile(r"(?<=[^\p{So}\s])\s+(?P<mark>\p{So})\ufe0f?\s*$")
#: A symbol (Unicode's So category: "★", "♥", "©").
_SO = regex.compile(r"\p{So}")
#: Ornament alone on the last line of a text (a post's permalink mark, say).
_ALONE = regex.compile(r"\s*\p{So}\ufe0f?\s*")
#: Signs that stand for a word or a unit: the So characters of the Latin-1 Supplement
#: ("©", "®", "°") and Letterlike Symbols ("™", "№", "℗") blocks.
_SIGNS = ((0x00A0, 0x00FF), (0x2100, 0x214F))
#: A pictograph shown as an emoji by default: a face, a flame (read as a word or a tone).
_EMOJI = regex.compile(r"\p{Emoji_Presentation}")
#: Words the text must keep beside the mark for it to be an ornament ("♥ Berlin" stays).
MIN_WORDS = 2


def unadorned(text: str, *, end: bool = True) -> str:
    """`text` without a lone ornament at its start and (unless not `end`) at its end
    (see the module doc)."""
    if _symbol(text.lstrip()[:1]):
        start = _START.match(text)
        rest = text[start.end() :] if start else ""
        if start and _ornament(start["mark"]) and _words(rest) and start["mark"] not in rest:
            text = rest  # (a mark that comes again is a list's bullet)
    if end and _symbol(text.rstrip()[-1:]):
        last = _END.search(text, max(0, len(text.rstrip()) - 3))
        if last and _ornament(last["mark"]) and _words(text[: last.start()]):
            text = text[: last.start()]
    return text


def without_end_mark(paragraph: str) -> str:
    """`paragraph` without a lone ornament at its end: on a line of its own ("" when
    the paragraph is only the mark) or after its last word (see :func:`unadorned`)."""
    if not _symbol(paragraph.rstrip()[-1:]):
        return paragraph
    rest, _, line = paragraph.rpartition("\n")
    if _ALONE.fullmatch(line) and _ornament(line.strip()[:1]):
        return rest.rstrip()
    end = _END.search(paragraph, max(0, len(paragraph.rstrip()) - 3))
    if end and _ornament(end["mark"]) and _words(paragraph[: end.start()]):
        return paragraph[: end.start()]
    return paragraph


def _symbol(char: str) -> bool:
    """Whether `char` is a symbol or the variation selector that follows one."""
    if not char or char < "\x80":  # ASCII has no symbol of So: most texts end in one
        return False
    return char == "\ufe0f" or _SO.match(char) is not None


def _ornament(mark: str) -> bool:
    code = ord(mark)
    return not _EMOJI.match(mark) and not any(low <= code <= high for low, high in _SIGNS)


def _words(rest: str) -> bool:
    return len(rest.split(maxsplit=MIN_WORDS)) >= MIN_WORDS
