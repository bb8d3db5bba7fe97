"""Plain-text bounces (no RFC 3464 delivery-status part: qmail, Exim and sendmail
shapes) about internationalised addresses name the subscriber as stored, however
the text spells the address: raw UTF-8, quoted-printable, in a part mislabelled
`us-ascii`, decomposed (NFD), in another case, or with its domain as A-labels
(`xn--…`) where we stored U-labels, or as U-labels where we stored A-labels.
Before, only addresses made of ASCII and of letters Python calls `\\w` were found, so
`अजय@डाटा.भारत` (vowel signs are combining marks) or a decomposed `josé` named nobody
and the subscriber kept being mailed.

The samples in tests/data/bounces/ are our own, in the shapes of those servers.
Real SQLite, the `digest bounces` command over a maildir.
"""

from __future__ import annotations

import json
import quopri
import unicodedata
from pathlib import Path
from string import Template

import pytest
from click.testing import CliRunner

from digest.bounces.reports import read_report
from digest.cli import main
from digest.subscribers import add_subscriber
from tests.test_bounces import DATA, _deliver, _project, _sent, _status
from tests.test_send_support import NOW, build

ENVELOPE = "bounces@brief.example.org"  # a relay that rewrote the envelope: no VERP tag
SAMPLES = ["qmail-plain-utf8.eml", "exim-plain-qp.eml", "sendmail-plain-mislabelled.eml"]
JOSE, ANN, AJAY = "josé@exämple.dk", "ann@xn--exmple-cua.dk", "अजय@डाटा.भारत"
#: (as the bounce spells it, as we store it)
SPELLINGS = [
    (JOSE, JOSE),
    ("josé@xn--exmple-cua.dk", JOSE),  # the domain as the MTA looked it up
    (unicodedata.normalize("NFD", JOSE), JOSE),  # é as e + combining acute
    ("José@EXÄMPLE.dk", "José@exämple.dk"),  # matched by email_key, which folds the case
    ("ann@exämple.dk", ANN),  # an ASCII local part: we store its domain as A-labels
    (ANN, ANN),
    (AJAY, AJAY),
    ("अजय@xn--c2bd1gb.xn--h2brj9c", AJAY),
]


def plain_bounce(name: str, recipient: str, mid: str = "1") -> bytes:
    """A sample filled in, CRLF line ends; its body quoted-printable when it says so."""
    text = Template((DATA / name).read_text(encoding="utf-8")).safe_substitute(
        envelope=ENVELOPE, recipient=recipient, mid=mid
    )
    head, _, body = text.replace("\n", "\r\n").partition("\r\n\r\n")
    raw = body.encode("utf-8")
    if "quoted-printable" in head:
        raw = quopri.encodestring(raw)
    return head.encode("ascii") + b"\r\n\r\n" + raw


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize(("spelled", "stored"), SPELLINGS)
def test_a_plain_bounce_names_a_unicode_recipient_as_stored(
    name: str, spelled: str, stored: str
) -> None:
    report = read_report(plain_bounce(name, spelled))
    assert report.kind == "hard"
    (finding,) = report.findings
    assert (finding.recipient, finding.status) == (stored, "5.1.1")


def test_plain_bounces_suppress_unicode_subscribers_through_the_cli(tmp_path: Path) -> None:
    """No VERP tag (the relay rewrote the envelope): the reports are trusted by the
    address they name (`trust_unsigned`), so that address must be the subscriber's."""
    app = _project(tmp_path, extra="trust_unsigned = true\n")
    edition = build(app)
    ids = []
    for email in (JOSE, "ann@exämple.dk", AJAY, "bo@example.org"):
        added = add_subscriber(app.store, "daily", email, double_opt_in=False, origin="t", now=NOW)
        assert added.subscriber is not None
        ids.append(added.subscriber.id)
    assert [s.email for s in app.store.subscribers("daily")] == [JOSE, ANN, AJAY, "bo@example.org"]
    _sent(app, edition, ids)
    _deliver(app, plain_bounce("qmail-plain-utf8.eml", AJAY, "a"))
    _deliver(app, plain_bounce("exim-plain-qp.eml", unicodedata.normalize("NFD", JOSE), "b"))
    _deliver(app, plain_bounce("sendmail-plain-mislabelled.eml", "ann@exämple.dk", "c"))

    result = CliRunner().invoke(main, ["bounces", "--config", str(app.settings.path), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert (counts["read"], counts["hard"], counts["suppressed"]) == (3, 3, 3), counts
    assert _status(app, JOSE) == _status(app, ANN) == _status(app, AJAY) == ["bounced"]
    assert _status(app, "bo@example.org") == ["active"]


@pytest.mark.parametrize(
    "text",
    [
        # Nothing that can be an address: no dot in the domain, a special-use name,
        # a time, an at-sign in prose, the daemon's own (Unicode) address.
        "<josé@localhost>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
        "<josé@fjord.test>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
        "Mødet kl. 12@3.30 er aflyst.\n550 5.1.1 user unknown\n",
        "Spørg postmaster@exämple.dk @ kontoret.\n550 5.1.1 user unknown\n",
    ],
)
def test_a_plain_bounce_with_no_address_in_it_names_nobody(text: str) -> None:
    raw = (
        "From: MAILER-DAEMON@mail.fjord.example\r\nTo: bounces@brief.example.org\r\n"
        "Subject: failure notice\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + text.replace("\n", "\r\n")
    ).encode("utf-8")
    (finding,) = read_report(raw).findings
    assert finding.recipient is None


def test_the_failed_address_is_chosen_over_the_daemons_and_ours() -> None:
    text = (
        "Fra postmaster@exämple.dk til bounces@brief.example.org:\n"
        "<josé@exämple.dk>:\nSorry, no mailbox here by that name. (#5.1.1)\n"
        "From: The Copenhagen Brief <brief@example.org>\n"
    )
    raw = (
        "From: MAILER-DAEMON@mail.fjord.example\r\nTo: Bounces@Brief.Example.org\r\n"
        "Subject: failure notice\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + text.replace("\n", "\r\n")
    ).encode("utf-8")
    (finding,) = read_report(raw).findings
    assert finding.recipient == JOSE
