"""Signed, unguessable tokens for the links a subscriber gets.

A token carries a subscriber id and is signed (HMAC via itsdangerous) with the
project's secret and a purpose-specific salt, so an unsubscribe token cannot be
used as a preferences token and a changed id fails the signature. Tokens are short
enough that a `List-Unsubscribe` URL is never folded or encoded.
"""

from __future__ import annotations

from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer

from digest.errors import DigestError

Purpose = Literal["unsubscribe", "preferences", "confirm"]


class BadToken(DigestError):
    """A token was tampered with, truncated or made for another purpose."""


class Tokens:
    def __init__(self, secret: str) -> None:
        self._secret = secret

    def _serializer(self, purpose: Purpose) -> URLSafeSerializer:
        return URLSafeSerializer(self._secret, salt=f"digest.{purpose}")

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
