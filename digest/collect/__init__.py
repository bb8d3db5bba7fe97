"""Collect: fetch every source, parse, sanitise, and store what it gave.

A failing source becomes an error *value* in its report and in its health row; it
never stops the run, never deletes stored articles and never makes old ones new.
Feeds are fetched concurrently (conditional GET); folders are read from disk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from digest.collect.feeds import read_feed
from digest.collect.fetch import FetchRequest, fetch_all_sync
from digest.collect.folder import read_folder
from digest.config import SourceSettings
from digest.errors import SourceError, StoreError
from digest.records import SourceReport
from digest.store import Store

Progress = Callable[[SourceReport], None]


def _feed_report(source: SourceSettings, result: object, now: datetime) -> SourceReport:
    from digest.collect.fetch import FetchResult

    assert isinstance(result, FetchResult)
    if result.error:
        return SourceReport(source.name, error=result.error)
    if result.not_modified or result.body is None:
        return SourceReport(
            source.name, not_modified=True, etag=result.etag, last_modified=result.last_modified
        )
    try:
        parsed = read_feed(
            result.body,
            source=source.name,
            url=result.url,
            now=now,
            section=source.section,
            content_type=result.content_type,
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


def collect(
    sources: Sequence[SourceSettings],
    store: Store,
    *,
    now: datetime,
    progress: Progress | None = None,
    concurrency: int = 8,
    timeout: float = 15.0,
) -> list[SourceReport]:
    """Collect every source once; return one report per source, in config order."""
    feeds = [s for s in sources if s.url]
    requests = []
    for s in feeds:
        assert s.url is not None
        etag, modified = store.validators(s.name)
        requests.append(FetchRequest(s.name, s.url, etag, modified))
    results = {
        r.name: r for r in fetch_all_sync(requests, concurrency=concurrency, timeout=timeout)
    }
    reports: list[SourceReport] = []
    for source in sources:
        if source.url:
            report = _feed_report(source, results[source.name], now)
            location = source.url
        else:
            assert source.path is not None
            location = str(source.path)
            try:
                folder = read_folder(
                    source.path, source=source.name, now=now, section=source.section
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
    return reports
