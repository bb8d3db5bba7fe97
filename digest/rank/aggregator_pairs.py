"""Whether two items of one aggregator, of two sites, may be one story, by their headlines.

Job: an aggregator's items (``Article.aggregated``: Google Alerts, a link roundup) are
each their linked site's report (:func:`digest.rank.outlets.site`), so two sites' copies
of one press release fold as any two outlets' reports do. But the aggregator's own words
stand around every item (a template's standfirst, "Article URL ... Comments"), and two
of its items that share only those are no story: they must also share ``MIN_HEADLINE``
headline terms (:func:`digest.rank.terms.content` words), which the aggregator does not
write, its label before them aside ("Show HN: ...", "Ask Roundup: ...": up to
``LABEL_WORDS`` words and ": "). So are its own posts beside its linked items. And two
headlines that each give figures, none of them the same, tell two events of one
template ("Slack CEO Sells $53170714.63 in Stock", "Slack CFO Sells $19407875.75 in
Stock": two people's sales, not one story); one sale's copies give the same figure.
Items of different feeds are not judged here.
Must not: judge more than the headlines of one aggregator's two items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from digest.rank.terms import content, tokens
from digest.records import Article

#: Headline terms two sites' items of one aggregator share, at least: Google Alerts'
#: copies of one release share 6, its templated "Slack (NASDAQ:WORK) CEO Sells ..."
#: items 4; a roundup's items whose text is its own words share none.
MIN_HEADLINE = 3
LABEL_WORDS = 3
_LABEL = re.compile(rf"\s*\S+(?:\s+\S+){{0,{LABEL_WORDS - 1}}}:\s")
#: A figure of a headline: "1500", "$53,170,714.63", "2.5m" (a year counts too).
_FIGURE = re.compile(r"\d(?:[\d,.]*\d)?")


class Headlines:
    """The headline terms of a batch's articles, counted when first asked for."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = articles
        self._terms: dict[int, frozenset[str]] = {}
        self._figures: dict[int, frozenset[str]] = {}

    def agree(self, i: int, j: int) -> bool:
        """Unless articles ``i`` and ``j`` (of two sites: rank.outlets.site) are one
        aggregator's, yes; else whether their headlines share ``MIN_HEADLINE`` terms and,
        where both give figures, one of them."""
        a, b = self.articles[i], self.articles[j]
        if a.credit != b.credit or not (a.aggregated or b.aggregated):
            return True
        if len(self._headline(i) & self._headline(j)) < MIN_HEADLINE:
            return False
        figures, others = self._figure(i), self._figure(j)
        return not (figures and others and figures.isdisjoint(others))

    def _figure(self, i: int) -> frozenset[str]:
        """The figures of article ``i``'s headline, their thousands' commas aside."""
        found = self._figures.get(i)
        if found is None:
            title = self.articles[i].title
            found = frozenset(f.replace(",", "") for f in _FIGURE.findall(title))
            self._figures[i] = found
        return found

    def _headline(self, i: int) -> frozenset[str]:
        terms = self._terms.get(i)
        if terms is None:
            title = self.articles[i].title
            label = _LABEL.match(title)
            told = tokens(title[label.end() :] if label else title)
            terms = self._terms[i] = frozenset(filter(content, told))
        return terms
