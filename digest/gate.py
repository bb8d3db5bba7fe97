"""The gate between building an edition and sending it: never a broken edition.

Job: say in one line what a build kept and what it left out, and why (`Built.summary`);
decide whether an edition has enough stories to be stored, approved or sent
(`refusal`, `check`). `[edition] min_stories` is the minimum, and an edition without
a story is never stored or sent, whatever it says. Decide too whether an edition's news
is too old for a first send (`stale`, `check_fresh`): built longer ago than `[edition]
max_age_hours`, it is sent only when someone says so (`digest send --send-stale`).
And whether its stories went out already (`repeats`, `check_unsent`): a first send of an
edition is refused when another edition of its list carrying some of its stories went
(or is going) out, so that no reader gets the same story twice.
The CLI (`build`, `send`, `approve`), the desk's approval, `send_edition` and the
scheduler all ask here, so that the rules and their wording live in one place.
Must not: rank, render, send, read or write the store, or read the clock (`now` is given).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from digest.errors import DigestError
from digest.records import Edition, SourceSummary, Story, claimed_key

__all__ = [
    "Built",
    "RepeatedStories",
    "StaleEdition",
    "TooFewStories",
    "age_words",
    "check",
    "check_fresh",
    "check_unsent",
    "least",
    "refusal",
    "repeat_ways_on",
    "repeats",
    "stale",
    "ways_on",
]

#: How each of digest.rank.DROP_REASONS reads in the summary. The first three are
#: always shown (the questions a reader of an empty edition asks); the others when
#: they happened.
REASON_WORDS = {
    "too_old": "too old",
    "already_sent": "already sent",
    "queued": "waiting in another edition",
    "future": "from the future",
    "no_room": "ranked below the cut",
    "same_headline": "under a headline their outlet has in the edition already",
    "excluded": "excluded by an editor",
    "other_section": "in other sections",
    "advert": "sponsored posts and advertisements",
    "undated": "undated (in their feed before its first collect: age unknown)",
    "empty": "with no link and no text",
}
ALWAYS = ("too_old", "already_sent", "future")


class TooFewStories(DigestError):
    """An edition has fewer stories than `[edition] min_stories` (or none): it is not
    stored (none at all), approved or sent. The message says which and why."""


class StaleEdition(DigestError):
    """A first send of an edition built longer ago than `[edition] max_age_hours`: its
    news is old by now, so nothing is sent unless someone says so (`--send-stale`). The
    message says how old, and the two ways on."""


class RepeatedStories(DigestError):
    """A first send of an edition some of whose stories went out to its list in another
    edition after it was built (two drafts built from the same news): its readers have
    them already, so nothing is sent. The message names the other edition, the stories,
    and the ways on."""


def least(min_stories: int) -> int:
    """The stories an edition needs: `[edition] min_stories`, and never fewer than one."""
    return max(1, min_stories)


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {plural or word + 's'}"


def refusal(edition_id: int | None, stories: int, min_stories: int) -> str | None:
    """Why an edition of `stories` stories must not go out (None: it may)."""
    if stories >= least(min_stories):
        return None
    name = "the edition" if edition_id is None else f"edition {edition_id}"
    if stories == 0:
        return f"{name} has no stories (an empty edition is never sent)"
    count = _n(stories, "new story", "new stories")
    return f"{name}: only {count} (edition.min_stories = {min_stories})"


def check(edition: Edition, min_stories: int, *, action: str = "sent") -> None:
    """Raise TooFewStories unless `edition` may be sent (or approved: `action`)."""
    why = refusal(edition.id, len(edition.stories), min_stories)
    if why is not None:
        raise TooFewStories(
            f"{why}: not {action}. Add stories in the desk (digest serve) or build a new edition"
        )


@dataclass(frozen=True, slots=True)
class Built:
    """What one build did: the edition stored (None: nothing was), and the accounting."""

    edition: Edition | None  # None: no story was left, so nothing was stored
    articles: int  # stored articles looked at, those older than max_age_hours included
    dropped: Mapping[str, int]  # digest.rank.DROP_REASONS -> articles left out
    max_age_hours: float | None
    min_stories: int
    sources: tuple[SourceSummary, ...] = ()  # articles considered per source, errors
    leads: int = 0
    teasers: int = 0
    reserve: int = 0  # extra stories for subscribers of some sections only
    # A line per story picture not hosted (digest.images): source, headline, why, address.
    images: tuple[str, ...] = ()
    pictures_fetched: int = 0  # stories whose picture was fetched and hosted
    pictures_reused: int = 0  # stories whose picture an earlier build had fetched lately

    @property
    def stories(self) -> int:
        """What every subscriber gets: leads and teasers."""
        return self.leads + self.teasers

    @property
    def refusal(self) -> str | None:
        """Why this edition may not be sent as built (None: it may)."""
        eid = self.edition.id if self.edition is not None else None
        return refusal(eid, self.stories, self.min_stories)

    def summary(self) -> str:
        """One line: what was kept, from how many articles, and what was dropped why."""
        if self.edition is None:
            head = f"No edition: {_n(self.stories, 'story', 'stories')}"
        else:
            head = (
                f"Edition {self.edition.id}: {_n(self.leads, 'lead')}, {_n(self.teasers, 'teaser')}"
            )
            if self.reserve:
                head += f" (+{self.reserve} for subscribers of some sections)"
        parts = []
        for reason, words in REASON_WORDS.items():
            count = self.dropped.get(reason, 0)
            if reason not in ALWAYS and not count:
                continue
            if reason == "too_old" and self.max_age_hours is not None:
                words += f" (max_age_hours = {self.max_age_hours:g})"
            parts.append(f"{count} {words}")
        return f"{head} from {_n(self.articles, 'article')}; dropped {', '.join(parts)}"

    def pictures(self) -> str:
        """One line: how many story pictures were fetched, found hosted by an earlier
        build (not fetched again) and left out ("" when the edition names none)."""
        parts = []
        if self.pictures_fetched:
            parts.append(f"{self.pictures_fetched} fetched")
        if self.pictures_reused:
            parts.append(f"{self.pictures_reused} hosted by an earlier build (not fetched again)")
        if self.images:
            parts.append(f"{len(self.images)} left out")
        return f"Pictures: {', '.join(parts)}" if parts else ""

    def hint(self) -> str:
        """What to do about an edition with too few stories ("" when it has enough)."""
        why = self.refusal
        if why is None:
            return ""
        if self.edition is None:
            text = "nothing was stored: there is no story to send"
        else:
            text = f"{why}: `digest send` refuses it until an editor adds stories"
        if self.dropped.get("too_old", 0):
            text += (
                "; to build from older articles (an archive), give the time they are from "
                "with `digest build --at ISO`, or raise `[edition] max_age_hours`"
            )
        if self.dropped.get("undated", 0):
            text += (
                "; undated items a feed already held at its first collect have no known "
                "age and are left out, while those that appear in later collects count "
                "from when they were first seen"
            )
        return text


def stale(
    edition_id: int, built_for: datetime, max_age_hours: float | None, now: datetime
) -> str | None:
    """Why edition `edition_id`, built for `built_for`, is old news at `now` (None: it is
    not): more than `[edition] max_age_hours` passed since the time it was built for
    (the setting that also bounds the age of the articles a build reads)."""
    age = now - built_for
    if max_age_hours is None or age.total_seconds() <= max_age_hours * 3600:
        return None
    return (
        f"edition {edition_id} was built for {built_for:%Y-%m-%d %H:%M} UTC, "
        f"{age_words(age)} ago: its stories are older than [edition] max_age_hours = "
        f"{max_age_hours:g}"
    )


def age_words(age: timedelta) -> str:
    """An edition's age as people say it: "8 days" (two days or more), else "47 hours"."""
    if age.days >= 2:
        return f"{age.days} days"
    return _n(int(age.total_seconds() // 3600), "hour")


def ways_on(edition_id: int) -> str:
    """What to do instead of sending old news, or to send it all the same."""
    return (
        f"`digest build` makes a fresh edition; `digest send {edition_id} --send-stale` "
        "sends this one anyway"
    )


def check_fresh(
    edition: Edition, max_age_hours: float | None, now: datetime, *, config: str = ""
) -> None:
    """Raise StaleEdition when a first send of `edition` at `now` would be old news
    (callers ask only for a first send: a resumed one always goes on). `config` names the
    file the setting is in."""
    assert edition.id is not None
    note = stale(edition.id, edition.at, max_age_hours, now)
    if note is not None:
        where = f" in {config}" if config else ""
        raise StaleEdition(f"{note}{where}, so nothing was sent: {ways_on(edition.id)}")


#: Headlines a refusal names before "and N more".
NAMED = 3


def _repeated(story: Story, sent_by: Mapping[str, int]) -> int | None:
    """The edition a report of `story` went out in (None: none did). An editor's pin is
    no repeat: a build runs a pinned story even when it was sent, by request."""
    if story.pinned:
        return None
    for key in story.keys:
        for name in (key, claimed_key(key)):
            if name in sent_by:
                return sent_by[name]
    return None


def repeats(edition: Edition, sent_by: Mapping[str, int]) -> str | None:
    """Why a first send of `edition` would give its readers stories they have (None: it
    would not): `sent_by` maps the article keys that went (or are going) out to the
    list in its other editions to the edition each went out in
    (:meth:`digest.store.Store.sent_by`). The ranking leaves those out of every build
    (:func:`digest.rank.repeats.sent`), so an edition carries one only when the other
    went out after it was built, or by an editor's pin (not counted). An update of a
    sent story carries only its new reports, which went out nowhere: it is no repeat."""
    found: dict[int, list[Story]] = {}
    stories: list[Story] = []  # of those every subscriber gets
    extra: list[Story] = []  # of those for subscribers of some sections (the reserve)
    for group, into in ((edition.stories, stories), (edition.reserve, extra)):
        for story in group:
            other = _repeated(story, sent_by)
            if other is not None:
                found.setdefault(other, []).append(story)
                into.append(story)
    if not found:
        return None
    titles = ", ".join(f"“{s.title}”" for s in (stories + extra)[:NAMED])
    if len(stories) + len(extra) > NAMED:
        titles += f" and {len(stories) + len(extra) - NAMED} more"
    what = f"{len(stories)} of its {len(edition.stories)} stories"
    if extra:
        what += f" and {len(extra)} for subscribers of some sections"
    others = " and ".join(f"edition {i}" for i in sorted(found))
    name = "edition" if edition.id is None else f"edition {edition.id}"
    return f"{name}: {what} already went out to list {edition.list!r} in {others} ({titles})"


def check_unsent(edition: Edition, sent_by: Mapping[str, int]) -> None:
    """Raise RepeatedStories when a first send of `edition` would repeat stories that
    went out in another edition (:func:`repeats`; callers ask only for a first send: a
    resumed one always goes on, its readers owed the rest)."""
    note = repeats(edition, sent_by)
    if note is not None:
        raise RepeatedStories(f"{note}; nothing was sent: {repeat_ways_on(edition)}")


def repeat_ways_on(edition: Edition) -> str:
    """What to do instead of sending stories again."""
    return (
        "`digest build` makes a fresh edition without them, or drop them from "
        f"edition {edition.id} at the desk (digest serve)"
    )
