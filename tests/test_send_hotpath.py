"""The per-subscriber path stays cheap: render and inline once per variant, then only
substitute bytes; the shortcuts taken there give exactly the slow path's output."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from premailer import Premailer

from digest.app import App
from digest.compose import Links
from digest.deliver.run import send_edition
from digest.headers import _PLAIN_NAME as PLAIN_NAME
from digest.headers import format_address
from digest.message import _qp_chars, _qp_line, qp_value
from digest.render import Renderer
from digest.segments import Segments
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


def _format_address_slowly(name: str, email: str) -> str:
    """What `format_address` gave a plain name before its shortcut: normalised white
    space, then `formataddr` (quoting when the name has specials)."""
    name = " ".join(name.split())
    return formataddr((name, email)) if name else email


@given(
    st.text(
        alphabet=st.sampled_from("aZ09 .,;:\"'()<>@[]\\!#$%&*+/?^_`{|}~-\t"),
        min_size=0,
        max_size=70,
    )
)
def test_the_plain_name_shortcut_formats_like_formataddr(name: str) -> None:
    """A name without specials, single-spaced, is given as it is: as formataddr has it."""
    if not PLAIN_NAME.fullmatch(" ".join(name.split())) or "=?" in name:
        return  # the encoded-word path, unchanged
    assert format_address(name, "a@example.com") == _format_address_slowly(name, "a@example.com")


@given(st.integers(min_value=0, max_value=10**11), st.sampled_from(["", "/news", "/a=b"]))
def test_links_as_bytes_are_the_links_as_text(subscriber_id: int, path: str) -> None:
    links = Links(Tokens(["new", "old"]), "https://brief.example.org" + path)
    assert links.urls(subscriber_id) == (
        links.unsubscribe_url(subscriber_id).encode(),
        links.preferences_url(subscriber_id).encode(),
    )


@given(
    st.lists(st.sampled_from([b"@@A@@", b"@@B@@", b"x", b"\r\n", b"=", b""]), max_size=12),
    st.lists(st.sampled_from([b"@@A@@", b"@@B@@", b"y", b"\r\n"]), max_size=12),
)
def test_joined_segments_are_the_replaced_message(head: list[bytes], body: list[bytes]) -> None:
    """Placeholders anywhere (adjacent, first, last, none): joining the pieces is
    replacing each placeholder, a header one and a body one by their own values."""
    h, b = b"".join(head), b"".join(body)
    segments = Segments(h, b, {b"@@A@@": 0}, {b"@@A@@": 1, b"@@B@@": 2})
    values = [b"<head A>", b"<body A>", b"<body B>"]
    replaced_body = b.replace(b"@@A@@", values[1]).replace(b"@@B@@", values[2])
    replaced = h.replace(b"@@A@@", values[0]) + b"\r\n" + replaced_body
    assert b"".join(segments.fill(values)) == replaced
    assert (segments.body_first is None) == (b"@@A@@" not in b and b"@@B@@" not in b)
    if segments.body_first is not None:  # the body from its first slot: hashed per copy
        rest = b"".join(segments.fill(values)[segments.body_first :])
        assert segments.body_prefix + rest == replaced_body
