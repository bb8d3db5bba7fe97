"""The desk's preview shows hosted pictures from the desk itself.

The preview is the message as a subscriber gets it, whose pictures point at
`base_url/images/…`. A desk reached at another address before `base_url` is live (a
local or staging desk, the editor's first day) showed every picture as a broken box,
and each page waited on a name lookup for `base_url`'s host. The same bytes are served
by the desk's own `/images/`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import lxml.html

from digest.app import App
from tests.feedserver import serve_feeds
from tests.test_desk import add_editor, editor_client, running
from tests.test_images_hosted import BASE, FERRY, NOW, feed, project, publisher


def test_the_preview_loads_hosted_pictures_from_the_desk(tmp_path: Path) -> None:
    bodies, types = publisher()
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = feed(server)
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        edition = app.build(now=NOW, reports=app.collect(now=NOW))
        app.close()
    add_editor(config)
    name = hashlib.sha256(FERRY).hexdigest() + ".png"
    with running(config) as base, editor_client(base) as c:
        html = c.get(f"/editions/{edition.id}/preview.html").text
        sources = [i.get("src") for i in lxml.html.document_fromstring(html).iter("img")]
        assert f"/images/{name}" in sources, sources
        assert not any(s.startswith(BASE) for s in sources), sources
        shown = c.get(f"/images/{name}")
        assert shown.status_code == 200 and shown.content == FERRY
