"""Who reported a story: how many outlets a story's reports come from.

Job: count a story's distinct outlets (its coverage, :func:`digest.rank.score.coverage`),
say which page a report is at (:func:`page`, which "Also in" folds on too), and which
publisher a credit counts as (:func:`publisher`): for the per-outlet caps, for coverage,
for "Also in" (only other publishers) and for one outlet's headline shown once. An
outlet is who the reader is told published a report (``Article.credit``), and two
reports at one page are one outlet's, whatever their credits: one outlet configured as
two sources (a blog's Atom and JSON feeds, under two source names) gives each post twice,
at the same address, and that is no corroboration. A page is its address with the
scheme, a leading "www." and the fragment set aside (feeds add "#rss" and the like).
The host alone does not make an outlet: independent outlets share hosts (a feed
redirector such as feedproxy.google.com, a news aggregator's links, a blogging
platform), and their separate reports of one story are corroboration.
A credit is its publisher's whatever its case and spacing ("BBC News", "bbc  news"), and the editor
says which sources are one publisher (a source's ``outlet`` key: "BBC News" and "BBC
World", both ``outlet = "BBC"``): the source's name, the outlet's and the names of the
other sources of that outlet are one publisher's (:func:`publishers`). Not the feed's
host: a host serves many publishers (feeds.feedburner.com, medium.com, a blog platform).
An aggregator's item (``Article.aggregated``: Google Alerts, a link roundup) is the
report of the site its link opens, as the edition credits it ("mayfieldrecorder.com via
Alerts"): for the caps, "Also in" and telling two sites' copies of one story apart
(:func:`site`), so that one site cannot fill an edition through an aggregator. Its
coverage stays the aggregator's: one feed's picks do not corroborate one another.
Must not: fetch, or judge anything but who published what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import urlsplit

from digest.records import Article

NO_ONE: Mapping[str, str] = MappingProxyType({})  # no sources made one publisher


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


def outlets(cluster: Sequence[Article], same: Mapping[str, str] = NO_ONE) -> int:
    """Distinct outlets among `cluster`'s reports: reports that share a publisher
    (:func:`publisher`, with `same` from :func:`publishers`) or a page are one outlet's
    (at least 1)."""
    who = [publisher(a.credit, same) for a in cluster]
    credits = set(who)
    if len(credits) < 2:
        return 1
    parent = {c: c for c in credits}

    def root(credit: str) -> str:
        while parent[credit] != credit:
            parent[credit] = parent[parent[credit]]
            credit = parent[credit]
        return credit

    at: dict[str, str] = {}
    for article, name in zip(cluster, who, strict=True):
        where = page(article.url)
        if where is None:
            continue
        first = root(at.setdefault(where, name))
        mine = root(name)
        if first != mine:
            parent[mine] = first
    return len({root(c) for c in credits})


def site(article: Article) -> str:
    """Whose report `article` is for the caps, "Also in" and clustering: an
    aggregator's item's, the host its link opens without "www." (as the edition credits
    it); any other's, its credit."""
    if article.aggregated:
        host = _host(article.url)
        if host:
            return host
    return article.credit


@lru_cache(maxsize=65536)
def _host(url: str | None) -> str:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


@lru_cache(maxsize=65536)
def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def publishers(sources: Iterable[tuple[str, str | None]]) -> Mapping[str, str]:
    """From (source name, its ``outlet`` key or None): each name that is one publisher's
    with another, folded (see :func:`publisher`), to that publisher's one name."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for name, outlet in sources:
        if outlet is not None:
            first, second = sorted((root(_folded(name)), root(_folded(outlet))))
            parent[second] = first  # the least name stands for them (any order of sources)
    return MappingProxyType({name: root(name) for name in sorted(parent)})


def publisher(credit: str, same: Mapping[str, str] = NO_ONE) -> str:
    """Who `credit` counts as (see the module's job): the publisher `same` (from
    :func:`publishers`) makes it one with, else itself, case and spacing aside."""
    name = _folded(credit)
    return same.get(name, name)


def mixed(credits: Iterable[str], same: Mapping[str, str] = NO_ONE) -> bool:
    """Whether `credits` (a list's sources for some sections, and its stories' credits)
    are more than one publisher's: a list, or a section, that reads one outlet is that
    outlet's by the editor's choice and it fills the edition (see digest.diversity)."""
    first = None
    for credit in credits:  # stops at a second publisher: a ranking reads every article
        who = publisher(credit, same)
        if first is not None and who != first:
            return True
        first = who
    return False
