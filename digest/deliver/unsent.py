"""Copies of an edition recorded not sent (`unsendable`), in the operator's words.

`digest send`'s summary and the scheduler's record of a send both say how many copies
were not sent, why (the reason the ledger kept, as :func:`~.replies.no_smtputf8` gave
it), to whom (the first few addresses), and the command that sends them once the relay
offers SMTPUTF8 (`digest send ID --retry-unsendable`). Words only: this module reads
no ledger and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.deliver.replies import unsendable_reason
from digest.records import Delivery

#: Addresses named in the note; `--retry-unsendable --dry-run` lists them all.
SHOWN = 5


def unsent_note(
    edition_id: int, count: int, listed: Sequence[Delivery], *, named: bool = True
) -> str:
    """One sentence about `count` copies not sent, `listed` the first of them (by
    subscriber). `named`: say which edition (the scheduler's record already does)."""
    copies = "1 copy" if count == 1 else f"{count} copies"
    what = f"{copies} of edition {edition_id}" if named else copies
    reasons = [unsendable_reason(d.email, d.error) for d in listed if d.error]
    why = "; ".join(dict.fromkeys(reasons)) or "the relay cannot carry them"
    who = ", ".join(d.email for d in listed[:SHOWN])
    if (more := count - len(listed[:SHOWN])) > 0:
        who += (
            f" and {more} more: `digest send {edition_id} --retry-unsendable --dry-run` "
            "lists them all"
        )
    them = "it" if count == 1 else "them"
    return (
        f"{what} not sent: {why} ({who}). Once the relay offers SMTPUTF8, "
        f"`digest send {edition_id} --retry-unsendable` sends {them}"
    )
