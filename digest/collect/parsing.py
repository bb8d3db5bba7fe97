"""Parsing fetched feeds, in this process or in worker processes, in config order.

A collect whose documents add up to :data:`PARALLEL_BYTES` or more parses them in a
pool of worker processes (the parser is pure Python and CPU-bound) while the collect's
own process opens the store and stores each source's report in config order. When many
sources are sure to send a document (never fetched: nothing to answer 304 to), the
workers start before the first request goes out and each feed is handed to them as it
arrives, so parsing overlaps the fetch. They are forked then, before any connection or
name-lookup thread exists: a worker holds no connection of the fetch and no lock of a
thread it does not have.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from digest.collect.fetched import FetchResult
from digest.config import SourceSettings
from digest.errors import SourceError
from digest.records import SourceReport

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: Worker processes that parse feeds at most (and never more than the machine's CPUs).
MAX_PARSE_WORKERS = 4
#: A collect whose fetched documents add up to less than this is parsed in-process:
#: starting workers would cost more than it saves.
PARALLEL_BYTES = 1_000_000
#: Sources sure to send a document from which the workers start before the fetch: about
#: PARALLEL_BYTES of feeds of a usual size (50-60 KB).
PRESTART_DOCUMENTS = 16


def feed_report(source: SourceSettings, result: FetchResult, now: datetime) -> SourceReport:
    """The report of one fetched feed: its articles, or the fetch's or parser's error."""
    if result.error:
        return SourceReport(source.name, error=result.error)
    if result.not_modified or result.body is None:
        return SourceReport(
            source.name, not_modified=True, etag=result.etag, last_modified=result.last_modified
        )
    from digest.collect.feeds import read_feed  # loaded once something is to be parsed

    try:
        parsed = read_feed(
            result.body,
            source=source.name,
            url=result.url,
            now=now,
            section=source.section,
            content_type=result.content_type,
            zone=ZoneInfo(source.timezone),
        )
    except SourceError as exc:
        return SourceReport(source.name, error=str(exc))
    return SourceReport(
        source.name,
        parsed.articles,
        etag=result.etag,
        last_modified=result.last_modified,
        warnings=parsed.warnings,
    )


def parse_workers_for(bodies: Sequence[bytes], *, cpus: int | None = None) -> int:
    """How many processes should parse these fetched documents (1: this one alone)."""
    cpus = (os.cpu_count() or 1) if cpus is None else cpus
    if len(bodies) < 2 or sum(map(len, bodies)) < PARALLEL_BYTES:
        return 1
    return max(1, min(cpus, MAX_PARSE_WORKERS, len(bodies)))


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork (where there is one) starts a worker in milliseconds with digest imported.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _may_fork(workers: int) -> bool:
    import multiprocessing

    # a daemonic process (a Celery worker's child) may not start children
    return workers > 1 and not multiprocessing.current_process().daemon


class Parsing:
    """The reports of `feeds` (the sources with a URL, in config order), parsed in this
    process or by workers. :meth:`start` starts the workers before a fetch, :meth:`add`
    hands them each fetched feed as it arrives, :meth:`reports` gives every report in
    order (the parsing of those not yet handed over starts then), :meth:`close` stops
    the workers (a storage fault)."""

    def __init__(self, feeds: Sequence[SourceSettings], now: datetime, workers: int | None):
        self._feeds, self._now, self._workers = feeds, now, workers
        self._by_name = {source.name: source for source in feeds}
        self._executor: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future[SourceReport]] = {}

    def start(self, documents: int) -> None:
        """Start the workers now, if `documents` feeds are sure to be parsed (see the
        module doc) and workers are allowed; before any connection is opened."""
        if documents < PRESTART_DOCUMENTS or self._executor is not None:
            return
        cpus = min(os.cpu_count() or 1, MAX_PARSE_WORKERS, documents)
        workers = cpus if self._workers is None else min(self._workers, cpus)
        if not _may_fork(workers):
            return
        import digest.collect.feeds  # noqa: F401 - the parsers, loaded before the fork

        self._executor = _pool(workers)
        self._executor.submit(int)  # forks every worker now (a fork pool starts them all)

    def add(self, result: FetchResult) -> None:
        """Hand a fetched feed to the workers, if they are started (else it waits for
        :meth:`reports`). Called as each fetch ends, on the fetch's event loop."""
        source = self._by_name.get(result.name)
        if self._executor is None or source is None or result.name in self._futures:
            return
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = self._executor.submit(feed_report, source, result, self._now)
        except BrokenProcessPool as exc:  # reported with that source, in order
            future = Future()
            future.set_exception(exc)
        self._futures[result.name] = future

    def reports(self, results: Mapping[str, FetchResult]) -> Iterator[SourceReport]:
        """Each feed's report, in config order (`results`: what each fetch gave)."""
        pairs = [(source, results[source.name]) for source in self._feeds]
        if self._executor is None:
            bodies = [r.body for _, r in pairs if r.body is not None]
            if bodies:  # the parsers, loaded before any fork; a collect of 304s loads none
                import digest.collect.feeds  # noqa: F401
            workers = parse_workers_for(bodies)
            workers = workers if self._workers is None else min(self._workers, len(bodies))
            if not _may_fork(workers):
                for source, result in pairs:
                    yield feed_report(source, result, self._now)
                return
            self._executor = _pool(workers)
        for _, result in pairs:
            self.add(result)
        from concurrent.futures.process import BrokenProcessPool

        with self._executor:
            for source, _ in pairs:
                try:
                    yield self._futures[source.name].result()
                except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                    problem = f"{source.name}: the feed parser's process stopped ({exc})"
                    yield SourceReport(source.name, error=f"{problem} ({source.url})")

    def close(self) -> None:
        """Stop the workers: what they have not started is not parsed."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
