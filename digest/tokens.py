"""Signed, unguessable tokens for the links a subscriber gets.

A token carries a subscriber id and is signed (HMAC via itsdangerous) with the
project's newest secret key (see digest.keys; older keys still verify until they are
retired) and a purpose-specific salt, so an unsubscribe token cannot be
used as a preferences token and a changed id fails the signature. Tokens are short
enough that a `List-Unsubscribe` URL is never encoded (a long one is folded before
the URL, never inside it: :func:`digest.headers.unsubscribe_value`).

A send makes two per message, so `make` (and `make_bytes`, what a send's links use)
computes the usual one (an id below 10**10) with one HMAC, its key's inner and outer
SHA-1 states computed once per purpose (:class:`_Mac`), instead of going through
itsdangerous' layers: the very same token, checked against itsdangerous' own when each
purpose is first used.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeGuard

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

from digest.errors import ConfigError, DigestError

Purpose = Literal["unsubscribe", "preferences", "confirm"]


class BadToken(DigestError):
    """A token was tampered with, truncated or made for another purpose."""


class _Serializer(URLSafeSerializer):
    """URLSafeSerializer that skips its zlib attempt for payloads too short to shrink
    (any id below 10**10): the tokens are the same, and zlib's set-up per call cost
    more than the rest of a token (two per message sent). Loading is unchanged."""

    def dump_payload(self, obj: Any) -> bytes:
        payload = Serializer.dump_payload(self, obj)
        if len(payload) <= 10:  # zlib's output is never shorter than 9 bytes
            return base64_encode(payload)
        return super().dump_payload(obj)


class Tokens:
    """Makes tokens with the newest key; reads those of any key given (newest first), so
    that links in mail sent before a key rotation work until the old key is dropped."""

    def __init__(self, secret: str | Sequence[str]) -> None:
        found = [secret] if isinstance(secret, str) else list(secret)
        if not found or not all(found):
            raise ConfigError("no secret key to sign tokens with")  # never sign with ""
        self._secrets = found[::-1]  # itsdangerous: verify with all, sign with the last
        self._serializers: dict[str, URLSafeSerializer] = {}
        self._macs: dict[str, _Mac | None] = {}  # purpose -> the fast path's HMAC

    def _serializer(self, purpose: Purpose) -> URLSafeSerializer:
        found = self._serializers.get(purpose)
        if found is None:
            found = self._serializers[purpose] = _Serializer(
                self._secrets, salt=f"digest.{purpose}"
            )
        return found

    def make(self, purpose: Purpose, subscriber_id: int) -> str:
        return self.make_bytes(purpose, subscriber_id).decode("ascii")

    def make_bytes(self, purpose: Purpose, subscriber_id: int) -> bytes:
        """`make`'s token as ASCII bytes (what a message is made of)."""
        try:
            mac = self._macs[purpose]
        except KeyError:
            mac = self._macs[purpose] = self._fast_mac(purpose)
        if mac is not None and type(subscriber_id) is int and 0 <= subscriber_id < 10**10:
            return mac.token(subscriber_id)
        return self._slow(purpose, subscriber_id).encode("ascii")

    def _slow(self, purpose: Purpose, subscriber_id: int) -> str:
        token = self._serializer(purpose).dumps(subscriber_id)
        assert isinstance(token, str)
        return token

    def _fast_mac(self, purpose: Purpose) -> _Mac | None:
        """itsdangerous' default signer (HMAC-SHA1, key SHA1(salt + "signer" + secret),
        newest secret): its HMAC, once it is seen to give its very tokens."""
        secret = self._secrets[-1].encode("utf-8")
        mac = _Mac(hashlib.sha1(f"digest.{purpose}signer".encode() + secret).digest())
        samples = (0, 7, 123_456, 10**10 - 1)
        if all(mac.token(i).decode() == self._slow(purpose, i) for i in samples):
            return mac
        return None  # another itsdangerous default: its own way only

    def make_dated(self, purpose: Purpose, subscriber_id: int, issued: datetime) -> str:
        """A token that carries when it was made, under the signature: for a link that
        expires (the double opt-in confirmation)."""
        token = self._serializer(purpose).dumps([subscriber_id, int(issued.timestamp())])
        assert isinstance(token, str)
        return token

    def read_dated(self, purpose: Purpose, token: str) -> tuple[int, datetime | None]:
        """The subscriber id of a :meth:`make_dated` token and when it was made (None for
        a token of :meth:`make`, which carries no time)."""
        try:
            value = self._serializer(purpose).loads(token)
        except BadSignature:
            raise BadToken(f"invalid {purpose} token") from None
        if _whole(value):
            return value, None
        if isinstance(value, list) and len(value) == 2 and all(_whole(v) for v in value):
            try:
                return value[0], datetime.fromtimestamp(value[1], UTC)
            except (OverflowError, OSError, ValueError):
                pass
        raise BadToken(f"invalid {purpose} token")

    def read(self, purpose: Purpose, token: str) -> int:
        try:
            value = self._serializer(purpose).loads(token)
        except BadSignature:
            raise BadToken(f"invalid {purpose} token") from None
        if not _whole(value):
            raise BadToken(f"invalid {purpose} token")
        return value


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


_URLSAFE = bytes.maketrans(b"+/", b"-_")


class _Mac:
    """HMAC-SHA1 with one key (RFC 2104), the padded key's two SHA-1 states made once:
    a token costs two state copies and two short updates, not an HMAC set-up."""

    __slots__ = ("inner", "outer")

    def __init__(self, key: bytes) -> None:
        padded = key.ljust(64, b"\0")  # a SHA-1 key is 20 bytes: never hashed first
        self.inner = hashlib.sha1(bytes(b ^ 0x36 for b in padded))
        self.outer = hashlib.sha1(bytes(b ^ 0x5C for b in padded))

    def token(self, subscriber_id: int) -> bytes:
        """`URLSafeSerializer.dumps(subscriber_id)` for an id of at most 10 digits (its
        JSON is never compressed): base64(id) "." base64(HMAC-SHA1(key, base64(id)))."""
        value = _b64(b"%d" % subscriber_id)
        inner = self.inner.copy()
        inner.update(value)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return value + b"." + _b64(outer.digest())


def _b64(data: bytes) -> bytes:
    """URL-safe base64 without padding (itsdangerous' `base64_encode`)."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")
