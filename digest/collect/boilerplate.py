"""Publisher boilerplate at the end of an item's text, which must never become a summary.

Job: :func:`strip_boilerplate` removes from the end of a plain-text summary or body (as
:func:`~digest.collect.plaintext.html_to_text` writes it: paragraphs separated by a blank
line, lines by a newline) the furniture that publishers and feed software append to
every item, so that what is left is the item's own text. A reader who gets "Comments" or
"The post … appeared first on …" as a summary learns nothing about the story.

Covered, always at the *end* of the text:

- WordPress footers, "The post X appeared first on Y." and "The post X first appeared on
  Y.", as the last paragraph or after the last sentence, when X is the item's own title
  or the footer is made of links in the item's HTML (so "The post office appeared first
  on …" in a story is kept);
- "read on" links: "Continue reading", "Read more", "Read More Here", "Keep reading",
  "Read on", "Read the rest (of this entry)", "Read the full story/article/post",
  "(more…)", "Comments", "N comments", "Leave a comment", with any arrows, "»", dots or
  "…" around them and a date or time in brackets after them ("Leia mais (09/24/2018 -
  19h22)"); also in the languages of the feeds we read: Danish, German, Norwegian,
  Swedish, Portuguese, Spanish, French, Dutch, Italian, Polish, Russian, Slovak, Czech
  ("Læs mere", "Weiterlesen", "Lire la suite", "Czytaj dalej", "Читать далее"). As a
  paragraph or line of their own they go whatever their case; after a sentence in the
  same paragraph only when capitalised and right after a sentence end or the
  publisher's "…" ("…roads. Continue reading →", "released … Read More Here →"), so "we
  should all read more" is a sentence and stays;
- aggregator lines, "submitted by USER to GROUP [link] [N comments]" (Reddit);
- a lone ornament, on a line of its own or set off after the last word: Daring
  Fireball's "★" permalink after each post (:mod:`digest.collect.ornaments`);
- excerpt markers, "[…]", "[...]", "(...)", "[?]" (a Latin-1 publisher's "[…]"), or a
  bare "..." / "…" after a space (search alerts' snippets), after the text: the text was
  cut, so they become "…" on the last word when it stops mid-sentence and go when it
  ends a sentence.

When a whole paragraph goes, the one before it is looked at in turn (a few at most).
Must not: touch anything but the end of the text; parse HTML (the item's HTML is only
searched for the WordPress footer's link shape); read more than the last few hundred
characters of each paragraph it looks at (it runs on every item of every feed). Feed-wide
notices (one summary on every item) are :mod:`digest.collect.summaries`' job.
"""

from __future__ import annotations

import re

import regex

from digest.collect.ornaments import without_end_mark

__all__ = ["ends_elided", "strip_boilerplate", "without_elision"]

#: Paragraphs removed from the end of one text, at most.
MAX_PARAGRAPHS = 4
#: How far back from a paragraph's end a tail phrase or marker is looked for.
_WINDOW = 240
#: How far back a WordPress footer may start (it holds a title and a site name).
_FOOTER_WINDOW = 800

_READ_ON = (
    r"continue reading|read more(?: here)?|keep reading|read on"
    r"|read the rest(?: of (?:this|the) (?:entry|post|article|story))?"
    r"|read (?:the )?full (?:story|article|post)|more(?:…|\.\.\.)"
    # The languages of the feeds we read (the email's own, Danish and German, first):
    r"|læs (?:mere|videre|hele artiklen)|weiter ?lesen|mehr (?:lesen|erfahren)"
    r"|zum (?:ganzen |vollständigen )?artikel|les (?:mer|videre)|läs (?:mer|vidare)"
    r"|leia mais|ler mais|continue lendo|continuar a ler|saiba mais"  # pt
    r"|leer más|lee más|seguir leyendo|sigue leyendo|continuar leyendo"  # es
    r"|lire la suite|lire plus|continuer la lecture"  # fr
    r"|lees (?:meer|verder)|verder lezen|leggi (?:tutto|di più)|continua a leggere"
    r"|czytaj (?:dalej|więcej)|читать (?:далее|дальше|полностью)|подробнее"
    r"|čítajte (?:ďalej|viac)|čítať ďalej|čtěte (?:dále|více)|číst (?:dále|více)"
)
_DECOR = r"[\s.…:»›→⟶➔>-]*"  # arrows, dots and the like around a link's words
#: When the link was made: "Leia mais (09/24/2018 - 19h22)", "Mehr lesen (26.11.2026)".
_STAMP = rf"(?:[\[(][\d\s/.:,h–-]{{4,30}}[\])]{_DECOR})?"
#: A line that is nothing but a "read on" or comments link.
_LINK_ONLY = re.compile(
    rf"(?i){_DECOR}[\[(]?(?:{_READ_ON}|comments|\d[\d,]* comments?"
    rf"|leave a comment){_DECOR}[\])]?{_DECOR}{_STAMP}"
)
#: A capitalised "read on" phrase ending the text, right after a sentence end or "…".
_TAIL = regex.compile(
    rf"(?<=[.!?…\"”’)\]])\s+(?=[\p{{Lu}}\[(])[\[(]?(?i:{_READ_ON}){_DECOR}[\])]?{_DECOR}"
    rf"{_STAMP}$"
)
_AGGREGATOR = re.compile(
    r"(?:^|(?<=\s))(?:submitted by \S+(?: to \S+)?\s+)?\[link\]\s+\[\d[\d,]* comments?\]\s*$"
)
_FOOTER = re.compile(r"The post (?P<title>.+?) (?:appeared first|first appeared) on .+?\.?\s*")
_FOOTER_LINKS = re.compile(
    r"The post <a\b[^>]*>.*?</a>\s+(?:appeared first|first appeared) on <a\b"
)
#: "[…]", "(...)" after the text, or a bare "..." / "…" set apart from the last word; and
#: "[?]", the "[…]" of a publisher writing Latin-1, which has no "…" ("(?)" is a doubt).
_ELIDED = re.compile(r"(?:\s*[\[(]\s*(?:…|\.\.\.)\s*[\])]|\s*\[\s*\?\s*\]|\s+(?:…|\.\.\.))\s*$")
#: What every text _ELIDED finds ends with (white space aside).
_ELIDED_ENDS = ("…", "...", "]", ")")
_ENDS_SENTENCE = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_SPACED_ELLIPSIS = re.compile(r"\s+…$")


def strip_boilerplate(text: str, *, title: str = "", html: str = "") -> str:
    """`text` without the publisher's boilerplate at its end ("" when nothing else is left).

    ``title`` is the item's own title and ``html`` its sanitised HTML: the two clues
    that a WordPress footer names this item. Text without boilerplate comes back as it
    is (trailing whitespace aside).
    """
    head = text.rstrip()
    for _ in range(MAX_PARAGRAPHS):
        rest, sep, last = head.rpartition("\n\n")
        kept = _strip_paragraph(last, title, html)
        if kept == last:
            break
        if kept:
            return f"{rest}{sep}{kept}"
        head = rest.rstrip()  # the whole paragraph was boilerplate: look at the one before
    return head


def _strip_paragraph(paragraph: str, title: str, html: str) -> str:
    """One paragraph without the boilerplate at its end (each rule until none applies)."""
    kept = paragraph
    for _ in range(MAX_PARAGRAPHS):
        before = kept
        kept = _without_footer(kept, title, html)
        kept = _cut(kept, _AGGREGATOR)
        kept = _without_link_line(kept)
        if (cut := _cut(kept, _TAIL)) != kept:
            kept = _SPACED_ELLIPSIS.sub("…", cut)
        kept = without_elision(without_end_mark(kept))
        if kept == before:
            break
    return kept


def _cut(paragraph: str, pattern: re.Pattern[str] | regex.Pattern[str]) -> str:
    """`paragraph` up to where `pattern` matches in its last :data:`_WINDOW` characters."""
    match = pattern.search(paragraph, max(0, len(paragraph) - _WINDOW))
    return paragraph[: match.start()].rstrip() if match else paragraph


def _without_link_line(paragraph: str) -> str:
    rest, _, line = paragraph.rpartition("\n")
    if len(line) > _WINDOW or not _LINK_ONLY.fullmatch(line):
        return paragraph
    return rest.rstrip()


def _without_footer(paragraph: str, title: str, html: str) -> str:
    """`paragraph` without a WordPress footer that names this item (see the module doc)."""
    start = paragraph.rfind("The post ", max(0, len(paragraph) - _FOOTER_WINDOW))
    if start < 0:
        return paragraph
    before = paragraph[:start].rstrip()
    if before and not (paragraph[start - 1] == "\n" or _ENDS_SENTENCE.search(before)):
        return paragraph  # "The post" inside a sentence
    match = _FOOTER.fullmatch(paragraph, start)
    if match is None:
        return paragraph
    names_item = _folded(match.group("title")) == _folded(title)
    if names_item or _FOOTER_LINKS.search(html):
        return before
    return paragraph


def ends_elided(text: str) -> bool:
    """Whether `text` ends with an excerpt's cut marker set apart from its last word
    ("… em [?]", "… Estamparia ...", "[…]"): a publisher's mark of a cut. Its white
    space is read as single spaces."""
    if not text.rstrip().endswith(_ELIDED_ENDS):
        return False  # most texts are read no further
    text = " ".join(text.split())
    return _ELIDED.search(text, max(0, len(text) - _WINDOW)) is not None


def without_elision(paragraph: str) -> str:
    """An excerpt's "[…]" (or "[?]") at the end of `paragraph` as "…" after a cut word,
    and dropped after a whole sentence."""
    if not paragraph.rstrip().endswith(_ELIDED_ENDS):
        return paragraph  # most texts are read no further
    match = _ELIDED.search(paragraph, max(0, len(paragraph) - _WINDOW))
    if match is None:
        return paragraph
    before = paragraph[: match.start()].rstrip()
    if not before or _ENDS_SENTENCE.search(before):
        return before
    return before.rstrip(",;:-–— ") + "…"


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())
