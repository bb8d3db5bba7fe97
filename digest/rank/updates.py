"""A story the list sent that has developed since: which of its reports run as an update.

Job: for one story (a cluster) with reports the list sent before, say which of its
other reports are later news, as an editor would. A report is an update's when

- it is dated: a report nobody dated may be of any age (``Article.published``; first
  sight is no publication date), so an undated report never makes an update;
- it could not have been in the edition that carried the story: it was published after
  the latest edition of the list that carried a report of it was built
  (``RankOptions.carried_at``). What was out by then was shown or left out as already
  sent, and stays so: it never runs later, days late, as news;
- it is clearly later news: published ``UPDATE_AFTER`` or more after the newest report
  of the story the list sent. Outlets retell a story within its news day, mostly within
  hours; a report of the next day's cycle, for a story still developing, carries what
  is new ("Death toll rises to 40" after "Dam breach floods valley");
- it says something new: a later date alone is no news (a weekly round-up retells
  Monday's breach on Thursday). Of what its headline and the first ``NEWS_WORDS`` words
  of its standfirst (else its body) say, ``NEW_SHARE`` or more must be new: words and
  numbers that none of the story's sent reports used in its headline, standfirst or
  body lead (:func:`news`). Words are compared by their first ``STEM`` letters
  ("flood", "floods", "flooded" are one); a headline word counts ``TITLE_WEIGHT`` times,
  as in clustering; function words do not count, nor names (:func:`digest.rank.names.names`:
  who and where are not what happened). "Death toll rises to 40 as valley floods" is
  new in about two thirds of what it says; "Week in review: dam breach floods Ravnedal
  valley" over "On Monday the Kvernsjø dam broke ..." in under a third. Words are not
  meanings: a retelling in many new words can still pass (the rule errs toward running
  news rather than hiding a development).

Only those reports run, labelled an update (``Story.update``), with the date of the
story's first sent report (``Story.first_reported``); the sent ones never again, and
the other unsent ones stay out as already sent. Once the update is sent its reports are
sent reports of the story: a further update needs reports later again. An editor who
pins one of an update's reports gets the update, first; a pin of any other report of
the story runs it as before (its reports not sent, and the pins), unlabelled.
Must not: cluster, score or choose (that is :mod:`digest.rank`), read the clock, or
look at anything but the story's reports and the options.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from digest.rank.names import names
from digest.rank.terms import LEAD_WORDS, TITLE_WEIGHT, content, lead_tokens, tokens
from digest.records import Article, claimed_key
from digest.wording.told import told

#: How much later than the newest sent report of a story a report must be published to
#: be news again: longer than a news day's retellings (the same morning, the evening's
#: round-ups), shorter than a day, so that the next morning's development of a story
#: sent early on the day before counts (23 hours later is not a retelling).
UPDATE_AFTER = timedelta(hours=18)
#: Words of a later report's standfirst (else body) read, after its headline, for what
#: it says: about a teaser's two sentences, where a report puts its news.
NEWS_WORDS = 40
#: The share of what a later report says that must be new for it to be news.
NEW_SHARE = 1 / 3
#: Letters a word is compared by (a crude stem): "flood", "floods", "flooded" are one.
STEM = 5


@dataclass(frozen=True, slots=True)
class Ran:
    """What a list sent of one story: the times an update is measured from."""

    first: datetime | None  # the earliest `when` of its sent reports (None: undated)
    newest: datetime | None  # the latest `when` of its sent reports (None: undated)
    carried: datetime | None  # the latest edition that carried one of them was built
    said: frozenset[str] = frozenset()  # what they said: their words' stems (see news)


def ran(sent: Sequence[Article], carried_at: Mapping[str, datetime]) -> Ran:
    """What the list sent of a story, from its sent reports (any order gives the same)."""
    dates = [a.when for a in sent if a.when is not None]
    built = [
        at
        for a in sent
        for at in (carried_at.get(a.key), carried_at.get(claimed_key(a.key)))
        if at is not None
    ]
    said = {
        word[:STEM]
        for a in sent
        for word in (*tokens(a.title), *lead_tokens(f"{a.summary} {a.text}", LEAD_WORDS))
        if _telling(word)
    }
    return Ran(
        first=min(dates, default=None),
        newest=max(dates, default=None),
        carried=max(built, default=None),
        said=frozenset(said),
    )


def _telling(word: str) -> bool:
    """A word that says what happened or how many: no function word, no single letter."""
    return content(word) or word.isdigit()


def news(report: Article, said: frozenset[str]) -> bool:
    """Does `report` say something new over what was `said` (the stems of the sent
    reports' words: `Ran.said`)? See the module: ``NEW_SHARE`` of the weight of its
    headline's and first ``NEWS_WORDS`` words, names left out, is on new words."""
    headline, text = told(report)
    named = names(text)
    head = {w for w in tokens(headline) if _telling(w)} - named
    rest = {w for w in tokens(text, NEWS_WORDS) if _telling(w)} - named - head
    weight = dict.fromkeys(rest, 1) | dict.fromkeys(head, TITLE_WEIGHT)
    total = sum(weight.values())
    new = sum(n for word, n in weight.items() if word[:STEM] not in said)
    return total > 0 and new >= NEW_SHARE * total


def later(group: Sequence[Article], story: Ran, sent: Callable[[Article], bool]) -> list[Article]:
    """The reports of `group` that are news since `story` ran (see the module), in
    `group`'s order. Where no sent report was dated, the edition that carried the story
    stands in for the newest (they were at least that old); knowing neither, none."""
    since = story.newest if story.newest is not None else story.carried
    if since is None:
        return []
    due = since + UPDATE_AFTER
    carried = story.carried
    return [
        a
        for a in group
        if a.published is not None
        and a.published >= due
        and (carried is None or a.published > carried)
        and not sent(a)
        and news(a, story.said)
    ]
