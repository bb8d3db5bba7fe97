"""Bounces and complaints that arrive after the SMTP conversation.

Reads the bounce mailbox (or a provider's webhook), understands each report
(:mod:`~digest.bounces.reports`), finds whom it is about and acts on it through the
store: a hard bounce suppresses the address, a complaint the subscription it came from,
soft bounces only after `[bounces] soft_limit` editions in a row; auto-replies and delay
warnings change nothing. A report acts only when it is *verified*: it carries our signed
VERP tag (:mod:`~digest.bounces.verp`) or came through a webhook whose signature was
checked; anything else is recorded and reported, never acted on (unless
`trust_unsigned`), so nobody can unsubscribe others by mailing us a forged report.
Idempotent: a report processed twice changes nothing.
Must not: send mail, or delete a mailbox message unless `processed = "delete"`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from digest.bounces.reports import Finding, Report, read_report
from digest.bounces.verp import Tagged, find_tag
from digest.config import BounceSettings
from digest.store import BounceRecord

if TYPE_CHECKING:
    from digest.store import Store

__all__ = ["BounceRun", "Outcome", "apply_finding", "process_mailbox", "process_report"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one finding of one report did."""

    kind: str  # hard, soft, complaint, delayed, auto_reply, unknown
    verified: bool  # a signed tag or a verified webhook named the subscriber
    repeated: bool  # processed before: changed nothing
    status: str  # the subscriber status it set ("" for none)
    who: str  # the address or "edition E, subscriber S", for the report line


@dataclass(slots=True)
class BounceRun:
    """A pass over the mailbox: counts per kind, and the problems by message."""

    read: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    unverified: int = 0
    repeated: int = 0
    suppressed: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "hard": self.kinds["hard"],
            "soft": self.kinds["soft"],
            "complaints": self.kinds["complaint"],
            "delayed": self.kinds["delayed"],
            "auto_replies": self.kinds["auto_reply"],
            "unknown": self.kinds["unknown"],
            "unverified": self.unverified,
            "repeated": self.repeated,
            "suppressed": self.suppressed,
            "problems": list(self.problems),
        }


def apply_finding(
    store: Store,
    settings: BounceSettings,
    finding: Finding,
    *,
    key: str,
    origin: str,
    tag: Tagged | None,
    verified: bool,
    now: datetime,
) -> list[Outcome]:
    """Record one finding and act on it if it is verified; one outcome per subscription."""
    act = finding.kind in ("hard", "soft", "complaint")
    targets: list[tuple[int | None, int | None]] = []
    if tag is not None:
        targets.append((tag.edition_id, tag.subscriber_id))
        verified = True
    elif finding.recipient and (verified or settings.trust_unsigned):
        ids = store.subscriber_ids_by_email(finding.recipient)
        targets.extend((None, i) for i in ids)
        verified = True
    if not targets:
        targets.append((None, None))
        verified = False
    outcomes = []
    for n, (edition_id, subscriber_id) in enumerate(targets):
        status = store.record_bounce(
            BounceRecord(
                key=f"{key}|{finding.recipient or ''}|{n}",
                kind=finding.kind,
                origin=origin,
                edition_id=edition_id,
                subscriber_id=subscriber_id,
                email=finding.recipient,
                status=finding.status,
                detail=finding.detail,
            ),
            soft_limit=settings.soft_limit,
            act=act and verified and subscriber_id is not None,
            now=now,
        )
        who = (
            f"edition {edition_id}, subscriber {subscriber_id}"
            if tag is not None
            else finding.recipient or "nobody named"
        )
        outcomes.append(Outcome(finding.kind, verified, status is None, status or "", who))
    return outcomes


def process_report(
    store: Store,
    settings: BounceSettings,
    report: Report,
    *,
    keys: Sequence[str],
    origin: str,
    now: datetime,
) -> list[Outcome]:
    """Act on one parsed report from the mailbox."""
    tag = None
    if settings.return_path:
        tag = find_tag(report.addressed, settings.return_path, keys)
    findings = report.findings or (Finding(report.kind, None, None, report.why),)
    outcomes: list[Outcome] = []
    for finding in findings:
        outcomes.extend(
            apply_finding(
                store,
                settings,
                finding,
                key=report.key,
                origin=origin,
                tag=tag,
                verified=False,
                now=now,
            )
        )
    return outcomes


def process_mailbox(
    store: Store,
    settings: BounceSettings,
    *,
    keys: Sequence[str],
    now: datetime,
    spec: str | None = None,
    password: str | None = None,
) -> BounceRun:
    """Read every unprocessed message of the bounce mailbox and act on it."""
    from digest.bounces.mailbox import open_mailbox
    from digest.errors import ConfigError

    spec = spec or settings.mailbox
    if not spec:
        raise ConfigError("[bounces] mailbox is not set: nothing to read (or pass --mailbox)")
    box = open_mailbox(
        spec,
        password=password if password is not None else settings.password(),
        processed=settings.processed,
        folder=settings.processed_folder,
        ca_file=settings.ca_file,
    )
    run = BounceRun()
    try:
        for name, raw in box.messages():
            run.read += 1
            report = read_report(raw)
            if report.kind == "unknown" and report.why:
                run.problems.append(f"{box.where} {name}: {report.why}")
            outcomes = process_report(
                store, settings, report, keys=keys, origin=f"mailbox:{box.where}"[:100], now=now
            )
            for outcome in outcomes:
                run.kinds[outcome.kind] += 1
                run.repeated += outcome.repeated
                run.suppressed += bool(outcome.status)
                if not outcome.verified and outcome.kind in ("hard", "soft", "complaint"):
                    run.unverified += 1
            box.done(name)
    finally:
        box.close()
    return run
