"""The per-subscriber path stays cheap: render and inline once per variant, then only
substitute bytes; the shortcuts taken there give exactly the slow path's output."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from premailer import Premailer

from digest.app import App
from digest.deliver.run import send_edition
from digest.message import _qp_chars, _qp_line, qp_value
from digest.render import Renderer
from digest.tokens import Tokens
from tests.test_send_support import NOW, add_subscribers, build, small_project


def test_a_send_renders_and_inlines_once_per_variant_not_per_subscriber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = small_project(tmp_path / "news", 2525)
    config.write_text(
        config.read_text().replace('kind = "smtp"', 'kind = "outbox"\npath = "outbox/"')
    )
    app = App.from_config(config)
    edition = build(app)
    add_subscribers(app, 40)
    add_subscribers(app, 15, start=100, format="text")
    add_subscribers(app, 15, start=200, sections=["City"])
    calls: dict[str, int] = {"render": 0, "premailer": 0, "EmailMessage": 0}

    def counting(name: str, original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(Renderer, "render", counting("render", Renderer.render))
    monkeypatch.setattr(Premailer, "transform", counting("premailer", Premailer.transform))
    monkeypatch.setattr(EmailMessage, "__init__", counting("EmailMessage", EmailMessage.__init__))
    summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 70 and len(list((config.parent / "outbox").glob("*.eml"))) == 70
    assert 1 <= calls["render"] <= 3  # html for all, text-only, one section choice
    assert 1 <= calls["premailer"] <= calls["render"]
    assert calls["EmailMessage"] == 0


@pytest.mark.parametrize("subscriber_id", [0, 1, 42, 99_999, 10**9, 10**10 - 1, 10**12])
@pytest.mark.parametrize("purpose", ["unsubscribe", "preferences", "confirm"])
def test_tokens_are_itsdangerous_tokens(purpose: Any, subscriber_id: int) -> None:
    tokens = Tokens("a secret")
    token = tokens.make(purpose, subscriber_id)
    assert token == URLSafeSerializer("a secret", salt=f"digest.{purpose}").dumps(subscriber_id)
    assert tokens.read(purpose, token) == subscriber_id


@given(
    st.integers(min_value=0, max_value=10**11),
    st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=3),
    st.sampled_from(["unsubscribe", "preferences", "confirm"]),
)
def test_the_fast_token_is_itsdangerous_token_with_the_newest_key(
    subscriber_id: int, keys: list[str], purpose: Any
) -> None:
    """`make` skips itsdangerous' layers for the usual id: the same token all the same,
    signed with the newest of rotated keys (the first given), readable by all."""
    tokens = Tokens(keys)
    token = tokens.make(purpose, subscriber_id)
    signer = URLSafeSerializer(keys[::-1], salt=f"digest.{purpose}")
    assert token == signer.dumps(subscriber_id)
    assert tokens.read(purpose, token) == subscriber_id
    assert Tokens(keys[0]).read(purpose, token) == subscriber_id


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FF), max_size=90))
def test_the_short_link_shortcut_encodes_like_the_general_path(value: str) -> None:
    out: list[bytes] = []
    _qp_line(_qp_chars(value), out)
    assert qp_value(value) == b"\r\n".join(out)
