"""A mailing list's thread is one story, and its first post leads it.

Job: a list archive's feed (Gmane's) gives each message of a thread as an item of its
own, under the thread's subject ("Re: new maintainer and mailing list for rss2email",
four times). Told as it is, each message was a story of its own (the replies share few
words with the first post, so clustering does not fold them), a reply could lead the
thread, and the others were left out as the outlet's headline shown already. The posts
of one outlet (a publisher: :func:`digest.rank.outlets.publisher`) that share a subject
once a mail program's prefixes and a list's tag are set aside
(:func:`digest.wording.subjects.thread_subject`), one of them at least a reply or a
forward (:func:`digest.wording.subjects.is_reply`), are one thread: :func:`fold` makes
the clusters that hold its posts one story, and :func:`leaders` says which of its posts
may stand for it: the thread's first post (the earliest dated, one with text before one
without), not a reply. Posts of one subject with no reply among them (a column's
issues, "Morning briefing" each day) are no thread: they stay stories of their own,
of which the edition runs one (:class:`digest.rank.leads.Room`).
Must not: fold reports of different outlets, or posts whose subjects differ, or judge
anything but the posts' outlets, subjects and dates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from digest.rank.outlets import NO_ONE, publisher
from digest.rank.score import good
from digest.records import Article
from digest.wording.subjects import is_reply, thread_subject

__all__ = ["fold", "leaders", "threads"]

Thread = tuple[str, str]  # (publisher, subject)


def threads(articles: Iterable[Article], same: Mapping[str, str] = NO_ONE) -> dict[str, Thread]:
    """Each article that is a post of a thread (see the module's job): its key -> the
    thread's (publisher, subject)."""
    articles = list(articles)
    replies = [a for a in articles if is_reply(a.title)]
    if not replies:  # the common case: a news feed has no replies, and nothing to fold
        return {}
    marked = {_thread(a, same) for a in replies}
    return {a.key: t for a in articles if (t := _thread(a, same)) in marked}


def _thread(article: Article, same: Mapping[str, str]) -> Thread:
    return publisher(article.credit, same), thread_subject(article.title)


def fold(groups: Iterable[list[Article]], thread_of: Mapping[str, Thread]) -> list[list[Article]]:
    """`groups` (clusters) with those holding posts of one thread made one, where the
    first of them was, its members in the groups' order."""
    groups = list(groups)
    if not thread_of:
        return groups
    parent = list(range(len(groups)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    first: dict[Thread, int] = {}
    for n, group in enumerate(groups):
        for article in group:
            thread = thread_of.get(article.key)
            if thread is None:
                continue
            a, b = root(first.setdefault(thread, n)), root(n)
            if a != b:
                parent[max(a, b)] = min(a, b)
    merged: dict[int, list[Article]] = {}
    for n, group in enumerate(groups):
        merged.setdefault(root(n), []).extend(group)
    return list(merged.values())


def leaders(
    members: Sequence[Article], thread_of: Mapping[str, Thread], pinned: Iterable[str] = ()
) -> list[Article]:
    """The members that may stand for their story: each thread's first post (the
    earliest dated, one with text before one without, undated last), the members of no
    thread, and any an editor pinned; all of `members` when none is a thread's post."""
    posts: dict[Thread, list[Article]] = {}
    for article in members:
        thread = thread_of.get(article.key)
        if thread is not None:
            posts.setdefault(thread, []).append(article)
    if not posts:
        return list(members)
    firsts = {id(min(p, key=_first)) for p in posts.values()}
    pins = set(pinned)
    return [a for a in members if a.key not in thread_of or id(a) in firsts or a.key in pins]


def _first(article: Article) -> tuple[bool, bool, float, str]:
    """A thread's first post sorts first: one with text, then the earliest, then its key."""
    when = article.when
    return (not good(article), when is None, when.timestamp() if when else math.inf, article.key)
