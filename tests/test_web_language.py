"""A newsletter in Danish speaks Danish everywhere its subscriber goes, not only in the
edition: the subscribe form, the confirmation mail, the confirm, preferences and
unsubscribe pages, the archive, and the error pages a mistyped or stale link leads to.

Before, only the edition's fixed strings followed `[newsletter] language`: a Danish
reader pressed "Afmeld med ét klik" and landed on "Unsubscribe from ...?" (and a page
marked `lang="da"`, so a screen reader read the English with a Danish voice); the
confirmation mail, the archive and every error were English too. The real Flask app,
SQLite and the outbox transport, with the links taken from the messages.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from werkzeug.test import TestResponse

from digest.app import App
from digest.subscribers import subscribe
from digest.web import create_app
from tests.test_web_public import NOW, ONE_CLICK, build_and_send, newsletter, outbox

BASE = "https://brief.example.org"
WEEKLY = '[[lists]]\nname = "weekly"\ntitle = "Ugebrevet"\ndouble_opt_in = true\n'

#: What the pages and the confirmation mail say in English (none of it is Danish).
ENGLISH = [
    "Subscribe", "Unsubscribe", "Email address", "Name (optional)", "Newsletter",
    "Check your inbox", "Thank you", "Confirm", "Already", "expired", "Not subscribed",
    "preferences", "Preferences", "Sections", "Plain text only", "Time zone", "list's",
    "Delivery", "every edition", "send nothing", "Save", "You are", "will receive",
    "no more editions", "Past editions", "Every edition", "Atom feed", "Also in",
    "The whole edition", "Not Found", "Bad Request", "This link", "Choose", "Did not ask",
    "takes effect", "by mistake", "again", "Hello", "someone", "To confirm",
    "The link works", "ignore", "email address", "Reload", "no such",
]  # fmt: skip


def _danish(tmp_path: Path) -> Path:
    config = newsletter(tmp_path, extra=WEEKLY)
    text = config.read_text()
    text = text.replace('name = "The Test Brief"', 'name = "Morgenbrevet"', 1)
    config.write_text(text.replace("[newsletter]\n", '[newsletter]\nlanguage = "da"\n', 1))
    return config


def _chrome(response: TestResponse) -> str:
    """The words the page itself adds: its visible text without the stories (the
    sample's articles are English) and without the time-zone names."""
    page = response.get_data(as_text=True)
    for pattern in (r"<style.*?</style>", r"<article.*?</article>", r'<ol class="archive".*?</ol>'):
        page = re.sub(pattern, " ", page, flags=re.S)
    page = re.sub(r"<option>[^<]*</option>", " ", page)
    if response.request.path.startswith("/archive/"):
        page = re.sub(r"<title>.*?</title>", " ", page)  # the edition's subject, or a story's
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _english(text: str) -> list[str]:
    return [phrase for phrase in ENGLISH if phrase in text]


def _mail(path: Path) -> EmailMessage:
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _csrf(response: TestResponse) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    return html.unescape(found.group(1))


def test_a_danish_subscriber_meets_no_english_from_form_to_unsubscribe(tmp_path: Path) -> None:
    config = _danish(tmp_path)
    app = App.from_config(config)
    subscribe(app, "weekly", "læser@example.org", origin="web:subscribe", now=NOW)
    (mail,) = (config.parent / "outbox").glob("confirm-*.eml")
    msg = _mail(mail)
    body = msg.get_content()
    assert _english(f"{msg['Subject']}\n{body}") == [], body
    assert msg["Subject"] == "Bekræft din tilmelding til Ugebrevet"
    confirm = re.search(r"https://brief\.example\.org(/c/\S+)", body)
    assert confirm, body

    edition = build_and_send(config, NOW)
    message = next(iter(outbox(config, edition).values()))
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    found = re.findall(
        r'href="https://brief\.example\.org(/([pu]|archive/\d+/story)/[^"]+)"', part.get_content()
    )
    prefs, unsub, story = (next(link for link, kind in found if kind.startswith(k)) for k in "pua")

    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    pages: dict[str, TestResponse] = {}

    def visit(name: str, response: TestResponse, status: int = 200) -> TestResponse:
        assert response.status_code == status, (name, response.status_code)
        pages[name] = response
        return response

    form = visit("subscribe", client.get("/subscribe", base_url=BASE))
    data = {"list": "weekly", "email": "ikke en adresse", "csrf_token": _csrf(form)}
    visit("refused address", client.post("/subscribe", data=data, base_url=BASE), 400)
    data["email"] = "ny@example.org"
    visit("check your inbox", client.post("/subscribe", data=data, base_url=BASE))
    visit("no session", client.post("/subscribe", data={"list": "daily"}, base_url=BASE), 400)
    visit("confirm", client.get(confirm.group(1), base_url=BASE))
    visit("confirmed", client.post(confirm.group(1), base_url=BASE))
    visit("already confirmed", client.get(confirm.group(1), base_url=BASE))
    late = create_app(App.from_config(config), clock=lambda: NOW + timedelta(days=30))
    subscribe(app, "weekly", "sen@example.org", origin="web:subscribe", now=NOW)
    (later,) = [
        _mail(m).get_content()
        for m in (config.parent / "outbox").glob("confirm-*.eml")
        if _mail(m)["To"] == "sen@example.org"
    ]
    stale = re.search(r"https://brief\.example\.org(/c/\S+)", later)
    assert stale
    visit("expired", late.test_client().get(stale.group(1), base_url=BASE), 410)

    saved = visit("preferences", client.get(prefs, base_url=BASE))
    data = {"csrf_token": _csrf(saved), "delivery": "active"}
    visit("no section", client.post(prefs, data=data, base_url=BASE), 400)
    done = client.post(prefs, data={**data, "section": "Culture"}, base_url=BASE)
    visit("saved", client.get(done.headers["Location"], base_url=BASE))
    visit("unsubscribe", client.get(unsub, base_url=BASE))
    visit("unsubscribed", client.post(unsub, data=ONE_CLICK, base_url=BASE))
    visit("already unsubscribed", client.get(unsub, base_url=BASE))
    visit("unsubscribed preferences", client.get(prefs, base_url=BASE))
    visit("old confirmation link", client.get(confirm.group(1), base_url=BASE))

    visit("archive", client.get("/archive", base_url=BASE))
    visit("web edition", client.get(f"/archive/{edition}", base_url=BASE))
    visit("story", client.get(story, base_url=BASE))
    visit("tampered link", client.get(unsub[:-3] + "xyz", base_url=BASE), 404)
    visit("no such page", client.get("/nowhere", base_url=BASE), 404)
    visit("no such edition", client.get("/archive/999", base_url=BASE), 404)

    english = {name: found for name, r in pages.items() if (found := _english(_chrome(r)))}
    assert english == {}
    assert all('<html lang="da">' in r.get_data(as_text=True) for r in pages.values())
    # What the reader reads, in their language.
    assert "Afmeld Morgenbrevet?" in _chrome(pages["unsubscribe"])
    assert "Du er afmeldt" in _chrome(pages["unsubscribed"])
    assert "Tilmeldingen er bekræftet" in _chrome(pages["confirmed"])
    assert "Også hos:" in pages["web edition"].get_data(as_text=True)
    assert "Ikke fundet" in _chrome(pages["tampered link"])


def test_every_language_has_every_page_string_with_the_same_fields() -> None:
    from digest.render.page_strings import PAGE_STRINGS

    english = PAGE_STRINGS["en"]
    for language, table in PAGE_STRINGS.items():
        assert set(table) == set(english), language
        for key, text in table.items():
            fields = set(re.findall(r"\{(\w+)\}", text))
            assert fields <= set(re.findall(r"\{(\w+)\}", english[key])), (language, key)


#: Werkzeug's own words for a refusal that names no reason, and for a NUL in a field.
WERKZEUG_ENGLISH = [
    "The browser (or proxy)", "You don't have the permission", "no longer available",
    "exceeded an allotted", "temporarily unable", "holds a NUL character",
]  # fmt: skip


def test_an_error_page_with_werkzeug_s_own_words_speaks_the_newsletter_s_language(
    tmp_path: Path,
) -> None:
    """A refusal without a reason of ours (a malformed request, a rate limit, a service
    down for maintenance) and a NUL in an archive filter were explained in werkzeug's
    English under a Danish or German title: "Ugyldig forespørgsel / The browser (or proxy)
    sent a request that this server could not understand." The real app and its error
    pages; the route that refuses is the only thing added."""
    from flask import abort

    expected = {
        "da": {
            400: "Serveren kunne ikke forstå forespørgslen.",
            403: "Du har ikke adgang til denne side.",
            410: "Siden findes ikke længere.",
            429: "Der er kommet for mange forespørgsler. Vent lidt, og prøv igen.",
            503: "Tjenesten er midlertidigt utilgængelig. Prøv igen senere.",
        },
        "de": {
            400: "Der Server konnte die Anfrage nicht verstehen.",
            403: "Sie haben keinen Zugriff auf diese Seite.",
            410: "Diese Seite ist nicht mehr verfügbar.",
            429: "Es kamen zu viele Anfragen. Warten Sie kurz und versuchen Sie es erneut.",
            503: ("Der Dienst ist vorübergehend nicht verfügbar. Versuchen Sie es später erneut."),
        },
    }
    nul = {
        "da": "Feltet 'list' indeholder et NUL-tegn (U+0000), som ikke er tilladt.",
        "de": "Das Feld 'list' enthält ein NUL-Zeichen (U+0000), das nicht erlaubt ist.",
    }
    for language, texts in expected.items():
        config = _danish(tmp_path / language)
        config.write_text(config.read_text().replace('"da"', f'"{language}"', 1))
        flask_app = create_app(App.from_config(config), clock=lambda: NOW)
        flask_app.add_url_rule("/refuse/<int:code>", "refuse", lambda code: abort(code))
        client = flask_app.test_client()
        for code, text in texts.items():
            page = client.get(f"/refuse/{code}", base_url=BASE)
            assert page.status_code == code
            shown = _chrome(page)
            assert text in shown, (language, code, shown)
            assert [w for w in WERKZEUG_ENGLISH if w in shown] == [], (language, code)
        page = client.get("/archive?list=%00", base_url=BASE)
        assert page.status_code == 400
        assert nul[language] in _chrome(page), _chrome(page)
        assert [w for w in WERKZEUG_ENGLISH if w in _chrome(page)] == []


def test_an_english_newsletter_keeps_werkzeug_s_words_and_the_nul_message(
    tmp_path: Path,
) -> None:
    """What must not change: English pages say what they said."""
    from flask import abort

    flask_app = create_app(App.from_config(newsletter(tmp_path)), clock=lambda: NOW)
    flask_app.add_url_rule("/refuse/<int:code>", "refuse", lambda code: abort(code))
    client = flask_app.test_client()
    assert "The browser (or proxy) sent a request" in _chrome(client.get("/refuse/400"))
    page = _chrome(client.get("/archive?list=%00", base_url=BASE))
    assert "The field 'list' holds a NUL character (U+0000)." in page
