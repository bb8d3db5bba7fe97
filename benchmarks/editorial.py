"""Editorial evaluation: do editions built from real feeds read like an editor made them?

Parses every feed in ``../shared/corpus/feeds`` once (the project's own collector,
``digest.collect.feeds.parse_feed``), then ranks editions at several dates with the
project's own :func:`digest.rank.rank` (the general edition and one variant per section,
as :func:`digest.build.select` does) and prints one row per edition:

- ``arts``: articles eligible by age; ``lead``/``teas``: stories in the general edition;
- ``1src%``: the largest share of the teasers credited to one source (outlet else source);
  ``v1src``: the most stories (leads and teasers) one source has in a section variant;
  ``hrun``: the longest run of headline-only teasers from one source in any
  variant (a feed dump); ``vmin``: the fewest stories a section variant with any has
  (what a thin variant costs: it is shorter rather than one outlet's);
- ``lead1``: the most leads one source has in any variant (the per-variant lead cap);
- ``span``: stories whose members' dates span more than the cluster window;
- ``bigA``: the largest "Also in" a story carries (plus ``also_more`` when capped);
- ``empty``: section variants whose own ranking has no story: those subscribers get the
  whole edition with a note (``[edition] min_variant_stories``), never an empty message;
- ``nolink``: stories without a link (the feed gave none; shown as plain text), over all
  variants;
- ``trim``: trimmed-text defects in titles and summaries: a summary ending mid-word
  without "…", "." glued to a URL, "…" after a full stop or an emoji, a literal entity
  such as ``&amp;``; ``dup``: summaries that repeat their title's opening words.

A last row ranks a synthetic templated feed mix (5,000 articles from 50 sources that
share most of their words) and gives the time it took: it must be seconds, and the
edition must be sendable (no story carrying thousands of outlets).

Undated feed items get ``first_seen`` = the edition's date (as a collect right before
the build would); with ``--backlog`` they are also a first collect's backlog (their age
unknown: left out as "undated"), as a first collect and build of the feeds would leave
them, so that on most dates a section has few outlets with news. Sections: ``news-*``
feeds are "News", ``blog-*`` "Blogs", the rest "Other". Run: ``python
benchmarks/editorial.py`` from the repository root (about a minute).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.collect.feeds import parse_feed  # noqa: E402
from digest.errors import DigestError  # noqa: E402
from digest.rank import RankOptions, rank  # noqa: E402
from digest.records import Article, Story  # noqa: E402

CORPUS = Path(os.environ.get("DIGEST_CORPUS") or ROOT.parent / "shared" / "corpus")
if not (CORPUS / "feeds").is_dir():  # a worktree sits one level deeper
    CORPUS = Path("/work/shared/corpus")
COLLECTED = datetime(2026, 12, 1, tzinfo=UTC)
WINDOW = timedelta(hours=72)
# (label, the edition's "now", max_age_hours or None for an archive build)
EDITIONS: tuple[tuple[str, datetime, float | None], ...] = (
    ("2013-04 week", datetime(2013, 4, 7, 7, tzinfo=UTC), 24 * 7),
    ("2014 quarter", datetime(2014, 7, 15, 7, tzinfo=UTC), 24 * 120),
    ("2017-06 month", datetime(2017, 6, 28, 7, tzinfo=UTC), 24 * 31),
    ("2017-11 month", datetime(2017, 11, 29, 7, tzinfo=UTC), 24 * 31),
    ("2018-01 month", datetime(2018, 2, 1, 7, tzinfo=UTC), 24 * 62),
    ("2021 year", datetime(2021, 1, 18, 7, tzinfo=UTC), 24 * 366),
    ("archive, all", datetime(2022, 4, 7, 7, tzinfo=UTC), None),
)

_URL_DOT = re.compile(r"https?://\S*\.$|https?://\S+\.(?=\s)")
_DOT_ELLIPSIS = re.compile(r"[.!?。۔।]\s*…$")
_EMOJI_ELLIPSIS = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]\\s*…$")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-f]+);", re.I)
_ENDS = re.compile(r"[.!?…。！？۔।:;\"'”’»)\]]$")


def section(stem: str) -> str:
    if stem.startswith("news-"):
        return "News"
    if stem.startswith("blog-"):
        return "Blogs"
    return "Other"


def load() -> list[Article]:
    out: list[Article] = []
    for path in sorted((CORPUS / "feeds").iterdir()):
        if path.suffix in {".eml", ".ini", ".txt"}:
            continue
        stem = path.name.split(".")[0]
        try:
            arts = parse_feed(path.read_bytes(), source=stem, url=None, now=COLLECTED)
        except DigestError:
            continue  # broken feeds are the collector's business, not this evaluation's
        out.extend(replace(a, section=section(stem)) for a in arts)
    return out


def trim_defects(story: Story) -> int:
    found = 0
    summary = story.summary.strip()
    for text in (story.title, summary):
        found += bool(_ENTITY.search(text))
    if summary:
        found += bool(_URL_DOT.search(summary))
        found += bool(_DOT_ELLIPSIS.search(summary) or _EMOJI_ELLIPSIS.search(summary))
        found += not _ENDS.search(summary)  # stops mid-word or mid-sentence, no "…"
    return found


def repeats_title(story: Story) -> bool:
    title = story.title.rstrip("…. ").split()
    return len(title) >= 4 and story.summary.split()[: len(title)] == title


def span_hours(story: Story, by_key: dict[str, Article]) -> float:
    dates = [a.published for k in story.keys if (a := by_key.get(k)) and a.published]
    return (max(dates) - min(dates)).total_seconds() / 3600 if dates else 0.0


def headline_run(stories: tuple[Story, ...]) -> int:
    """The longest run of headline-only stories from one source, in reading order."""
    longest = run = 0
    last = None
    for story in stories:
        bare = not story.summary.strip()
        run = run + 1 if bare and story.source == last else int(bare)
        last = story.source if bare else None
        longest = max(longest, run)
    return longest


def evaluate(
    articles: list[Article], now: datetime, max_age: float | None, backlog: bool = False
) -> dict[str, object]:
    batch = [a if a.when else replace(a, first_seen=now, backlog=backlog) for a in articles]
    batch = [a for a in batch if a.when is not None and a.when <= now + timedelta(hours=1)]
    options = RankOptions(max_age_hours=max_age)
    eligible = [
        a for a in batch if max_age is None or (now - a.when).total_seconds() / 3600 <= max_age
    ]
    by_key = {a.key: a for a in batch}
    general = rank(batch, now=now, options=options)
    variants = {None: general}
    for name in sorted({a.section for a in batch if a.section}):
        variants[name] = rank(batch, now=now, options=replace(options, sections=frozenset({name})))
    stories = [s for r in variants.values() for s in r.leads + r.teasers]
    teasers = Counter(s.source for s in general.teasers)
    lead_max = max(
        (max(Counter(s.source for s in r.leads).values(), default=0)) for r in variants.values()
    )
    sections = [r.leads + r.teasers for name, r in variants.items() if name is not None]
    return {
        "arts": len(eligible),
        "lead": len(general.leads),
        "teas": len(general.teasers),
        "1src%": 100 * max(teasers.values(), default=0) // max(1, len(general.teasers)),
        "v1src": max(
            (max(Counter(s.source for s in v).values()) for v in sections if v), default=0
        ),
        "hrun": max(headline_run(r.teasers) for r in variants.values()),
        "vmin": min((len(v) for v in sections if v), default=0),
        "lead1": lead_max,
        "span": sum(span_hours(s, by_key) > WINDOW.total_seconds() / 3600 for s in stories),
        "bigA": max((len(s.also) + getattr(s, "also_more", 0) for s in stories), default=0),
        "empty": sum(not (r.leads or r.teasers) for r in variants.values()),
        "nolink": sum(not s.url for s in stories),
        "trim": sum(trim_defects(s) for s in stories),
        "dup": sum(repeats_title(s) for s in stories),
    }


def templated(count: int = 5000, seed: int = 3) -> list[Article]:
    """A feed mix of weather/traffic/market bulletins: a small shared vocabulary."""
    rng = random.Random(seed)
    towns = [f"Town{n}" for n in range(60)]
    kinds = ["weather", "traffic", "markets", "pollen", "tides"]
    words = [
        "sunny",
        "cloudy",
        "rain",
        "wind",
        "light",
        "heavy",
        "morning",
        "evening",
        "north",
        "south",
        "east",
        "west",
        "mild",
        "cold",
        "warm",
        "update",
        "report",
    ]
    start = datetime(2024, 5, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        town, kind = rng.choice(towns), rng.choice(kinds)
        body = " ".join(rng.choice(words) for _ in range(40))
        out.append(
            Article(
                key=f"t{n}",
                source=f"Bulletin {n % 50:02d}",
                url=f"https://example.org/t/{n}",
                title=f"{kind.title()} update for {town}: {' '.join(rng.sample(words, 4))}",
                summary=f"The {kind} update for {town} this morning. {body[:80]}.",
                text=f"{kind} {town} {body}",
                published=start + timedelta(minutes=rng.uniform(0, 60 * 24 * 14)),
            )
        )
    return out


COLUMNS = (
    "arts",
    "lead",
    "teas",
    "1src%",
    "v1src",
    "hrun",
    "vmin",
    "lead1",
    "span",
    "bigA",
    "empty",
    "nolink",
    "trim",
    "dup",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--no-templated", action="store_true", help="skip the 5,000-item mix")
    parser.add_argument(
        "--backlog", action="store_true", help="undated items are a first collect's backlog"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    articles = load()
    print(f"{len(articles)} articles from {len({a.source for a in articles})} feeds in {CORPUS}")
    print(f"{'edition':<16}" + "".join(f"{c:>7}" for c in COLUMNS) + f"{'secs':>7}")
    for label, now, max_age in EDITIONS:
        t0 = time.perf_counter()
        row = evaluate(articles, now, max_age, args.backlog)
        print(
            f"{label:<16}"
            + "".join(f"{row[c]!s:>7}" for c in COLUMNS)
            + f"{time.perf_counter() - t0:>7.1f}"
        )
    if not args.no_templated:
        mix = templated()
        t0 = time.perf_counter()
        row = evaluate(mix, datetime(2024, 5, 15, 7, tzinfo=UTC), None)
        print(
            f"{'templated 5000':<16}"
            + "".join(f"{row[c]!s:>7}" for c in COLUMNS)
            + f"{time.perf_counter() - t0:>7.1f}"
        )
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
