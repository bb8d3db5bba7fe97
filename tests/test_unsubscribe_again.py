"""The unsubscribe link opened again, and a one-click unsubscribe of an address that
is gone.

Before, opening the footer's unsubscribe link again after a one-click unsubscribe
showed "Unsubscribe from …?" with "already unsubscribed" and no way back, although
the page right after the POST links to "Subscribe again"; and after `digest
subscribers forget ADDRESS` a mail provider's RFC 8058 POST got a 404, as if the
request had failed, when the state it asks for holds. Now the link shows the
already-unsubscribed page with its "Subscribe again" link, and the one-click POST of a
subscription that no longer exists answers 200 (a GET of it, and any tampered token,
stay 404). The real Flask app on a real SQLite file, in English, Danish and German.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from digest.app import App
from digest.cli import main
from digest.render.language import Strings
from digest.render.page_strings import PAGE_STRINGS
from digest.web import create_app
from tests.conftest import write_project
from tests.test_web_public import NOW, ONE_CLICK

BASE = "https://brief.example.org"
ANNA = "anna.kowalski@example.com"


def _project(tmp_path: Path, language: str = "en") -> Path:
    config = write_project(tmp_path / "news")
    if language != "en":
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace("[newsletter]\n", f'[newsletter]\nlanguage = "{language}"\n', 1)
        )
    r = CliRunner().invoke(
        main, ["subscribers", "import", "--list", "daily", "--config", str(config)]
    )
    assert r.exit_code == 0, r.output
    return config


def _client(config: Path) -> tuple[App, FlaskClient]:
    app = App.from_config(config)
    return app, create_app(app, clock=lambda: NOW).test_client()


def _unsubscribe_url(app: App, email: str) -> str:
    sub = app.store.subscriber("daily", email)
    assert sub is not None
    return "/u/" + app.tokens.make("unsubscribe", sub.id)


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_the_link_opened_again_shows_the_page_with_subscribe_again(
    tmp_path: Path, language: str
) -> None:
    config = _project(tmp_path, language)
    app, client = _client(config)
    t = Strings(language, PAGE_STRINGS)
    url = _unsubscribe_url(app, ANNA)
    posted = client.post(url, data=ONE_CLICK, base_url=BASE)
    assert posted.status_code == 200
    after_post = posted.get_data(as_text=True)
    assert t("unsubscribed.rejoin") in after_post

    again = client.get(url, base_url=BASE)
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert t("unsubscribed.heading") in page
    assert t("unsubscribe.heading", list="The Test Brief") not in page
    assert "<form" not in page  # nothing left to click but the way back
    rejoin = re.search(r'<a href="(/p/[^"]+)">' + re.escape(t("unsubscribed.rejoin")), page)
    assert rejoin, page
    # The link leads back: the preferences page subscribes again.
    prefs = client.get(rejoin.group(1), base_url=BASE).get_data(as_text=True)
    assert 'name="action" value="rejoin"' in prefs
    # A second POST (the provider retrying) says the same, with the way back.
    repeat = client.post(url, data=ONE_CLICK, base_url=BASE).get_data(as_text=True)
    assert t("unsubscribed.rejoin") in repeat and t("unsubscribed.heading") in repeat


def test_a_bounced_address_is_not_offered_to_subscribe_again(tmp_path: Path) -> None:
    config = _project(tmp_path)
    app, client = _client(config)
    sub = app.store.subscriber("daily", ANNA)
    assert sub is not None
    assert app.store.set_status(sub.id, "bounced", origin="test", now=NOW)
    page = client.get(_unsubscribe_url(app, ANNA), base_url=BASE).get_data(as_text=True)
    assert "You are unsubscribed" in page and "Subscribe again" not in page


def test_one_click_after_forget_answers_200_and_a_tampered_token_404(tmp_path: Path) -> None:
    config = _project(tmp_path)
    app, client = _client(config)
    url = _unsubscribe_url(app, ANNA)
    r = CliRunner().invoke(main, ["subscribers", "forget", ANNA, "--config", str(config)])
    assert r.exit_code == 0, r.output

    posted = client.post(url, data=ONE_CLICK, base_url=BASE)
    assert posted.status_code == 200, posted.get_data(as_text=True)
    assert "no longer exists" in posted.get_data(as_text=True)
    # Multipart, as some providers send it.
    multipart = client.post(
        url, data={"List-Unsubscribe": "One-Click"}, content_type="multipart/form-data",
        base_url=BASE,
    )  # fmt: skip
    assert multipart.status_code == 200
    # Not a one-click request: refused as before.
    assert client.post(url, data={"x": "y"}, base_url=BASE).status_code == 400
    # A GET may say it no longer exists.
    got = client.get(url, base_url=BASE)
    assert got.status_code == 404 and "no longer exists" in got.get_data(as_text=True)
    # A tampered token changes nothing and stays 404.
    payload, signature = url.removeprefix("/u/").split(".")
    middle = len(signature) // 2
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B")
    flipped += signature[middle + 1 :]
    bad = client.post(f"/u/{payload}.{flipped}", data=ONE_CLICK, base_url=BASE)
    assert bad.status_code == 404
    assert app.store.subscriber("daily", ANNA) is None


def test_the_new_wording_exists_in_every_language() -> None:
    for language in ("en", "da", "de"):
        assert "unsubscribed.gone" in PAGE_STRINGS[language], language
    assert PAGE_STRINGS["da"]["unsubscribed.gone"] != PAGE_STRINGS["en"]["unsubscribed.gone"]
    assert PAGE_STRINGS["de"]["unsubscribed.gone"] != PAGE_STRINGS["en"]["unsubscribed.gone"]
