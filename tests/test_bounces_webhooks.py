"""Provider webhooks against a running `digest serve`: SES through SNS, and Mailgun.

A signed event suppresses; a forged, stale, foreign-topic or replayed one changes
nothing. A refused caller is told only "refused": why (a setting that is missing, a
bad signature, a topic not ours) goes to the operator's log, never the signing key.
The SNS signing certificate is one this test makes and pins in the config
(`[bounces] sns_certificate`); the string it signs is written here from AWS's
published layout, not taken from digest's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import select

from digest.app import App
from digest.bounces.verp import envelope_sender
from digest.store import schema as t
from tests.certs import self_signed
from tests.test_send_support import add_subscribers, build, small_project
from tests.test_web_public import serving

REFUSED = "The webhook call was refused."
#: What a refused caller must not be told (the reasons are the operator's, in the log).
REASONS = ("DIGEST_MAILGUN_SIGNING_KEY", "sns_topic_arn", "signature", "topic", "too old")


def _refused(answer: httpx.Response) -> None:
    """A 403 that says "refused" and nothing about why."""
    assert answer.status_code == 403, answer.text
    assert REFUSED in answer.text
    for word in REASONS:
        assert word not in answer.text, word


def _log(config: Path) -> str:
    return (config.parent / "serve.log").read_text()


TOPIC = "arn:aws:sns:eu-west-1:123456789012:digest-bounces"
RETURN = "bounces@brief.example.org"
MAILGUN_KEY = "key-test-signing-0123456789abcdef"


def _sns(key: rsa.RSAPrivateKey, message: dict[str, Any], **over: Any) -> dict[str, Any]:
    body = {
        "Type": "Notification",
        "MessageId": over.pop("MessageId", "b1a2c3d4-0000-4000-8000-000000000001"),
        "TopicArn": TOPIC,
        "Message": json.dumps(message),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "SignatureVersion": "2",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem",
        **over,
    }
    text = "".join(
        f"{name}\n{body[name]}\n"
        for name in ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
        if name in body
    )
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    body["Signature"] = base64.b64encode(signature).decode()
    return body


def _mailgun(event: dict[str, Any], *, key: str = MAILGUN_KEY, age: int = 0) -> dict[str, Any]:
    timestamp = str(int(time.time()) - age)
    token = hashlib.sha256(f"{timestamp}{event}".encode()).hexdigest()[:50]
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event,
    }


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("DIGEST_MAILGUN_SIGNING_KEY", MAILGUN_KEY)
    folder = tmp_path / "news"
    folder.mkdir()
    key = self_signed(folder, "sns.eu-west-1.amazonaws.com").private_key
    config = small_project(
        folder,
        2525,
        extra=f'[bounces]\nreturn_path = "{RETURN}"\nsns_topic_arn = "{TOPIC}"\n'
        'sns_certificate = "cert.pem"\n',
    )
    app = App.from_config(config)
    edition = build(app)
    emails = add_subscribers(app, 4)
    subs = {s.email: s.id for s in app.store.subscribers("daily")}
    with serving(config) as base:
        yield app, key, base, edition, emails, subs


def _status(app: App, email: str) -> str:
    s = t.subscribers
    with app.store.engine.connect() as conn:
        return str(conn.execute(select(s.c.status).where(s.c.email == email)).scalar())


def test_ses_bounce_and_complaint_signed_by_sns(served: Any) -> None:
    app, key, base, edition, emails, subs = served
    envelope = envelope_sender(RETURN, edition, subs[emails[0]], app.verp_keys()[0])
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "feedbackId": "0102018f-bounce-1",
            "bouncedRecipients": [
                {"emailAddress": emails[0], "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1"}
            ],
        },
        "mail": {"messageId": "m-1", "source": envelope, "destination": [emails[0]]},
    }
    answer = httpx.post(f"{base}/hooks/ses", content=json.dumps(_sns(key, bounce)))
    assert answer.status_code == 200, answer.text
    assert answer.json()["suppressed"] == 1
    assert _status(app, emails[0]) == "bounced"
    # The same notification again (SNS retries): nothing new.
    again = httpx.post(f"{base}/hooks/ses", content=json.dumps(_sns(key, bounce)))
    assert again.status_code == 200 and again.json()["repeated"] == 1

    complaint = {
        "notificationType": "Complaint",
        "complaint": {
            "feedbackId": "0102018f-complaint-1",
            "complaintFeedbackType": "abuse",
            "complainedRecipients": [{"emailAddress": emails[1]}],
        },
        "mail": {"messageId": "m-2", "source": "brief@example.org"},
    }
    body = _sns(key, complaint, MessageId="b1a2c3d4-0000-4000-8000-000000000002")
    assert httpx.post(f"{base}/hooks/ses", content=json.dumps(body)).status_code == 200
    assert _status(app, emails[1]) == "complained"  # webhooks are verified: act by address


def test_forged_stale_and_foreign_ses_calls_change_nothing(served: Any, tmp_path: Path) -> None:
    app, key, base, _edition, emails, _subs = served
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "feedbackId": "forged-1",
            "bouncedRecipients": [{"emailAddress": emails[2], "status": "5.1.1"}],
        },
        "mail": {"messageId": "m-3", "source": "brief@example.org"},
    }
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tampered = _sns(key, bounce)
    tampered["Message"] = tampered["Message"].replace(emails[2], emails[3])
    stale = _sns(key, bounce, Timestamp="2020-01-01T00:00:00.000Z")
    for body in (
        _sns(other, bounce),  # signed by someone else's key
        tampered,  # signed, then changed
        _sns(key, bounce, TopicArn="arn:aws:sns:eu-west-1:999999999999:other"),
        stale,
    ):
        _refused(httpx.post(f"{base}/hooks/ses", content=json.dumps(body)))
    assert httpx.post(f"{base}/hooks/ses", content=b"{not json").status_code == 400
    assert _status(app, emails[2]) == "active" and _status(app, emails[3]) == "active"
    # The operator's log says why each was refused.
    log = _log(app.settings.path)
    assert log.count("/hooks/ses: refused a call from 127.0.0.1: SES webhook: ") == 4, log
    assert log.count("SES webhook: bad signature") == 2
    assert "topic 'arn:aws:sns:eu-west-1:999999999999:other' is not ours" in log
    assert "SES webhook: the message is too old (a replay?)" in log


def test_mailgun_failed_and_complained_and_refusals(served: Any) -> None:
    app, _key, base, _edition, emails, _subs = served
    failed = {
        "event": "failed",
        "id": "mg-event-1",
        "severity": "permanent",
        "recipient": emails[2],
        "delivery-status": {"code": 550, "enhanced-code": "5.1.1", "message": "No such user"},
    }
    good = _mailgun(failed)
    assert httpx.post(f"{base}/hooks/mailgun", json=good).status_code == 200
    assert _status(app, emails[2]) == "bounced"
    replay = httpx.post(f"{base}/hooks/mailgun", json=good)
    assert replay.status_code == 200 and replay.json()["repeated"] == 1

    complained = {"event": "complained", "id": "mg-event-2", "recipient": emails[3]}
    for body in (
        _mailgun(complained, key="not-the-key"),  # forged
        _mailgun(complained, age=3600),  # an old signature replayed
        {"event-data": complained},  # unsigned
    ):
        _refused(httpx.post(f"{base}/hooks/mailgun", json=body))
    assert _status(app, emails[3]) == "active"
    log = _log(app.settings.path)
    for reason in ("bad signature", "the signature is too old (a replay?)", "no signature"):
        assert f"/hooks/mailgun: refused a call from 127.0.0.1: Mailgun webhook: {reason}" in log
    assert MAILGUN_KEY not in log
    assert httpx.post(f"{base}/hooks/mailgun", json=_mailgun(complained)).status_code == 200
    assert _status(app, emails[3]) == "complained"


def test_a_seen_mailgun_signature_cannot_carry_another_event(served: Any) -> None:
    app, _key, base, _edition, emails, _subs = served
    delivered = {"event": "delivered", "id": "mg-event-3", "recipient": emails[0]}
    seen = _mailgun(delivered)  # a genuine call, read from a log or a proxy
    assert httpx.post(f"{base}/hooks/mailgun", json=seen).status_code == 200
    # Mailgun signs the timestamp and token, not the event: the same block, fresh,
    # with a complaint about someone else.
    forged = {"event": "complained", "id": "mg-forged", "recipient": emails[1]}
    r = httpx.post(
        f"{base}/hooks/mailgun", json={"signature": seen["signature"], "event-data": forged}
    )
    # A caller who holds a valid signature is told why: it reveals no setting.
    assert r.status_code == 403 and "already used" in r.text
    assert "already used for another event" in _log(app.settings.path)
    assert _status(app, emails[1]) == "active"
    # The very same call again (Mailgun's retry) still answers, and changes nothing.
    assert httpx.post(f"{base}/hooks/mailgun", json=seen).status_code == 200
    assert _status(app, emails[0]) == "active"


def test_an_unconfigured_webhook_tells_the_caller_nothing_and_the_log_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither $DIGEST_MAILGUN_SIGNING_KEY nor `[bounces] sns_topic_arn` is set: every
    call is refused, and only the operator learns which setting is missing."""
    monkeypatch.delenv("DIGEST_MAILGUN_SIGNING_KEY", raising=False)
    folder = tmp_path / "news"
    folder.mkdir()
    key = self_signed(folder, "sns.eu-west-1.amazonaws.com").private_key
    config = small_project(
        folder, 2525, extra=f'[bounces]\nreturn_path = "{RETURN}"\nsns_certificate = "cert.pem"\n'
    )
    app = App.from_config(config)
    emails = add_subscribers(app, 1)
    complained = {"event": "complained", "id": "mg-event-9", "recipient": emails[0]}
    complaint = {
        "notificationType": "Complaint",
        "complaint": {"feedbackId": "f-9", "complainedRecipients": [{"emailAddress": emails[0]}]},
        "mail": {"messageId": "m-9", "source": "brief@example.org"},
    }
    with serving(config) as base:
        # Signed as Mailgun would sign with the key the operator meant to set.
        _refused(httpx.post(f"{base}/hooks/mailgun", json=_mailgun(complained)))
        _refused(httpx.post(f"{base}/hooks/ses", content=json.dumps(_sns(key, complaint))))
    assert _status(app, emails[0]) == "active"
    log = _log(config)
    assert (
        "/hooks/mailgun: refused a call from 127.0.0.1: Mailgun webhook: "
        "$DIGEST_MAILGUN_SIGNING_KEY is not set; refusing"
    ) in log, log
    assert "SES webhook: [bounces] sns_topic_arn is not set; refusing" in log, log
