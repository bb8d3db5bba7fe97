"""Collection over a real local HTTP server: 304s, a hanging source, a failing one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.app import App
from tests.conftest import write_project
from tests.feedserver import sample_feed, serve_feeds

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def _sources(server_url: str) -> str:
    return "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "{server_url}{path}"\n'
        for name, path in (
            ("One", "/one.xml"),
            ("Two", "/two.xml"),
            ("Slow", "/hang/x.xml"),
            ("Broken", "/fail/x.xml"),
        )
    )


def test_a_second_run_is_served_by_304s_and_bad_sources_do_not_stop_it(tmp_path: Path) -> None:
    feeds = {"/one.xml": sample_feed(1), "/two.xml": sample_feed(2)}
    with serve_feeds(feeds, hang_seconds=3.0) as server:
        app = App.from_config(write_project(tmp_path, sources=_sources(server.url(""))))
        first = {r.name: r for r in _collect(app, NOW)}
        assert (first["One"].new, first["Two"].new) == (10, 10)
        assert first["Slow"].error and "Slow" in first["Slow"].error
        assert "timed out" in first["Slow"].error
        assert first["Broken"].error and "500" in first["Broken"].error
        assert "Broken" in first["Broken"].error

        second = {r.name: r for r in _collect(app, NOW + timedelta(hours=1))}
        assert second["One"].not_modified and second["Two"].not_modified
        assert (second["One"].new, second["Two"].new) == (0, 0)
        assert server.not_modified == 2

    health = {h.name: h for h in app.store.health()}
    assert health["One"].articles == 10 and health["One"].consecutive_failures == 0
    assert health["Broken"].consecutive_failures == 2
    assert health["Broken"].last_error and "500" in health["Broken"].last_error
    # The edition still builds from what the good sources gave, and says what failed.
    edition = app.build(now=NOW + timedelta(hours=1), reports=None)
    assert edition.leads
    errors = {s.name: s.error for s in edition.sources}
    assert errors["One"] is None and errors["Broken"] and errors["Slow"]


def _collect(app: App, now: datetime):  # type: ignore[no-untyped-def]
    from digest import collect

    return collect.collect(app.settings.sources, app.store, now=now, timeout=1.0)


def test_a_broken_fetch_keeps_articles_and_sent_ones_never_come_back(tmp_path: Path) -> None:
    feeds = {"/one.xml": sample_feed(1, items=4)}
    with serve_feeds(feeds) as server:
        sources = f'[[sources]]\nname = "One"\nurl = "{server.url("/one.xml")}"\n'
        app = App.from_config(write_project(tmp_path, sources=sources))
        _collect(app, NOW)
        first = app.build(now=NOW)
        assert first.id is not None
        sent = {k for s in first.stories for k in s.keys}
        assert len(sent) == 4
        app.store.set_edition_status(first.id, "sent", now=NOW)

        # The feed breaks, then comes back with the same items re-dated to "now".
        server.feeds["/one.xml"] = b"<html>502 Bad Gateway</html>"
        (broken,) = _collect(app, NOW + timedelta(hours=1))
        assert broken.error and "One" in broken.error
        assert len(app.store.articles()) == 4
        redated = (
            sample_feed(1, items=4)
            .replace(b"Thu, 26 Nov 2026", b"Fri, 27 Nov 2026")
            .replace(b"met again", b"met once more")  # edited too: stored as "updated"
        )
        server.feeds["/one.xml"] = redated
        (back,) = _collect(app, NOW + timedelta(hours=2))
        assert back.error is None and back.new == 0 and back.updated == 4
        # Re-dating an article does not make it new: it keeps its first date ...
        assert all(a.published and a.published.day == 26 for a in app.store.articles())
        # ... and an article sent before is never selected again.
        second = app.draft(now=NOW + timedelta(hours=2))
        assert second.edition is None  # nothing left to send: no empty edition is stored
        assert second.dropped["already_sent"] == len(sent)


def test_an_unchanged_collect_writes_once_and_touches_no_article(tmp_path: Path) -> None:
    """All 304s: the health rows are written in one transaction, no article is read or
    changed, and the next run still sends the validators."""
    from sqlalchemy import event

    from digest.store import Store

    feeds = {f"/{n}.xml": sample_feed(n) for n in range(6)}
    with serve_feeds(feeds) as server:
        sources = "\n".join(
            f'[[sources]]\nname = "S{n}"\nurl = "{server.url(f"/{n}.xml")}"\n' for n in range(6)
        )
        app = App.from_config(write_project(tmp_path, sources=sources))
        _collect(app, NOW)
        before = {(a.key, a.first_seen, a.html) for a in app.store.articles()}
        store = Store(app.store.url)  # a fresh engine, every statement of it counted
        statements: list[str] = []
        commits: list[int] = []
        event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        event.listen(store.engine, "commit", lambda *a: commits.append(1))
        from digest import collect

        later = NOW + timedelta(hours=1)
        reports = collect.collect(app.settings.sources, store, now=later, timeout=5.0)
        assert all(r.not_modified for r in reports) and server.not_modified == 6
        assert len(commits) == 1
        assert not [s for s in statements if "articles" in s.lower()]
        # the validators read, then the six health rows written together, not one by one
        assert len(statements) <= 3, statements
        assert {(a.key, a.first_seen, a.html) for a in app.store.articles()} == before
        health = {h.name: h for h in store.health()}
        assert all(h.last_checked == h.last_success == later for h in health.values())
        assert all(v[0] for v in store.all_validators().values())
        collect.collect(app.settings.sources, store, now=later, timeout=5.0)
        assert server.not_modified == 12
        store.close()
