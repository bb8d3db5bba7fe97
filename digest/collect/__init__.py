"""Collect: fetch every source, parse, sanitise, and store what it gave.

A failing source becomes an error *value* in its report and in its health row; it
never stops the run, never deletes stored articles and never makes old ones new.
Feeds are fetched concurrently (conditional GET); folders are read from disk. A big
collect parses its feeds in a bounded pool of worker processes (the parser is pure
Python and CPU-bound) while this process stores each source's articles in config order.
A collect that fetched nothing new (all 304) loads no parser at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from digest.collect.fetched import FetchRequest, FetchResult
from digest.collect.parsing import MAX_PARSE_WORKERS, PARALLEL_BYTES, Parsing, parse_workers_for
from digest.config import Settings, SourceSettings
from digest.errors import SourceError, StoreError
from digest.records import SourceReport
from digest.revision import sqlite_file

if TYPE_CHECKING:  # the store (SQLAlchemy) is loaded by whoever opens one
    from digest.collect.lookups import Lookups
    from digest.store import Store

Progress = Callable[[SourceReport], None]
__all__ = ["MAX_PARSE_WORKERS", "PARALLEL_BYTES", "collect", "collect_project", "parse_workers_for"]


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
    stored: bool = True,
) -> list[SourceReport]:
    """:func:`collect`, the store opened (`open_store`) once the feeds are being parsed;
    not before the fetch when nothing is `stored` yet (no validators to read)."""
    feeds = [s for s in sources if s.url]
    results = dict(fetched or {})
    missing = [s for s in feeds if s.name not in results]
    validators = open_store().all_validators() if missing and stored else {}
    requests = []
    for s in missing:
        assert s.url is not None
        etag, modified = validators.get(s.name, (None, None))
        requests.append(FetchRequest(s.name, s.url, etag, modified))
    parsed = Parsing(feeds, now, parse_workers)
    try:
        if requests:  # those with no validators send a document: parsed as they arrive
            parsed.start(sum(1 for r in requests if not (r.etag or r.last_modified)))
            from digest.collect.fetch import fetch_all_sync  # httpx: loaded to fetch

            found = fetch_all_sync(
                requests,
                concurrency=fetch.concurrency,
                timeout=fetch.timeout,
                lookups=fetch.lookups,
                on_result=parsed.add,
            )
            results |= {r.name: r for r in found}
        return _store_all(sources, open_store(), parsed.reports(results), now, progress)
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
        return _collect(settings.sources, open_store, now=now, progress=progress, stored=False)
    if not opened:
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
