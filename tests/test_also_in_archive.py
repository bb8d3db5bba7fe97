"""The web archive names a story's other outlets as the email does: the same capped
list ("Also in: NJ.com, TheHill, USA TODAY and 2 more"), under a teaser as under a
lead, on a story's own page, and in the Atom feed.

The archive's edition page named every other outlet under a lead (no cap, no "and N
more") and none under a teaser; a story's page and the feed named none at all.
"""

from __future__ import annotations

import html
from pathlib import Path
from xml.etree import ElementTree

import httpx
import lxml.html

from digest.app import App
from digest.render.stories import story_ref
from tests.test_also_in_teasers import NOW, TEASER, _project
from tests.test_desk import running

ATOM = "{http://www.w3.org/2005/Atom}"
TEASER_ALSO = "Also in: NJ.com, TheHill, USA TODAY"
LEAD_ALSO = "Also in: NJ.com, TheHill, USA TODAY and 2 more"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _sent(tmp_path: Path) -> tuple[Path, int, str]:
    """A real build from folder sources, marked sent (public); the teaser's page ref."""
    config = _project(tmp_path)
    app = App.from_config(config)
    try:
        edition = app.build(now=NOW, reports=app.collect(now=NOW))
        assert edition.id is not None
        app.store.set_edition_status(edition.id, "sent", now=NOW)
        (teaser,) = [s for s in edition.teasers if s.title == TEASER]
    finally:
        app.close()
    return config, edition.id, story_ref(teaser.key)


def test_the_archive_shows_the_emails_also_in_under_leads_teasers_and_story_pages(
    tmp_path: Path,
) -> None:
    config, eid, ref = _sent(tmp_path)
    with running(config) as base, httpx.Client(base_url=base) as c:
        page = lxml.html.document_fromstring(c.get(f"/archive/{eid}").text)
        lines = [_flat(p.text_content()) for p in page.iter("p") if "Also in" in p.text_content()]
        assert LEAD_ALSO in lines  # the lead: capped, as in the email
        assert not any("Wire Five" in line or "Wire Six" in line for line in lines)
        teaser = next(p for p in page.iter("p") if TEASER[:20] in p.text_content())
        after = teaser.getnext()
        assert after is not None and _flat(after.text_content()) == TEASER_ALSO
        story = c.get(f"/archive/{eid}/story/{ref}")
        assert story.status_code == 200
        assert TEASER_ALSO in _flat(lxml.html.document_fromstring(story.text).text_content())
        root = ElementTree.fromstring(c.get("/archive.atom").content)
        (entry,) = root.findall(f"{ATOM}entry")
        content = lxml.html.fragment_fromstring(entry.findtext(f"{ATOM}content") or "")
        (item,) = [li for li in content.iter("li") if TEASER[:20] in li.text_content()]
        assert TEASER_ALSO in _flat(html.unescape(item.text_content()))
