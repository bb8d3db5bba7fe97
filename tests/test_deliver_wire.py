"""The transport's own SMTP reply reader answers exactly as smtplib's `getreply` for
the same bytes from a real socket: single and multi-line replies, odd codes, a
closed connection."""

from __future__ import annotations

import smtplib
import socket
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.deliver.wire import content
from digest.deliver.wire import read_reply as _reply

_LINE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(
    lambda s: s.encode()
)
_CODE = st.sampled_from([b"250", b"354", b"421", b"550", b"5x0", b"  1"])


def _served(payload: bytes) -> smtplib.SMTP:
    """An SMTP object reading `payload` (then end of stream) from a loopback socket."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        peer, _ = server.accept()
        peer.sendall(payload)
        peer.close()
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    conn = smtplib.SMTP()
    conn.sock = socket.create_connection(("127.0.0.1", port))
    conn.file = conn.sock.makefile("rb")
    return conn


def _read_all(read: object, payload: bytes) -> list[object]:
    conn = _served(payload)
    answers: list[object] = []
    while True:
        try:
            answers.append(read(conn))  # type: ignore[operator]
        except smtplib.SMTPServerDisconnected:
            answers.append("disconnected")
            return answers
        except smtplib.SMTPResponseException as exc:
            answers.append(("error", exc.smtp_code, exc.smtp_error))
            return answers


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_CODE, st.lists(_LINE, min_size=1, max_size=3)), min_size=1, max_size=4))
def test_the_reply_reader_reads_as_smtplib_does(replies: list[tuple[bytes, list[bytes]]]) -> None:
    payload = b""
    for code, lines in replies:
        for i, line in enumerate(lines):
            payload += code + (b"-" if i < len(lines) - 1 else b" ") + line + b"\r\n"
    assert _read_all(_reply, payload) == _read_all(smtplib.SMTP.getreply, payload)


@pytest.mark.parametrize(
    "payload",
    [b"250 ok\r\n250-a\r\n250 b\r\n", b"250 ok\r\n2", b"x" * 9000 + b"\r\n", b"354\r\n"],
)
def test_odd_replies_read_as_smtplib_does(payload: bytes) -> None:
    assert _read_all(_reply, payload) == _read_all(smtplib.SMTP.getreply, payload)


@given(st.lists(st.sampled_from([b".", b"..", b"a", b"\r\n", b"\n", b" ", b".\r\n"]), max_size=12))
def test_content_is_dot_stuffed_and_ended_once(pieces: list[bytes]) -> None:
    """Every line starting with a dot gets one more (RFC 5321 4.5.2), then the end."""
    data = b"".join(pieces)
    ended = data if data.endswith(b"\r\n") else data + b"\r\n"
    stuffed = b"\n".join(
        b"." + line if line.startswith(b".") else line for line in ended.split(b"\n")
    )
    assert content(data) == stuffed + b".\r\n"
