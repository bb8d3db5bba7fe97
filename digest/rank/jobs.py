"""An outlet's own job ad: a post that tells readers the outlet hires, not a story.

Job: tell such a post on evidence, for :func:`digest.rank.score.sponsored`, which leaves
it out with the advertisements ("advert") unless an editor pins it. The evidence is a
headline that opens by saying so ("We're hiring: Senior Editor", "We are hiring a night
editor", "Now hiring – reporters", "Job opening: …", "Join our team") or a link into a
site's jobs folder (``/jobs/…``, ``/careers/…``: the first folder of the path, with at
most one name under it). English only: the project has no other languages' words for it.
Must not: take a story about hiring for an ad ("Tech firms are hiring again", a headline
quoting "We're hiring", "Jobs report: …" at ``/business/jobs/…``, a careers section's
dated article at ``/careers/2018/jan/05/…``).
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
_FOLDERS = frozenset({"jobs", "job", "careers", "career"})


def job_ad(article: Article) -> bool:
    """Is ``article`` the outlet's own job ad (see the module's docstring)?"""
    if _HIRING.match(article.title):
        return True
    parts = [p for p in urlsplit(article.url or "").path.split("/") if p]
    return bool(parts) and parts[0].lower() in _FOLDERS and len(parts) <= 2
