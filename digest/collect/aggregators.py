"""An aggregator's items are credited to the sites their links open.

An aggregator (Hacker News, lobste.rs, a planet of blogs, Google Alerts) gives items
whose link is another site's article: the item is that article, not a post of the
aggregator's, and "Read more at Hacker News" would open washingtonpost.com. Where a
feed is shown to be one, such an item is marked (``Article.aggregated``) and the
edition names the site its link opens and the aggregator beside it: "Read more at
washingtonpost.com via Hacker News" (:func:`digest.render.stories.credit`). An item on
the feed's own site ("Ask HN") stays the aggregator's, and so does every item of a feed
that is not shown to be one. Its credit (``Article.credit``) stays the aggregator, and
so does its coverage: one feed's picks do not corroborate one another. For the
ranking's per-outlet caps, "Also in" and telling copies of one story apart, a marked
item is its linked site's (:func:`digest.rank.outlets.site`): one site cannot fill an
edition through an aggregator, and two sites' copies of one press release fold.

The evidence is the feed's items, against its own site (the registrable domains of its
home page and self links: :attr:`~digest.collect.entry.Entry.sites`): most items link
off that site, and to many different sites, none of which takes most of them. So an
outlet whose links all go to its own CDN or short domain (nyti.ms, feedproxy), or to
its two sister sites, is not one; nor is a feed with too few items to tell, or one
that names no site of its own. A link blog's items link to its own posts
(:func:`~digest.collect.entry.own_post`): not one either.

Must not: fetch, or change an item's link, text or key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from digest.collect.entry import Entry, Parsed
from digest.collect.outlets import registrable_domain
from digest.records import Article

MIN_AWAY = 5  # items off the feed's site that can show it is an aggregator
MIN_SITES = 4  # the different sites they link to, at least


def via_aggregator(parsed: Parsed, entries: Sequence[Entry]) -> Parsed:
    """`parsed`, the articles of one feed's `entries`, with those linking off its site
    marked :func:`aggregated` where the feed is an aggregator."""
    sites = next((e.sites for e in entries), frozenset())
    articles = aggregated(parsed.articles, sites)
    return parsed if articles is parsed.articles else replace(parsed, articles=articles)


def aggregated(articles: tuple[Article, ...], sites: frozenset[str]) -> tuple[Article, ...]:
    """`articles` of one feed, those linking off its `sites` marked `aggregated` (to be
    credited to the site their link opens) where the feed is an aggregator."""
    domains = [registrable_domain(a.url) for a in articles]
    away = [d for d in domains if d and d not in sites]
    linked = sum(1 for d in domains if d)
    if not sites or len(away) < MIN_AWAY or len(away) * 3 < linked * 2:
        return articles  # no site of its own, too few items, or most of them are on it
    counts = Counter(away)
    if len(counts) < MIN_SITES or counts.most_common(1)[0][1] * 2 > len(away):
        return articles  # its links go to a few sites: an outlet's own, not many others
    return tuple(
        replace(a, aggregated=True) if d and d not in sites else a
        for a, d in zip(articles, domains, strict=True)
    )


def home_sites(homes: Sequence[str | None]) -> frozenset[str]:
    """The registrable domains of a feed's own addresses (home page, self link)."""
    return frozenset(d for d in map(registrable_domain, homes) if d)
