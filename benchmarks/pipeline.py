"""Benchmark of the whole pipeline: 100 feeds x 50 items to 1,000 inboxes, stage by stage.

    python benchmarks/pipeline.py [--feeds 100] [--items 50] [--subscribers 1000] [--runs 3]

Builds a local corpus of RSS feeds (about 57 KB each) whose text is drawn from a made-up
vocabulary with Zipf-like word frequencies (no copyrighted text): about a third of the
items retell one of a few hundred shared stories in their own words, the rest are
stories of their own. The feeds are served by tests/feedserver.py on 127.0.0.1 (ETag and
Last-Modified, 304 on a conditional GET). A project folder (digest.toml, a CSV of
``--subscribers`` addresses, SMTP to postfix's smtp-sink on a loopback port) is written
to a temporary folder, and each stage runs as the command a user types, in a child
process, timed end to end (start-up included):

- ``digest collect`` on an empty database, then again with nothing changed (all 304);
- the same two collects inside one long-lived process, as ``digest run`` (the scheduler)
  makes them: ``App.collect`` with the App built and migrated beforehand, so neither
  start-up nor imports are counted (benchmarks/_inprocess.py, in its own child process);
- ``digest build --no-collect`` on the collected database;
- ``digest send ID`` of an approved edition to every subscriber.

Each is the best of ``--runs``; the peak RSS is that of the child process (wait4's
``ru_maxrss``), with the CPU seconds of it and its parse workers: on a shared machine
the steadier figure. Also ``digest --version`` (start-up alone). Prints a table, the whole
run (collect + build + send) and its share of rss2email's 108 s on the same corpus
(measured when issue 16 was filed; rss2email is not run here).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _sink import CLI, start_sink  # noqa: E402

from tests.feedserver import serve_feeds  # noqa: E402

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
RSS2EMAIL_SECONDS = 108.0  # issue 16: rss2email 3.14 in digest mode, same corpus and sink
SYLLABLES = ("ka", "ri", "to", "mo", "sa", "len", "dar", "vi", "su", "pe", "lo", "na")
SYLLABLES += ("tri", "gor", "bel", "fen", "ul", "as", "mi", "ro", "ze", "qua", "hul", "ost")
FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "as",
    "by",
    "at",
    "from",
    "it",
    "has",
    "said",
]


class Words:
    """A made-up vocabulary whose words are drawn with Zipf-like frequencies."""

    def __init__(self, rng: random.Random, size: int = 6000) -> None:
        made = {
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
            for _ in range(3 * size)
        }
        self.vocab = FUNCTION_WORDS + rng.sample(sorted(made), size)
        self.cum = list(itertools.accumulate(1.0 / (r + 1) ** 1.07 for r in range(len(self.vocab))))
        self.rng = rng

    def sentence(self, topic: list[str]) -> str:
        words = self.rng.choices(self.vocab, cum_weights=self.cum, k=self.rng.randint(8, 21))
        words = [self.rng.choice(topic) if self.rng.random() < 0.25 else w for w in words]
        return " ".join(words).capitalize() + self.rng.choice("......!?")


def make_feeds(feeds: int, items: int, seed: int = 16) -> dict[str, bytes]:
    """``feeds`` RSS 2.0 documents of ``items`` items each (deterministic)."""
    rng = random.Random(seed)
    words = Words(rng)
    content = words.vocab[400:]
    names = sorted(
        {"".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize() for _ in range(4000)}
    )
    shared = [
        (rng.sample(names, 5) + rng.sample(content, 10), rng.uniform(0, 40)) for _ in range(300)
    ]
    out = {}
    for f in range(feeds):
        parts = []
        for i in range(items):
            if rng.random() < 0.35:
                topic, hours = rng.choice(shared)
                hours += rng.uniform(0, 6)
            else:
                topic, hours = rng.sample(names, 4) + rng.sample(content, 8), rng.uniform(0, 46)
            title = " ".join(rng.sample(topic, 3) + rng.choices(words.vocab, words.cum, k=4))
            paragraphs = []
            for p in range(rng.randint(3, 4)):
                text = escape(" ".join(words.sentence(topic) for _ in range(2)))
                if p == 1:
                    text += f' <a href="https://outlet{f}.example.org/related/{i}">More</a>'
                paragraphs.append(f"<p>{text}</p>")
            when = format_datetime(NOW - timedelta(hours=hours))
            html = escape("".join(paragraphs))
            parts.append(
                f"<item><title>{escape(title.capitalize())}</title>"
                f"<link>https://outlet{f}.example.org/news/{i}</link>"
                f'<guid isPermaLink="false">outlet{f}-{i}</guid><pubDate>{when}</pubDate>'
                f"<author>desk{f}@example.org (Desk {f})</author>"
                f"<category>News</category><description>{html}</description></item>\n"
            )
        out[f"/feed/{f}.xml"] = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Outlet {f}</title><link>https://outlet{f}.example.org/</link>"
            f"<description>Benchmark outlet {f}</description><language>en</language>\n"
            + "".join(parts)
            + "</channel></rss>\n"
        ).encode()
    return out


def write_project(folder: Path, urls: list[str], smtp_port: int, subscribers: int) -> Path:
    sources = "".join(
        f'[[sources]]\nname = "Outlet {n}"\nurl = "{url}"\nweight = {1 + n % 3 / 4}\n\n'
        for n, url in enumerate(urls)
    )
    config = folder / "digest.toml"
    config.write_text(
        '[newsletter]\nname = "Pipeline Bench"\nsender = "Bench <bench@example.org>"\n'
        'base_url = "https://bench.example.org"\nlanguage = "en"\n'
        'address = "1 Bench Street, Copenhagen"\n\n'
        + sources
        + "[edition]\nleads = 3\nteasers = 8\nmax_age_hours = 72\n\n"
        '[[lists]]\nname = "daily"\ntitle = "Pipeline Bench"\n\n'
        f'[transport]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_port}\n\n'
        '[database]\nurl = "sqlite:///digest.db"\n'
    )
    with (folder / "subscribers.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "name"])
        out.writerows([f"reader{i}@example.net", f"Reader {i}"] for i in range(subscribers))
    (folder / ".digest-secret").write_text("pipeline-benchmark-secret-key-0123456789abcdef\n")
    return config


@dataclass
class Timing:
    seconds: float
    cpu: float  # user + system seconds of the command and the workers it waited for
    peak_mb: float
    stdout: str


def run(folder: Path, *args: str, check: bool = True) -> Timing:
    """Run ``digest ARGS`` in ``folder`` as a child process: wall time and peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    # As an installed digest runs: with its bytecode cached. An environment that sets
    # PYTHONDONTWRITEBYTECODE (this machine's does) has every command compile digest's
    # modules from source again, 25 ms of an unchanged collect.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if check and proc.returncode != 0:
        sys.exit(f"digest {' '.join(args)} failed ({proc.returncode}):\n{output[-3000:]}")
    return Timing(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)


def in_process(folder: Path, config: Path, at: str, runs: int) -> dict[str, Timing]:
    """First and unchanged collect inside one process, as `digest run` makes them."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = str(ROOT / "benchmarks" / "_inprocess.py")
    done = subprocess.run(
        [sys.executable, script, str(config), at, str(runs)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"in-process collect failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {
        f"in-process collect{label}": best(
            [Timing(row[key]["seconds"], row[key]["cpu"], 0.0, "") for row in rows]
        )
        for key, label in (("first", ""), ("unchanged", " (unchanged)"))
    }


def best(timings: list[Timing]) -> Timing:
    return min(timings, key=lambda t: t.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--collect-only", action="store_true", help="time collect (first and unchanged) alone"
    )
    args = parser.parse_args()
    feeds = make_feeds(args.feeds, args.items)
    sizes = [len(body) for body in feeds.values()]
    print(
        f"corpus: {args.feeds} feeds x {args.items} items, "
        f"{sum(sizes) / len(sizes) / 1024:.0f} KB a feed on average, "
        f"{sum(sizes) / 1e6:.1f} MB in all; {args.subscribers} subscribers"
    )
    at = NOW.isoformat()
    sink, port = start_sink()
    results: dict[str, Timing] = {}
    try:
        with serve_feeds(feeds) as server, tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            urls = [server.url(path) for path in feeds]
            config = write_project(folder, urls, port, args.subscribers)
            conf = ("--config", str(config))
            results["digest --version"] = best([run(folder, "--version") for _ in range(args.runs)])
            firsts, seconds = [], []
            for _ in range(args.runs):
                (folder / "digest.db").unlink(missing_ok=True)
                firsts.append(run(folder, "collect", *conf, "--at", at))
                seconds.append(run(folder, "collect", *conf, "--at", at))
            stored = sum(
                int(n) for n in re.findall(r"│\s*Outlet \d+\s*│\s*(\d+)", firsts[-1].stdout)
            )
            not_modified = len(re.findall(r"│\s*not modified\s*│", seconds[-1].stdout))
            results["digest collect"] = best(firsts)
            results["digest collect (unchanged)"] = best(seconds)
            results.update(in_process(folder, config, at, args.runs))
            if args.collect_only:
                return report(results, args.runs, stored, not_modified)
            builds = [
                run(folder, "build", *conf, "--no-collect", "--at", at) for _ in range(args.runs)
            ]
            results["digest build --no-collect"] = best(builds)
            run(folder, "subscribers", "import", "subscribers.csv", "--list", "daily", *conf)
            # Each send starts from the database as it was before the first: a second
            # edition of the same stories to the same readers is refused, rightly.
            snapshot = folder / "before-sends"
            snapshot.mkdir()
            for path in folder.glob("digest.db*"):
                shutil.copy2(path, snapshot / path.name)
            sends = []
            for _ in range(args.runs):
                for path in folder.glob("digest.db*"):
                    path.unlink()
                for path in snapshot.iterdir():
                    shutil.copy2(path, folder / path.name)
                built = run(folder, "build", *conf, "--no-collect", "--at", at)
                found = re.search(r"Draft edition (\d+)", built.stdout)
                assert found, built.stdout
                run(folder, "approve", *conf, found.group(1))
                # The corpus is dated NOW (2026-11-27): an archive edition by today.
                sends.append(run(folder, "send", *conf, found.group(1), "--send-stale"))
                sent = re.search(r"Sent (\d+)", sends[-1].stdout)
                assert sent and int(sent.group(1)) == args.subscribers, sends[-1].stdout[-2000:]
            results["digest send (1 worker)"] = best(sends)
    finally:
        sink.kill()
        sink.wait()
    report(results, args.runs, stored, not_modified)


def report(results: dict[str, Timing], runs: int, stored: int, not_modified: int) -> None:
    print(f"collect stored {stored} articles; the unchanged collect got {not_modified} x 304")
    stage = f"stage (best of {runs})"
    print(f"{stage:32} {'seconds':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, timing in results.items():
        peak = f"{timing.peak_mb:8.0f}" if timing.peak_mb else f"{'-':>8}"
        print(f"{name:32} {timing.seconds:8.2f} {timing.cpu:8.2f} {peak}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for kind in ("digest", "in-process"):
        first, again = results[f"{kind} collect"], results[f"{kind} collect (unchanged)"]
        print(
            f"{kind} unchanged / first collect: {again.seconds / first.seconds:.2f} "
            f"(CPU {again.cpu / first.cpu:.2f})"
        )
    if "digest send (1 worker)" not in results:
        return
    whole = sum(
        results[k].seconds
        for k in ("digest collect", "digest build --no-collect", "digest send (1 worker)")
    )
    print(
        f"whole run (collect + build + send): {whole:.2f} s = 1/{RSS2EMAIL_SECONDS / whole:.1f} "
        f"of rss2email's {RSS2EMAIL_SECONDS:.0f} s (issue 16's figure, not re-measured here)"
    )


if __name__ == "__main__":
    main()
