"""Bounce and complaint events pushed by a sending provider: Amazon SES and Mailgun.

Each event is verified before it is believed: SES notifications arrive through SNS and
carry an RSA signature over their fields, made with a certificate that AWS serves from
`https://sns.<region>.amazonaws.com/` (or one pinned in `[bounces] sns_certificate`);
Mailgun signs `timestamp + token` with HMAC-SHA256 under the account's webhook signing
key ($DIGEST_MAILGUN_SIGNING_KEY) and the timestamp must be fresh. A forged event is
refused; a replayed one finds its key already stored and changes nothing.

Pure translation and verification; the only I/O is fetching an SNS certificate (and
confirming an SNS subscription) from an AWS host, never from anywhere else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from digest.bounces.reports import Finding, Kind, classify_status
from digest.errors import DigestError
from digest.records import address_key

__all__ = [
    "Event",
    "WebhookRejected",
    "mailgun_events",
    "ses_events",
    "sns_host_ok",
    "verify_sns",
]

MAX_AGE = timedelta(minutes=15)  # Mailgun: a signature older than this is a replay
SNS_MAX_AGE = timedelta(days=1)  # SNS retries for a while; older messages are refused
_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


class WebhookRejected(DigestError):
    """A webhook call is not signed by the provider, stale, or not for us."""


@dataclass(frozen=True, slots=True)
class Event:
    """One provider event about one recipient."""

    key: str  # the provider's id for the event: a replay stores nothing new
    finding: Finding
    envelope: str | None  # the message's envelope sender, where it may carry a VERP tag


def sns_host_ok(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(_SNS_HOST.match(parts.hostname or ""))


def _sns_string(body: Mapping[str, Any]) -> bytes:
    if body.get("Type") == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:  # SubscriptionConfirmation, UnsubscribeConfirmation
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    out = []
    for name in names:
        if name in body and body[name] is not None:
            out.append(f"{name}\n{body[name]}\n")
    return "".join(out).encode()


def verify_sns(
    body: Mapping[str, Any],
    *,
    topic: str | None,
    certificate: Callable[[str], bytes],
    now: datetime,
) -> None:
    """Raise WebhookRejected unless an SNS message is signed by AWS for our topic."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if topic is None:
        raise WebhookRejected("SES webhook: [bounces] sns_topic_arn is not set; refusing")
    if body.get("TopicArn") != topic:
        raise WebhookRejected(f"SES webhook: topic {body.get('TopicArn')!r} is not ours")
    version = str(body.get("SignatureVersion", ""))
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}.get(version)
    if algorithm is None:
        raise WebhookRejected(f"SES webhook: unknown SignatureVersion {version!r}")
    try:
        signature = base64.b64decode(str(body.get("Signature", "")), validate=True)
        sent = datetime.fromisoformat(str(body.get("Timestamp", "")).replace("Z", "+00:00"))
    except ValueError:
        raise WebhookRejected("SES webhook: malformed signature or timestamp") from None
    if sent.tzinfo is None or abs(now - sent) > SNS_MAX_AGE:
        raise WebhookRejected("SES webhook: the message is too old (a replay?)")
    pem = certificate(str(body.get("SigningCertURL", "")))
    key = x509.load_pem_x509_certificate(pem).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise WebhookRejected("SES webhook: the signing certificate is not RSA")
    try:
        key.verify(signature, _sns_string(body), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise WebhookRejected("SES webhook: bad signature") from None


def _ses_bounce_kind(bounce: Mapping[str, Any], status: str | None, detail: str) -> Kind:
    kind = str(bounce.get("bounceType", ""))
    if kind == "Permanent":
        sub = str(bounce.get("bounceSubType", ""))
        # SES "Suppressed" / "OnAccountSuppressionList" are addresses SES itself knows dead.
        return (
            "hard"
            if sub not in ("MessageTooLarge", "ContentRejected", "AttachmentRejected")
            else "soft"
        )
    if kind == "Transient":
        return "soft"
    return classify_status(status, detail)


def ses_events(message: Mapping[str, Any]) -> list[Event]:
    """The bounce and complaint events in one SES notification (the SNS `Message`)."""
    kind = message.get("notificationType") or message.get("eventType")
    mail = message.get("mail") or {}
    envelope = mail.get("source") if isinstance(mail, Mapping) else None
    events: list[Event] = []
    if kind == "Bounce":
        bounce = message.get("bounce") or {}
        feedback = str(bounce.get("feedbackId") or mail.get("messageId") or "")
        for n, rcpt in enumerate(bounce.get("bouncedRecipients") or ()):
            address = address_key(str(rcpt.get("emailAddress", ""))) or None
            status = rcpt.get("status")
            detail = " ".join(
                str(rcpt.get("diagnosticCode") or bounce.get("bounceSubType") or "").split()
            )
            finding = Finding(
                _ses_bounce_kind(bounce, status, detail),
                address,
                status,
                detail[:300],
            )
            events.append(Event(f"ses:{feedback}:{n}", finding, envelope))
    elif kind == "Complaint":
        complaint = message.get("complaint") or {}
        feedback = str(complaint.get("feedbackId") or mail.get("messageId") or "")
        what = str(complaint.get("complaintFeedbackType") or "abuse")
        if what != "not-spam":
            for n, rcpt in enumerate(complaint.get("complainedRecipients") or ()):
                address = address_key(str(rcpt.get("emailAddress", ""))) or None
                finding = Finding("complaint", address, None, f"SES complaint: {what}")
                events.append(Event(f"ses:{feedback}:{n}", finding, envelope))
    return events


def verify_mailgun(payload: Mapping[str, Any], *, key: str | None, now: datetime) -> None:
    """Raise WebhookRejected unless Mailgun's signature block is valid and fresh."""
    if not key:
        raise WebhookRejected("Mailgun webhook: $DIGEST_MAILGUN_SIGNING_KEY is not set; refusing")
    block = payload.get("signature")
    if not isinstance(block, Mapping):
        raise WebhookRejected("Mailgun webhook: no signature")
    timestamp, token = str(block.get("timestamp", "")), str(block.get("token", ""))
    given = str(block.get("signature", ""))
    expected = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    if not token or not hmac.compare_digest(expected, given):
        raise WebhookRejected("Mailgun webhook: bad signature")
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError):
        raise WebhookRejected("Mailgun webhook: bad timestamp") from None
    if abs(now - sent) > MAX_AGE:
        raise WebhookRejected("Mailgun webhook: the signature is too old (a replay?)")


def mailgun_events(payload: Mapping[str, Any]) -> list[Event]:
    """The bounce or complaint in one Mailgun webhook call (already verified)."""
    data = payload.get("event-data")
    if not isinstance(data, Mapping):
        return []
    name = data.get("event")
    address = address_key(str(data.get("recipient", ""))) or None
    ident = data.get("id")
    if not isinstance(ident, str | int) or isinstance(ident, bool) or ident == "":
        ident = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    key = f"mailgun:{ident}"
    envelope = None
    message = data.get("message")
    if isinstance(message, Mapping):
        headers = message.get("headers")
        if isinstance(headers, Mapping):
            envelope = headers.get("return-path") or headers.get("sender")
    outer = data.get("envelope")
    envelope = envelope or (outer.get("sender") if isinstance(outer, Mapping) else None)
    envelope = envelope if isinstance(envelope, str) else None
    if name == "complained":
        return [Event(key, Finding("complaint", address, None, "Mailgun complaint"), envelope)]
    if name == "failed":
        status_block = data.get("delivery-status")
        if not isinstance(status_block, Mapping):
            status_block = {}
        detail = " ".join(
            str(status_block.get("message") or status_block.get("description") or "").split()
        )
        status = str(status_block.get("enhanced-code") or "") or None
        kind: Kind = "hard" if data.get("severity") == "permanent" else "soft"
        if kind == "hard" and status:
            kind = classify_status(status, detail)
        return [Event(key, Finding(kind, address, status, detail[:300]), envelope)]
    return []
