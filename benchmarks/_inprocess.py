"""Collect twice inside one process, the way `digest run` (the scheduler) does.

    python benchmarks/_inprocess.py CONFIG AT RUNS

Run by benchmarks/pipeline.py in a child process (the feed server stays in the parent,
so its threads share no interpreter lock with the timed collects). Each run starts on an
empty database: one :class:`digest.app.App`, migrated before the clock starts (the
scheduler builds its App once, at start-up), then ``App.collect`` on the empty database
and ``App.collect`` again with nothing changed, the call the scheduler makes each
``collect_every_minutes``. Prints one JSON line per run: wall and CPU seconds (this
process and the parse workers it waited for) of each collect.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

from digest.app import App


def timed(app: App, at: datetime) -> dict[str, float]:
    """Wall and CPU seconds of one ``app.collect``."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    app.collect(now=at)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    return {"seconds": wall, "cpu": cpu}


def main() -> None:
    config, at, runs = Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), int(sys.argv[3])
    for _ in range(runs):
        (config.parent / "digest.db").unlink(missing_ok=True)
        app = App.from_config(config)
        app.store  # noqa: B018 - migrate before the clock starts, as the scheduler does
        first = timed(app, at)
        unchanged = timed(app, at)
        app.store.close()
        print(json.dumps({"first": first, "unchanged": unchanged}), flush=True)


if __name__ == "__main__":
    main()
