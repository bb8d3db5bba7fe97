"""How much a story matters, as a product of parts an editor can read.

Job: give one cluster of articles (one story) a score and its explanation, and pick the
cluster's face article (the one the edition shows: the freshest good report), and tell
an advertisement or a sponsor's post from a story. The score is a product::

    score = recency * source * coverage * quality * (1 + boost)

- ``recency``: ``0.5 ** (age_hours / half_life_hours)``, age counted from the newest
  member's ``when`` (1.0 at ``now`` and within the slack ahead of it; a story nobody
  dated counts as one half-life old: neither fresh nor stale);
- ``source``: the face source's weight from ``options.weights`` (default 1.0);
- ``coverage``: ``1 + log2(distinct outlets)``: 1 for a lone report, 2 for two outlets,
  2.58 for three (two copies from one outlet are one; an outlet is a publisher: the
  ``Article.credit``, case and spacing aside, with the sources an editor made one
  (``options.same_outlet``), and reports at one page are one outlet's: see
  :mod:`digest.rank.outlets`);
- ``quality``: ``0.7``, plus ``0.2`` when the face has a body of ``LONG_TEXT_WORDS``
  words or more, plus ``0.1`` when it has an image (so 0.7 to 1.0);
- ``boost``: the sum of the editor boosts (``options.boosts``) of the story's articles,
  default 0; the factor ``1 + boost`` is floored at 0, so -1 buries a story.

A product makes every part a multiplier an editor can compare across stories ("twice
the coverage, half the recency"). Each part is rounded to 4 decimals and the score is
computed from those rounded parts only, so ``why`` always reproduces ``score``.
Must not: choose or order stories (that is :func:`digest.rank.rank`), read the clock,
or look at anything but the cluster and the options.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from digest.rank.jobs import job_ad
from digest.rank.outlets import NO_ONE, outlets
from digest.rank.shop import shop_post
from digest.records import Article

if TYPE_CHECKING:
    from digest.rank.options import RankOptions

LONG_TEXT_WORDS = 80
PARTS = ("recency", "source", "coverage", "quality", "boost")


def words(text: str) -> int:
    """Whitespace-separated words in ``text``."""
    return len(text.split())


def weight(article: Article, options: RankOptions) -> float:
    """The editor's weight for the article's source (1.0 when none is configured)."""
    return float(options.weights.get(article.source, 1.0))


def good(article: Article) -> bool:
    """Fit to lead a story: it has a title and some text (a standfirst or a body)."""
    return bool(article.title.strip() and (article.summary.strip() or article.text.strip()))


def face(cluster: Sequence[Article], options: RankOptions) -> Article:
    """The article that stands for the story: the freshest good report.

    An article the editor pinned comes first (the earliest pin). Otherwise a good one
    (:func:`good`) before one without a title or text; then the newest (an old report
    must not lead a new edition; undated ones last); then the fuller one (more words of
    standfirst and body); then one with an image; then the heavier source; then the
    smallest key.
    """
    pins = {key: n for n, key in reversed(list(enumerate(options.pinned)))}

    def first(article: Article) -> tuple[int, bool, float]:
        when = article.when
        return (
            pins.get(article.key, len(pins)),
            not good(article),
            -when.timestamp() if when is not None else math.inf,
        )

    def rest(article: Article) -> tuple[int, bool, float, str]:
        return (
            -(words(article.summary) + words(article.text)),
            article.image is None,
            -weight(article, options),
            article.key,
        )

    # The words are counted only where the first parts of the order tie.
    keys = [first(a) for a in cluster]
    best = min(keys)
    return min((a for a, k in zip(cluster, keys, strict=True) if k == best), key=rest)


_AD_MARKER = (
    r"sponsor(?:ed)?(?:\s+(?:content|post|by\b.*))?|advertisement|advertorial|advertiser(?:\s+content)?"
    r"|anzeige|werbung|promoted(?:\s+by\b.*)?|paid\s+(?:content|post|partnership)"
    r"|partner\s+content|publicit[ée]|publireportage|annonce"
)
_AD_FIELD = re.compile(rf"^\W*(?:{_AD_MARKER})\W*$", re.IGNORECASE)
#: A title that starts with a label, or ends with one in brackets (looked for in its
#: last :data:`_AD_TAIL` characters: the ranking asks of every article).
_AD_TITLE = re.compile(rf"\W*(?:{_AD_MARKER})\s*[:|\-–—]|[\[(](?:{_AD_MARKER})[\])]", re.IGNORECASE)
_AD_TITLE_END = re.compile(rf"[\[(](?:{_AD_MARKER})[\])]\W*$", re.IGNORECASE)
_AD_TAIL = 120


#: A post that opens by thanking its sponsor for the site, feed or episode it runs in:
#: "My thanks to Mnml for sponsoring this week's DF RSS feed." (the sponsor's own post).
_THANKS = re.compile(
    r"^\W*(?:my|our|many|special) thanks to (?:(?!\bfor\b)[^.!?\n]){1,60}\bfor sponsoring"
    r" (?:(?:this|last|next) (?:week|month)['’]s|(?:the|this|our|my)) (?:[\w.-]+ ){0,3}?"
    r"(?:(?:rss |web)?feed|(?:web)?site|blog|podcast|show|episode|newsletter)\b",
    re.IGNORECASE,
)
#: The start :data:`_THANKS` needs, matched on the whole standfirst or body: the spaces
#: it skips first are non-word characters, which ``\W*`` skips as well.
_THANKS_START = re.compile(r"\W*(?:my|our|many|special) thanks to ", re.IGNORECASE)


def sponsored(article: Article) -> bool:
    """An advertisement, not a story: marked as advertising by a whole category or
    author ("Sponsor", "Sponsored", "Anzeige", "Promoted by X", "Partner content", ...),
    or by a title that starts with such a label ("[Sponsor] ...", "Sponsored: ...",
    "Anzeige: ...", "Paid post: ...") or ends with one in brackets, or a post that
    opens by thanking its sponsor ("My thanks to X for sponsoring this week's feed.":
    the sponsor's post, as Daring Fireball runs it), whatever text it has, or the
    outlet's own job ad ("We're Hiring: Senior Editor", a job board's posting:
    :func:`digest.rank.jobs.job_ad`) or its shop's offer ("Get … for $15", by "DealPost
    Team": :func:`digest.rank.shop.shop_post`).
    The ranking leaves it out ("advert") unless an editor pins it, and never leads with it (see
    :func:`digest.rank.rank`). A report that merely mentions a sponsor ("Sponsor pulls
    out of …", "Club's new sponsor: …"), a story that quotes thanks ("My thanks to the
    voters for…") or a sponsor of anything else ("…for sponsoring the youth team") is
    not, nor is a story about hiring ("Tech firms are hiring again") or prices ("Apple
    raises iPhone price to $999")."""
    if job_ad(article) or shop_post(article):
        return True
    title = article.title
    # Both title patterns need a separator after the label or a bracket before it (none of
    # them has another case): most headlines have none. (`in` tests: cheaper than a search)
    marked = ":" in title or "-" in title or "(" in title or "[" in title or "|" in title
    if (marked or "–" in title or "—" in title) and (
        _AD_TITLE.match(title) or _AD_TITLE_END.search(title, max(0, len(title) - _AD_TAIL))
    ):
        return True
    # (an empty field has no label: the ranking's articles mostly have none)
    if article.categories and any(_AD_FIELD.match(f) for f in article.categories):
        return True
    if article.author and _AD_FIELD.match(article.author):
        return True
    summary = article.summary  # (`isspace` is what `strip` strips: no copy)
    said = summary if summary and not summary.isspace() else article.text
    if not _THANKS_START.match(said):
        return False  # (most posts: a body is not copied)
    return bool(_THANKS.match(said[:400].lstrip()[:200]))


def newest(cluster: Sequence[Article]) -> datetime | None:
    """The latest ``when`` among the cluster's articles (None if nobody dated one)."""
    dates = [a.when for a in cluster if a.when is not None]
    return max(dates) if dates else None


def recency(when: datetime | None, *, now: datetime, half_life_hours: float) -> float:
    """``0.5 ** (age / half-life)``; a future date within the slack counts as now."""
    if when is None:
        return 0.5
    age_hours = max(0.0, (now - when).total_seconds() / 3600.0)
    return math.pow(0.5, age_hours / half_life_hours)


def coverage(cluster: Sequence[Article], same: Mapping[str, str] = NO_ONE) -> float:
    """``1 + log2(n)`` for ``n`` distinct outlets (not sources: one outlet configured
    twice, or two sources `same` makes one publisher, are one:
    :func:`digest.rank.outlets.outlets`)."""
    return 1.0 + math.log2(outlets(cluster, same))


def quality(article: Article) -> float:
    """0.7, +0.2 for a real body (``LONG_TEXT_WORDS`` or more), +0.1 for an image."""
    value = 0.7
    if words(article.text) >= LONG_TEXT_WORDS:
        value += 0.2
    if article.image is not None:
        value += 0.1
    return value


def total(why: dict[str, float]) -> float:
    """The score a set of parts gives: the product, with the boost as ``1 + boost``."""
    product = why["recency"] * why["source"] * why["coverage"] * why["quality"]
    return round(product * max(0.0, 1.0 + why["boost"]), 4)


def score(
    cluster: Sequence[Article],
    *,
    now: datetime,
    options: RankOptions,
    front: Article | None = None,
) -> tuple[float, dict[str, float]]:
    """The story's score and its parts (``why``), each part rounded to 4 decimals;
    ``front``: the cluster's :func:`face` when the caller has it already."""
    if not cluster:
        raise ValueError("cannot score an empty cluster")
    if front is None:
        front = face(cluster, options)
    boosts = options.boosts
    keys = sorted({a.key for a in cluster}) if boosts else ()  # no boost: fsum of no terms, 0.0
    why = {
        "recency": recency(newest(cluster), now=now, half_life_hours=options.half_life_hours),
        "source": weight(front, options),
        "coverage": coverage(cluster, options.same_outlet),
        "quality": quality(front),
        "boost": math.fsum(float(boosts.get(key, 0.0)) for key in keys),
    }
    why = {part: round(value, 4) for part, value in why.items()}
    return total(why), why
