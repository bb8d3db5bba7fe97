"""DKIM signatures (RFC 6376) at wire speed: OpenSSL through `cryptography`.

Headers are canonicalized "relaxed", the body "simple" (our bodies are quoted-printable
lines without trailing white space, so nothing is lost and no body is rewritten). RSA
(rsa-sha256) and Ed25519 (ed25519-sha256, RFC 8463) keys are read from PEM; with a
second key a message carries two signatures (dual signing: receivers that know
Ed25519 check it, the others the RSA one).

`sign` signs any finished message (confirmations, test sends). `Template` is the fast
path for an edition: made once per prepared variant (its :class:`~digest.segments.Segments`),
it keeps the canonical form of the signed headers cut at the per-subscriber slots, the
body hash of everything before the body's first slot (a `hashlib` object copied per
message) and each key's DKIM-Signature field but for its bh= value, so each message
costs a join, one hash update over the body from its first slot and one signing
operation per key.
This module signs bytes; it sends nothing, and never logs or shows a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.config import DKIM_KEY_ENV, DkimSettings
from digest.errors import ConfigError, DeliveryError
from digest.segments import Pieces, Segments, split

#: The headers a DKIM signature covers (those present). Each is signed once more than it
#: occurs ("oversigned", RFC 6376 8.15): a verifier checks the last copy, a mail reader
#: shows the first, so a copy added above ours (a replayed message with another To, Date
#: or Content-Type) must break the signature; so must one we do not send (Reply-To).
DKIM_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)
DKIM_OVERSIGN = DKIM_HEADERS
CANONICALIZE = b"relaxed/simple"

_FIELD = re.compile(rb"(?m)^(?=[^ \t\r\n])")  # where each header field starts
_WSP = re.compile(rb"[ \t]+")
_B64_LINE = 72


def relaxed_value(value: bytes) -> bytes:
    """A header value canonicalized "relaxed": unfolded, runs of white space made one
    space, none at either end."""
    return _WSP.sub(b" ", value.replace(b"\r\n", b"")).strip(b" ")


def relaxed(field: bytes) -> bytes:
    """One header field (`Name: value\\r\\n`, maybe folded) canonicalized "relaxed"."""
    name, _, value = field.partition(b":")
    return name.strip(b" \t").lower() + b":" + relaxed_value(value) + b"\r\n"


def body_hash(body: bytes) -> hashlib._Hash:
    """The SHA-256 of a body canonicalized "simple" (trailing empty lines dropped)."""
    return hashlib.sha256(simple_tail(body))


def simple_tail(body: bytes) -> bytes:
    """The end of a body as "simple" canonicalization has it: one CRLF at the end."""
    while body.endswith(b"\r\n\r\n"):
        body = body[:-2]
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body


class DkimKey:
    """One signing key, parsed once: its algorithm, selector and domain."""

    def __init__(self, selector: str, domain: str, pem: bytes, *, origin: str) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

        try:
            key: Any = serialization.load_pem_private_key(pem, password=None)
        except Exception:  # several types for a bad key; never show it
            raise ConfigError(
                f"{origin}: not an RSA private key in PEM form (DKIM), nor Ed25519"
            ) from None
        if isinstance(key, rsa.RSAPrivateKey):
            self.algorithm = b"rsa-sha256"
        elif isinstance(key, ed25519.Ed25519PrivateKey):
            self.algorithm = b"ed25519-sha256"
        else:
            raise ConfigError(f"{origin}: a DKIM key must be RSA or Ed25519")
        self._key = key
        self._rsa = self.algorithm == b"rsa-sha256"
        if self._rsa:  # made once: the sign call per message gets them ready
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding

            self._padding, self._hash = padding.PKCS1v15(), hashes.SHA256()
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")

    def signature(self, data: bytes) -> bytes:
        """The base64 signature of the canonical header block `data`."""
        if self._rsa:
            raw = self._key.sign(data, self._padding, self._hash)
        else:  # RFC 8463: PureEdDSA over the SHA-256 of the data
            raw = self._key.sign(hashlib.sha256(data).digest())
        return binascii.b2a_base64(raw, newline=False)

    def header(self, names: bytes, bh: bytes, t: bytes) -> bytes:
        """The DKIM-Signature field up to an empty `b=` (as signed)."""
        return (
            b"DKIM-Signature: v=1; a=" + self.algorithm + b"; c=" + CANONICALIZE
            + b";\r\n\td=" + self.domain + b"; s=" + self.selector + b";\r\n\tt=" + t
            + b"; h=" + _fold_names(names) + b";\r\n\tbh=" + bh + b";\r\n\tb="
        )  # fmt: skip

    def around_bh(self, names: bytes, t: bytes) -> tuple[bytes, bytes, bytes, bytes]:
        """`header` before and after its bh= value, then its canonical form (as signed,
        without the final CRLF) before and after it: a base64 value has no white space,
        so canonicalizing the field is canonicalizing each side."""
        field = self.header(names, b"\0", t)
        before, after = field.split(b"\0")
        canon_before, canon_after = relaxed(field)[:-2].split(b"\0")
        return before, after, canon_before, canon_after


def _fold_names(names: bytes) -> bytes:
    """The h= list folded after a colon so its lines keep within 78 characters (FWS is
    allowed around each colon, RFC 6376 3.5)."""
    lines: list[bytes] = []
    line = b"\tt=1234567890; h="  # the line it starts on, at its longest
    for name in names.split(b":"):
        piece = name + b":"
        if len(line) + len(piece) > 76 and not line.endswith(b"h="):
            lines.append(line)
            line = b"\t"
        line += piece
    lines.append(line)
    start = len(b"\tt=1234567890; h=")
    return b"\r\n".join([lines[0][start:], *lines[1:]])[:-1]


def _fold(b64: bytes) -> bytes:
    return b"\r\n\t".join([b64[i : i + _B64_LINE] for i in range(0, len(b64), _B64_LINE)])


def _fields(head: bytes) -> list[bytes]:
    """The header block's fields, each with its CRLF (folded lines kept in it)."""
    if not head.endswith(b"\r\n"):
        head += b"\r\n"
    starts = [m.start() for m in _FIELD.finditer(head)]
    return [head[a:b] for a, b in zip(starts, [*starts[1:], len(head)], strict=True)]


def _choose(fields: Sequence[bytes]) -> tuple[list[bytes], bytes]:
    """The signed fields (canonical, in h= order) and the h= value."""
    by_name: dict[bytes, bytes] = {}
    for field in fields:  # the last copy is signed first (RFC 6376 5.4.2); we have one each
        by_name[field.partition(b":")[0].strip().lower()] = field
    names = [h.lower().encode() for h in DKIM_HEADERS if h.lower().encode() in by_name]
    extra = [h.lower().encode() for h in DKIM_OVERSIGN]  # absent ones too: none can be added
    return [relaxed(by_name[n]) for n in names], b":".join(names + extra)


class DkimSigner:
    """The newsletter's DKIM key or keys (RSA, and optionally Ed25519 too)."""

    def __init__(self, keys: Sequence[DkimKey]) -> None:
        if not keys:
            raise ValueError("a DkimSigner needs a key")
        self.keys = tuple(keys)

    @classmethod
    def from_settings(cls, dkim: DkimSettings | None, config: Path) -> DkimSigner | None:
        """The signer `[newsletter.dkim]` asks for (None when there is no such table)."""
        if dkim is None:
            return None
        found = dkim.private_key()
        if found is None:
            raise ConfigError(
                f"{config}: newsletter.dkim needs a private key: set ${DKIM_KEY_ENV} (PEM) "
                "or newsletter.dkim.key_file"
            )
        keys = [DkimKey(dkim.selector, dkim.domain, found[0], origin=found[1])]
        second = dkim.second_key()
        if second is not None:
            pem, origin = second
            assert dkim.ed25519_selector is not None
            keys.append(DkimKey(dkim.ed25519_selector, dkim.domain, pem, origin=origin))
        return cls(keys)

    def sign(self, message: bytes, *, now: datetime) -> bytes:
        """`message` (CRLF line ends) with its DKIM-Signature field(s) in front."""
        head, blank, body = message.partition(b"\r\n\r\n")
        if not blank:
            raise DeliveryError("cannot DKIM-sign a message without a header/body separator")
        signed, names = _choose(_fields(head + b"\r\n"))
        bh = base64.b64encode(body_hash(body).digest())
        return self._signatures(b"".join(signed), names, bh, now) + message

    def _signatures(self, canonical: bytes, names: bytes, bh: bytes, now: datetime) -> bytes:
        t = str(int(now.timestamp())).encode()
        out = []
        for key in self.keys:
            field = key.header(names, bh, t)
            b = key.signature(canonical + relaxed(field)[:-2])
            out.append(field + _fold(b) + b"\r\n")
        return b"".join(out)  # the first key's (RSA) signature first

    def template(
        self,
        head: bytes,
        body: bytes,
        segments: Segments,
        head_marks: Mapping[bytes, int],
        *,
        now: datetime,
    ) -> Template:
        """The per-variant plan for the copies `segments` makes of `head` and `body`
        (`head_marks`: the header's placeholders and their slots' kinds)."""
        return Template(self, head, body, segments, head_marks, now=now)


def _relaxed_slot(value: bytes) -> bytes:
    """`relaxed_value(value)`, skipped for the usual value that it leaves as it is."""
    if b"\r" in value or b"\t" in value or b"  " in value:
        return relaxed_value(value)
    return value.strip(b" ")


class Template:
    """Signs the personalised copies of one prepared variant (see the module docstring).

    `head` and `body` hold placeholders; a copy is `segments` filled with its values.
    The header placeholders must each be a whole header value (List-Unsubscribe's,
    folded or not) or lie inside one without white space (an address, a Message-ID)."""

    def __init__(
        self,
        signer: DkimSigner,
        head: bytes,
        body: bytes,
        segments: Segments,
        head_marks: Mapping[bytes, int],
        *,
        now: datetime,
    ) -> None:
        self.signer, self.segments = signer, segments
        signed, self.names = _choose(_fields(head))
        self.canonical = Pieces(*split(b"".join(signed), head_marks))
        self.first = segments.body_first
        self.bh = b""  # the body hash when the body has no slot: the same for all
        if self.first is None:
            self.bh = base64.b64encode(body_hash(body).digest())
        self.prefix = hashlib.sha256(segments.body_prefix)
        # The body's end as "simple" has it, the same in every copy (the usual case):
        # its tail need not be canonicalized per copy.
        last = segments.pieces[-1] or b""
        self.fixed_end = last.endswith(b"\r\n") and len(last) > 2 and last[-3:-2] != b"\n"
        t = str(int(now.timestamp())).encode()
        self.keys = [(key, *key.around_bh(self.names, t)) for key in signer.keys]

    def sign(self, values: Sequence[bytes]) -> bytes:
        """The copy whose slots hold `values` (raw header bytes, canonicalized here),
        joined, with its DKIM-Signature field(s) in front."""
        pieces = self.segments.fill(values)
        first = self.first
        if first is None:
            bh, rest = self.bh, pieces
        else:
            tail = b"".join(pieces[first:])
            h = self.prefix.copy()
            h.update(tail if self.fixed_end else simple_tail(tail))
            bh = binascii.b2a_base64(h.digest(), newline=False)
            rest = [*pieces[:first], tail]
        canon = self.canonical.pieces.copy()
        for at, kind in self.canonical.slots:
            canon[at] = _relaxed_slot(values[kind])
        canonical = b"".join(canon)  # type: ignore[arg-type]  # no None is left
        fields = []
        for key, before, after, canon_before, canon_after in self.keys:
            b = key.signature(canonical + canon_before + bh + canon_after)
            fields.append(before + bh + after + _fold(b) + b"\r\n")
        return b"".join([*fields, *rest])  # the first key's (RSA) signature first


@dataclass(frozen=True, slots=True)
class PublicRecord:
    """A key's DNS TXT record (`v=DKIM1; k=...; p=...`), for tests and `digest` docs."""

    name: bytes
    text: bytes


def public_record(key: DkimKey) -> PublicRecord:
    """The TXT record that publishes `key`'s public half."""
    from cryptography.hazmat.primitives import serialization

    public = key._key.public_key()
    if key.algorithm == b"rsa-sha256":
        der = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        text = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
    else:
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        text = b"v=DKIM1; k=ed25519; p=" + base64.b64encode(raw)
    return PublicRecord(key.selector + b"._domainkey." + key.domain + b".", text)
