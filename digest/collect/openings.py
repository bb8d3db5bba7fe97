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
  with nothing after it leaves no text: the headline tells the story alone. A byline
  that runs into the story on its line goes too: "By Jane Doe — The council…", "By Jane
  Doe, Reuters - The…", "Jane Doe | Reuters — The council…" (a separator), or "By Jane
  Doe The council voted…" where the story's first word is one the text also writes in
  lower case ("the") and the two or more words before it are names it never does ("By
  Friday The Harbour Authority will…" stays: the text says "the").
- **Sponsor lines.** A paragraph that is only an ad label ("Anzeige", "Annonce",
  "Publicidade", "Advertisement", …); one that says who brought the episode ("This
  episode is brought to you by …", "Sponsored by" and names only); a heading "Sponsored
  by:" and the "Name: tagline" paragraphs after it (a podcast's sponsor list); a short
  "Name: tagline" paragraph with a promo code ("Use code ATP for 10% off"). A story that
  names a code ("…$27.99 with code BFRIDAY20 at checkout.") or a sponsor ("My thanks to
  X for sponsoring…") stays, and a text that is all sponsor lines is its own story.
  Inside a paragraph, a sentence that is a sponsor line goes ("…the report said.
  Sponsored by Acme Corp. The next…", "This newsletter is brought to you by Acme."); a
  sentence that goes on after the sponsor's name ("Sponsored by the city, the terminal
  opens…", "…was sponsored by Acme until 2020") stays.
- **Update notes.** A first paragraph that is the editor's note of a change, "Update
  11/28/17: Added a note about…", "UPDATE (26.11.2026): …", "This article was updated
  on November 24 with…", "Editor's note: This story has been updated…", when the story
  follows it. "Update" needs a date ("Update: the ferry is cancelled again" is news);
  a note with nothing after it is the summary.
- **Captions of pictures** (:func:`without_captions`): a line that only introduces the
  picture right after it in the item's HTML ("此主题相关图片如下：", "Pictures below:")
  tells a summary's reader of a picture it does not show. A lead-in to text ("Here's
  the tweet:" before a quotation) stays.

Must not: touch the end of a text (that is :mod:`digest.collect.boilerplate`), or the
article key (made of what the source said).
"""

from __future__ import annotations

import html as htmlmod

import regex

from digest.collect.shownotes import is_show_notes, story_lines

__all__ = ["is_byline", "story_paragraphs", "without_byline", "without_captions"]

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
#: A date in an update note: "11/28/17", "26.11.2026", "2026-11-28", "November 28, 2026",
#: "Monday, November 27", "28 November", with a time after it or not.
_DATE = (
    r"(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|(?:\p{L}+,?\s+)?(?:\p{L}{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r"|\d{1,2}\.?\s+\p{L}{3,})(?:,?\s+\d{4})?)(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?i:[ap]\.?m\.?)?)?"
)
_UPDATE_NOTE = regex.compile(
    rf"(?i)\W*(?:(?:update|updated)\s*(?:on\s+)?[(\[]?{_DATE}[)\]]?\s*[:–—-]"
    r"|(?:editor'?s|editors'|ed\.)\s+note\s*:"
    r"|this (?:article|story|post|piece|page|report) (?:was|has been) (?:last )?updated\b)"
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
    """`text` without the byline on its first line, if it opens with one (on a line of
    its own, or running into the story: see the module doc)."""
    first, newline, rest = text.lstrip().partition("\n")
    if is_byline(first):
        return rest.lstrip()
    story = _after_run_in_byline(first, text)
    return text if story is None else f"{story}{newline}{rest}"


#: Names running into the story ("By Jane Doe", "Por Ana López y Juan Pérez").
_NAMES = regex.compile(rf"{_INTRO}:?\s+{_NAME}(?:{_JOIN}{_NAME}){{0,3}}")
#: Names, an agency or other names, then a dash, before the story ("Jane Doe | Reuters —").
_BARRED = regex.compile(rf"{_NAME}\s*\|\s*{_NAME}")
#: What parts a byline from the story on one line: an agency after a comma or bar, then
#: a bar or dash ("…, Reuters —", " | "), or nothing.
_SEPARATOR = regex.compile(rf"(?:\s*[,|]\s*{_WORD}(?:\s+{_WORD}){{0,2}})?\s*(?:[|—–-]|--)\s+")
_STARTS_STORY = regex.compile(r"[\"“‘«(]?[\p{Lu}\d]")
#: Characters of a first line read for a byline that runs into the story.
_RUN_IN_CHARS = 120


def _after_run_in_byline(line: str, text: str) -> str | None:
    """The story after a byline that runs into it on `line` (the first line of `text`),
    or None when `line` opens with none."""
    lower = None  # the words `text` writes in lower case, read when needed
    for pattern, bare in ((_NAMES, True), (_BARRED, False)):
        for end in _ends(pattern, line):
            after = line[end:]
            separated = _SEPARATOR.match(after)
            story = after[separated.end() :] if separated else after.lstrip()
            if not (separated or bare) or not _STARTS_STORY.match(story):
                continue
            lower = lower if lower is not None else _lower_words(text)
            names = _TAIL_WORD.findall(line[:end])[1 if bare else 0 :]  # ("By" aside)
            if any(w.casefold() in lower for w in names if w[0].isupper()):
                continue  # a word the text writes in lower case is no name (particles are)
            if not separated:
                first = _TAIL_WORD.match(story)
                if len(names) < 2 or first is None or first.group().casefold() not in lower:
                    continue
            return story
    return None


def _ends(pattern: regex.Pattern[str], line: str) -> list[int]:
    """Where a match of `pattern` at the start of `line` may end, at a word's end, the
    longest first."""
    head = line[:_RUN_IN_CHARS]
    ends = [m.end() for m in regex.finditer(r"[\p{L}\p{M}'’.](?=[\s,|]|$)", head)]
    return [end for end in reversed(ends) if pattern.fullmatch(head, 0, end)]


def _lower_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _TAIL_WORD.findall(text) if w.islower())


#: A short text ending in a colon, then (line breaks and a link's tag between) a picture.
_CAPTION = regex.compile(
    r">([^<>]{1,80}[:：])\s*(?:<br\s*/?>\s*)*(?:<a\b[^>]*>\s*)?<img\b", regex.IGNORECASE
)


def without_captions(text: str, html: str) -> str:
    """`text` (as :func:`~digest.collect.sanitize.html_to_text` wrote `html`) without its
    lines that are captions of a picture in `html` (see the module doc)."""
    if "<img" not in html:
        return text  # most items are read no further
    captions = {" ".join(htmlmod.unescape(m).split()) for m in _CAPTION.findall(html)}
    captions.discard("")
    if not captions:
        return text
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = [line for line in paragraph.split("\n") if line.strip() not in captions]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def story_paragraphs(text: str) -> list[str]:
    """The paragraphs of `text` that may be its story: without the byline that opens it,
    without an update note before the story, without sponsor lines and without show
    notes (:mod:`digest.collect.shownotes`); all of them (its byline aside) when all are
    sponsor lines; [] when the text is a byline and nothing else."""
    kept = without_byline(text)
    if not kept.strip():
        return []
    paragraphs = kept.split("\n\n")
    if len(paragraphs) > 1 and _UPDATE_NOTE.match(" ".join(paragraphs[0].split())):
        paragraphs = paragraphs[1:]
    show_notes = is_show_notes(kept)
    stories, in_list = [], False
    for paragraph in paragraphs:
        paragraph = story_lines(paragraph, show_notes=show_notes)
        if not paragraph:
            continue  # show notes: chapter marks, addresses, "Subscribe on Spotify"
        flat = " ".join(paragraph.split())
        if _SPONSOR_HEAD.fullmatch(flat):
            in_list = True
            continue
        in_list = in_list and bool(_SPONSOR_LINE.match(flat) or _PROMO.search(flat))
        paragraph = _without_sponsor_sentences(paragraph)
        if not (in_list or _is_ad(" ".join(paragraph.split()))):
            stories.append(paragraph)
    return stories or paragraphs


#: Where a sentence ends inside a paragraph: after its final punctuation, at a space.
_SENTENCE_BREAK = regex.compile(r"(?<=[.!?…][\"”’)]*)\s+(?=\S)")
_MAY_NAME_SPONSOR = regex.compile(r"(?i)\b(?:brought to you|sponsored|presented|supported)\b")


def _without_sponsor_sentences(paragraph: str) -> str:
    """`paragraph` without its sentences that are sponsor lines (see the module doc);
    as it is when it has no other."""
    if not _MAY_NAME_SPONSOR.search(paragraph):
        return paragraph  # most paragraphs are read no further
    sentences = _SENTENCE_BREAK.split(paragraph)
    kept = [s for s in sentences if not _is_sponsor_sentence(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else paragraph


def _is_sponsor_sentence(sentence: str) -> bool:
    flat = " ".join(sentence.split())
    if _BROUGHT.match(flat):
        return True
    by = _SPONSORED.match(flat)
    return by is not None and is_byline(flat[by.end() :].rstrip("!"))


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
