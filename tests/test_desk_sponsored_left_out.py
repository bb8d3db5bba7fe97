"""The edition page names the sponsored posts the ranking left out, to run one.

A sponsor's post is left out of an edition (reason `advert`) unless an editor chooses
to run it; the build's line counted them, but the desk said nothing of them, so an
editor could not see which there were, nor add one. The edition page lists them in
its Stories card (headline, source, link, and the number, worded as the build's line
words it), each with the desk's action for a story the ranking left out: added by its
link, as the source's own article, as a teaser (a sponsor never leads). The real app
through Flask's test client, a real feed file and SQLite.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from digest.app import App
from digest.web import create_app
from tests.conftest import write_project
from tests.test_desk import EDITOR, NOW, PASSWORD, add_editor, build, token
from tests.test_web_public import cli

HTTPS = {"base_url": "https://brief.example.org"}
SITE = "https://harbour.example.org"
NEWS = [
    ("Harbour tunnel contract signed", "The city signed the contract on Thursday."),
    ("Night ferry returns to the harbour", "The ferry sails again from Friday."),
    ("Library wins design prize", "The glass library by the river won the prize."),
]
ADS = [
    ("[Sponsor] Timing — Automatic Time Tracking for Mac", "Timing tracks your time for you."),
    ("Sponsored: The best mortgage for your first home", "Rates from the harbour bank."),
]


def _project(folder: Path, ads: list[tuple[str, str]] | tuple[()] = tuple(ADS)) -> Path:
    items = [
        {
            "id": f"herald-{n}",
            "url": f"{SITE}/news/{n}",
            "title": title,
            "summary": summary,
            "content_text": summary,
            "date_published": f"2026-11-27T0{n}:00:00Z",
        }
        for n, (title, summary) in enumerate([*NEWS, *ads], 1)
    ]
    folder.mkdir(parents=True)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Harbour Herald"}
    (folder / "feed.json").write_text(json.dumps({**feed, "items": items}), encoding="utf-8")
    sources = '[[sources]]\nname = "Harbour Herald"\nurl = "feed.json"\n'
    config = write_project(folder, sources=sources)
    config.write_text(
        config.read_text().replace("leads = 3\nteasers = 8", "leads = 1\nteasers = 4")
    )
    cli(
        config,
        "subscribers",
        "import",
        str(folder / "subscribers" / "daily.csv"),
        "--list",
        "daily",
    )
    add_editor(config)
    return config


def _desk(config: Path):  # type: ignore[no-untyped-def]
    c = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    form = c.get("/login", **HTTPS)
    data = {"csrf_token": token(form.text), "email": EDITOR, "password": PASSWORD}
    assert c.post("/login", data=data, **HTTPS).status_code == 303
    return c


def _left_out(page: str) -> str:
    found = re.search(r'<h3[^>]*id="sponsored-h".*?</ol>', page, re.S)
    assert found, "no list of sponsored posts left out"
    return found.group(0)


def _form_of(page: str, label: str) -> dict[str, str]:
    """The fields of the form whose button is labelled `label`, as a browser sends them."""
    for form in re.findall(r"<form\b.*?</form>", page, re.S):
        if f'aria-label="{html.escape(label, quote=True)}"' in form:
            fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
            return {name: html.unescape(value) for name, value in fields}
    raise AssertionError(f"no form with a button {label!r}")


def test_the_sponsored_posts_left_out_are_named_with_their_source_and_link(
    tmp_path: Path,
) -> None:
    config = _project(tmp_path / "news")
    eid = build(config, NOW)
    carried = [s.title for s in App.from_config(config).store.edition(eid).carried]
    assert not set(carried) & {t for t, _ in ADS} and len(carried) == 3
    page = _desk(config).get(f"/editions/{eid}", **HTTPS).text
    listed = _left_out(page)
    assert "Left out: 2 sponsored posts and advertisements<" in listed
    for n, (title, _) in enumerate(ADS, len(NEWS) + 1):
        assert f'<a href="{SITE}/news/{n}"' in listed and html.escape(title) in listed
    assert listed.count("Harbour Herald") == 2
    for title, _ in NEWS:  # the stories that run are not in it
        assert title not in listed


def test_an_editor_adds_one_by_its_button_and_it_runs_as_the_sources_teaser(
    tmp_path: Path,
) -> None:
    config = _project(tmp_path / "news")
    eid = build(config, NOW)
    c = _desk(config)
    title = ADS[0][0]
    page = c.get(f"/editions/{eid}", **HTTPS).text
    r = c.post(f"/editions/{eid}/add", data=_form_of(page, f"Add “{title}” as a teaser"), **HTTPS)
    assert r.status_code == 303
    after = c.get(r.headers["Location"], **HTTPS).text
    assert f"Added “{title}”." in after
    edition = App.from_config(config).store.edition(eid)
    (added,) = [s for s in edition.teasers if s.title == title]
    stored = {a.title: a for a in App.from_config(config).store.articles()}
    assert added.key == stored[title].key and added.source == "Harbour Herald"
    assert title not in [s.title for s in edition.leads]
    listed = _left_out(after)  # only the other one is left out now
    assert "Left out: 1 sponsored post or advertisement<" in listed
    assert html.escape(title) not in listed and html.escape(ADS[1][0]) in listed


def test_no_list_without_sponsored_posts_and_no_button_once_approved(tmp_path: Path) -> None:
    """Guard: an edition with no sponsored post left out shows no such list; an approved
    edition names them but cannot be changed from there."""
    plain = _project(tmp_path / "plain", ads=())
    page = _desk(plain).get(f"/editions/{build(plain, NOW)}", **HTTPS).text
    assert 'id="sponsored-h"' not in page and "sponsored post" not in page
    config = _project(tmp_path / "news")
    eid = build(config, NOW)
    c = _desk(config)
    page = c.get(f"/editions/{eid}", **HTTPS).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    data = {"csrf_token": token(page), "action": "approve", "version": version.group(1)}
    assert c.post(f"/editions/{eid}/status", data=data, **HTTPS).status_code == 303
    page = c.get(f"/editions/{eid}", **HTTPS).text
    assert html.escape(ADS[0][0]) in _left_out(page)
    assert "as a teaser" not in _left_out(page)
