"""Prepared message bytes: quoted-printable, unmangled headers, safe substitution."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.errors import DeliveryError
from digest.message import personalise, prepare, qp_encode
from digest.render import PREFERENCES, UNSUBSCRIBE, Rendered

LONG_URL = "https://brief.example.org/u/" + "A" * 120


def _prepared(html: str = "", text: str = "", text_only: bool = False):  # type: ignore[no-untyped-def]
    rendered = Rendered(
        subject="Kødbyen reopens — and more | The Brief",
        preheader="x",
        html=html
        or f'<p>Hej ø</p><a href="{UNSUBSCRIBE}">Unsubscribe</a> '
        f'<a href="{PREFERENCES}">Preferences</a>',
        text=text or f"Hej ø\n\nUnsubscribe: {UNSUBSCRIBE}\n",
    )
    return prepare(
        rendered,
        sender="The Brief <brief@example.org>",
        list_name="daily",
        list_title="The Brief",
        edition_id=7,
        nonce="3f9a0c1d2e4b5a67",
        text_only=text_only,
        date=datetime(2026, 11, 27, 6, tzinfo=UTC),
    )


def _personalised(unsubscribe_url: str, name: str = "Ann") -> tuple[bytes, str]:
    """The prepared message for subscriber 3 with `unsubscribe_url`: its bytes and head."""
    data = personalise(
        _prepared(),
        edition_id=7,
        subscriber_id=3,
        email="a@example.com",
        name=name,
        unsubscribe_url=unsubscribe_url,
        preferences_url="https://brief.example.org/p/x",
    )
    return data, data.split(b"\r\n\r\n", 1)[0].decode("ascii")


def test_a_long_unsubscribe_url_is_folded_before_it_never_encoded_nor_broken() -> None:
    """Longer than the placeholder it replaces, and than a line: List-Unsubscribe is
    folded after its colon, the URL whole on the next line (RFC 5322 2.1.1 keeps lines
    within 78 characters, but for a word that cannot be broken)."""
    data, head = _personalised(LONG_URL, name="Søren Ærø")
    assert f"\r\nList-Unsubscribe:\r\n <{LONG_URL}>\r\n" in head
    msg = message_from_bytes(data, policy=policy.default)
    assert msg["List-Unsubscribe"].strip() == f"<{LONG_URL}>"  # the fold's space kept
    assert msg["To"].addresses[0].display_name == "Søren Ærø"
    assert msg["Subject"] == "Kødbyen reopens — and more | The Brief"
    assert msg["Message-ID"] == "<digest.7.3.3f9a0c1d2e4b5a67@example.org>"
    assert msg["List-Id"] == "The Brief <daily.example.org>"
    text, html = (p.get_content() for p in msg.iter_parts())
    assert LONG_URL in text and f'href="{LONG_URL}"' in html
    assert "https://brief.example.org/p/x" in html
    assert max(len(line) for line in data.split(b"\r\n")) == len(f" <{LONG_URL}>")
    long = [line for line in head.split("\r\n") if len(line) > 78]
    assert long == [f" <{LONG_URL}>"]


@pytest.mark.parametrize(("length", "folded"), [(58, False), (59, True)])
def test_list_unsubscribe_is_folded_only_past_78_characters(length: int, folded: bool) -> None:
    url = "https://brief.example.org/u/"
    url += "x" * (length - len(url))
    data, head = _personalised(url)
    line = f"List-Unsubscribe: <{url}>"
    assert (line in head.split("\r\n")) is not folded
    assert (f"List-Unsubscribe:\r\n <{url}>\r\n" in head) is folded
    assert len(line) == 20 + length
    msg = message_from_bytes(data, policy=policy.default)
    assert msg["List-Unsubscribe"].strip() == f"<{url}>"


def test_body_lines_stay_within_76_octets_after_substitution() -> None:
    data = personalise(
        _prepared(html="<p>" + "å" * 500 + f'</p><a href="{UNSUBSCRIBE}">u</a>'),
        edition_id=1,
        subscriber_id=1,
        email="a@example.com",
        name="",
        unsubscribe_url=LONG_URL,
        preferences_url="https://x.example/p",
    )
    body = data.split(b"\r\n\r\n", 1)[1]
    assert max(len(line) for line in body.split(b"\r\n")) <= 76


@pytest.mark.parametrize("name", ["Eve\r\nBcc: victim@example.com", "Eve\nX: y"])
def test_a_line_break_in_a_name_is_refused(name: str) -> None:
    with pytest.raises(DeliveryError, match="line break"):
        personalise(
            _prepared(),
            edition_id=1,
            subscriber_id=1,
            email="e@example.com",
            name=name,
            unsubscribe_url=LONG_URL,
            preferences_url=LONG_URL,
        )


def test_text_only_subscribers_get_a_single_text_part() -> None:
    data = personalise(
        _prepared(text_only=True),
        edition_id=1,
        subscriber_id=2,
        email="t@example.com",
        name="T",
        unsubscribe_url=LONG_URL,
        preferences_url=LONG_URL,
    )
    msg = message_from_bytes(data, policy=policy.default)
    assert msg.get_content_type() == "text/plain"
    assert LONG_URL in msg.get_content()


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_quoted_printable_round_trips(text: str) -> None:
    import quopri

    text = text.replace("\r", "")
    encoded = qp_encode(text)
    assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))
    assert quopri.decodestring(encoded.replace(b"\r\n", b"\n")).decode("utf-8") == text
