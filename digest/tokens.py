"""Signed, unguessable tokens for the links a subscriber gets.

A token carries a subscriber id and is signed (HMAC via itsdangerous) with the
project's newest secret key (see digest.keys; older keys still verify until they are
retired) and a purpose-specific salt, so an unsubscribe token cannot be
used as a preferences token and a changed id fails the signature. Tokens are short
enough that a `List-Unsubscribe` URL is never folded or encoded.
"""

from __future__ import annotations

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

    def _serializer(self, purpose: Purpose) -> URLSafeSerializer:
        found = self._serializers.get(purpose)
        if found is None:
            found = self._serializers[purpose] = _Serializer(
                self._secrets, salt=f"digest.{purpose}"
            )
        return found

    def make(self, purpose: Purpose, subscriber_id: int) -> str:
        token = self._serializer(purpose).dumps(subscriber_id)
        assert isinstance(token, str)
        return token

    def read(self, purpose: Purpose, token: str) -> int:
        try:
            value = self._serializer(purpose).loads(token)
        except BadSignature:
            raise BadToken(f"invalid {purpose} token") from None
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadToken(f"invalid {purpose} token")
        return value
