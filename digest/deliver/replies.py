"""What an SMTP server's answer means for a message: a refusal of the recipient (a
bounce, or a :class:`Refusal` that may be the relay's), of the sender or the session
(:class:`TransportError`: stop the send), or a transient failure. Pure functions of
the codes and texts; :mod:`digest.deliver.transports` raises what they return.
"""

from __future__ import annotations

import re

from digest.config import SMTP_PASSWORD_ENV
from digest.deliver.wire import needs_smtputf8
from digest.errors import DeliveryError


class TransportError(DeliveryError):
    """The transport itself is unusable (no message is at fault): stop the send."""


class Unreachable(DeliveryError):
    """No connection to the server could be made (refused, timed out, no such host):
    about no message and no address. The engine tries the connection again a few times
    at short intervals, then pauses the send (digest.deliver.reconnect)."""


class Unsendable(DeliveryError):
    """This message cannot go through this transport at all, and neither its address nor
    the moment is at fault: an address that is not ASCII and a relay that does not
    offer SMTPUTF8 (RFC 6531). Nothing of it was sent. The engine records it as not
    sent for this edition (never a bounce; tried again only by `digest send ID
    --retry-unsendable`); the subscriber stays active and gets later editions once the
    relay offers the extension."""


def no_smtputf8(recipient: str, where: str) -> Unsendable:
    return Unsendable(
        f"{recipient}: not sent: the relay {where} does not offer SMTPUTF8 (RFC 6531), "
        "which an address that is not ASCII needs"
    )


def refused_utf8(recipient: str, code: int, text: str) -> Unsendable:
    return Unsendable(
        f"{recipient}: not sent: the server answered {code} {text}: an address that is not "
        "ASCII cannot go that way (SMTPUTF8, RFC 6531)",
        code=code,
    )


def unsendable_reason(recipient: str, error: str) -> str:
    """The reason in an :class:`Unsendable`'s words as the ledger keeps them, without
    the recipient they begin with (several copies share one reason)."""
    return error.removeprefix(f"{recipient}: ").removeprefix("not sent: ")


class Refusal(DeliveryError):
    """A recipient refused with a 5xx that may be about the sender or the relay rather
    than the address (see :func:`rcpt_error`): never a bounce by itself.

    `confirmable` (a bare 5xx, no enhanced status code, no word of relaying or policy):
    it becomes a bounce only once the same server accepts a later recipient (or, at
    a run's end, its domain's postmaster: the engine's `_confirm_held`), which shows
    the refusal was about that address. Otherwise (5.7.x, relaying, policy) it
    is deferred to the next run. The send engine decides; this class only says which.
    """

    def __init__(self, message: str, *, code: int, confirmable: bool) -> None:
        super().__init__(message, permanent=False, code=code)
        self.confirmable = confirmable


_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
#: Answers about the session, not a message: login required, refused, too weak, or
#: encryption required (RFC 4954). Whatever command they answer, they stop the send.
_SESSION_CODES = (530, 534, 535, 538)
#: Words of a refusal that is about the sender, the relay or its policy.
_POLICY_WORDS = re.compile(
    r"\b(relay\w*|auth\w*|sender|policy|spam\w*|block\w*|blacklist\w*|listed|"
    r"reputation|quota|rate.?limit\w*|too many|not permitted)\b",
    re.I,
)
#: Words of a refusal for want of SMTPUTF8 on the way (RFC 6531), not of the address.
_UTF8_WORDS = re.compile(r"\b(smtp\s?utf-?8|utf-?8|non[-\s]?ascii|internationali[sz]ed)\b", re.I)


def reply_text(msg: bytes | str) -> str:
    return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else msg


def _enhanced(text: str) -> tuple[int, int, int] | None:
    m = _ENHANCED.match(text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def command_failure(
    sender: str, recipient: str, replies: list[tuple[int, bytes]]
) -> DeliveryError | None:
    """The first refusal among the replies to MAIL, RCPT and DATA, as an error.

    A permanent refusal of MAIL FROM, or a login/encryption answer (530, 534, 535, 538)
    to any command, is about the sender or the session: a :class:`TransportError`,
    which pauses the send and never touches a subscriber."""
    (code, text), *rest = replies
    for reply, answer in replies:
        if reply in _SESSION_CODES:
            return TransportError(
                f"the server needs a (different) login or encryption: it answered "
                f"{reply} {reply_text(answer)}; check [transport] username, security and "
                f"${SMTP_PASSWORD_ENV}",
                code=reply,
            )
    if 500 <= code < 600:
        return TransportError(
            f"the server refused the sender {sender} ({code} {reply_text(text)}); no "
            "subscriber is at fault: check [newsletter] sender and what the relay allows",
            code=code,
        )
    if code != 250:
        return DeliveryError(
            f"{recipient}: sender {sender} refused ({code} {reply_text(text)})", code=code
        )
    if rest[0][0] not in (250, 251):
        return rcpt_error(recipient, *rest[0], utf8=needs_smtputf8((sender, recipient)))
    if len(rest) > 1 and rest[1][0] != 354:
        return data_error(recipient, *rest[1], utf8=needs_smtputf8((sender, recipient)))
    return None


def _wants_smtputf8(text: str, enhanced: tuple[int, int, int] | None) -> bool:
    """Whether a refusal says the message needs SMTPUTF8 where it cannot have it: X.6.7
    to X.6.9 (RFC 6531's codes), or its words, unless a code says the mailbox or its
    domain does not exist (X.1.1, X.1.2, X.2.1)."""
    if enhanced is not None and enhanced[1] == 6 and enhanced[2] in (7, 8, 9):
        return True
    dead = enhanced is not None and enhanced[1:] in ((1, 1), (1, 2), (2, 1))
    return not dead and bool(_UTF8_WORDS.search(text))


def rcpt_error(recipient: str, code: int, msg: bytes | str, *, utf8: bool = False) -> DeliveryError:
    """A refused recipient. The rule (issue 14: a relay answering `550 Relaying
    denied` to everyone must not bounce a whole list):

    - 4xx: transient, retried (greylisting, a full queue);
    - for an envelope that needs SMTPUTF8 (`utf8`), a 5xx that says it cannot have it
      on the way (5.6.7 "non-ASCII addresses not permitted", or the words SMTPUTF8,
      UTF-8, non-ASCII without a code of a dead mailbox): :class:`Unsendable`, neither
      a bounce nor a deferral (nothing about the address; `--retry-unsendable`);
    - 5xx with an enhanced status code other than 5.7.x (e.g. `550 5.1.1 User
      unknown`): about the address, a bounce (`permanent`);
    - 5xx with 5.7.x (relaying denied, policy), or without an enhanced code but
      with words of relaying, login, sender or policy: a :class:`Refusal`, never a
      bounce: deferred to the next run;
    - any other bare 5xx (`550 No such user`): a `confirmable` :class:`Refusal`, a
      bounce only once the same server accepts a later recipient (or its domain's
      postmaster).

    Refusals in a row count towards `max_consecutive_failures`, which pauses the
    send with the server's answer."""
    text = reply_text(msg)
    error = f"{recipient}: {code} {text}"
    if not 500 <= code < 600:
        return DeliveryError(error, code=code)
    enhanced = _enhanced(text)
    if utf8 and _wants_smtputf8(text.replace(recipient, ""), enhanced):
        return refused_utf8(recipient, code, text)
    if enhanced is not None and enhanced[1] != 7:
        return DeliveryError(error, permanent=True, code=code)
    confirmable = enhanced is None and not _POLICY_WORDS.search(text)
    return Refusal(error, code=code, confirmable=confirmable)


def data_error(recipient: str, code: int, msg: bytes | str, *, utf8: bool = False) -> DeliveryError:
    """Refused after DATA: only a mailbox status (5.1.x, 5.2.1) bounces the address;
    content or policy refusals are the message's problem, not the subscriber's. For an
    envelope that needed SMTPUTF8 (`utf8`), a 5xx saying the message cannot go on
    without it (5.6.7-5.6.9, or the words: RFC 6531's "UTF-8 header message cannot be
    transferred") is :class:`Unsendable`, as the same answer to RCPT is (retrying it
    every send would only be refused again)."""
    text = reply_text(msg)
    enhanced = _enhanced(text)
    if utf8 and 500 <= code < 600 and _wants_smtputf8(text.replace(recipient, ""), enhanced):
        return refused_utf8(recipient, code, text)
    bounce = (
        500 <= code < 600 and enhanced is not None and (enhanced[1] == 1 or enhanced[1:] == (2, 1))
    )
    return DeliveryError(f"{recipient}: {code} {text}", permanent=bounce, code=code)


def missing_extension(said: str) -> str:
    """What the server lacks that the settings need, from smtplib's "... extension not
    supported by server." (its words end in a full stop the caller would double)."""
    if "STARTTLS" in said:
        return (
            'the server does not offer STARTTLS, which [transport] security = "starttls" '
            'requires (port 465 is usually security = "tls")'
        )
    if "AUTH" in said:
        return "the server offers no login (AUTH), but [transport] username is set"
    return said.rstrip(".")
