"""The bytes of an SMTP transaction: commands, message content, replies.

Pure helpers of :class:`~digest.deliver.transports.SmtpTransport` over an open
`smtplib.SMTP`: the MAIL/RCPT/DATA commands of an envelope (with the SMTPUTF8
parameter, RFC 6531, only for an envelope with an address that is not ASCII), a
message's content with its final dot, a reply read the way `smtplib` reads it but
without its per-line bookkeeping (the hot path reads four a message), and a write
straight to the socket.
"""

from __future__ import annotations

import re
import smtplib

#: (envelope sender, recipient) of one message.
Envelope = tuple[str, str]

_LEADING_DOT = re.compile(rb"(?m)^\.")  # dot-stuffing (RFC 5321 4.5.2)
# The same test as `b"\n." in data`, three times as fast on a message (the regex
# engine's literal search beats bytes' own for a two-byte needle): it runs per message.
_LINE_DOT = re.compile(rb"\n\.")
_MAXLINE = 8192  # smtplib's longest reply line
_NOT_PLAIN = re.compile(r"[\r\n<>]")  # in an address: would break out of its command


def plain(address: str, *, utf8: bool = False) -> bool:
    """Whether `address` can go in a MAIL or RCPT command as it is (`utf8`: in a
    transaction with the SMTPUTF8 parameter, where it need not be ASCII)."""
    return (utf8 or address.isascii()) and not _NOT_PLAIN.search(address)


def needs_smtputf8(envelope: Envelope) -> bool:
    """Whether `envelope` holds an address that is not ASCII (EAI): its transaction
    needs the SMTPUTF8 parameter, and its message may carry UTF-8 headers (RFC 6532)."""
    return not (envelope[0].isascii() and envelope[1].isascii())


def commands(envelope: Envelope) -> list[bytes]:
    """MAIL, RCPT and DATA for `envelope` (plain addresses: see :func:`plain`); MAIL
    has the SMTPUTF8 parameter when the envelope needs it, and nothing else does."""
    sender, recipient = envelope
    if needs_smtputf8(envelope):
        mail = b"MAIL FROM:<" + sender.encode("utf-8") + b"> SMTPUTF8\r\n"
        return [mail, b"RCPT TO:<" + recipient.encode("utf-8") + b">\r\n", b"DATA\r\n"]
    return [
        b"MAIL FROM:<" + sender.encode("ascii") + b">\r\n",
        b"RCPT TO:<" + recipient.encode("ascii") + b">\r\n",
        b"DATA\r\n",
    ]


def content(data: bytes) -> bytes:
    """A message as it goes after DATA: CRLF-ended, dot-stuffed, then the final dot."""
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    if data.startswith(b".") or _LINE_DOT.search(data):
        data = _LEADING_DOT.sub(b"..", data)
    return data + b".\r\n"


def read_reply(conn: smtplib.SMTP) -> tuple[int, bytes]:
    """`conn.getreply()`: the same answer (and errors) for the same bytes."""
    file = conn.file
    if file is None:
        return conn.getreply()
    lines: list[bytes] = []
    while True:
        try:
            line = file.readline(_MAXLINE + 1)
        except OSError as exc:
            conn.close()
            raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {exc}") from None
        if not line:
            conn.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if len(line) > _MAXLINE:
            conn.close()
            raise smtplib.SMTPResponseException(500, "Line too long.")
        lines.append(line[4:].strip(b" \t\r\n"))
        try:
            code = int(line[:3])
        except ValueError:  # no continuation line is read after a broken code
            return -1, b"\n".join(lines)
        if line[3:4] != b"-":
            return code, lines[0] if len(lines) == 1 else b"\n".join(lines)


def write(conn: smtplib.SMTP, data: bytes) -> None:
    """`conn.send(data)` for bytes: straight to the socket."""
    if conn.sock is None:
        raise smtplib.SMTPServerDisconnected("please run connect() first")
    try:
        conn.sock.sendall(data)
    except OSError:
        conn.close()
        raise smtplib.SMTPServerDisconnected("Server not connected") from None
