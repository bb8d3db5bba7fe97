"""Collect: fetch every source, parse, sanitise, and store what it gave.

A failing source becomes an error *value* in its report and in its health row; it
never stops the run, never deletes stored articles and never makes old ones new.
Feeds are fetched concurrently (conditional GET); folders are read from disk. A big
collect parses its feeds in a bounded pool of worker processes (the parser is pure
Python and CPU-bound) while this process stores each source's articles in config order.
A collect that fetched nothing new (all 304) loads no parser at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from digest.collect.fetch import FetchRequest, FetchResult, fetch_all_sync
from digest.config import Settings, SourceSettings
from digest.errors import SourceError, StoreError
from digest.records import SourceReport
from digest.revision import sqlite_file

if TYPE_CHECKING:  # the store (SQLAlchemy) is loaded by whoever opens one; the worker
    # processes' modules when there is something to parse
    from concurrent.futures import ProcessPoolExecutor

    from digest.collect.lookups import Lookups
    from digest.store import Store

Progress = Callable[[SourceReport], None]

#: Worker processes that parse feeds at most (and never more than the machine's CPUs).
MAX_PARSE_WORKERS = 4
#: A collect whose fetched documents add up to less than this is parsed in-process:
#: starting workers would cost more than it saves.
PARALLEL_BYTES = 1_000_000


def _feed_report(source: SourceSettings, result: FetchResult, now: datetime) -> SourceReport:
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


class _Parsing:
    """Each feed's report, in order (iterate once), its parsing under way from the
    start: with worker processes, every feed is handed to them at once, so that they
    parse while this process opens the store (SQLAlchemy, a new database's schema) and
    stores the reports before. :meth:`close` ends the workers (a storage fault)."""

    def __init__(
        self,
        feeds: Sequence[tuple[SourceSettings, FetchResult]],
        now: datetime,
        workers: int | None,
    ) -> None:
        self._feeds, self._now = feeds, now
        self._executor: ProcessPoolExecutor | None = None
        bodies = [r.body for _, r in feeds if r.body is not None]
        if bodies:  # the parsers, loaded before any worker forks; a collect of 304s loads none
            import digest.collect.feeds  # noqa: F401
        workers = parse_workers_for(bodies) if workers is None else min(workers, len(bodies))
        if workers > 1:
            import multiprocessing

            if multiprocessing.current_process().daemon:
                workers = 1  # a daemonic process (a Celery worker's child) may not start children
        if workers > 1:
            self._executor = _pool(workers)
            self._futures = [
                self._executor.submit(_feed_report, source, result, now) for source, result in feeds
            ]

    def __iter__(self) -> Iterator[SourceReport]:
        if self._executor is None:
            for source, result in self._feeds:
                yield _feed_report(source, result, self._now)
            return
        from concurrent.futures.process import BrokenProcessPool

        with self._executor:
            for (source, _), future in zip(self._feeds, self._futures, strict=True):
                try:
                    yield future.result()
                except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                    problem = f"the feed parser's process stopped ({exc})"
                    yield SourceReport(
                        source.name, error=f"{source.name}: {problem} ({source.url})"
                    )

    def close(self) -> None:
        """Stop the workers: what they have not started is not parsed."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


class _Fetch(NamedTuple):
    """How :func:`collect` fetches (see its arguments)."""

    concurrency: int = 8
    timeout: float = 15.0
    lookups: Lookups | None = None


_DEFAULT_FETCH = _Fetch()


def collect(
    sources: Sequence[SourceSettings],
    store: Store,
    *,
    now: datetime,
    progress: Progress | None = None,
    concurrency: int = 8,
    timeout: float = 15.0,
    parse_workers: int | None = None,
    fetched: Mapping[str, FetchResult] | None = None,
    lookups: Lookups | None = None,
) -> list[SourceReport]:
    """Collect every source once; return one report per source, in config order.

    ``parse_workers``: processes that parse feeds (None: as many as pay, see
    :func:`parse_workers_for`; 1: this process only). ``fetched``: sources already
    fetched (by name, with the validators stored), not fetched again. ``lookups``:
    the feeds' host names are looked up through it (:mod:`digest.collect.lookups`;
    None: the process's own, so that `digest run` counts stuck lookups across collects).
    """
    return _collect(
        sources,
        lambda: store,
        now=now,
        progress=progress,
        fetch=_Fetch(concurrency, timeout, lookups),
        parse_workers=parse_workers,
        fetched=fetched,
    )


def _collect(
    sources: Sequence[SourceSettings],
    open_store: Callable[[], Store],
    *,
    now: datetime,
    progress: Progress | None = None,
    fetch: _Fetch = _DEFAULT_FETCH,
    parse_workers: int | None = None,
    fetched: Mapping[str, FetchResult] | None = None,
) -> list[SourceReport]:
    """:func:`collect`, the store opened (`open_store`) once the feeds are being parsed."""
    feeds = [s for s in sources if s.url]
    results = dict(fetched or {})
    missing = [s for s in feeds if s.name not in results]
    validators = open_store().all_validators() if missing else {}
    requests = []
    for s in missing:
        assert s.url is not None
        etag, modified = validators.get(s.name, (None, None))
        requests.append(FetchRequest(s.name, s.url, etag, modified))
    if requests:
        found = fetch_all_sync(
            requests, concurrency=fetch.concurrency, timeout=fetch.timeout, lookups=fetch.lookups
        )
        results |= {r.name: r for r in found}
    parsed = _Parsing([(s, results[s.name]) for s in feeds], now, parse_workers)
    try:
        return _store_all(sources, open_store(), iter(parsed), now, progress)
    finally:
        parsed.close()  # a storage fault stops the run: the workers are shut down


def collect_project(
    settings: Settings,
    open_store: Callable[[], Store],
    *,
    opened: bool,
    now: datetime,
    progress: Progress | None = None,
) -> list[SourceReport]:
    """:func:`collect` of a project's sources into its store, as `digest collect` runs it.

    With the store not yet `opened` (a command's first use of it), a SQLite project
    none of whose sources gave news (each answered 304 or failed) is recorded without
    opening it (:mod:`digest.collect.unchanged`: no SQLAlchemy loaded); otherwise
    `open_store()` gets the store, and what was fetched already is not fetched again.
    """
    fetched = None
    if not opened and _new_sqlite_file(settings.database.url):
        # Nothing stored, so no validators to read first: the feeds are fetched and
        # parsed while the store creates the database.
        fetched = _fetch_all(settings.sources)
    elif not opened:
        from digest.collect.unchanged import collect_unchanged

        done = collect_unchanged(settings.sources, settings.database.url, now=now)
        if done.reports is not None:
            if progress:
                for report in done.reports:
                    progress(report)
            return done.reports
        fetched = done.fetched
    return _collect(settings.sources, open_store, now=now, progress=progress, fetched=fetched)


def _new_sqlite_file(url: str) -> bool:
    """Whether `url` is a plain SQLite file not there yet, in a folder that is (one the
    store will create; a missing folder is reported by the store, before any fetch)."""
    path = sqlite_file(url)
    return path is not None and not path.exists() and path.parent.is_dir()


def _fetch_all(sources: Sequence[SourceSettings]) -> dict[str, FetchResult]:
    """Every feed of `sources` fetched without validators, by name."""
    requests = [FetchRequest(s.name, s.url, None, None) for s in sources if s.url]
    return {r.name: r for r in fetch_all_sync(requests)}


def _store_all(
    sources: Sequence[SourceSettings],
    store: Store,
    parsed: Iterator[SourceReport],
    now: datetime,
    progress: Progress | None,
) -> list[SourceReport]:
    reports: list[SourceReport] = []
    unchanged: list[tuple[SourceReport, str]] = []  # 304s: their health rows in one go
    for source in sources:
        if source.url:
            report = next(parsed)
            location = source.url
            if report.not_modified:
                unchanged.append((report, location))
                reports.append(report)
                if progress:
                    progress(report)
                continue
        else:
            assert source.path is not None
            location = str(source.path)
            from digest.collect.folder import read_folder  # pages, trafilatura: on demand

            try:
                folder = read_folder(
                    source.path,
                    source=source.name,
                    now=now,
                    section=source.section,
                    zone=ZoneInfo(source.timezone),
                )
                report = SourceReport(source.name, folder.articles, warnings=folder.warnings)
            except SourceError as exc:
                report = SourceReport(source.name, error=str(exc))
        try:  # one transaction per source: those stored before a fault are kept
            report = store.record(report, location=location, now=now)
        except StoreError as exc:
            kept = f"the {len(reports)} before it are kept" if reports else "it was the first"
            raise type(exc)(f"{exc}; source {source.name!r} was not stored ({kept})") from None
        reports.append(report)
        if progress:
            progress(report)
    try:
        store.record_unchanged(unchanged, now=now)
    except StoreError as exc:
        raise type(exc)(
            f"{exc}; the {len(unchanged)} sources that answered 304 were not marked checked"
        ) from None
    return reports
