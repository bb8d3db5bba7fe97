"""The public archive over real HTTP: which editions are public, the web edition, the feed."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import httpx

from digest import curate
from digest.app import App
from digest.records import Story
from digest.web.desk_edition import change
from tests.test_desk import build, running
from tests.test_web_public import NOW, newsletter

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = 'Council <script>alert("x")</script> & "friends" vote'


def test_only_editions_that_went_out_are_public(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    ids = [build(config, NOW + timedelta(days=d)) for d in range(5)]
    store = App.from_config(config).store
    statuses = ["draft", "approved", "cancelled", "sending", "sent"]
    # An editor's headline with markup in it is shown as text, never as markup.
    change(App.from_config(config), ids[4], curate.Edit(_first_key(config, ids[4]), NASTY), now=NOW)
    for eid, status in zip(ids, statuses, strict=True):
        store.set_edition_status(eid, status, now=NOW + timedelta(hours=eid))
    with running(config) as base, httpx.Client(base_url=base) as c:
        for eid, status in zip(ids, statuses, strict=True):
            r = c.get(f"/archive/{eid}")
            assert r.status_code == (200 if status in ("sending", "sent") else 404), status
            if r.status_code == 404:
                assert (
                    "cache-control" not in r.headers or "public" not in r.headers["cache-control"]
                )
        page = c.get(f"/archive/{ids[4]}")
        assert html.escape(NASTY, quote=False) in page.text.replace("&#34;", '"')
        assert "<script>" not in page.text
        assert "/u/" not in page.text and "/p/" not in page.text  # nothing personal
        assert "script-src" not in page.headers["content-security-policy"]
        assert "no-store" not in page.headers.get("cache-control", "")
        assert "set-cookie" not in page.headers

        index = c.get("/archive").text
        assert f'href="/archive/{ids[4]}"' in index
        for eid in ids[:4]:  # sending is reachable by its link but not listed until sent
            assert f'href="/archive/{eid}"' not in index

        feed = c.get("/archive.atom")
        assert feed.headers["content-type"].startswith("application/atom+xml")
        root = ElementTree.fromstring(feed.content)
        assert root.tag == f"{ATOM}feed"
        assert root.findtext(f"{ATOM}id") == "https://brief.example.org/archive"
        (entry,) = root.findall(f"{ATOM}entry")
        assert entry.findtext(f"{ATOM}id") == f"https://brief.example.org/archive/{ids[4]}"
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href") == entry.findtext(f"{ATOM}id")
        assert entry.findtext(f"{ATOM}updated") == "2026-11-27T11:00:00Z"
        assert root.findtext(f"{ATOM}updated") == "2026-11-27T11:00:00Z"
        content = entry.findtext(f"{ATOM}content") or ""
        # The HTML in the feed escapes the headline: no script element once parsed.
        assert "<script>" not in content
        assert html.escape(NASTY, quote=False) in content.replace("&#34;", '"')


def test_an_empty_archive_and_an_unknown_edition(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    with running(config) as base, httpx.Client(base_url=base) as c:
        assert "No edition has gone out yet" in c.get("/archive").text
        root = ElementTree.fromstring(c.get("/archive.atom").content)
        assert root.findall(f"{ATOM}entry") == []
        assert c.get("/archive/42").status_code == 404


def _first_key(config: Path, edition_id: int) -> str:
    stories: tuple[Story, ...] = App.from_config(config).store.edition(edition_id).stories
    return stories[0].key


def test_a_story_without_a_link_of_its_own_links_to_its_whole_text_in_the_archive(
    tmp_path: Path,
) -> None:
    """The demo's folder source gives articles with no URL: before, the message showed
    their summary with no way to read on (no link in the HTML, no reference in the text
    part). Now each links to its page in the archive, which shows the stored text; a
    story with a link of its own has no such page, nor does a draft's story."""
    from click.testing import CliRunner

    from digest.cli import main
    from digest.render.stories import story_ref

    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    app = App.from_config(out / "digest.toml")
    edition = app.store.edition(1)
    own = [s for s in edition.stories if not s.url]
    linked = next(s for s in edition.stories if s.url)
    assert own, "the demo edition should hold a story from its folder source"
    message = next((out / "outbox").glob("*.eml")).read_text()
    page = f"https://brief.example.org/archive/1/story/{story_ref(own[0].key)}"
    assert page in message.replace("=\n", "")  # (quoted-printable soft breaks)
    article = app.store.article(own[0].key)
    assert article is not None and article.text
    with running(out / "digest.toml") as base, httpx.Client(base_url=base) as c:
        r = c.get(f"/archive/1/story/{story_ref(own[0].key)}")
        assert r.status_code == 200
        assert html.escape(own[0].title, quote=False) in r.text
        last = article.text.split("\n\n")[-1].strip()
        assert html.escape(last, quote=False) in r.text  # the whole text, to its end
        assert html.escape(article.summary, quote=False) in r.text  # and its standfirst
        edition_page = c.get("/archive/1").text
        assert f'href="/archive/1/story/{story_ref(own[0].key)}"' in edition_page
        assert c.get(f"/archive/1/story/{story_ref(linked.key)}").status_code == 404
        assert c.get("/archive/1/story/0000000000000000").status_code == 404
        app.store.set_edition_status(1, "draft", now=NOW)
        assert c.get(f"/archive/1/story/{story_ref(own[0].key)}").status_code == 404


def _sent_with_updates(config: Path) -> tuple[int, Story, Story]:
    """A sent edition whose first lead and first teaser are updates (first reported
    25 Nov): its id, that lead and that teaser."""
    app = App.from_config(config)
    built = app.store.edition(build(config))
    first = NOW - timedelta(days=2)
    lead, *others = built.leads
    teaser, *rest = built.teasers
    edition = replace(
        built,
        id=None,
        leads=(replace(lead, update=True, first_reported=first), *others),
        teasers=(replace(teaser, update=True, first_reported=first), *rest),
    )
    saved = app.store.save_edition(edition, now=NOW)
    assert saved.id is not None
    app.store.set_edition_status(saved.id, "sent", now=NOW)
    return saved.id, lead, teaser


def test_an_update_is_labelled_on_the_archive_page_as_in_the_email(tmp_path: Path) -> None:
    """A reader who opens the edition in the browser sees why yesterday's story is back:
    "Update · first reported …", as the email says (digest.rank.updates)."""
    config = newsletter(tmp_path)
    eid, lead, teaser = _sent_with_updates(config)
    with running(config) as base, httpx.Client(base_url=base) as c:
        page = c.get(f"/archive/{eid}").text
    label = "Update · first reported 25 Nov"
    assert page.count(label) == 2
    sections = page.split("<section")[1:]  # (the page title names the lead too)
    (section,) = [p for p in sections if html.escape(lead.title, quote=False) in p]
    assert label in section  # on the lead, beside its outlet
    paragraphs = [p for p in page.split("<p") if html.escape(teaser.title, quote=False) in p]
    assert len(paragraphs) == 1 and f"{label}:" in paragraphs[0]  # before the teaser


def test_an_update_is_labelled_in_the_archive_feed_as_on_the_page(tmp_path: Path) -> None:
    """A reader who follows the archive in a feed reader sees the same label before the
    update's headline as on the web edition (the feed showed the headline alone)."""
    config = newsletter(tmp_path)
    eid, lead, teaser = _sent_with_updates(config)
    with running(config) as base, httpx.Client(base_url=base) as c:
        root = ElementTree.fromstring(c.get("/archive.atom").content)
    (entry,) = [
        e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id", "").endswith(f"/{eid}")
    ]
    items = ElementTree.fromstring(entry.findtext(f"{ATOM}content", "")).findall("li")
    shown = [" ".join("".join(li.itertext()).split()) for li in items]
    label = "Update · first reported 25 Nov:"
    assert shown[0].startswith(f"{label} {lead.title}")
    (labelled,) = [s for s in shown if teaser.title in s]
    assert labelled.startswith(f"{label} {teaser.title}")
    assert sum(label in s for s in shown) == 2
