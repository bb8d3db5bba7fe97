"""What opens an item's text but is not its story: a byline, and sponsor lines.

Job: :func:`story_paragraphs` gives the paragraphs of a plain-text summary or body (as
:func:`~digest.collect.plaintext.html_to_text` writes it: paragraphs separated by a blank
line, lines by a newline) that a standfirst may be chosen from: the text's, without its
byline, its dateline and its sponsor lines. A reader who gets "Por Matt Spetalnick e Jason Szep" or
"Squarespace: Build it beautiful. Use code ATP for 10% off" under a headline learns
nothing about the story.

- **Bylines.** :mod:`digest.collect.bylines` says which first line is one, on the
  evidence of the item's language, author and source (its ``Credits``).
- **The outlet's own label**: "Exclusif PC INpact : ", "Exclusive: "
  (:mod:`digest.exclusives`; "Exclusive talks: " is the story).
- **A lone ornament** opening the text ("★ ", "● ": :mod:`digest.collect.ornaments`).
- **Wire datelines** after the byline, or opening the text: "NEWARK, N.J. (AP) — "
  (:func:`without_opening`, which the body goes through too: a summary and the body it
  opens read alike).
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
- **Dated openers.** A first sentence that only gives the article's own date, "Article
  du 20/03/2013." (PC INpact, on an item it updated), "Originally published on November
  24, 2026.", "Artikel vom 26.11.2026.", in the languages of the sponsor labels. Only the
  whole sentence goes, and only with a story after it: "Article du 20/03/2013 sur la
  DCRI : …" or "Le 20/03/2013, Orange a…" are the story.
- **A reply's quote header**: a list message's "On …, Ann wrote:", "* Ann <ann< at
  >example.org> [261126 09:12]:" and the quoted lines after it
  (:mod:`digest.collect.replies`).
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

from digest.collect.bylines import NO_CREDITS, Credits, is_credit, without_byline
from digest.collect.ornaments import unadorned
from digest.collect.replies import without_quote_header
from digest.collect.shownotes import is_show_notes, story_lines
from digest.datelines import undated
from digest.exclusives import unlabelled_story

__all__ = ["story_paragraphs", "without_captions", "without_opening"]

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
#: A sentence that only dates the article, then the story: "Article du 20/03/2013. ",
#: "Originally published on November 24, 2026. ", "Artículo del 24 de septiembre de 2018. ".
_DATED_OPENER = regex.compile(
    r"(?i)\W*(?:articles?\s+(?:of|from|du|de|dated)|originally\s+published(?:\s+on)?"
    r"|first\s+published(?:\s+on)?|artikel\s+(?:vom|fra|van|från)|artigo\s+(?:de|do)"
    r"|art[íi]culo\s+(?:del?)|articolo\s+del|artyku[łl]\s+z|статья\s+от)"
    rf"\s+(?:{_DATE}|\d{{1,2}}\s+de\s+\p{{L}}{{3,}}(?:\s+de\s+\d{{4}})?)\s*\.\s+(?=\S)"
)
#: How the case-folded text starts when it may open so (a cheap test before the pattern).
_DATED_WORDS = "article originally first artikel artigo artículo articulo articolo artykuł статья"
_DATED_STARTS = tuple(_DATED_WORDS.split())
#: A "Name: tagline" paragraph longer than this is a story that names a code.
_AD_CHARS = 240


#: A short text ending in a colon, then (line breaks and a link's tag between) a picture.
_CAPTION = regex.compile(
    r">([^<>]{1,80}[:：])\s*(?:<br\s*/?>\s*)*(?:<a\b[^>]*>\s*)?<img\b", regex.IGNORECASE
)


def without_captions(text: str, html: str) -> str:
    """`text` (as :func:`~digest.collect.plaintext.html_to_text` wrote `html`) without its
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


def without_opening(text: str, credits: Credits = NO_CREDITS) -> str:
    """`text` without a mailing-list reply's quote header (:mod:`digest.collect.replies`),
    the byline that opens it (:mod:`digest.collect.bylines`), the
    outlet's own "Exclusive" label (:func:`digest.exclusives.unlabelled_story`) and the
    wire dateline before its news, after the byline or without one ("NEWARK, N.J. (AP)
    — ": :func:`digest.datelines.undated`)."""
    text = without_quote_header(text)  # a list reply's "On …, Ann wrote:" and quote
    opened = _without_dated_opener(without_byline(unadorned(text, end=False), credits))
    return undated(unlabelled_story(opened, (credits.source, credits.link)))


def _without_dated_opener(text: str) -> str:
    """`text` without a first sentence that only dates the article (see the module doc)."""
    if not text[:20].lstrip().casefold().startswith(_DATED_STARTS):
        return text  # most texts are read no further
    match = _DATED_OPENER.match(text)
    return text[match.end() :] if match else text


def story_paragraphs(text: str, credits: Credits = NO_CREDITS) -> list[str]:
    """The paragraphs of `text` that may be its story: without the byline that opens it,
    without an update note before the story, without sponsor lines and without show
    notes (:mod:`digest.collect.shownotes`); all of them (its byline aside) when all are
    sponsor lines; [] when the text is a byline and nothing else. `credits` are the
    byline's evidence (:mod:`digest.collect.bylines`)."""
    kept = without_opening(text, credits)
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
    if not _may_name_sponsor(paragraph):
        return paragraph  # most paragraphs are read no further
    sentences = _SENTENCE_BREAK.split(paragraph)
    kept = [s for s in sentences if not _is_sponsor_sentence(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else paragraph


def _may_name_sponsor(paragraph: str) -> bool:
    """:data:`_MAY_NAME_SPONSOR`, searched only where the case-folded paragraph has one
    of its words (the pattern is blind to case; most paragraphs have none)."""
    folded = paragraph.casefold()
    return any(word in folded for word in _SPONSOR_WORDS) and bool(
        _MAY_NAME_SPONSOR.search(paragraph)
    )


_SPONSOR_WORDS = ("brought to you", "sponsored", "presented", "supported")


def _is_sponsor_sentence(sentence: str) -> bool:
    flat = " ".join(sentence.split())
    if _BROUGHT.match(flat):
        return True
    by = _SPONSORED.match(flat)
    return by is not None and is_credit(flat[by.end() :].rstrip("!"))


def _is_ad(paragraph: str) -> bool:
    """Whether one paragraph, on one line, is an ad on its own (see the module doc)."""
    if _LABEL.fullmatch(paragraph) or _BROUGHT.match(paragraph):
        return True
    if (by := _SPONSORED.match(paragraph)) and is_credit(paragraph[by.end() :]):
        return True  # "Sponsored by Squarespace, Casper and Hover."
    return (
        len(paragraph) <= _AD_CHARS
        and bool(_SPONSOR_LINE.match(paragraph))
        and bool(_PROMO.search(paragraph))
    )
