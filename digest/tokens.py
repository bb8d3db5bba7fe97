"""Signed, unguessable tokens for the links a subscriber gets.

A token carries a subscriber id and is signed (HMAC via itsdangerous) with the
project's newest secret key (see digest.keys; older keys still verify until they are
retired) and a purpose-specific salt, so an unsubscribe token cannot be
used as a preferences token and a changed id fails the signature. Tokens are short
enough that a `List-Unsubscribe` URL is never folded or encoded.

A send makes two per message, so `make` computes the usual one (an id below 10**10)
with one `hmac.digest` call instead of going through itsdangerous' layers: the very
same token, checked against itsdangerous' own when each purpose is first used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any, Literal

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
        self._keys: dict[str, bytes | None] = {}  # purpose -> HMAC key of the fast path

    def _serializer(self, purpose: Purpose) -> URLSafeSerializer:
        found = self._serializers.get(purpose)
        if found is None:
            found = self._serializers[purpose] = _Serializer(
                self._secrets, salt=f"digest.{purpose}"
            )
        return found

    def make(self, purpose: Purpose, subscriber_id: int) -> str:
        key = self._keys.get(purpose, b"")
        if key == b"":
            key = self._keys[purpose] = self._fast_key(purpose)
        if key is not None and 0 <= subscriber_id < 10**10 and type(subscriber_id) is int:
            return _fast(key, subscriber_id)
        return self._slow(purpose, subscriber_id)

    def _slow(self, purpose: Purpose, subscriber_id: int) -> str:
        token = self._serializer(purpose).dumps(subscriber_id)
        assert isinstance(token, str)
        return token

    def _fast_key(self, purpose: Purpose) -> bytes | None:
        """itsdangerous' default signer (HMAC-SHA1, key SHA1(salt + "signer" + secret),
        newest secret): its key, once `_fast` is seen to give its very tokens."""
        secret = self._secrets[-1].encode("utf-8")
        key = hashlib.sha1(f"digest.{purpose}signer".encode() + secret).digest()
        samples = (0, 7, 123_456, 10**10 - 1)
        if all(_fast(key, i) == self._slow(purpose, i) for i in samples):
            return key
        return None  # another itsdangerous default: its own way only

    def read(self, purpose: Purpose, token: str) -> int:
        try:
            value = self._serializer(purpose).loads(token)
        except BadSignature:
            raise BadToken(f"invalid {purpose} token") from None
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadToken(f"invalid {purpose} token")
        return value


def _fast(key: bytes, subscriber_id: int) -> str:
    """`URLSafeSerializer.dumps(subscriber_id)` for an id of at most 10 digits (its
    JSON is never compressed): base64(id) "." base64(HMAC-SHA1(key, base64(id)))."""
    value = base64.urlsafe_b64encode(b"%d" % subscriber_id).rstrip(b"=")
    mac = hmac.digest(key, value, "sha1")
    return (value + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode("ascii")
