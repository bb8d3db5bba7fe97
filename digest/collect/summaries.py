"""What one feed's summaries say about each other: notices, and the feed's own cuts.

Job: :func:`settle_summaries` looks at the summaries of one feed document together,
after each item was cleaned on its own (:mod:`digest.collect.boilerplate`), because two
defects only show across items:

- **Feed-wide notices.** A summary repeated word for word on (nearly) every item of a
  feed ("Please update to our new feed url: …") is not a summary of any of them: those
  items get none, and when the notice is also the first paragraph of an item's body it
  goes from there too (the ranker falls back to the body). A summary that only some
  items share is kept: release notes that mostly begin "This release fixes many
  security vulnerabilities." say that of each release.
- **The feed's own cuts.** Publishers cut descriptions at a fixed length, often inside a
  word ("…stock colu"), and say nothing. Such a summary must end with "…": the ranker
  closes a complete text that lacks final punctuation with a full stop (a standfirst is
  often written that way), which on a cut text reads "…stock colu.". A summary is taken
  as cut when it ends in a letter or digit and either the item's body goes on from it
  within the same paragraph (the feed cut its own text), or most of the feed's summaries
  that end so are the feed's longest, give or take a few characters (a fixed-length cut;
  standfirsts written in full vary in length). A cut inside a word leaves a stub the
  reader takes for a typo ("…the malicious progr…"), so a cut summary ends at its last
  whole word: in a fixed-length feed (cut summaries, with or without the publisher's
  "(...)" already made "…", at the feed's longest length) the last word goes, as it was
  most likely split; where the body shows the cut, only a word the cut split goes.

- **Glued cut marks.** A publisher that cuts inside a word may glue its dots on
  ("…O termo de renovaç...", UOL). In a feed that marks its cuts apart on other items
  (" ...", "[?]": :func:`~digest.collect.boilerplate.ends_elided`, as the feed wrote
  them), with at least :data:`CUT_ITEMS` cut items in all, a summary's glued "..." after
  a word is that cut, and ends "…" as the others do ("renovaç…"; the body too, where it
  is the same text). So are they in a feed whose every summary, :data:`GLUED_ITEMS`
  or more, ends in them: an excerpt generator's cut ("…one of the common questions we
  regularly get...", InfluxData's). In a feed where only some items end so and none
  marks a cut apart, glued dots are the writer's ("…we talk about fine scotch and fad
  diets...") and stay.

Must not: change article keys, read more of a body than the summary's length, mark a
summary that ends a sentence, or shorten one to fewer than :data:`MIN_WORDS` words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from digest.collect.boilerplate import ends_elided
from digest.records import Article

__all__ = ["NOTICE_ITEMS", "settle_summaries"]

#: Items that must share one summary, at least, before it counts as a feed-wide notice
#: (and it must also be on at least :data:`NOTICE_SHARE` of the items with a summary).
NOTICE_ITEMS = 3
NOTICE_SHARE = 0.9
#: Cut summaries that must share the feed's longest length before it counts as a cut.
CUT_ITEMS = 3
#: Summaries that must all end in glued dots, at least, for those to count as the feed's
#: cuts when it marks none apart (an excerpt generator's: every item "…we regularly get...").
GLUED_ITEMS = 2
#: Characters a fixed-length cut may vary by once whitespace is folded and entities decoded.
CUT_SLACK = 3
ELLIPSIS = "…"
#: Words a cut summary keeps at least when its last, split, word goes.
MIN_WORDS = 4
#: A last "word" longer than this, or in a script written without spaces, is not taken
#: for a split word (dropping it would take a clause with it).
MAX_STUB = 20
_NO_SPACES_FROM = 0x2E80  # CJK and the scripts after it write runs without spaces
_DANGLING = ",;:-–—([{“‘«/ "
#: A publisher's "..." glued to the last word ("…O termo de renovaç...").
_GLUED = re.compile(r"(?<=\w)\.\.\.$")


def settle_summaries(
    articles: Sequence[Article], written: Sequence[str] = ()
) -> tuple[Article, ...]:
    """`articles` with feed-wide notices removed and the feed's cuts marked with "…";
    `written`: the feed's summaries as it wrote them (the evidence of its cut marks)."""
    notices = _notices(articles)
    fixed = _fixed_cut_length(articles)
    marked = sum(1 for said in written if ends_elided(said))
    glued = sum(1 for a in articles if _GLUED.search(a.summary))
    summaries = sum(1 for a in articles if a.summary)
    excerpts = glued >= GLUED_ITEMS and glued == summaries  # all cut alike: "…get..."
    cuts = excerpts or (marked and marked + glued >= CUT_ITEMS)  # a feed that marks its cuts
    settled = []
    for article in articles:
        summary, text = article.summary, article.text
        if cuts and _GLUED.search(summary):  # the feed's cut: "renovaç..."
            summary, text = _GLUED.sub(ELLIPSIS, summary), _glued_body(text, summary)
        if summary in notices:
            summary, text = "", _without_opening(text, summary)
        elif fixed is not None and _cut_short(summary) and len(summary) >= fixed:
            summary = _without_last_word(summary.removesuffix(ELLIPSIS)) + ELLIPSIS
        elif _open_ended(summary) and (after := _continued(summary, article.text)):
            split = after.isalnum()  # the body goes on inside the summary's last word
            summary = (_without_last_word(summary) if split else summary) + ELLIPSIS
        if summary == article.summary and text == article.text:
            settled.append(article)
        else:
            settled.append(replace(article, summary=summary, text=text))
    return tuple(settled)


def _glued_body(body: str, summary: str) -> str:
    """`body` ending "…" where it ends as the cut `summary` does (the same description)."""
    end = body.rstrip()
    if not end.endswith(summary[-40:]) or not " ".join(end.split()).endswith(summary):
        return body
    return _GLUED.sub(ELLIPSIS, end)


def _notices(articles: Sequence[Article]) -> frozenset[str]:
    counts = Counter(a.summary for a in articles if a.summary)
    total = sum(counts.values())
    return frozenset(
        s for s, n in counts.items() if n >= NOTICE_ITEMS and n >= NOTICE_SHARE * total
    )


def _fixed_cut_length(articles: Sequence[Article]) -> int | None:
    """The shortest length of a fixed-length cut in this feed, or None when it has none."""
    longest = max((len(a.summary) for a in articles), default=0)
    open_ended = [a.summary for a in articles if _cut_short(a.summary)]
    at_cut = {s for s in open_ended if len(s) >= longest - CUT_SLACK}  # one text: a notice
    if len(at_cut) >= CUT_ITEMS and 2 * len(at_cut) > len(open_ended):
        return longest - CUT_SLACK
    return None


def _open_ended(summary: str) -> bool:
    """Whether `summary` stops on a letter or digit: mid-sentence, maybe mid-word."""
    return bool(summary) and summary[-1].isalnum()


def _cut_short(summary: str) -> bool:
    """Whether `summary` stops on a letter or digit, or on one and the publisher's cut
    marker already made "…" ("…Iliad pe (...)" is "…Iliad pe…")."""
    return _open_ended(summary.removesuffix(ELLIPSIS))


def _without_last_word(summary: str) -> str:
    """`summary` without its last word (one a cut split), and the punctuation that would
    then dangle; as it is when too few words would be left or the word is no stub."""
    head, _, last = summary.rpartition(" ")
    head = head.rstrip(_DANGLING)
    if len(head.split()) < MIN_WORDS or len(last) > MAX_STUB:
        return summary
    if any(ord(c) >= _NO_SPACES_FROM for c in last):
        return summary
    return head


def _continued(summary: str, body: str) -> str:
    """The character of `body` right after `summary` where the body's opening paragraph
    starts with `summary` and goes on past it mid-sentence, else ""."""
    paragraph = body[: 2 * len(summary) + 80].partition("\n\n")[0]
    folded = " ".join(paragraph.split())
    if len(folded) <= len(summary) or not folded.startswith(summary):
        return ""
    after = folded[len(summary)]
    return "" if after in ".!?…。！？" else after  # else only the full stop was left out


def _without_opening(body: str, notice: str) -> str:
    """`body` without its first paragraph when that paragraph is `notice`."""
    head, sep, _ = body[: 2 * len(notice) + 80].partition("\n\n")
    if " ".join(head.split()) != notice:
        return body
    return body[len(head) + len(sep) :].lstrip()
