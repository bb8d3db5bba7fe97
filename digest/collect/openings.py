"""What opens an item's text but is not its story: a byline, and sponsor lines.

Job: :func:`without_byline` drops a byline that opens a plain-text summary or body (as
:func:`~digest.collect.sanitize.html_to_text` writes it: paragraphs separated by a blank
line, lines by a newline), and :func:`story_paragraphs` gives the paragraphs a
standfirst may be chosen from: the text's, without its byline and its sponsor lines. A
reader who gets "Por Matt Spetalnick e Jason Szep" or "Squarespace: Build it beautiful.
Use code ATP for 10% off" under a headline learns nothing about the story.

- **Bylines.** A first line that is only "By" (or "Por", "Von", "Af", "Av", "Par",
  "Door", "Di", "Przez", "Autor", "Автор") and one to four names, each of capitalised
  words ("Hans-Peter Müller", "Jan van der Berg"), joined by "and", "&", ",", "e", "y",
  "und", "og", "et", "en", "i", "a", "и", and optionally a separator and the agency or a
  date ("| 26 novembre 2026", ", Reuters"). A line that goes on in lower case ("By
  Friday the ferry…", "Par 209 voix…", "Af og til…") or ends a sentence after the
  separator ("By Friday, the ferry will run again.") is a sentence and stays. A byline
  with nothing after it leaves no text: the headline tells the story alone.
- **Sponsor lines.** A paragraph that is only an ad label ("Anzeige", "Annonce",
  "Publicidade", "Advertisement", …); one that says who brought the episode ("This
  episode is brought to you by …", "Sponsored by" and names only); a heading "Sponsored
  by:" and the "Name: tagline" paragraphs after it (a podcast's sponsor list); a short
  "Name: tagline" paragraph with a promo code ("Use code ATP for 10% off"). A story that
  names a code ("…$27.99 with code BFRIDAY20 at checkout.") or a sponsor ("My thanks to
  X for sponsoring…") stays, and a text that is all sponsor lines is its own story.

Must not: touch the end of a text (that is :mod:`digest.collect.boilerplate`), or the
article key (made of what the source said).
"""

from __future__ import annotations

import regex

__all__ = ["is_byline", "story_paragraphs", "without_byline"]

#: A name: capitalised words or initials, lower-case particles between them.
_WORD = r"(?:\p{Lu}[\p{L}\p{M}'’.-]*|\p{Lu}\.)"
_PARTICLE = r"(?:de|da|do|dos|das|del|della|di|du|la|le|van|von|der|den|ter|ten|al|bin|y)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD}){{0,3}}"
_JOIN = r"(?:\s*,\s*|\s+(?:and|&|e|y|und|og|et|en|i|a|и)\s+)"
_INTRO = r"(?i:by|por|von|af|av|par|door|di|przez|autor|autorka|автор)"
#: After the names: a separator, then a date, time or agency ("| 26 novembre 2026").
_TAIL = r"(?:\s*[,|·•–—-]\s*[^\n]{0,60})?"
_BYLINE = regex.compile(rf"{_INTRO}:?\s+{_NAME}(?:{_JOIN}{_NAME}){{0,3}}(?P<tail>{_TAIL})")
_TAIL_WORD = regex.compile(r"[\p{L}\p{M}'’]+")
#: Words in lower case a byline's tail may hold: short ones ("at", "de", "kl") and months.
_MONTH = regex.compile(
    r"(?:jan|feb|fév|fev|mar|mär|apr|avr|abr|ma[iyj]|mag|mei|jun|jui|giu|jul|lug|aug|ago"
    r"|aoû|sep|set|okt|oct|ott|out|nov|dec|dez|déc|dic|des)"
)
#: A tail must not end a sentence: "By Friday, the ferry will run again." is one.
_SENTENCE_END = regex.compile(r"\p{L}{2}[.!?]$")

_LABEL = regex.compile(
    r"(?i)\W*(?:anzeige|werbung|annonce|reklame|publicidade|publicidad|publicité"
    r"|pubblicità|reklama|реклама|advertisement|sponsored(?: content| post)?)\W*"
)
_BROUGHT = regex.compile(
    r"(?i)(?:this|today's|this week's) (?:episode|show|podcast|issue|newsletter|video)"
    r" is (?:brought to you|sponsored|supported|presented|made possible) by\b"
)
_SPONSOR_HEAD = regex.compile(
    r"(?i)\W*(?:(?:this (?:episode|week)'s |our |thanks to our )?sponsors"
    r"|(?:sponsored|brought to you|presented|supported) by|gesponsert von|sponsoren"
    r"|sponsoreret af|sponsorisé par|patrocinado por|patrocínio|gesponsord door"
    r"|sponsorowane przez|sponsorizzato da)\s*[:：]\s*"
)
_SPONSORED = regex.compile(r"(?i:sponsored|brought to you|presented)\s+(?=by\s)")
_SPONSOR_LINE = regex.compile(r"[^:\n]{1,40}:\s+\S")  # "Squarespace: Build it beautiful."
_PROMO = regex.compile(
    r"(?i)\b(?:(?:use|with|enter|apply)\s+(?:the\s+)?(?:promo\s+|coupon\s+|discount\s+)?code"
    r"\s+[\"“']?[\p{L}\d]{2,20}[\"”']?(?=\s*(?:[.!,;)]|$|\s(?:for|at|to|and)\b))"
    r"|(?:promo|coupon|discount|offer) code|rabatkode|rabattcode|gutscheincode"
    r"|code promo|código (?:promocional|de desconto|de descuento))"
)
#: A line longer than this is no byline (and is not read as one).
_BYLINE_CHARS = 160
#: A "Name: tagline" paragraph longer than this is a story that names a code.
_AD_CHARS = 240


def is_byline(line: str) -> bool:
    """Whether `line` is a byline and nothing else (see the module doc)."""
    line = line.strip()
    if len(line) > _BYLINE_CHARS:
        return False
    match = _BYLINE.fullmatch(line.removesuffix("."))
    if match is None:
        return False
    tail = match.group("tail")
    if not tail:
        return True
    if _SENTENCE_END.search(line):
        return False
    words = _TAIL_WORD.findall(tail)
    return all(w[0].isupper() or len(w) <= 3 or _MONTH.match(w.casefold()) for w in words)


def without_byline(text: str) -> str:
    """`text` without the byline on its first line, if it opens with one."""
    first, _, rest = text.lstrip().partition("\n")
    return rest.lstrip() if is_byline(first) else text


def story_paragraphs(text: str) -> list[str]:
    """The paragraphs of `text` that may be its story: without the byline that opens it
    and without sponsor lines; all of them (its byline aside) when all are sponsor
    lines; [] when the text is a byline and nothing else."""
    kept = without_byline(text)
    if not kept.strip():
        return []
    paragraphs = kept.split("\n\n")
    stories, in_list = [], False
    for paragraph in paragraphs:
        flat = " ".join(paragraph.split())
        if _SPONSOR_HEAD.fullmatch(flat):
            in_list = True
            continue
        in_list = in_list and bool(_SPONSOR_LINE.match(flat) or _PROMO.search(flat))
        if not (in_list or _is_ad(flat)):
            stories.append(paragraph)
    return stories or paragraphs


def _is_ad(paragraph: str) -> bool:
    """Whether one paragraph, on one line, is an ad on its own (see the module doc)."""
    if _LABEL.fullmatch(paragraph) or _BROUGHT.match(paragraph):
        return True
    if (by := _SPONSORED.match(paragraph)) and is_byline(paragraph[by.end() :]):
        return True  # "Sponsored by Squarespace, Casper and Hover."
    return (
        len(paragraph) <= _AD_CHARS
        and bool(_SPONSOR_LINE.match(paragraph))
        and bool(_PROMO.search(paragraph))
    )
