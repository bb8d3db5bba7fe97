"""Benchmark of the rank stage: is ranking near-linear in the number of articles?

Generates a realistic synthetic batch and times :func:`digest.rank.rank` on 10,000 and
50,000 articles (median of 3 runs, and of ``--runs-large`` runs for the big one), then
prints both times and their ratio: near 5 means near-linear, 25 would be quadratic.

The batch: ``STORIES_PER_10K`` distinct stories per 10,000 articles (so a bigger batch
has more stories, as a bigger newsroom would), each told by many variants; a vocabulary
of a few thousand words with a Zipf-like frequency; every story has its own names and
topic words; texts of about 200 words in sentences; 100 sources; dates over three days.
``--fixed-stories`` keeps 300 stories at every size instead (more copies of each story).

Run: ``python benchmarks/rank.py`` (from the repository root).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.rank import RankOptions, rank  # noqa: E402
from digest.records import Article, Image  # noqa: E402

NOW = datetime(2024, 5, 17, 7, 0, tzinfo=UTC)
STORIES_PER_10K = 300
SOURCES = 100
VOCABULARY = 4000
SYLLABLES = (
    "ka ri to mo sa len dar vi su pe lo na tri gor bel fen ul as mi ro ze qua hul den".split()
)


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def articles(count: int, *, stories: int, seed: int = 7) -> list[Article]:
    """``count`` synthetic articles telling ``stories`` stories (deterministic)."""
    rng = random.Random(seed)
    vocab = sorted({_word(rng, rng.randint(1, 3)) for _ in range(VOCABULARY * 2)})[:VOCABULARY]
    rng.shuffle(vocab)
    zipf = [1.0 / (rank + 1) for rank in range(len(vocab))]
    names = sorted({_word(rng, 4).capitalize() for _ in range(stories * 8)})
    plots = []
    for _ in range(stories):
        plots.append(
            (
                rng.sample(names, 6),
                rng.sample(vocab[200:], 20),
                NOW - timedelta(hours=rng.uniform(0, 72)),
            )
        )
    sources = [f"Source {n:03d}" for n in range(SOURCES)]
    out = []
    for n in range(count):
        story = n % stories
        people, topic, told = plots[story]
        pool = people + topic

        def sentence(length: int) -> str:
            words = [
                rng.choice(pool) if rng.random() < 0.3 else rng.choices(vocab, zipf)[0]
                for _ in range(length)
            ]
            return " ".join(words).capitalize() + rng.choice(".....!?")

        title = " ".join(
            rng.sample(people, 2) + rng.sample(topic, 3) + rng.choices(vocab, zipf, k=3)
        )
        text = " ".join(sentence(rng.randint(8, 22)) for _ in range(14))
        when = told + timedelta(minutes=rng.uniform(0, 600))
        out.append(
            Article(
                key=f"https://example.org/{story}/{n}",
                source=rng.choice(sources),
                title=title.capitalize(),
                url=f"https://example.org/{story}/{n}",
                summary=sentence(rng.randint(12, 25)) if rng.random() < 0.5 else "",
                text=text,
                published=min(when, NOW),
                image=Image(f"https://example.org/{n}.jpg", width=600) if n % 3 == 0 else None,
            )
        )
    rng.shuffle(out)
    return out


def timed(batch: list[Article], runs: int) -> float:
    options = RankOptions(weights={f"Source {n:03d}": 1 + n % 3 / 4 for n in range(SOURCES)})
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        ranked = rank(batch, now=NOW, options=options)
        times.append(time.perf_counter() - start)
    assert len(ranked.leads) == options.leads
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs-large", type=int, default=1, help="runs at 50,000 (1-3)")
    parser.add_argument("--fixed-stories", action="store_true", help="300 stories at any size")
    args = parser.parse_args()
    results = {}
    for size, runs in ((10_000, 3), (50_000, args.runs_large)):
        stories = 300 if args.fixed_stories else size * STORIES_PER_10K // 10_000
        batch = articles(size, stories=stories)
        results[size] = timed(batch, runs)
        print(f"{size:>6} articles, {stories:>4} stories: {results[size]:.2f} s (median of {runs})")
    print(f"ratio 50k/10k: {results[50_000] / results[10_000]:.2f} (5 = linear)")


if __name__ == "__main__":
    main()
