"""Who reported a story: how many outlets a story's reports come from.

Job: count a story's distinct outlets (its coverage, :func:`digest.rank.score.coverage`)
and say which page a report is at (:func:`page`, which "Also in" folds on too). An
outlet is who the reader is told published a report (``Article.credit``), and two
reports at one page are one outlet's, whatever their credits: one outlet configured as
two sources (a blog's Atom and JSON feeds, under two source names) gives each post twice,
at the same address, and that is no corroboration. A page is its address with the
scheme, a leading "www." and the fragment set aside (feeds add "#rss" and the like).
The host alone does not make an outlet: independent outlets share hosts (a feed
redirector such as feedproxy.google.com, a news aggregator's links, a blogging
platform), and their separate reports of one story are corroboration.
Must not: fetch, or judge anything but who published what.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from digest.records import Article


@lru_cache(maxsize=65536)
def page(url: str | None) -> str | None:
    """The page `url` opens, as a comparable string (None without a URL)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a malformed address is its own page
        return url
    host = parts.netloc.lower().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path or '/'}{query}" if host else url


def outlets(cluster: Sequence[Article]) -> int:
    """Distinct outlets among `cluster`'s reports: reports that share a credit or a
    page are one outlet's (at least 1)."""
    credits = {a.credit for a in cluster}
    if len(credits) < 2:
        return 1
    parent = {c: c for c in credits}

    def root(credit: str) -> str:
        while parent[credit] != credit:
            parent[credit] = parent[parent[credit]]
            credit = parent[credit]
        return credit

    at: dict[str, str] = {}
    for article in cluster:
        where = page(article.url)
        if where is None:
            continue
        first = root(at.setdefault(where, article.credit))
        mine = root(article.credit)
        if first != mine:
            parent[mine] = first
    return len({root(c) for c in credits})
