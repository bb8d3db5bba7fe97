"""What a story shows of its face article: the headline, and the text beyond it.

Job: give the headline an article's story shows and the text under it (its standfirst,
else its body), for untitled feed items (whose title is their text's first words),
pages whose standfirst only repeats the headline, and feed items whose excerpt is only
the post's opening cut short (:func:`told`); the text without a wire dateline before
its news ("NEWARK, N.J. (AP) — ": :func:`digest.datelines.undated`) or the outlet's
own "Exclusive" label (:func:`digest.exclusives.unlabelled_story`; collect drops both
too, but articles stored before it did keep theirs); the headline without a mail
program's "Re:" or a list's "[tag]" (:func:`digest.wording.subjects.unreplied`).
Must not: choose, score or trim a story's summary to its budget (that is
:mod:`digest.rank`), or look at anything but the one article.
"""

from __future__ import annotations

import re

from digest.datelines import undated
from digest.exclusives import unlabelled_story, wire_label
from digest.headline_labels import UPDATE_ABBREVIATION, UPDATE_WORD
from digest.records import Article
from digest.wording.subjects import unreplied
from digest.wording.untitled import opening


def _words(text: str) -> list[str]:
    return text.casefold().split()


def _headline(title: str, text: str, language: str | None = None) -> tuple[str, str] | None:
    """An untitled item's (headline, rest of its text) when the title repeats the text.

    Feed items without a title are titled with their text's first sentence or its
    opening clause (:func:`untitled_title`); articles stored before that were titled
    with its first words and "…". The reader must not read those words twice: the
    headline is :func:`digest.wording.untitled.opening`'s, the summary what follows it (the
    whole text under a cut headline). None when the title is a headline of its own: one
    that ends on a whole word of the text without "…" (not an untitled item's cut
    words) stays unless the text's first sentence fits whole in its place ("Varnish
    Saint Mode" over "Varnish Saint Mode is a lesser known gem … [30 words]" is the
    feed's headline, not sixteen words and "…").
    """
    head = _words(title.rstrip().removesuffix("…").rstrip())
    body = text.split()
    if not head or len(body) < len(head):
        return None
    if len(head) < 3 and len(head) != len(body):  # "Denmark" over "Denmark wins ...": a title
        return None
    folded = [w.casefold() for w in body[: len(head)]]
    if folded[:-1] != head[:-1] or not folded[-1].startswith(head[-1]):
        return None
    made_up = title.rstrip().endswith("…") or folded[-1][len(head[-1]) :][:1].isalnum()
    made = opening(text, language)
    if made.cut and not made_up:  # a headline of its own, over a long first sentence
        return None
    return made.headline, made.rest


def untitled_title(summary: str, text: str, language: str | None) -> str:
    """The title of an item the feed gave none: the headline its story shows
    (:func:`told`'s, from the same text), so that the desk, the web edition, the archive
    and the email read one headline; "" for an item without text."""
    source_text = summary if summary.strip() else text
    return opening(_uncut_text(text, source_text) or source_text, language).headline


def told(article: Article) -> tuple[str, str]:
    """The headline a story of `article` shows, and the text it has beyond that headline
    (its standfirst, else its body; an untitled item's rest: see `_headline`). A
    standfirst that only repeats the headline (a page whose meta description is its
    title) gives way to the body when that says more (`_body_instead`), and so does an
    excerpt that is the body's opening cut short ("…just released…": `_uncut`)."""
    source_text = article.summary if article.summary.strip() else article.text
    source_text = _body_instead(article, source_text) or _uncut(article, source_text) or source_text
    untitled = _headline(article.title, source_text, article.language)
    title, text = (article.title, source_text) if untitled is None else untitled
    return unreplied(title), undated(
        unlabelled_story(text, (article.source, article.outlet, article.url))
    )


#: An outlet's own "this is an update" at the start of a headline: "Update:", "UPDATE 2 -",
#: "[Updated]", "MàJ :" (as collect writes PC INpact's "[MàJ]": digest.headline_labels),
#: in the languages of the feeds we read ("Aktualisiert:", "Mise à jour :"); the French
#: "MàJ" in brackets or before a French-spaced colon only ("Maj:" is May in Danish).
_UPDATE_WORD = rf"(?:{UPDATE_WORD}|{UPDATE_ABBREVIATION}(?=\s*[\])]|\s+:))"
_UPDATE_LABEL = re.compile(
    rf"(?i)^\s*(?:[\[(]\s*{_UPDATE_WORD}\s*[\])]\s*[:|–—-]?|{_UPDATE_WORD}\s*[:|–—-])\s*(?=\S)"
)
#: The same label after the headline, in brackets: "Z10 : la mise à jour (MàJ)", as collect
#: writes "[MàJ]" before a headline with a colon of its own (digest.headline_labels).
_UPDATE_AFTER = re.compile(rf"(?i)(?<=\S)\s+[\[(]\s*{_UPDATE_WORD}\s*[\])]\s*$")


def unlabelled(title: str) -> str:
    """An update's headline without the outlet's own "Update:" or "(Update)" after it (the
    email labels an update itself: "Update: Update: Death toll rises" reads the label
    twice). A headline that merely begins with the word ("Update on the quarry: …") is
    left as it is. A wire's "EXCLUSIVE-UPDATE 2-" keeps its exclusive: "EXCLUSIVE-Harbour…"."""
    kept = wired[0] if (wired := wire_label(title)) else 0
    return title[:kept] + _UPDATE_AFTER.sub("", _UPDATE_LABEL.sub("", title[kept:], count=1))


#: Characters a body must hold beyond its headline to speak for a standfirst that only
#: repeats the headline (a sentence; less is a kicker or a caption).
SAYS_MORE = 80


def _body_instead(article: Article, standfirst: str) -> str | None:
    """The body to show where the standfirst only repeats the headline (a page whose
    meta description is its title): the body without the headline it may open with,
    when what is left holds a sentence or more; else None (keep the standfirst)."""
    head = _words(article.title.rstrip(" .…"))
    if not head or _words(standfirst.rstrip(" .…")) != head:
        return None
    body = article.text.strip()
    if _words(body)[: len(head)] == head:  # the body opens with the headline: not twice
        body = body.split(maxsplit=len(head))[len(head)] if len(body.split()) > len(head) else ""
    return body if len(body) >= SAYS_MORE else None


#: How an excerpt the feed (or collect, at its length limit) cut short ends.
_CUT_MARKS = ("…", "...")


def _uncut(article: Article, standfirst: str) -> str | None:
    """The body where `standfirst` is only its opening cut short, else None.

    Blog software sends each post's first words, cut at a fixed length and ended with
    "…" ("…buy a brand new just released…"), beside the whole post. Told as it is, such an
    excerpt stops a lead of 120 words after 40, mid-sentence, with the rest stored. When
    the body opens with the excerpt's words (whitespace aside) and goes on, the body is
    the same text, uncut: the ranker trims it to the story's budget at a sentence end.
    An excerpt in other words than the body's (written on its own) is kept, and so is
    one whose body goes on by less than :data:`SAYS_MORE` characters: that body is the
    feed's cut text itself (the excerpt lost a split word: "…the malicious progr").
    """
    return _uncut_text(article.text, standfirst)


def _uncut_text(text: str, standfirst: str) -> str | None:
    """:func:`_uncut` of an article whose body is `text`."""
    end = standfirst.rstrip()
    if not end.endswith(_CUT_MARKS):
        return None
    kept = " ".join(end.removesuffix("…").removesuffix("...").split())
    body = text.strip()
    if not kept or len(body) < len(kept) + SAYS_MORE:
        return None
    opening = " ".join(body[: 2 * len(kept) + 80].split())
    return body if len(opening) > len(kept) and opening.startswith(kept) else None
