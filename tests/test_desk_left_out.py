"""A story the ranking left out, added back on the desk by its link.

The editor pastes the link of an article one of the newsletter's own sources
delivered: the desk adds that article, under its source, with the summary the feed
gave, and the next edition counts it as sent (DESIGN invariant 2), instead of a copy
fetched from the web under another key that leaves the feed's article to come again
as news. A real feed file, a real page server on loopback (what a fetch would read),
a real `digest serve` app and the outbox.
"""

from __future__ import annotations

import csv
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from digest.app import App
from tests.conftest import write_project
from tests.test_desk import add_editor, build, editor_client, payload, post, running
from tests.test_web_public import NOW, cli

LEFT_OUT = "Quay cranes to be painted harbour green"
ITEMS = [  # the oldest is left out: an edition has room for two
    (LEFT_OUT, "The old cranes on the quay get a coat of the harbour's own green."),
    ("Harbour tunnel contract signed", "The city signed the contract on Thursday."),
    ("Night ferry returns to the harbour", "The ferry sails again from Friday."),
]


class _Pages(BaseHTTPRequestHandler):
    """The publisher's article pages (what a fetch of the link reads)."""

    def do_GET(self) -> None:
        title = next((t for t, _ in ITEMS if self.path.endswith(_slug(t))), "Not found")
        body = (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}"
            f" | Harbour Herald</title></head><body><article><h1>{title}</h1>"
            "<p>The web page tells the story at more length than the feed, in words of its "
            "own, over several sentences that a reader would find on the site.</p>"
            "</article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _slug(title: str) -> str:
    return "-".join(title.lower().split())


@contextmanager
def _site() -> Iterator[str]:
    pages = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{pages.server_address[1]}"
    finally:
        pages.shutdown()
        pages.server_close()


def _project(folder: Path, site: str) -> Path:
    """A JSON Feed of three items (linking to pages on `site`); editions of two stories.
    (Its own reader keeps a loopback link, which the RSS fast path would drop.)"""
    items = [
        {
            "id": f"herald-{n}",
            "url": f"{site}/news/{_slug(title)}",
            "title": title,
            "summary": summary,
            "content_text": summary,
            "date_published": f"2026-11-27T0{n}:00:00Z",
        }
        for n, (title, summary) in enumerate(ITEMS, 1)
    ]
    folder.mkdir(parents=True)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Harbour Herald"}
    (folder / "feed.json").write_text(json.dumps({**feed, "items": items}), encoding="utf-8")
    sources = '[[sources]]\nname = "Harbour Herald"\nurl = "feed.json"\nsection = "City"\n'
    config = write_project(folder, sources=sources, extra="[serve]\nallow_private_fetch = true\n")
    text = config.read_text().replace("leads = 3\nteasers = 8", "leads = 1\nteasers = 1")
    config.write_text(text)
    readers = folder / "subscribers" / "daily.csv"
    # The sample's readers without their sections (this newsletter has only "City").
    with readers.open(newline="", encoding="utf-8") as fh:
        rows = [{"email": r["email"], "name": r["name"]} for r in csv.DictReader(fh)]
    with readers.open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, ["email", "name"])
        out.writeheader()
        out.writerows(rows)
    cli(config, "subscribers", "import", str(readers), "--list", "daily")
    add_editor(config)
    return config


def test_a_left_out_story_added_back_by_its_link_is_the_sources_and_counts_as_sent(
    tmp_path: Path,
) -> None:
    with _site() as site:
        config = _project(tmp_path / "news", site)
        eid = build(config, NOW + timedelta(hours=3))
        app = App.from_config(config)
        assert LEFT_OUT not in [s.title for s in app.store.edition(eid).carried]
        (article,) = [a for a in app.store.articles() if a.title == LEFT_OUT]
        with running(config) as base, editor_client(base) as c:
            link = article.url or ""
            r = post(c, eid, "add", how="url", url=link, place="teaser", section="City")
            assert r.status_code == 303
            page = c.get(r.headers["location"]).text
            assert f"Added “{LEFT_OUT}”." in page, re.findall(r"<p class=\"flash[^>]*>[^<]*", page)
    added = payload(config, eid)["teasers"][0]  # type: ignore[index]
    assert added["key"] == article.key  # the feed's article, not a copy of the page
    assert added["source"] == "Harbour Herald" and added["section"] == "City"
    assert added["summary"] == "The old cranes on the quay get a coat of the harbour's own green."
    assert len([a for a in app.store.articles() if a.title == LEFT_OUT]) == 1

    cli(config, "send", str(eid))
    # The next edition (an hour on, the feed unchanged) does not bring it again as news.
    later = App.from_config(config)
    at = NOW + timedelta(hours=4)
    built = later.draft(now=at, reports=later.collect(now=at))
    assert built.edition is None or LEFT_OUT not in [s.title for s in built.edition.carried]
    assert "3 already sent" in built.summary(), built.summary()
