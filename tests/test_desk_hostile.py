"""A hostile page against the desk's "add a story by its link": an answer the fetcher
cannot follow, or an address it cannot read, is told to the editor as a refusal, never
an Internal Server Error (real werkzeug server, a loopback page server)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.test_desk import desk, editor_client, payload, post, running

__all__ = ["desk"]  # the fixture


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header(
            "Location", "http://[::1/admin" if self.path == "/v6" else "http://x:99999/"
        )
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_link_the_fetcher_cannot_read_is_refused_with_a_message(desk: tuple[Path, int]) -> None:
    config, eid = desk
    with config.open("a") as f:
        f.write("\n[serve]\nallow_private_fetch = true\n")
    pages = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{pages.server_address[1]}"
    before = payload(config, eid)
    try:
        with running(config) as base, editor_client(base) as c:
            for url in (f"{base_url}/v6", f"{base_url}/port", "http://[::1/x", "http://x:99999/"):
                r = post(c, eid, "add", how="url", url=url, place="teaser")
                assert r.status_code == 303, (url, r.status_code)
                page = c.get(r.headers["location"]).text
                assert "not a valid address" in page, url
                assert "The story was not added." in page, url  # whatever refused it
    finally:
        pages.shutdown()
        pages.server_close()
    assert payload(config, eid) == before
