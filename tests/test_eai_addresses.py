"""Internationalised addresses (EAI, RFC 6530-6533): a local part that is not ASCII
(`josé@example.com`, `अजय@डाटा.भारत`) is accepted at every door: the CSV import,
`digest subscribers add`, and stored as email-validator's `normalized` form (NFC).

An ASCII local part is lower-cased as before; one with any other character is kept as
typed (see `digest.subscribers.addresses`). A confirmation to such an address over a
relay without SMTPUTF8 is a clear error and loses nothing. Real SQLite (and
PostgreSQL where marked), real aiosmtpd servers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_string, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from digest.subscribers import normalise_email
from tests.conftest import Mailbox, _Handler, free_port, write_project

JOSE = "josé@example.com"
AJAY = "अजय@डाटा.भारत"
WEEKLY = '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


@contextmanager
def _server(smtputf8: bool) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) that offers SMTPUTF8 or not."""
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(
        _Handler(box), hostname="127.0.0.1", port=box.port, enable_SMTPUTF8=smtputf8
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def test_an_eai_address_is_normalised_to_nfc_and_its_case_kept() -> None:
    decomposed = unicodedata.normalize("NFD", "José@Example.COM")
    assert normalise_email(decomposed) == "José@example.com"  # NFC; the domain lower-cased
    assert normalise_email(f"  {JOSE} ") == JOSE
    assert normalise_email(AJAY) == AJAY
    assert normalise_email("ÉLODIE@EXAMPLE.ORG") == "ÉLODIE@example.org"
    # As before: an ASCII local part is lower-cased, an IDN domain kept as A-labels.
    assert normalise_email("Ajay@डाटा.भारत") == "ajay@xn--c2bd1gb.xn--h2brj9c"
    assert normalise_email("Ann@Example.org") == "ann@example.org"


def test_the_import_and_the_add_command_accept_eai_addresses(tmp_path: Path, db_url: str) -> None:
    config = write_project(tmp_path / "news", database=db_url)
    csv = config.parent / "people.csv"
    csv.write_text(f"email,name\n{JOSE},José Ørsted\n{AJAY},अजय\nann@example.org,Ann\n")
    r = _run(config, "subscribers", "import", str(csv), "--list", "daily")
    assert r.exit_code == 0, r.output
    assert "3 added" in r.output, r.output
    r = _run(config, "subscribers", "add", "ÉLODIE@example.org", "--list", "daily")
    assert r.exit_code == 0, r.output
    app = App.from_config(config)
    for email, name in ((JOSE, "José Ørsted"), (AJAY, "अजय"), ("ÉLODIE@example.org", "")):
        sub = app.store.subscriber("daily", email)
        assert sub is not None and (sub.email, sub.name, sub.status) == (email, name, "active")
    # The same address again, decomposed (NFD): the same subscriber, not a second one.
    again = config.parent / "again.csv"
    again.write_text(f"email,name\n{unicodedata.normalize('NFD', JOSE)},José\n")
    r = _run(config, "subscribers", "import", str(again), "--list", "daily")
    assert r.exit_code == 0 and "0 added" in r.output, r.output
    rows = [s.email for s in app.store.subscribers("daily") if s.email.startswith("jos")]
    assert rows == [JOSE]


def test_a_confirmation_to_an_eai_address_goes_over_smtputf8(tmp_path: Path) -> None:
    with _server(smtputf8=True) as box:
        config = write_project(
            tmp_path / "news",
            transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {box.port}',
            extra=WEEKLY,
        )
        r = _run(config, "subscribers", "add", JOSE, "--list", "weekly")
    assert r.exit_code == 0, r.output
    assert "pending; confirmation sent" in r.output
    (got,) = box.messages
    assert got.recipients == [JOSE]
    head = got.data.split(b"\r\n\r\n", 1)[0]
    assert f"To: {JOSE}\r\n".encode() in head + b"\r\n"  # raw UTF-8, no encoded word
    msg = message_from_string(got.data.decode("utf-8"), policy=policy.SMTPUTF8)
    assert msg["To"].addresses[0].addr_spec == JOSE


def test_a_confirmation_without_smtputf8_is_a_clear_error_and_loses_nothing(
    tmp_path: Path,
) -> None:
    with _server(smtputf8=False) as box:
        config = write_project(
            tmp_path / "news",
            transport=f'kind = "smtp"\nhost = "127.0.0.1"\nport = {box.port}',
            extra=WEEKLY,
        )
        r = _run(config, "subscribers", "add", JOSE, "--list", "weekly", "--name", "José")
        assert r.exit_code == 2, r.output
        assert JOSE in r.output and "SMTPUTF8" in r.output, r.output
        assert box.messages == []
        # The request is kept: pending, and a later try (a relay that offers it) sends.
        app = App.from_config(config)
        sub = app.store.subscriber("weekly", JOSE)
        assert sub is not None and (sub.status, sub.name) == ("pending", "José")
    assert [e.detail for e in app.store.events(sub.id)] == [None]
    with _server(smtputf8=True) as box:
        text = config.read_text()
        port_line = next(line for line in text.splitlines() if line.startswith("port = "))
        config.write_text(text.replace(port_line, f"port = {box.port}"))
        r = _run(config, "subscribers", "add", JOSE, "--list", "weekly")
    assert r.exit_code == 0 and f"Confirmation sent again to {JOSE}" in r.output, r.output
    assert [m.recipients for m in box.messages] == [[JOSE]]


@pytest.mark.parametrize("bad", ["jos\u00e9\n@example.com", "josé@exa mple.com", "<josé>@x.org"])
def test_a_broken_eai_address_is_still_refused_by_name(bad: str) -> None:
    from digest.errors import SubscriberError

    with pytest.raises(SubscriberError, match="jos"):
        normalise_email(bad)
