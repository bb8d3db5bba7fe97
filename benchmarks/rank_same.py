"""Does a change to the rank stage keep its results bit for bit?

Ranks the batches of ``benchmarks/rank.py`` (10,000 and 50,000 articles, with its story
count and with ``--fixed-stories``' 300) and records, for each, every candidate story
(its members' keys in order, its score and the score's parts: ``repr`` keeps every bit
of a float), the chosen leads and teasers and the reasons for the rest. ``save`` writes
them to a file (pickle); ``check`` compares a run with a saved file and names the first
difference.

Run: ``python benchmarks/rank_same.py save /tmp/before.pickle`` before a change, then
``python benchmarks/rank_same.py check /tmp/before.pickle`` after it (add ``--sizes
10000`` for a quicker check).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._plain import plain
from benchmarks.rank import NOW, SOURCES, STORIES_PER_10K, articles
from digest.rank import RankOptions, _candidates, _eligible, _left_out, _select


def outcome(size: int, stories: int) -> dict[str, Any]:
    """Everything ``rank`` decides about one benchmark batch, as plain data."""
    options = RankOptions(weights={f"Source {n:03d}": 1 + n % 3 / 4 for n in range(SOURCES)})
    eligible, reasons = _eligible(articles(size, stories=stories), NOW, options)
    candidates = _candidates(eligible, NOW, options)
    chosen = _select(candidates, options)
    left_out = _left_out(reasons, eligible, candidates, chosen, options)
    return {
        "candidates": [
            ([a.key for a in c.members], c.face.key, repr(c.score), repr(sorted(c.why.items())))
            for c in candidates
        ],
        "chosen": plain(chosen),
        "left_out": sorted(left_out.items()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    args = parser.parse_args()
    runs = {}
    for size in args.sizes:
        for stories in sorted({size * STORIES_PER_10K // 10_000, 300}):
            runs[size, stories] = outcome(size, stories)
            print(f"{size} articles, {stories} stories: {len(runs[size, stories]['candidates'])}")
    if args.action == "save":
        args.file.write_bytes(pickle.dumps(runs))
        return
    saved = pickle.loads(args.file.read_bytes())
    differ = 0
    for run, got in runs.items():
        want = saved[run]
        for part in ("candidates", "chosen", "left_out"):
            if got[part] != want[part]:
                differ += 1
                pairs = zip(got[part], want[part], strict=False)
                first = next((n for n, (a, b) in enumerate(pairs) if a != b), "the end")
                print(f"DIFFERENT {run} {part}: first at {first}")
    print("same" if not differ else f"{differ} parts differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
