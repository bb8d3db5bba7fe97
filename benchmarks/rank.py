"""Benchmark of the rank stage: is ranking near-linear in the number of articles?

Generates a realistic synthetic batch and times :func:`digest.rank.rank` on 10,000 and
50,000 articles (median of 3 runs, and of ``--runs-large`` runs for the big one), then
prints both times and their ratio: near 5 means near-linear, 25 would be quadratic.
Wall-clock and CPU time are both shown: on a shared machine the CPU time is the steadier
of the two. The CPU time is this process's and its children's (a big batch is tokenised
in forked children, :mod:`digest.rank.parallel`), so with more than one core it can
exceed the wall-clock time.

The batch: ``STORIES_PER_10K`` distinct stories per 10,000 articles (so a bigger batch
has more stories, as a bigger newsroom would), each told by many variants; a vocabulary
of a few thousand words with a Zipf-like frequency; every story has its own names and
topic words; texts of about 200 words in sentences; 100 sources; dates over three days.
``--fixed-stories`` keeps 300 stories at every size instead (more copies of each story).
``--one-process`` ranks without forked children or threads, as a process that runs other
threads does (``digest run``).

Run: ``python benchmarks/rank.py`` (from the repository root).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.rank import RankOptions, parallel, rank
from digest.records import Article, Image

NOW = datetime(2024, 5, 17, 7, 0, tzinfo=UTC)
STORIES_PER_10K = 300
SOURCES = 100
VOCABULARY = 4000
SYLLABLES: tuple[str, ...] = ("ka", "ri", "to", "mo", "sa", "len", "dar", "vi", "su", "pe")
SYLLABLES += ("lo", "na", "tri", "gor", "bel", "fen", "ul", "as", "mi", "ro", "ze", "qua", "hul")


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def _sentence(rng: random.Random, story: list[str], vocab: list[str], cum: list[float]) -> str:
    """8-22 words: about 30 % from the story's names and topic, the rest everyday words."""
    length = rng.randint(8, 22)
    common = rng.choices(vocab, cum_weights=cum, k=length)
    words = [rng.choice(story) if rng.random() < 0.3 else word for word in common]
    return " ".join(words).capitalize() + rng.choice(".....!?")


def articles(count: int, *, stories: int, seed: int = 7) -> list[Article]:
    """``count`` synthetic articles telling ``stories`` stories (deterministic)."""
    rng = random.Random(seed)
    vocab = sorted({_word(rng, rng.randint(1, 3)) for _ in range(VOCABULARY * 3)})[:VOCABULARY]
    rng.shuffle(vocab)
    cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    names = sorted({_word(rng, 4).capitalize() for _ in range(stories * 8)})
    rng.shuffle(names)
    plots = [
        (names[6 * n : 6 * n + 6], rng.sample(vocab[200:], 12), rng.uniform(0, 72))
        for n in range(stories)
    ]
    sources = [f"Source {n:03d}" for n in range(SOURCES)]
    out = []
    for n in range(count):
        story = n % stories
        people, topic, hours_ago = plots[story]
        pool = people + topic
        title = (
            rng.sample(people, 2) + rng.sample(topic, 3) + rng.choices(vocab, cum_weights=cum, k=3)
        )
        text = " ".join(_sentence(rng, pool, vocab, cum) for _ in range(14))
        when = NOW - timedelta(hours=hours_ago) + timedelta(minutes=rng.uniform(0, 600))
        summary = _sentence(rng, pool, vocab, cum) if rng.random() < 0.5 else ""
        out.append(
            Article(
                key=f"https://example.org/{story}/{n}",
                source=rng.choice(sources),
                title=" ".join(title).capitalize(),
                url=f"https://example.org/{story}/{n}",
                summary=summary,
                text=text,
                published=min(when, NOW),
                image=Image(f"https://example.org/{n}.jpg", width=600) if n % 3 == 0 else None,
            )
        )
    rng.shuffle(out)
    return out


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(batch: list[Article], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``rank`` over ``runs`` runs."""
    options = RankOptions(weights={f"Source {n:03d}": 1 + n % 3 / 4 for n in range(SOURCES)})
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu()
        ranked = rank(batch, now=NOW, options=options)
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    assert len(ranked.leads) == options.leads
    return statistics.median(walls), statistics.median(cpus)


def _alone(parts_available: int) -> int:
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs-large", type=int, default=1, help="runs at 50,000 (1-3)")
    parser.add_argument("--fixed-stories", action="store_true", help="300 stories at any size")
    parser.add_argument(
        "--one-process",
        action="store_true",
        help="no forked children or threads (as in a process that runs other threads)",
    )
    args = parser.parse_args()
    if args.one_process:
        parallel.processes = parallel.threads = _alone
    results = {}
    for size, runs in ((10_000, 3), (50_000, args.runs_large)):
        stories = 300 if args.fixed_stories else size * STORIES_PER_10K // 10_000
        results[size] = timed(articles(size, stories=stories), runs)
        wall, cpu = results[size]
        print(
            f"{size:>6} articles, {stories:>4} stories: "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU (median of {runs})"
        )
    wall_ratio = results[50_000][0] / results[10_000][0]
    cpu_ratio = results[50_000][1] / results[10_000][1]
    print(f"ratio 50k/10k: {wall_ratio:.2f} wall, {cpu_ratio:.2f} CPU (5 = linear, 25 = quadratic)")


if __name__ == "__main__":
    main()
