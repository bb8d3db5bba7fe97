"""Property: whatever CSV arrives, the import never crashes and never loses anyone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.errors import SubscriberError
from digest.store import Store
from digest.subscribers import import_csv

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

EXISTING = {
    "active@example.org": "active",
    "pending@example.org": "pending",
    "left@example.org": "unsubscribed",
    "bounced@example.org": "bounced",
    "complained@example.org": "complained",
}

_addresses = st.one_of(
    st.sampled_from(sorted(EXISTING)).map(lambda e: e.upper() if len(e) % 2 else e),
    st.emails().map(str),
    st.text(max_size=40),
    st.sampled_from(["", " ", "a@b", "@example.org", "x@example.org\r\nBcc: y@z.org"]),
)
_cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["Europe/Copenhagen", "Mars/Olympus", "text", "html", "A;B", '"', "\r\n"]),
)
_row = st.tuples(_addresses, _cell, _cell, _cell, _cell)
_header = st.sampled_from(
    [
        ["email", "name", "sections", "timezone", "format"],
        ["email", "name"],
        ["Email", " NAME "],
        ["name", "email", "format"],
        ["email", "bogus"],
        ["name"],
        [],
    ]
)


def _csv_text(header: list[str], rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(header)
    for row in rows:
        writer.writerow(row[: max(len(header), 1)])
    return out.getvalue()


_file = st.one_of(
    st.builds(_csv_text, _header, st.lists(_row, max_size=12)).map(
        lambda s: s.encode("utf-8", "surrogatepass")
    ),
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda s: ("email,name\n" + s).encode("utf-8", "surrogatepass")),
)


def _store(folder: Path) -> Store:
    store = Store(f"sqlite:///{folder / 'digest.db'}")
    store.migrate()
    rows = [{"email": e, "name": "", "status": "active"} for e in EXISTING]
    store.write_subscribers("daily", rows, origin="seed", now=NOW)
    for email, status in EXISTING.items():
        sub = store.subscriber("daily", email)
        assert sub is not None
        store.set_status(sub.id, status, origin="seed", now=NOW)
    return store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    folder = tmp_path_factory.mktemp("hypothesis")
    store = _store(folder)
    yield store, folder
    store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_file)
@example(data=b"\r\x00")  # a lone CR in the header line broke the separator's detection
def test_generated_csv_never_crashes_and_never_loses_a_subscriber(
    seeded: tuple[Store, Path], data: bytes
) -> None:
    store, folder = seeded
    path = folder / "generated.csv"
    path.write_bytes(data)
    before = {s.email: s for s in store.subscribers("daily")}
    try:
        result = import_csv(store, "daily", path, now=NOW + timedelta(days=1))
    except SubscriberError as exc:
        # Only a whole-file problem is raised, and it names the file.
        assert str(path) in str(exc)
        result = None
    after = {s.email: s for s in store.subscribers("daily")}
    # Nobody disappears; ids stay; no status moves, except that nothing new is pending.
    assert set(before) <= set(after)
    for email, sub in before.items():
        assert after[email].id == sub.id
        assert after[email].status == sub.status, email
    for email in set(after) - set(before):
        assert after[email].status == "active"
        assert email == email.lower() and "\n" not in email and "\r" not in email
    if result is not None:
        assert result.added == len(set(after) - set(before))
        assert all(p.line >= 2 for p in result.problems)
