"""Webhook endpoints for sending providers: `/hooks/ses` (via SNS) and `/hooks/mailgun`.

A call is verified before anything happens (see :mod:`digest.bounces.webhooks`); a
refused call changes nothing and answers 403 "refused", whatever the reason: why (a
setting not made, a bad or stale signature, a topic not ours) is logged for the
operator, never told to a caller who has not shown the provider's signature. Some
reasons name the configuration, and even those about the request itself would tell it
by their difference (with the Mailgun key unset every call is refused before its
signature is read, so "bad signature" would say the key is set; "bad signature" after
the topic check would confirm a guessed topic ARN). The one refusal after a valid
signature, a Mailgun token already used for another event, says so. Authenticated by
the provider's signature, not by a session: no CSRF token, no cookie.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from typing import Any, NoReturn

import httpx
from flask import Blueprint, abort, request

from digest.bounces import apply_finding
from digest.bounces.verp import read_tag
from digest.bounces.webhooks import MAX_AGE as MAILGUN_MAX_AGE
from digest.bounces.webhooks import (
    Event,
    WebhookRejected,
    mailgun_events,
    ses_events,
    sns_host_ok,
    verify_mailgun,
    verify_sns,
)
from digest.config import MAILGUN_KEY_ENV
from digest.web.common import web

log = logging.getLogger(__name__)
bp = Blueprint("hooks", __name__)
#: All a caller is told of a refusal it cannot have caused knowingly (see above).
REFUSED = "The webhook call was refused."
_certificates: dict[str, bytes] = {}
#: Throttle scopes: each Mailgun signature token, and the event it first came with.
MAILGUN_TOKEN = "mailgun:token"
MAILGUN_EVENT = "mailgun:event"


def _json() -> dict[str, Any]:
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        abort(400, "The body is not JSON.")
    if not isinstance(body, dict):
        abort(400, "The body is not a JSON object.")
    return body


def _refuse(exc: WebhookRejected) -> NoReturn:
    """403 "refused"; the reason (never a key: no message holds one) goes to the log."""
    reason = " ".join(str(exc).split())[:300]
    log.warning("%s: refused a call from %s: %s", request.path, request.remote_addr, reason)
    abort(403, REFUSED)


def _certificate(url: str) -> bytes:
    pinned = web().app.settings.bounces.sns_certificate
    if pinned is not None:
        return pinned.read_bytes()
    if not sns_host_ok(url):
        raise WebhookRejected(f"SES webhook: certificate URL {url[:100]!r} is not an AWS SNS host")
    if url not in _certificates:
        try:
            answer = httpx.get(url, timeout=10, follow_redirects=False)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            raise WebhookRejected(f"SES webhook: cannot fetch the certificate: {exc}") from None
        _certificates[url] = answer.content
    return _certificates[url]


def _apply(events: list[Event], origin: str) -> dict[str, int]:
    w = web()
    settings = w.app.settings.bounces
    keys = w.app.verp_keys()
    counts = {"events": len(events), "suppressed": 0, "repeated": 0}
    for event in events:
        tag = None
        if event.envelope and settings.return_path:
            tag = read_tag(event.envelope, settings.return_path, keys)
        for outcome in apply_finding(
            w.app.store,
            settings,
            event.finding,
            key=event.key,
            origin=origin,
            tag=tag,
            verified=True,
            now=w.now(),
        ):
            counts["suppressed"] += bool(outcome.status)
            counts["repeated"] += outcome.repeated
    return counts


@bp.route("/hooks/ses", methods=["POST"])
def ses() -> tuple[dict[str, Any], int]:
    body = _json()
    w = web()
    settings = w.app.settings.bounces
    try:
        verify_sns(body, topic=settings.sns_topic_arn, certificate=_certificate, now=w.now())
    except WebhookRejected as exc:
        _refuse(exc)
    if body.get("Type") == "SubscriptionConfirmation":
        url = str(body.get("SubscribeURL", ""))
        if not sns_host_ok(url):
            abort(400, "The subscription URL is not an AWS SNS host.")
        try:
            httpx.get(url, timeout=10, follow_redirects=False).raise_for_status()
        except httpx.HTTPError as exc:
            abort(502, f"Could not confirm the SNS subscription: {exc}")
        return {"confirmed": True}, 200
    if body.get("Type") != "Notification":
        return {"ignored": body.get("Type")}, 200
    try:
        message = json.loads(str(body.get("Message", "")))
    except ValueError:
        abort(400, "The SNS message is not JSON.")
    if not isinstance(message, dict):
        abort(400, "The SNS message is not a JSON object.")
    return _apply(ses_events(message), "webhook:ses"), 200


@bp.route("/hooks/mailgun", methods=["POST"])
def mailgun() -> tuple[dict[str, Any], int]:
    body = _json()
    try:
        verify_mailgun(body, key=os.environ.get(MAILGUN_KEY_ENV), now=web().now())
    except WebhookRejected as exc:
        _refuse(exc)
    _once(body)
    return _apply(mailgun_events(body), "webhook:mailgun"), 200


def _once(body: dict[str, Any]) -> None:
    """Mailgun signs only a timestamp and a token, not the event: a signature block seen
    once (in a log, a proxy) would carry any event for 15 minutes. Each token is taken
    for the first event it came with; the very same call again (a provider's retry)
    still answers, any other event under that token is a 403."""
    w = web()
    token = str(body["signature"]["token"])
    event = json.dumps(body.get("event-data"), sort_keys=True, separators=(",", ":"))
    pair = f"{token}\n{hashlib.sha256(event.encode('utf-8', 'surrogatepass')).hexdigest()}"
    window, now, store = 2 * MAILGUN_MAX_AGE, w.now(), w.app.store
    if store.reserve(MAILGUN_TOKEN, token, limit=1, window=window, now=now):
        store.reserve(MAILGUN_EVENT, pair, limit=1, window=window, now=now)
    elif not store.attempts(MAILGUN_EVENT, pair, window=window, now=now):
        why = "Mailgun webhook: this signature was already used for another event"
        log.warning("%s: refused a call from %s: %s", request.path, request.remote_addr, why)
        abort(403, why)
