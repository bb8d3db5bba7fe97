"""The desk's status changes over real HTTP: only what the editor saw, and the truth about
what approving sets in motion (who gets the edition, and when).

Real server on 127.0.0.1, real SQLite; two browser sessions are two httpx clients.
"""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta
from pathlib import Path

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from digest.app import App
from digest.codec import iso
from digest.web import create_app
from tests.test_desk import (
    EDITOR,
    PASSWORD,
    add_editor,
    build,
    client,
    editor_client,
    login,
    running,
    story_keys,
    token,
)
from tests.test_send_stopped import _stopped_part_way
from tests.test_send_support import FaultyHandler, small_project, smtp_server
from tests.test_web_public import NOW, newsletter


def _page(c: httpx.Client, eid: int) -> tuple[str, str, str]:
    """The edition page as a browser keeps it: its text, CSRF token and version."""
    page = c.get(f"/editions/{eid}")
    assert page.status_code == 200
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found
    return page.text, token(page.text), found.group(1)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_a_status_change_from_a_stale_page_is_a_conflict(tmp_path: Path) -> None:
    """Editors A and B open the edition; B rewrites the lead; A's approve, cancel and
    (later) unapprove from the old page are refused, as an edit would be."""
    config = newsletter(tmp_path)
    add_editor(config)
    add_editor(config, "b@example.org", PASSWORD)
    eid = build(config)
    store = App.from_config(config).store
    lead = story_keys(config, eid)[0]
    with running(config) as base, editor_client(base) as a:
        _, a_csrf, a_version = _page(a, eid)
        with client(base) as b:
            assert login(b, "b@example.org").status_code == 303
            _, b_csrf, b_version = _page(b, eid)
            edited = b.post(
                f"/editions/{eid}/stories",
                data={
                    "csrf_token": b_csrf,
                    "version": b_version,
                    "action": "edit",
                    "key": lead,
                    "title": "B's headline",
                    "summary": "B's words.",
                },
            )
            assert edited.status_code == 303
            for fields in ({"action": "approve"}, {"action": "cancel", "confirm": "yes"}):
                r = a.post(
                    f"/editions/{eid}/status",
                    data={"csrf_token": a_csrf, "version": a_version, **fields},
                )
                assert r.status_code == 409, fields
                assert "b@example.org changed edition" in _text(r.text)
                assert store.edition_status(eid) == "draft"
            # A reloads, sees B's headline and approves that.
            page, a_csrf, a_version = _page(a, eid)
            assert "B&#39;s headline" in page or "B's headline" in page
            ok = a.post(
                f"/editions/{eid}/status",
                data={"csrf_token": a_csrf, "version": a_version, "action": "approve"},
            )
            assert ok.status_code == 303 and store.edition_status(eid) == "approved"
            # B unapproves, edits again and approves; A's unapprove from before is stale.
            _, b_csrf, b_version = _page(b, eid)
            for fields in (
                {"action": "unapprove"},
                {"action": "edit", "key": lead, "title": "B again", "summary": ""},
            ):
                path = "status" if fields["action"] == "unapprove" else "stories"
                _, b_csrf, b_version = _page(b, eid)
                r = b.post(
                    f"/editions/{eid}/{path}",
                    data={"csrf_token": b_csrf, "version": b_version, **fields},
                )
                assert r.status_code == 303
            _, b_csrf, b_version = _page(b, eid)
            b.post(
                f"/editions/{eid}/status",
                data={"csrf_token": b_csrf, "version": b_version, "action": "approve"},
            )
            assert store.edition_status(eid) == "approved"
            r = a.post(
                f"/editions/{eid}/status",
                data={"csrf_token": a_csrf, "version": a_version, "action": "unapprove"},
            )
            assert r.status_code == 409
            assert store.edition_status(eid) == "approved"


def _active(config: Path) -> int:
    store = App.from_config(config).store
    return len(store.subscribers("daily", statuses=("active",)))


def test_approving_a_hand_built_edition_says_it_has_no_slot(tmp_path: Path) -> None:
    """`digest build` makes an edition with no slot: the scheduler never sends it, and
    with approval = "auto" it sends an edition of its own at the list's next slot."""
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    n = _active(config)
    assert n > 1
    with running(config) as base, editor_client(base) as c:
        page, csrf, version = _page(c, eid)
        before = _text(page)
        assert f"If approved: {n} active subscribers of “daily” will get it." in before
        assert "It was made by hand, so it is not sent automatically" in before
        assert f"<code>digest send {eid}</code>" in page
        assert "Approve" in before
        r = c.post(
            f"/editions/{eid}/status",
            data={"csrf_token": csrf, "version": version, "action": "approve"},
        )
        assert r.status_code == 303
        page_after = c.get(r.headers["location"]).text
        after = _text(page_after)
        assert "Approved." in after
        assert f"{n} active subscribers of “daily” will get it." in after
        assert f"<code>digest send {eid}</code>" in page_after
        assert "goes out at its slot" not in after
        # NOW is 07:00 in Copenhagen, the slot of "0 7 * * *": the next is tomorrow's.
        assert (
            "The list's next edition, for Sat 28 Nov 2026, 07:00 CET (Europe/Copenhagen), "
            "is a separate one: it is made and sent automatically" in after
        )


def test_approving_a_slot_edition_says_when_in_the_lists_zone(tmp_path: Path) -> None:
    config = newsletter(tmp_path, extra="")
    add_editor(config)
    app = App.from_config(config)
    reports = app.collect(now=NOW)
    slot = iso(NOW + timedelta(days=1))
    assert slot is not None
    built = app.draft(list_name="daily", now=NOW, slot=slot, reports=reports)
    assert built.edition is not None and built.edition.id is not None
    eid = built.edition.id
    late = app.draft(list_name="daily", now=NOW, slot=iso(NOW - timedelta(days=1)))
    assert late.edition is not None and late.edition.id is not None
    n = _active(config)
    with running(config) as base, editor_client(base) as c:
        page, csrf, version = _page(c, eid)
        assert "It goes out at its slot, Sat 28 Nov 2026, 07:00 CET (Europe/Copenhagen)" in _text(
            page
        )
        r = c.post(
            f"/editions/{eid}/status",
            data={"csrf_token": csrf, "version": version, "action": "approve"},
        )
        after = _text(c.get(r.headers["location"]).text)
        assert "Approved." in after
        assert f"{n} active subscribers of “daily” will get it." in after
        assert "It goes out at its slot, Sat 28 Nov 2026, 07:00 CET (Europe/Copenhagen)" in after
        assert "No scheduled slot" not in after
        # A slot a day old is past the grace window: the scheduler will not send it.
        late_page = _text(_page(c, late.edition.id)[0])
        assert "too late to go out automatically: it goes out only when someone runs " in late_page
        assert f"digest send {late.edition.id}" in late_page


def test_undo_all_needs_a_confirmation_that_says_how_many_changes_go(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    keys = story_keys(config, eid)
    store = App.from_config(config).store
    with running(config) as base, editor_client(base) as c:
        for action, key in (("drop", keys[1]), ("pin", keys[5])):
            _, csrf, version = _page(c, eid)
            r = c.post(
                f"/editions/{eid}/stories",
                data={"csrf_token": csrf, "version": version, "action": action, "key": key},
            )
            assert r.status_code == 303
        page, csrf, version = _page(c, eid)
        assert "discard all 2 changes" in _text(page)
        r = c.post(
            f"/editions/{eid}/undo", data={"csrf_token": csrf, "version": version, "all": "1"}
        )
        assert r.status_code == 303
        assert "undo all discards 2 changes. Nothing was undone." in _text(
            c.get(r.headers["location"]).text
        )
        assert len(store.overrides(eid)["operations"]) == 2
        _, csrf, version = _page(c, eid)
        r = c.post(
            f"/editions/{eid}/undo",
            data={"csrf_token": csrf, "version": version, "all": "1", "confirm": "yes"},
        )
        assert r.status_code == 303
        assert store.overrides(eid)["operations"] == []
        assert story_keys(config, eid) == keys


def test_a_session_ended_mid_edit_leads_back_and_keeps_the_words(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    lead = story_keys(config, eid)[0]
    before = App.from_config(config).store.overrides(eid)
    with running(config) as base, editor_client(base) as a:
        _, csrf, version = _page(a, eid)
        with editor_client(base) as elsewhere:  # logging out ends every session
            _, other_csrf, _ = _page(elsewhere, eid)
            assert elsewhere.post("/logout", data={"csrf_token": other_csrf}).status_code == 303
        r = a.post(
            f"/editions/{eid}/stories",
            data={
                "csrf_token": csrf,
                "version": version,
                "action": "edit",
                "key": lead,
                "title": "A headline I spent ten minutes on",
                "summary": "And a summary <b>with care</b>.",
            },
        )
        assert r.status_code == 401
        assert f'href="/login?next=/editions/{eid}"' in r.text
        shown = _text(r.text)
        assert "A headline I spent ten minutes on" in shown
        assert "And a summary <b>with care</b>." in shown  # shown as text, not markup
        assert "<b>with care</b>" not in r.text
        assert App.from_config(config).store.overrides(eid) == before
        # A GET goes to the login page and, once logged in, back to the edition.
        g = a.get(f"/editions/{eid}?subscriber=x%40example.org")
        assert g.status_code == 303
        assert g.headers["location"].startswith("/login?next=")
        form = a.get(g.headers["location"])
        back = a.post(
            g.headers["location"],
            data={
                "csrf_token": token(form.text),
                "email": "editor@example.org",
                "password": PASSWORD,
            },
        )
        assert back.status_code == 303
        assert back.headers["location"] == f"/editions/{eid}?subscriber=x%40example.org"


def test_only_failed_logins_count_against_a_client(tmp_path: Path) -> None:
    """Successes from a shared address (a newsroom) do not lock its editors out; failures
    still do, and five failures still lock the address typed."""
    config = newsletter(tmp_path, extra="[serve]\nlogin_client_limit = 3\n")
    add_editor(config)

    def attempt(base: str, email: str = EDITOR, password: str = PASSWORD) -> httpx.Response:
        with client(base) as c:  # a new browser each time, from the same address
            return login(c, email, password)

    with running(config) as base:
        for _ in range(4):
            assert attempt(base).status_code == 303
        for i in range(2):
            assert attempt(base, f"guess{i}@example.org", "x" * 12).status_code == 401
        assert attempt(base).status_code == 303  # 5 successes and 2 failures: still in
        assert attempt(base, "guess9@example.org", "x" * 12).status_code == 401
        refused = attempt(base)  # the third failure used up the client's window
        assert refused.status_code == 429 and "Too many failed attempts" in refused.text


def test_a_story_action_on_an_unknown_key_is_refused_and_stores_nothing(
    tmp_path: Path,
) -> None:
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    keys = story_keys(config, eid)
    store = App.from_config(config).store
    with running(config) as base, editor_client(base) as c:
        for action in ("pin", "unpin", "drop", "up", "down", "promote", "demote", "edit"):
            _, csrf, version = _page(c, eid)
            r = c.post(
                f"/editions/{eid}/stories",
                data={
                    "csrf_token": csrf,
                    "version": version,
                    "action": action,
                    "key": "nope",
                    "title": "Crafted",
                    "summary": "",
                },
            )
            assert r.status_code == 303, action
            page = _text(c.get(r.headers["location"]).text)
            assert "has no story 'nope'" in page, action
        assert store.overrides(eid).get("operations", []) == []
        assert story_keys(config, eid) == keys
        assert "As ranked: no editor's changes yet." in _text(_page(c, eid)[0])


def test_a_change_refused_because_of_another_editor_keeps_the_words(tmp_path: Path) -> None:
    """Editor A rewrites a story and writes a new one while B changes the edition, then
    while B has approved it: nothing of A's is stored, and A's page says so and shows
    what A typed (as text), with a link back to the edition, as when a session ends."""
    config = newsletter(tmp_path)
    add_editor(config)
    add_editor(config, "b@example.org", PASSWORD)
    eid = build(config)
    keys = story_keys(config, eid)
    store = App.from_config(config).store
    rewrite = {
        "action": "edit",
        "key": keys[1],
        "title": "A headline I spent ten minutes on",
        "summary": "And a summary <b>with care</b>.",
    }
    written = {
        "how": "hand",
        "title": "A story of my own, written by hand",
        "summary": "Its summary, also written by hand.",
        "url": "https://city.example/own",
        "source": "City Hall",
    }
    with running(config) as base, editor_client(base) as a, client(base) as b:
        assert login(b, "b@example.org").status_code == 303
        _, csrf, version = _page(a, eid)
        _, b_csrf, b_version = _page(b, eid)
        dropped = b.post(
            f"/editions/{eid}/stories",
            data={"csrf_token": b_csrf, "version": b_version, "action": "drop", "key": keys[0]},
        )
        assert dropped.status_code == 303
        before = store.overrides(eid)
        for path, fields in (("stories", rewrite), ("add", written)):
            r = a.post(
                f"/editions/{eid}/{path}", data={"csrf_token": csrf, "version": version, **fields}
            )
            assert r.status_code == 409, path
            shown = _text(r.text)
            assert "b@example.org changed edition" in shown and "Nothing was stored" in shown
            assert f'href="/editions/{eid}"' in r.text
            for name in ("title", "summary"):
                assert fields[name] in shown, (path, name)
            assert "<b>with care</b>" not in r.text  # shown as text, not markup
            assert store.overrides(eid) == before
        # B approves; A, from a page made after B's drop, is refused the same way.
        _, b_csrf, b_version = _page(b, eid)
        _, csrf, version = _page(a, eid)
        approved = b.post(
            f"/editions/{eid}/status",
            data={"csrf_token": b_csrf, "version": b_version, "action": "approve"},
        )
        assert approved.status_code == 303 and store.edition_status(eid) == "approved"
        for path, fields in (("stories", rewrite), ("add", written)):
            r = a.post(
                f"/editions/{eid}/{path}", data={"csrf_token": csrf, "version": version, **fields}
            )
            assert r.status_code == 409, path
            shown = _text(r.text)
            assert f"Edition {eid} is approved: only a draft can be changed" in shown
            assert fields["title"] in shown and fields["summary"] in shown, path
            assert store.overrides(eid) == before


def test_the_editions_list_counts_the_copies_of_an_edition_cancelled_mid_send(
    tmp_path: Path,
) -> None:
    """Readers got it before it was cancelled: the desk's list says how many, as
    `digest editions` does, rather than nothing (as if nobody had)."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        eid, delivered = _stopped_part_way(config, handler, "cancel")
    add_editor(config)
    with running(config) as base, editor_client(base) as c:
        page = c.get("/editions")
        assert page.status_code == 200
        (row,) = [
            _text(r)
            for r in re.findall(r"<tr>.*?</tr>", page.text, re.S)
            if f'"/editions/{eid}"' in r
        ]
        assert "cancelled" in row
        assert f"{delivered} sent" in row and f"{delivered} delivered" in row, row


def test_a_paused_edition_says_how_it_resumes_and_what_cancelling_it_means(
    tmp_path: Path,
) -> None:
    """Some readers have it: cancelling stops it for the others (it cannot un-send), and
    the page says how the send goes on, as `digest pause` does."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        eid, _ = _stopped_part_way(config, handler, "pause")
    add_editor(config)
    with running(config) as base, editor_client(base) as c:
        shown = _text(c.get(f"/editions/{eid}").text)
        assert "paused" in shown
        assert f"digest send {eid}" in shown  # how it resumes
        assert "never send it" not in shown  # it went to some already
        assert "nobody else gets it" in shown


def test_a_form_left_open_until_its_token_expired_keeps_the_words(tmp_path: Path) -> None:
    """An editor opened a story's form in the morning and saves it seven hours later,
    still logged in (the session is renewed by every page), but the form's CSRF token
    has expired (csrf.MAX_AGE): nothing is stored, and the page shows what they typed."""
    config = newsletter(tmp_path)
    add_editor(config)
    eid = build(config)
    lead = story_keys(config, eid)[0]
    app = App.from_config(config)
    before = app.store.overrides(eid)
    with running(config) as base, editor_client(base) as c:
        _, _, version = _page(c, eid)
        # The token the page gave in the morning: this session's, signed then.
        cookie = c.get(f"/editions/{eid}").request.headers["cookie"]
        value = re.search(r"digest_session=([^;]+)", cookie)
        assert value
        flask_app = create_app(app)
        session = flask_app.session_interface.get_signing_serializer(flask_app)  # type: ignore[attr-defined]
        sid = session.loads(value.group(1))["csrf"]

        class Morning(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time()) - 7 * 3600

        old = URLSafeTimedSerializer(
            app.settings.secret_key, salt="digest.csrf", signer=Morning
        ).dumps([sid, "desk"])
        r = c.post(
            f"/editions/{eid}/stories",
            data={
                "csrf_token": old,
                "version": version,
                "action": "edit",
                "key": lead,
                "title": "A headline written before lunch",
                "summary": "A summary written before lunch.",
            },
        )
        assert r.status_code == 400
        shown = _text(r.text)
        assert "This form has expired" in shown
        assert "A headline written before lunch" in shown
        assert "A summary written before lunch." in shown
        assert f'href="/editions/{eid}"' in r.text
        assert app.store.overrides(eid) == before
