"""Signed VERP envelope senders: `bounces+<tag>@domain` names an edition and a subscriber.

A delivery status notification goes back to the envelope sender of the message it is
about. Giving every message its own envelope sender lets a bounce name the edition and
the subscriber without parsing the returned message, and signing the tag means a forged
report cannot name anyone else: an attacker who knows an address still cannot make the
tag for it. Tags are lower-case base32 (some relays lower-case the local part) and keep
the local part well under RFC 5321's 64 octets.

Pure functions of their arguments; no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Tagged", "envelope_sender", "find_tag", "read_tag"]

#: 60 bits of HMAC: a forger must guess it, one mailed report per guess.
_MAC_CHARS = 12
_TAG = re.compile(r"^e(\d{1,12})s(\d{1,15})x([a-z2-7]{" + str(_MAC_CHARS) + "})$")


@dataclass(frozen=True, slots=True)
class Tagged:
    """What a valid tag names."""

    edition_id: int
    subscriber_id: int


def _mac(key: str, edition_id: int, subscriber_id: int) -> str:
    digest = hmac.new(
        key.encode(), f"digest.verp.{edition_id}.{subscriber_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode().lower()[:_MAC_CHARS]


def envelope_sender(return_path: str, edition_id: int, subscriber_id: int, key: str) -> str:
    """`local+e7s42x<mac>@domain` for the base address `local@domain`."""
    local, _, domain = return_path.rpartition("@")
    tag = f"e{edition_id}s{subscriber_id}x{_mac(key, edition_id, subscriber_id)}"
    return f"{local}+{tag}@{domain}"


def read_tag(address: str, return_path: str, keys: Sequence[str]) -> Tagged | None:
    """The edition and subscriber an address's signed tag names, else None.

    `address` may be any spelling of our envelope sender (angle brackets, another case);
    it counts only when its local part is the return path's plus a tag that verifies
    under one of `keys` (the current key first, then older ones still in their grace).
    """
    address = address.strip().strip("<>").strip().lower()
    local, _, domain = address.rpartition("@")
    base_local, _, base_domain = return_path.lower().rpartition("@")
    if domain != base_domain or not local.startswith(base_local + "+"):
        return None
    match = _TAG.match(local[len(base_local) + 1 :])
    if match is None:
        return None
    edition_id, subscriber_id, mac = int(match[1]), int(match[2]), match[3]
    for key in keys:
        if hmac.compare_digest(_mac(key, edition_id, subscriber_id), mac):
            return Tagged(edition_id, subscriber_id)
    return None


def find_tag(text: str, return_path: str, keys: Sequence[str]) -> Tagged | None:
    """The first valid tag in any address-like token of `text` (header values)."""
    local, _, domain = return_path.rpartition("@")
    pattern = re.compile(re.escape(local) + r"\+[a-z0-9]+@" + re.escape(domain), re.IGNORECASE)
    for candidate in pattern.findall(text):
        found = read_tag(candidate, return_path, keys)
        if found is not None:
            return found
    return None
