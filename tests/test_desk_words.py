"""The desk's words as an editor reads them: what approving does, a change refused
because the edition moved on, and counts.

An audit of the desk found config jargon beside Approve ("send it with `digest send
1`… (approval = "auto")", raw backticks included), said twice after approving; a
change from a second tab of the same editor called "Changed by someone else", in a
sentence starting "edition 1 was changed…"; and "1 stories" on the sources page. Real
server on 127.0.0.1, real SQLite; two tabs are two httpx clients of one editor.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx

from digest.app import App
from tests.test_desk import (
    PASSWORD,
    add_editor,
    build,
    client,
    editor_client,
    login,
    post,
    running,
    story_keys,
    token,
)
from tests.test_web_public import newsletter


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _main(page: str) -> str:
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found
    return found.group(0)


def _outlook(page: str) -> str:
    found = re.search(r'<span class="small outlook" id="outlook">(.*?)</span>', page, re.S)
    assert found, "no outlook beside Approve"
    return found.group(1)


def _page(c: httpx.Client, eid: int) -> tuple[str, str, str]:
    page = c.get(f"/editions/{eid}")
    assert page.status_code == 200
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found
    return page.text, token(page.text), found.group(1)


# -- 1. what approving does, in an editor's words, said once -----------------------------------
def test_the_words_beside_approve_are_plain_and_said_once(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)  # by hand: no slot
    active = len(App.from_config(config).store.subscribers("daily", statuses=("active",)))
    with running(config) as base, editor_client(base) as c:
        page, csrf, version = _page(c, eid)
        beside = _outlook(page)
        words = _text(beside)
        assert "`" not in words and "approval =" not in words and "grace_minutes" not in words
        assert f"{active} active subscribers" in words
        # The one command an editor needs here is shown as code, not in backticks.
        assert f"<code>digest send {eid}</code>" in beside
        assert "not sent automatically" in words, words
        r = c.post(
            f"/editions/{eid}/status",
            data={"csrf_token": csrf, "version": version, "action": "approve"},
        )
        assert r.status_code == 303
        after = c.get(r.headers["location"]).text
        shown = _text(_main(after))
        assert "Approved." in shown
        # What happens next is said once (beside the status), not in the message too.
        assert shown.count(f"{active} active subscribers") == 1, shown
        assert shown.count(f"digest send {eid}") == 1, shown
        assert "`" not in shown and "approval =" not in shown


def test_a_list_name_beside_approve_is_escaped(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    with running(config) as base, editor_client(base) as c:
        beside = _outlook(_page(c, eid)[0])
        assert "“daily”" in html.unescape(beside)
        assert "<script" not in beside


# -- 2. a change from a page older than the edition ----------------------------------------------
def _edit(
    c: httpx.Client, eid: int, csrf: str, version: str, key: str, title: str
) -> httpx.Response:
    return c.post(
        f"/editions/{eid}/stories",
        data={
            "csrf_token": csrf,
            "version": version,
            "action": "edit",
            "key": key,
            "title": title,
            "summary": "A summary <b>typed with care</b>.",
        },
    )


def _said(page: str) -> str:
    found = re.search(r'<p role="alert">(.*?)</p>', page, re.S)
    assert found, page
    return _text(found.group(1))


def test_a_stale_second_tab_of_the_same_editor_is_told_it_was_their_other_tab(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    keys = story_keys(config, eid)
    store = App.from_config(config).store
    with running(config) as base, editor_client(base) as tab1, editor_client(base) as tab2:
        _, csrf1, v1 = _page(tab1, eid)
        _, csrf2, v2 = _page(tab2, eid)
        assert _edit(tab1, eid, csrf1, v1, keys[0], "Tab one's headline").status_code == 303
        before = store.overrides(eid)
        r = _edit(tab2, eid, csrf2, v2, keys[1], "A headline typed in the second tab")
        assert r.status_code == 409
        heading = _text(re.search(r"<h1>(.*?)</h1>", r.text, re.S).group(1))  # type: ignore[union-attr]
        said = _said(r.text)
        assert "someone else" not in heading.lower() and "someone else" not in said.lower()
        assert said[0].isupper(), said
        assert "since this page was loaded" in said and "another tab" in said, said
        assert "You changed" in said, said
        # The editor's words are kept, as text.
        shown = _text(r.text)
        assert "A headline typed in the second tab" in shown
        assert "A summary <b>typed with care</b>." in shown
        assert "<b>typed with care</b>" not in r.text
        assert store.overrides(eid) == before


def test_a_stale_page_names_the_other_editor_who_changed_it(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    add_editor(config, "b@example.org", PASSWORD)
    eid = build(config)
    keys = story_keys(config, eid)
    with running(config) as base, editor_client(base) as a, client(base) as b:
        assert login(b, "b@example.org").status_code == 303
        _, a_csrf, a_version = _page(a, eid)
        assert (
            post(b, eid, "stories", action="drop", key=keys[0], version=a_version).status_code
            == 303
        )
        for path, fields in (
            ("stories", {"action": "edit", "key": keys[1], "title": "A's headline"}),
            ("status", {"action": "approve"}),
            ("undo", {}),
        ):
            r = a.post(
                f"/editions/{eid}/{path}",
                data={"csrf_token": a_csrf, "version": a_version, **fields},
            )
            assert r.status_code == 409, path
            said = _said(r.text)
            assert said.startswith("b@example.org changed edition"), said
            assert "since this page was loaded" in said and "Nothing was stored" in said, said


# -- 4. counts ----------------------------------------------------------------------------------
def test_the_sources_page_counts_one_story_as_one_story(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    with running(config) as base, editor_client(base) as c:
        r = post(
            c,
            eid,
            "add",
            how="hand",
            title="A story of our own, by hand",
            summary="Its summary.",
            version=_page(c, eid)[2],
        )
        assert r.status_code == 303, r.text
        shown = _text(c.get("/sources").text)
        assert "Added on the desk: 1 story (by URL or by hand)" in shown, shown
        assert "1 stories" not in shown
