"""Recipients refused with a bare 5xx that no later acceptance confirmed (a run's last
ones): were the refusals about their addresses, or about the sender or the relay?

Asked as RFC 5321 4.5.1 allows: does the server take mail for the postmaster of each
one's domain? MAIL, RCPT, RSET, no message sent. Yes: the refusal was about the address
(a bounce); no or no answer: it may be the relay's (deferred, never bounced). The
engine decides what to do with the answer; this module only asks.
"""

from __future__ import annotations

from digest.deliver.interfaces import MessageSource
from digest.deliver.transports import Transport
from digest.errors import DeliveryError
from digest.records import Subscriber, address_key

Held = list[tuple[Subscriber, str]]  # (subscriber, the refusal)


def confirm(held: Held, messages: MessageSource, transport: Transport) -> tuple[Held, Held]:
    """(the refusals confirmed, each with why: bounces; the others, still held)."""
    verdict: dict[str, bool | None] = {}
    confirmed: Held = []
    still: Held = []
    for sub, error in held:  # the domain as A-labels: ASCII, asked without SMTPUTF8
        probe = address_key("postmaster@" + sub.email.rpartition("@")[2])
        if probe not in verdict:
            try:
                sender = messages.sender(sub)
            except DeliveryError:
                sender = ""
            asked = sender and address_key(sub.email) != probe
            verdict[probe] = transport.accepts(sender, probe) if asked else None
        if verdict[probe]:
            confirmed.append((sub, f"{error} (the server takes mail for {probe})"))
        else:
            still.append((sub, error))
    return confirmed, still
