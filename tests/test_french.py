"""A French newsletter speaks French everywhere its reader goes: the edition (both
parts, built and previewed through the CLI), the public pages through the real Flask
app, and the confirmation mail. Before, `language = "fr"` gave a French date and
`<html lang="fr">` around English words ("Read more", "Unsubscribe with one click").

A language the project has no strings for (Portuguese) loads with a warning naming the
file, the line and the languages there are: it used to give English without a word.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from digest.app import App
from digest.config import load
from digest.config.hints import STRING_LANGUAGES
from digest.lint import lint_file
from digest.render.language import STRINGS
from digest.render.page_strings import PAGE_STRINGS
from digest.render.welcome_strings import WELCOME_STRINGS
from digest.subscribers import subscribe
from digest.web import create_app
from tests.test_web_language import BASE, WEEKLY, _chrome, _csrf, _mail
from tests.test_web_public import NOW, ONE_CLICK, build_and_send, cli, newsletter, outbox


def _french(tmp_path: Path, language: str = "fr") -> Path:
    config = newsletter(tmp_path, extra=WEEKLY.replace("Ugebrevet", "La Lettre"))
    text = config.read_text().replace('name = "The Test Brief"', 'name = "Le Matin"', 1)
    config.write_text(text.replace("[newsletter]\n", f'[newsletter]\nlanguage = "{language}"\n', 1))
    return config


def _phrases(table: dict[str, str], french: dict[str, str]) -> set[str]:
    """The English words of a table between its fields, those French writes otherwise
    ("via" and "Format" are French too)."""
    found = set()
    for key, text in table.items():
        if french.get(key) == text:
            continue
        for chunk in re.split(r"\{\w+\}", text):
            chunk = chunk.strip(" .,:;()")
            if len(chunk) >= 4:
                found.add(chunk)
    return found


def _english(phrases: set[str], shown: str) -> list[str]:
    return sorted(p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", shown))


def _visible(html: str) -> str:
    """The words a reader sees (not the style sheet's `.more` and `.update`)."""
    document = lxml.html.document_fromstring(html)
    for style in document.xpath("//style"):
        style.drop_tree()
    return " ".join(document.text_content().split())


def test_a_french_edition_and_its_preview_hold_no_english(tmp_path: Path) -> None:
    config = _french(tmp_path)
    edition = build_and_send(config, NOW)
    message = next(iter(outbox(config, edition).values()))
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    out = tmp_path / "preview"
    cli(config, "preview", str(edition), "--out", str(out))
    (preview_html,) = out.glob("*.html")
    (preview_text,) = out.glob("*.txt")
    english = _phrases(STRINGS["en"], STRINGS.get("fr", {}))
    parts = {
        "html": _visible(html_part.get_content()),
        "text": " ".join(text_part.get_content().split()),
        "preview html": _visible(preview_html.read_text()),
        "preview text": " ".join(preview_text.read_text().split()),
    }
    for name, shown in parts.items():
        assert _english(english, shown) == [], name
    assert 'lang="fr"' in html_part.get_content()
    assert "Voir dans votre navigateur · Préférences · Se désabonner" in parts["html"]
    assert "Se désabonner en un clic" in parts["text"]
    assert "Modifier vos préférences" in parts["text"]
    # A label's colon is set off by a space, as French writes it, held to its word (the
    # text part writes a plain space where it binds: no line starts with the colon).
    text = text_part.get_content()
    assert re.search("Se désabonner en un clic[ \u00a0]:", text), text
    assert re.search("Lire la suite[ \u00a0]: https://", text), text
    assert not re.search(r"(?m)^:", text)
    # The linter reads the French footer as the newsletter's own (its links are no story).
    eml = sorted((config.parent / "outbox").glob(f"{edition}-*.eml"))[0]
    assert lint_file(eml) == []


def test_a_french_subscriber_meets_french_pages_and_mail(tmp_path: Path) -> None:
    config = _french(tmp_path)
    app = App.from_config(config)
    subscribe(app, "weekly", "lectrice@example.org", origin="web:subscribe", now=NOW)
    (mail,) = (config.parent / "outbox").glob("confirm-*.eml")
    msg = _mail(mail)
    body = msg.get_content()
    assert msg["Subject"] == "Confirmez votre abonnement à La Lettre"
    english = _phrases(PAGE_STRINGS["en"], PAGE_STRINGS.get("fr", {}))
    assert _english(english, body) == [], body
    confirm = re.search(r"https://brief\.example\.org(/c/\S+)", body)
    assert confirm, body
    edition = build_and_send(config, NOW)
    message = next(iter(outbox(config, edition).values()))
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    found = re.findall(r'href="https://brief\.example\.org(/[pu]/[^"]+)"', part.get_content())
    prefs = next(link for link in found if link.startswith("/p/"))
    unsub = next(link for link in found if link.startswith("/u/"))

    client = create_app(App.from_config(config), clock=lambda: NOW).test_client()
    form = client.get("/subscribe", base_url=BASE)
    data = {"list": "weekly", "email": "pas une adresse", "csrf_token": _csrf(form)}
    pages = {
        "subscribe": form,
        "refused": client.post("/subscribe", data=data, base_url=BASE),
        "confirm": client.get(confirm.group(1), base_url=BASE),
        "confirmed": client.post(confirm.group(1), base_url=BASE),
        "preferences": client.get(prefs, base_url=BASE),
        "unsubscribe": client.get(unsub, base_url=BASE),
        "unsubscribed": client.post(unsub, data=ONE_CLICK, base_url=BASE),
        "archive": client.get("/archive", base_url=BASE),
        "not found": client.get("/nowhere", base_url=BASE),
        "tampered": client.get(unsub[:-3] + "xyz", base_url=BASE),
    }
    left = {name: _english(english, _chrome(r)) for name, r in pages.items()}
    assert {name: found for name, found in left.items() if found} == {}
    assert all('<html lang="fr">' in r.get_data(as_text=True) for r in pages.values())
    unsubscribe = pages["unsubscribe"].get_data(as_text=True)
    assert "Se désabonner de Le Matin\u00a0?" in unsubscribe  # "?" never starts a line
    assert "Vous êtes désabonné" in _chrome(pages["unsubscribed"])
    assert "Abonnement confirmé" in _chrome(pages["confirmed"])
    assert "Page introuvable" in _chrome(pages["not found"])


def test_every_french_table_has_every_english_key_and_binds_its_marks() -> None:
    for tables in (STRINGS, PAGE_STRINGS, WELCOME_STRINGS):
        assert set(tables["fr"]) == set(tables["en"])
        for key, text in tables["fr"].items():
            # A French mark (? ! : ; ») never follows a plain space, « never precedes one.
            assert not re.search(r" [?!:;»]|« ", text), (key, text)
            assert "'" not in text, (key, text)  # typographic apostrophes, as « » are


def test_a_language_without_strings_is_named_in_a_warning(tmp_path: Path) -> None:
    config = _french(tmp_path, "pt")
    line = next(
        i for i, t in enumerate(config.read_text().splitlines(), 1) if t.startswith("language")
    )
    (warning,) = [w for w in load(config).warnings if "pt" in w]
    assert warning.startswith(f"{config}:{line}:"), warning
    assert "da, de, en, fr" in warning
    assert "newsletter.language 'pt' has no strings" in cli(
        config, "subscribers", "list", "--list", "daily"
    )


def test_the_config_knows_the_languages_the_tables_have() -> None:
    have = set(STRINGS) & set(PAGE_STRINGS) & set(WELCOME_STRINGS)
    assert set(STRING_LANGUAGES) == have == set(STRINGS) | set(PAGE_STRINGS) | set(WELCOME_STRINGS)


def test_a_language_with_strings_or_a_region_of_one_loads_without_warning(
    tmp_path: Path,
) -> None:
    for language in ("fr", "fr-CA", "da", "en"):
        config = _french(tmp_path / language, language)
        assert [w for w in load(config).warnings if "language" in w] == [], language


def test_a_french_newsletter_welcomes_in_french(tmp_path: Path) -> None:
    """The welcome mail, through a loopback SMTP server and the real confirm route."""
    from tests.conftest import free_port
    from tests.test_welcome import (
        READER,
        confirm_link,
        project,
        settle,
        smtp_on,
        text_of,
        web,
        welcomes,
    )

    port = free_port()
    config = project(tmp_path, port, newsletter='language = "fr"')
    with smtp_on(port) as box:
        subscribe(App.from_config(config), "weekly", READER, origin="web:subscribe", now=NOW)
        flask_app = web(config)
        assert flask_app.test_client().post(confirm_link(box), base_url=BASE).status_code == 200
        settle(flask_app)
        (welcome,) = welcomes(box)
    assert welcome["Subject"] == "Bienvenue dans The Weekly"
    body = " ".join(text_of(welcome).split())
    english = _phrases(WELCOME_STRINGS["en"], WELCOME_STRINGS["fr"])
    assert _english(english, body) == [], body
    assert "chaque lundi, mercredi et vendredi à 07:30" in body
    assert "La prochaine édition est prévue le lundi 30 novembre 2026 à 07:30." in body
