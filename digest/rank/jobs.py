"""An outlet's own job ad: a post that tells readers the outlet hires, not a story.

Job: tell such a post on evidence, for :func:`digest.rank.score.sponsored`, which leaves
it out with the advertisements ("advert") unless an editor pins it. The evidence is a
headline that opens by saying so ("We're hiring: Senior Editor", "We are hiring a night
editor", "Now hiring – reporters", "Job opening: …", "Join our team") or a link into a
site's jobs folder (``/jobs/…``, ``/careers/…``: the first folder of the path, with at
most one name under it), a link to a job board (a posting on an applicant-tracking host:
``jobs.lever.co``, ``boards.greenhouse.io``, ``apply.workable.com``, ``jobs.ashbyhq.com``,
…; or a site's own ``jobs.``/``careers.`` host), or a headline in which a start-up named
with its accelerator batch says it hires ("Smarking (YC W15) is hiring …", as Hacker
News runs its job ads). English only: the project has no other languages' words for it.
Must not: take a story about hiring for an ad ("Tech firms are hiring again", a headline
quoting "We're hiring", "Jobs report: …" at ``/business/jobs/…``, a careers section's
dated article at ``/careers/2018/jan/05/…``, "Amazon is hiring 100,000 workers" at a
news site: a bare "X is hiring" says nothing of who wrote it), or a job-board maker's
own site (``www.lever.co/blog/…``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from digest.records import Article

#: The label, at the very start (after brackets, never after a quotation mark), then the
#: end, a closing bracket or a separator, or a word that goes on to say what is offered.
_HIRING = re.compile(
    r"^[\s\[(]*(?:we(?:['’]re|\s+are)\s+hiring|now\s+hiring|job\s+openings?|join\s+our\s+team)"
    r"(?:\s*$|\s*[\])!:|\-–—.,]|\s+(?:a|an|for|at|in)\b)",
    re.IGNORECASE,
)
#: "Name (YC W15) is hiring": the batch in brackets, then the words, as one clause.
_BATCH_HIRING = re.compile(r"^[^:(]{1,80}\((?:YC\s+)?[SWFX]\d{2}\)\s+is\s+hiring\b", re.IGNORECASE)
_FOLDERS = frozenset({"jobs", "job", "careers", "career"})
#: Applicant-tracking services: every host under them but ``www`` shows job postings.
_BOARDS = (
    "lever.co",
    "greenhouse.io",
    "workable.com",
    "ashbyhq.com",
    "smartrecruiters.com",
    "recruitee.com",
    "breezy.hr",
    "jobvite.com",
    "myworkdayjobs.com",
    "teamtailor.com",
    "personio.de",
)
#: What a job ad's link holds somewhere (its folder, its host, its board's name): looked
#: for before the address is taken apart, as a ranking asks of every article.
_LINK_WORDS = ("job", "career", "workatastartup", *(board.split(".")[0] for board in _BOARDS))
#: The words as one search: literals with no flags, so it finds one where ``in`` would
#: (a generator over the words cost 1.3 µs an article, this 0.4 µs).
_LINK_WORD = re.compile("|".join(map(re.escape, _LINK_WORDS)))
_BOARD_SUFFIXES = tuple(f".{board}" for board in _BOARDS)
_BOARD_HOSTS = frozenset({"jobs", "careers"})
#: Sites that are a job board whole (Y Combinator's, where its start-ups' ads link to).
_BOARD_SITES = frozenset({"workatastartup.com", "www.workatastartup.com"})


def job_ad(article: Article) -> bool:
    """Is ``article`` a job ad (see the module's docstring)?"""
    title = article.title
    if _HIRING.match(title) or ("hiring" in title.casefold() and _BATCH_HIRING.match(title)):
        return True
    url = article.url or ""
    if not _LINK_WORD.search(url.lower()):
        return False  # no folder, host or board of jobs in it: most links
    link = urlsplit(url)
    if _job_board(link.netloc):
        return True
    parts = [p for p in link.path.split("/") if p]
    return bool(parts) and parts[0].lower() in _FOLDERS and len(parts) <= 2


def _job_board(netloc: str) -> bool:
    """A job board's host (of a URL's `netloc`): a posting service's (not its ``www``) or
    ``jobs.``/``careers.``. Checked for every article a ranking reads: no more than a
    few string operations (urllib's ``hostname`` alone doubled the rule's cost)."""
    host = netloc.rpartition("@")[2].partition(":")[0].lower().rstrip(".")
    first, _, rest = host.partition(".")
    if host in _BOARD_SITES or (first in _BOARD_HOSTS and "." in rest):
        return True
    return first != "www" and host.endswith(_BOARD_SUFFIXES)
