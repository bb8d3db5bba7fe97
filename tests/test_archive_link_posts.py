"""The web edition (the email's "View in your browser") shows a story as the email
does: under a link post, "Link: harbour-news.example.com" opening the article the post
is about; an aggregator's item credited to the site its link opens, via the aggregator.
Over real HTTP, from a real SQLite file."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import lxml.html

from tests.test_collect_aggregators import ASK, ELSEWHERE, _rss
from tests.test_desk import running
from tests.test_render_link_posts import (
    ATOM_ELSEWHERE,
    JSON_ELSEWHERE,
    NOW,
    _atom_feed,
    _collected,
    _json_feed,
    _link_lines,
)


def test_the_web_edition_shows_link_posts_and_aggregated_items_as_the_email_does(
    tmp_path: Path,
) -> None:
    roundup = _rss("Roundup", "https://roundup.example/", [*ELSEWHERE[:5], ASK])
    feeds = {"Link Blog": _json_feed(), "Atom Blog": _atom_feed(), "Link Roundup": roundup}
    app, edition_id = _collected(tmp_path, feeds)
    app.store.set_edition_status(edition_id, "sent", now=NOW)
    with running(tmp_path / "news" / "digest.toml") as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{edition_id}")
    assert page.status_code == 200
    shown = sorted(_link_lines(page.text))
    assert shown == [
        ("Link: harbour-news.example.com", JSON_ELSEWHERE),
        ("Link: sky-weekly.example.org", ATOM_ELSEWHERE),
    ]
    words = " ".join(lxml.html.document_fromstring(page.text).text_content().split())
    # The roundup is one outlet for the caps (on a thin day it runs a few stories, not
    # all six): each of its items shown is credited to the site it opens, via it.
    credited = re.findall(r"(\S+) via Link Roundup", words)
    hosts = {(urlsplit(url).hostname or "").removeprefix("www.") for _, url in ELSEWHERE}
    assert credited and set(credited) <= hosts, credited
