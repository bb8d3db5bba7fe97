"""The newsletter's root, `/`, the first page anyone opens, over real HTTP.

It answered 404. A visitor there is a reader: before the first edition went out it
leads to the subscribe form; after, to the archive (what the newsletter sends, with
its Subscribe link). It never points at the desk (`/login` stays unadvertised)."""

from __future__ import annotations

from pathlib import Path

import httpx

from digest.app import App
from tests.test_desk import build, running
from tests.test_web_public import NOW, newsletter


def _root(base: str) -> tuple[httpx.Response, httpx.Response]:
    with httpx.Client(base_url=base) as c:
        first = c.get("/")
        return first, c.get("/", follow_redirects=True)


def test_the_root_of_a_new_newsletter_leads_to_its_subscribe_form(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    with running(config) as base:
        first, landed = _root(base)
        head = httpx.head(f"{base}/")
    assert first.status_code == 302 and head.status_code == 302
    assert first.headers["location"] == "/subscribe"
    assert landed.status_code == 200 and 'name="email"' in landed.text
    for answer in (first, landed):
        assert "login" not in answer.text and "desk" not in answer.text.lower()
        assert "set-cookie" not in first.headers


def test_the_root_leads_to_the_archive_once_an_edition_went_out(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    edition_id = build(config)
    App.from_config(config).store.set_edition_status(edition_id, "sent", now=NOW)
    with running(config) as base:
        first, landed = _root(base)
    assert first.status_code == 302 and first.headers["location"] == "/archive"
    assert f'href="/archive/{edition_id}"' in landed.text
    assert 'href="/subscribe' in landed.text
    assert "/login" not in landed.text
